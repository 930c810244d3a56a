package sshd

import (
	"io"
	"net"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/readcache"
	"github.com/malipo/malipo/demo"
	"github.com/malipo/malipo/internal/teabase"
	"github.com/malipo/malipo/internal/testout"
)

// BenchmarkKeypressFrame is issue 14's keypress-to-frame cost for one
// session, in process: a real SSH client (PTY 100x30) presses 2
// (Collections) and 1 (Wallets) in turn on the console served as `malipo
// serve` serves it (the shared read cache over the demo simulator), and
// waits for each new screen. The baseline beside it is a minimal Bubble
// Tea program over the same wish path (same host key, same client, same
// PTY) that swaps two full screens of text on the same keys: what any
// program costs to get a key in and a frame out over SSH.
//
// It reports the CPU time of the whole process per keypress (server,
// client and simulator: the same for both sides but the console's work),
// which is what bounds how many sessions two cores can serve; wall time
// per keypress too, though on a shared machine that is mostly waiting.
//
//	go test -run '^$' -bench KeypressFrame -benchtime 400x ./sshd/
//	go test -run '^$' -bench KeypressFrame -benchtime 400x -cpuprofile /tmp/cpu.pprof ./sshd/
func BenchmarkKeypressFrame(b *testing.B) {
	u := newUser(b, "wanjiru", "viewer")
	ts := startServer(b, []testUser{u}, func(c *Config) { c.Client = cachedClient(b, c.Client) })
	steps := []keyStep{{"2", "Today"}, {"1", "Total KES"}}
	console := keypressCost(b, ts.addr, u.signer, "Payroll", steps)
	base := keypressCost(b, startMinimalTea(b), u.signer, teabase.First, []keyStep{{"2", teabase.Second}, {"1", teabase.First}})
	b.ReportMetric(float64(console.cpu.Microseconds()), "cpu-µs/key")
	b.ReportMetric(float64(base.cpu.Microseconds()), "baseline-cpu-µs/key")
	b.ReportMetric(float64(console.cpu)/float64(base.cpu), "ratio")
	b.ReportMetric(float64(console.wall.Microseconds()), "wall-µs/key")
	b.Logf("%d keypresses each: console %s CPU, %s wall per key; minimal Bubble Tea program over wish %s CPU, %s wall; CPU ratio %.2fx",
		b.N, console.cpu, console.wall, base.cpu, base.wall, float64(console.cpu)/float64(base.cpu))
}

// BenchmarkIdleSessions is what logged-in sessions cost doing nothing
// (timers, polling, the renderer's ticker): the process CPU over a window
// with 50 sessions sitting on Wallets, per session, beside the same for 50
// minimal Bubble Tea programs over wish (see BenchmarkKeypressFrame). At
// 500 sessions this is the floor under everything else.
//
//	go test -run '^$' -bench IdleSessions -benchtime 1x ./sshd/
func BenchmarkIdleSessions(b *testing.B) {
	const n = 50
	window := 5 * time.Second
	users := viewers(b, n)
	ts := startServer(b, users, func(c *Config) {
		roomFor(c, n)
		c.Client = cachedClient(b, c.Client)
	})
	console := idleCost(b, ts.addr, users, "Payroll", window)
	waitSessions(b, ts, 0)
	base := idleCost(b, startMinimalTea(b), users, teabase.First, window)
	b.ReportMetric(100*console, "%core/session")
	b.ReportMetric(100*base, "baseline-%core/session")
	b.ReportMetric(console/base, "ratio")
	b.Logf("%d idle sessions over %s: console %.3f%% of a core each, minimal Bubble Tea program %.3f%%; ratio %.2fx",
		n, window, 100*console, 100*base, console/base)
}

// idleCost logs every user in to addr, waits for first on each, and
// returns the process CPU per session over window, in cores.
func idleCost(b *testing.B, addr string, users []testUser, first string, window time.Duration) float64 {
	b.Helper()
	var wg sync.WaitGroup
	clients := make([]*gossh.Client, len(users))
	// The sessions end before the next measurement starts.
	defer func() {
		for _, c := range clients {
			if c != nil {
				c.Close()
			}
		}
	}()
	for i, u := range users {
		wg.Go(func() {
			c, err := dial(addr, gossh.PublicKeys(u.signer))
			if err != nil {
				b.Error(err)
				return
			}
			clients[i] = c
			sess, err := c.NewSession()
			if err != nil {
				b.Error(err)
				return
			}
			out := testout.New()
			sess.Stdout, sess.Stderr = out, out
			if err := sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
				b.Error(err)
				return
			}
			if err := sess.Shell(); err != nil {
				b.Error(err)
				return
			}
			if !out.WaitFor(0, first, patience) {
				b.Errorf("never saw %q", first)
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	// Let the first loads land, then measure a quiet window (figures,
	// not synchronisation).
	time.Sleep(time.Second)
	b.ResetTimer()
	cpu0 := processCPU()
	time.Sleep(window)
	cpu := processCPU() - cpu0
	b.StopTimer()
	return float64(cpu) / float64(window) / float64(len(users))
}

// cachedClient is the demo's client behind serve's shared read cache, as
// `malipo serve` gives its sessions.
func cachedClient(b testing.TB, demoClient *client.Client) *client.Client {
	cache := readcache.New(nil, readcache.Options{})
	pub, sec := demo.Keys()
	cl, err := client.New(pub, sec, client.WithBaseURL(demoClient.BaseURL()), client.WithHTTPClient(cache.HTTPClient()))
	if err != nil {
		b.Fatal(err)
	}
	return cl
}

// BenchmarkLoginCPU is the process CPU one login costs (key exchange,
// authentication, PTY, the console built and its first frame with its
// first loads, logout), 50 logins in turn, beside the same for the minimal
// Bubble Tea program over wish. At 500 sessions logins share the CPU with
// the hundreds already in.
//
//	go test -run '^$' -bench LoginCPU -benchtime 1x ./sshd/
func BenchmarkLoginCPU(b *testing.B) {
	const n = 50
	users := viewers(b, n)
	ts := startServer(b, users, func(c *Config) { c.Client = cachedClient(b, c.Client) })
	console := loginCost(b, ts.addr, users, "Payroll")
	base := loginCost(b, startMinimalTea(b), users, teabase.First)
	b.ReportMetric(float64(console.Microseconds())/1000, "cpu-ms/login")
	b.ReportMetric(float64(base.Microseconds())/1000, "baseline-cpu-ms/login")
	b.ReportMetric(float64(console)/float64(base), "ratio")
	b.Logf("CPU per login: console %s, minimal Bubble Tea program %s; ratio %.2fx", console, base, float64(console)/float64(base))
}

// loginCost logs each user in to addr in turn, waits for first and logs
// out, b.N times over, and returns the process CPU per login.
func loginCost(b *testing.B, addr string, users []testUser, first string) time.Duration {
	b.Helper()
	b.ResetTimer()
	cpu0 := processCPU()
	for range b.N {
		for _, u := range users {
			tm, err := (&testServer{addr: addr}).open(u.signer, true)
			if err != nil {
				b.Fatal(err)
			}
			tm.t = b
			if !tm.waitUntil(first, patience) {
				b.Fatalf("never saw %q", first)
			}
			tm.close()
		}
	}
	cpu := processCPU() - cpu0
	b.StopTimer()
	return cpu / time.Duration(b.N*len(users))
}

type keyStep struct{ key, want string }

type keyCost struct{ cpu, wall time.Duration }

// keypressCost logs in to addr, waits for first, then presses b.N keys
// (steps in turn), each after the previous one's screen arrived, and
// returns the process CPU and the wall time per key.
func keypressCost(b *testing.B, addr string, signer gossh.Signer, first string, steps []keyStep) keyCost {
	b.Helper()
	c, err := dial(addr, gossh.PublicKeys(signer))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		b.Fatal(err)
	}
	out := testout.New()
	sess.Stdout, sess.Stderr = out, out
	in, err := sess.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
		b.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		b.Fatal(err)
	}
	if !out.WaitFor(0, first, patience) {
		b.Fatalf("never saw %q", first)
	}
	// Warm up: both screens drawn once (first loads, lazily built parts).
	for _, s := range append(steps, steps...) {
		mark := out.Len()
		_, _ = io.WriteString(in, s.key)
		if !out.WaitFor(mark, s.want, patience) {
			b.Fatalf("key %q never showed %q", s.key, s.want)
		}
	}
	b.ResetTimer()
	cpu0, wall0 := processCPU(), time.Now()
	for i := range b.N {
		s := steps[i%len(steps)]
		mark := out.Len()
		_, _ = io.WriteString(in, s.key)
		if !out.WaitFor(mark, s.want, patience) {
			b.Fatalf("key %q never showed %q", s.key, s.want)
		}
	}
	cpu, wall := processCPU()-cpu0, time.Since(wall0)
	b.StopTimer()
	return keyCost{cpu: cpu / time.Duration(b.N), wall: wall / time.Duration(b.N)}
}

// processCPU is the user and system time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// startMinimalTea serves the baseline program (internal/teabase) on a
// host key like the server's.
func startMinimalTea(b *testing.B) string {
	b.Helper()
	hostPEM, _, err := HostKey(filepath.Join(b.TempDir(), "host", "key"))
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv, err := teabase.Serve(ln, hostPEM)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

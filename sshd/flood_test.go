package sshd

import (
	"fmt"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/malipo/malipo/internal/testcheck"
	gossh "golang.org/x/crypto/ssh"
)

// dialFrom connects to addr from the loopback address from (127.0.0.2 is
// another host as far as the server can tell) with the given auth.
func dialFrom(from, addr string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	cfg := &gossh.ClientConfig{User: "ops", Auth: auth, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second}
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	sc, chans, reqs, err := gossh.NewClientConn(c, addr, cfg)
	if err != nil {
		c.Close()
		return nil, err
	}
	_ = c.SetDeadline(time.Time{})
	return gossh.NewClient(sc, chans, reqs), nil
}

// count is the number the first group of pattern finds in s (0 if none).
func count(s, pattern string) int {
	m := regexp.MustCompile(pattern).FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// waitUntil polls cond until it holds or d passes.
func waitUntil(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}

func fileSize(t testing.TB, path string) int64 {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Size()
}

// TestLoginFlood is issue 10's flood: 5,000 refused logins from one
// address (bounded, loopback only, 8 at a time). The source is banned
// after its burst and the rest are dropped before the handshake; the audit
// log gains one summary record, not 5,000 lines; a user on another address
// logs in while the flood is running.
func TestLoginFlood(t *testing.T) {
	const attempts = 5000
	u := newUser(t, "wanjiru", "approver")
	stranger := newUser(t, "stranger", "viewer")
	ts := startServer(t, []testUser{u}, nil)
	before := fileSize(t, ts.auditPath)

	var sent, got atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for sent.Add(1) <= attempts {
				c, err := dialFrom("127.0.0.1", ts.addr, gossh.PublicKeys(stranger.signer))
				if err == nil {
					c.Close()
					got.Add(1)
				}
			}
		}()
	}
	// The legitimate user comes from another address once the flood has
	// banned 127.0.0.1.
	if !waitUntil(30*time.Second, func() bool { return strings.Contains(ts.logs.String(), "127.0.0.1 banned") }) {
		t.Fatalf("127.0.0.1 was never banned; log:\n%s", ts.logs.String())
	}
	start := time.Now()
	c, err := dialFrom("127.0.0.2", ts.addr, gossh.PublicKeys(u.signer))
	took := time.Since(start)
	if err != nil {
		t.Fatalf("a listed user could not log in during the flood: %v", err)
	}
	c.Close()
	floodOn := sent.Load() < attempts
	wg.Wait()
	t.Logf("login from 127.0.0.2 during the flood took %s (flood still running: %v)", took, floodOn)
	if took > time.Second {
		t.Errorf("login during the flood took %s, want under a second", took)
	}
	if got.Load() != 0 {
		t.Fatalf("%d flood connections logged in", got.Load())
	}

	ts.srv.flushRefusals(true)
	checkFloodSummary(t, ts, fileSize(t, ts.auditPath)-before, attempts)
}

// checkFloodSummary: the flood of attempts left the first refusal or
// drop, at once, and the minute's summary that counts them all, in grew
// bytes of audit log.
func checkFloodSummary(t *testing.T, ts *testServer, grew int64, attempts int) {
	t.Helper()
	var refusals []Record
	for _, r := range ts.records(t) {
		if r.Event == "login.refused" {
			refusals = append(refusals, r)
		}
	}
	testcheck.Expect(t, "want two records for 127.0.0.1, got", mustRead(t, ts.auditPath), testcheck.C("two", len(refusals) == 2))
	testcheck.Expect(t, "want two records for 127.0.0.1, got", mustRead(t, ts.auditPath),
		testcheck.C("the first from 127.0.0.1", refusals[0].Remote == "127.0.0.1"),
		testcheck.C("the second from 127.0.0.1", refusals[1].Remote == "127.0.0.1"),
		testcheck.C("the second a summary", strings.HasPrefix(refusals[1].Detail, "in the last minute from 127.0.0.1: ")))
	refused := count(refusals[1].Detail, `(\d+) refused login attempts`)
	banned := count(refusals[1].Detail, `(\d+) connections dropped while banned`)
	full := count(refusals[1].Detail, `(\d+) connections dropped: too many not logged in`)
	testcheck.Check(t, fmt.Sprintf("summary counts %d refused + %d dropped while banned + %d dropped as too many", refused, banned, full), refusals[1].Detail,
		testcheck.C(fmt.Sprint(attempts, " in all"), refused+banned+full == attempts), testcheck.C("at least a burst refused", refused >= DefaultLoginLimit.Burst))
	testcheck.Check(t, fmt.Sprintf("audit log growth for %d refusals", attempts), grew, testcheck.C("under 100 KB", grew < 100<<10))
	t.Logf("%d refusals: %d keys refused, %d+%d connections dropped before the handshake; audit log +%d bytes", attempts, refused, banned, full, grew)
}

// A listed key from the flooding address itself still gets in until the
// address is banned: only refusals spend its tokens.
func TestValidKeyFromAThrottledAddress(t *testing.T) {
	u := newUser(t, "wanjiru", "approver")
	stranger := newUser(t, "stranger", "viewer")
	ts := startServer(t, []testUser{u}, func(c *Config) { c.LoginLimit = LoginLimit{Burst: 3, Every: time.Hour, BanFor: time.Hour} })
	for i := range 6 {
		if c, err := dialFrom("127.0.0.1", ts.addr, gossh.PublicKeys(u.signer)); err != nil {
			t.Fatalf("login %d with a listed key: %v", i, err)
		} else {
			c.Close()
		}
	}
	for range 3 {
		if _, err := dialFrom("127.0.0.1", ts.addr, gossh.PublicKeys(stranger.signer)); err == nil {
			t.Fatal("a stranger logged in")
		}
	}
	if c, err := dialFrom("127.0.0.1", ts.addr, gossh.PublicKeys(u.signer)); err != nil {
		t.Fatalf("a listed key after 3 refusals (bucket empty, not banned yet): %v", err)
	} else {
		c.Close()
	}
	// The fourth refusal bans; from then on the address is dropped before
	// the handshake, whatever key it would offer.
	if _, err := dialFrom("127.0.0.1", ts.addr, gossh.PublicKeys(stranger.signer)); err == nil {
		t.Fatal("a stranger logged in")
	}
	if _, err := dialFrom("127.0.0.1", ts.addr, gossh.PublicKeys(u.signer)); err == nil {
		t.Fatal("a banned address got in")
	}
	if c, err := dialFrom("127.0.0.3", ts.addr, gossh.PublicKeys(u.signer)); err != nil {
		t.Fatalf("another address was refused: %v", err)
	} else {
		c.Close()
	}
}

// openFDs is how many file descriptors this process has open.
func openFDs(t testing.TB) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd here")
	}
	return len(ents)
}

// rawConns opens n TCP connections from from that never say anything.
func rawConns(t testing.TB, from, addr string, n int) []net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}
	out := make([]net.Conn, 0, n)
	t.Cleanup(func() {
		for _, c := range out {
			c.Close()
		}
	})
	for range n {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("dial %d from %s: %v", len(out), from, err)
		}
		out = append(out, c)
	}
	return out
}

// TestHalfOpenConnectionsAreCapped: 300 silent connections from one
// address hold at most its per-source share of slots (half of start, so
// the random drops never begin); the server closes the rest at once, so
// its descriptors do not grow with them; a user on another address logs
// in meanwhile, every time.
func TestHalfOpenConnectionsAreCapped(t *testing.T) {
	const n = 300
	u := newUser(t, "wanjiru", "approver")
	ts := startServer(t, []testUser{u}, nil)
	base := openFDs(t)
	_ = rawConns(t, "127.0.0.1", ts.addr, n)
	perSource := DefaultMaxStartups.PerSource
	// The client side holds n descriptors; the server may hold cap of its
	// own (plus a few for the runtime), not n.
	ok := waitUntil(10*time.Second, func() bool {
		return ts.srv.Unauthenticated() <= perSource && openFDs(t) <= base+n+perSource+20
	})
	if !ok {
		t.Fatalf("%d unauthenticated (want ≤ %d), %d descriptors (base %d + %d client sockets)",
			ts.srv.Unauthenticated(), perSource, openFDs(t), base, n)
	}
	c, err := dialFrom("127.0.0.2", ts.addr, gossh.PublicKeys(u.signer))
	if err != nil {
		t.Fatalf("login during the half-open flood: %v", err)
	}
	c.Close()
	ts.srv.flushRefusals(true)
	ts.waitRecord(t, "the drops' summary", func(r Record) bool {
		return r.Event == "login.refused" && r.Remote == "127.0.0.1" &&
			strings.Contains(r.Detail, fmt.Sprintf("%d connections dropped: too many not logged in", n-perSource))
	})
}

// TestMaxStartupsAcrossSources: silent connections from 30 addresses
// never hold more than full slots; the handshake deadline frees them and
// a login works again.
func TestMaxStartupsAcrossSources(t *testing.T) {
	u := newUser(t, "wanjiru", "approver")
	ts := startServer(t, []testUser{u}, func(c *Config) {
		c.MaxStartups = MaxStartups{Start: 20, Rate: 30, Full: 50, PerSource: 10}
		c.HandshakeTimeout = 500 * time.Millisecond
	})
	for i := range 30 {
		_ = rawConns(t, fmt.Sprintf("127.0.0.%d", 10+i), ts.addr, 10)
		if n := ts.srv.Unauthenticated(); n > 50 {
			t.Fatalf("%d unauthenticated connections, full is 50", n)
		}
	}
	ts.srv.flushRefusals(true)
	ts.waitRecord(t, "the drops above full", func(r Record) bool {
		return r.Event == "login.refused" && strings.Contains(r.Detail, "dropped: too many not logged in")
	})
	// Silent connections are closed at the handshake deadline.
	if !waitUntil(10*time.Second, func() bool { return ts.srv.Unauthenticated() == 0 }) {
		t.Fatalf("%d unauthenticated connections outlived the handshake deadline", ts.srv.Unauthenticated())
	}
	c, err := dialFrom("127.0.0.2", ts.addr, gossh.PublicKeys(u.signer))
	if err != nil {
		t.Fatalf("login after the half-open flood: %v", err)
	}
	c.Close()
	if n := ts.srv.Unauthenticated(); n != 0 {
		t.Errorf("a logged-in connection still counts as unauthenticated (%d)", n)
	}
}

func TestHandshakeDeadlineDefault(t *testing.T) {
	u := newUser(t, "wanjiru", "approver")
	ts := startServer(t, []testUser{u}, nil)
	if got := ts.srv.srv.HandshakeTimeout; got != 10*time.Second {
		t.Errorf("handshake timeout %s, want 10s", got)
	}
}

package sshd

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/demo"
	"github.com/malipo/malipo/internal/testout"
	"github.com/malipo/malipo/payout"
)

// testUser is a person with a fresh ed25519 key.
type testUser struct {
	name, role string
	signer     gossh.Signer
	priv       ed25519.PrivateKey // for OpenSSH clients' key files
}

func newUser(t testing.TB, name, role string) testUser {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return testUser{name: name, role: role, signer: s, priv: priv}
}

// viewers are n viewers, ops000 on, for the many-session benchmarks.
func viewers(t testing.TB, n int) []testUser {
	t.Helper()
	users := make([]testUser, n)
	for i := range users {
		users[i] = newUser(t, fmt.Sprintf("ops%03d", i), "viewer")
	}
	return users
}

// roomFor lets n sessions in, all logging in at once from one address.
func roomFor(c *Config, n int) {
	c.MaxSessions = n + 1
	c.MaxStartups = MaxStartups{Start: n + 1, Rate: 100, Full: n + 1, PerSource: n + 1}
}

func (u testUser) authorizedKey() string {
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(u.signer.PublicKey()))) + " " + u.name + "@test"
}

func usersTOML(users ...testUser) string {
	var b strings.Builder
	for _, u := range users {
		fmt.Fprintf(&b, "[[user]]\nname = %q\nrole = %q\nkeys = [%q]\n\n", u.name, u.role, u.authorizedKey())
	}
	return b.String()
}

// testServer is a server on loopback over a seeded demo simulator.
type testServer struct {
	srv       *Server
	addr      string
	usersPath string
	auditPath string
	auditPub  ed25519.PublicKey // verifies the log, as verify-audit does
	journal   *payout.Journal
	demo      *demo.Backend
	logs      *testout.Buffer
}

// startServer serves the demo to users; mut may change the config.
func startServer(t testing.TB, users []testUser, mut func(*Config)) *testServer {
	t.Helper()
	return startServerSim(t, users, nil, mut)
}

// startServerSim is startServer with the simulator's options changed too.
func startServerSim(t testing.TB, users []testUser, simMut func(*sim.Options), mut func(*Config)) *testServer {
	t.Helper()
	dir := t.TempDir()
	ts := &testServer{usersPath: filepath.Join(dir, "users.toml"), auditPath: filepath.Join(dir, "audit", "audit.jsonl"), logs: testout.New()}
	if err := os.WriteFile(ts.usersPath, []byte(usersTOML(users...)), 0o600); err != nil {
		t.Fatal(err)
	}
	so := &sim.Options{Seed: true, Rand: 7, FailureRate: -1,
		Timing: sim.Timing{BatchStep: 50 * time.Millisecond, TxStep: 50 * time.Millisecond}}
	if simMut != nil {
		simMut(so)
	}
	d, err := demo.Start(demo.Options{Sim: so})
	if err != nil {
		t.Fatal(err)
	}
	ts.demo = d
	t.Cleanup(func() { d.Close() })
	j, err := payout.OpenJournal(filepath.Join(dir, "journal"))
	if err != nil {
		t.Fatal(err)
	}
	ts.journal = j
	t.Cleanup(func() { j.Close() })
	_, auditKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ts.auditPub = auditKey.Public().(ed25519.PublicKey)
	audit, err := OpenAuditLog(ts.auditPath, auditKey, AuditOptions{HostKey: "SHA256:test-host"})
	if err != nil {
		t.Fatal(err)
	}
	// Whatever a test did, the log it leaves verifies.
	t.Cleanup(func() {
		if c, err := VerifyAuditLog(ts.auditPath, ts.auditPub); err != nil || len(c.Torn) > 0 {
			t.Errorf("audit log does not verify: %+v, %v\n%s", c, err, mustRead(t, ts.auditPath))
		}
	})
	t.Cleanup(func() { audit.Close() })
	hostPEM, _, err := HostKey(filepath.Join(dir, "host", "key"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{UsersFile: ts.usersPath, HostKeyPEM: hostPEM, Client: d.Client, Mode: "DEMO", Profile: "demo",
		Journal: j, Audit: audit, FourEyes: true, Grace: 2 * time.Second, Log: ts.logs}
	if mut != nil {
		mut(&cfg)
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts.srv = srv
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = ln.Addr().String()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		<-served
	})
	return ts
}

// records reads the audit log.
func (ts *testServer) records(t testing.TB) []Record {
	t.Helper()
	data, err := os.ReadFile(ts.auditPath)
	if err != nil {
		t.Fatal(err)
	}
	return parseRecords(t, data)
}

func parseRecords(t testing.TB, data []byte) []Record {
	t.Helper()
	var out []Record
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, r)
	}
	return out
}

// waitRecord waits until the audit log has a record matching ok.
func (ts *testServer) waitRecord(t testing.TB, what string, ok func(Record) bool) Record {
	t.Helper()
	deadline := time.Now().Add(patience)
	for time.Now().Before(deadline) {
		for _, r := range ts.records(t) {
			if ok(r) {
				return r
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no audit record %s; log:\n%s", what, mustRead(t, ts.auditPath))
	return Record{}
}

func mustRead(t testing.TB, path string) string {
	data, _ := os.ReadFile(path)
	return string(data)
}

func dial(addr string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: "ops", Auth: auth, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: patience,
	})
}

// term is one logged-in SSH session with a PTY.
type term struct {
	t      testing.TB
	client *gossh.Client
	sess   *gossh.Session
	in     io.WriteCloser
	out    *testout.Buffer
	done   chan error
	mark   int
}

// login connects as u with a 100x30 xterm-256color PTY and a shell.
func (ts *testServer) login(t testing.TB, u testUser) *term {
	t.Helper()
	tm, err := ts.open(u.signer, true)
	if err != nil {
		t.Fatalf("login %s: %v", u.name, err)
	}
	tm.t = t
	t.Cleanup(tm.close)
	return tm
}

func (ts *testServer) open(signer gossh.Signer, pty bool) (*term, error) {
	c, err := dial(ts.addr, gossh.PublicKeys(signer))
	if err != nil {
		return nil, err
	}
	sess, err := c.NewSession()
	if err != nil {
		c.Close()
		return nil, err
	}
	tm := &term{client: c, sess: sess, out: testout.New(), done: make(chan error, 1)}
	sess.Stdout, sess.Stderr = tm.out, tm.out
	if tm.in, err = sess.StdinPipe(); err != nil {
		c.Close()
		return nil, err
	}
	if pty {
		if err := sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
			c.Close()
			return nil, err
		}
	}
	if err := sess.Shell(); err != nil {
		c.Close()
		return nil, err
	}
	go func() { tm.done <- sess.Wait() }()
	return tm, nil
}

func (tm *term) close() { tm.client.Close() }

// patience bounds every wait for something that must happen (a screen, an
// audit record, a session's end). The waits return as soon as it does, so
// a generous bound costs nothing on a quiet machine and keeps a loaded one
// (CI's two cores running every package with -race) from failing a test
// that is merely slow.
const patience = 60 * time.Second

// screen is everything since the last mark, ANSI stripped.
func (tm *term) screen() string {
	s := tm.out.String()
	return ansi.Strip(s[min(tm.mark, len(s)):])
}

// send types keys after marking the output, so waitFor only looks at what
// they caused.
func (tm *term) send(keys string) {
	tm.mark = tm.out.Len()
	if _, err := io.WriteString(tm.in, keys); err != nil {
		tm.t.Logf("send %q: %v", keys, err)
	}
}

// waitFor waits until the output since the mark contains text.
func (tm *term) waitFor(t testing.TB, text string) {
	t.Helper()
	if !tm.waitUntil(text, patience) {
		t.Fatalf("did not see %q; output since the mark:\n%s", text, tm.screen())
	}
}

// waitUntil wakes on each write to the session's output (and every 100
// ms, should two goroutines wait on one session and share the wake-ups).
func (tm *term) waitUntil(text string, d time.Duration) bool {
	timeout := time.NewTimer(d)
	defer timeout.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !strings.Contains(tm.screen(), text) {
		select {
		case <-tm.out.Wrote():
		case <-tick.C:
		case <-timeout.C:
			return strings.Contains(tm.screen(), text)
		}
	}
	return true
}

// waitEnd waits for the session to end.
func (tm *term) waitEnd(t testing.TB) {
	t.Helper()
	select {
	case <-tm.done:
	case <-time.After(patience):
		t.Fatalf("session did not end; output:\n%s", tm.screen())
	}
}

var _ = context.Background

// screenOf is the current screen text of user's (only) session.
func (ts *testServer) screenOf(t testing.TB, user string) string {
	t.Helper()
	ts.srv.mu.Lock()
	var ls *liveSession
	for l := range ts.srv.live {
		if l.id.Name == user {
			ls = l
		}
	}
	ts.srv.mu.Unlock()
	if ls == nil {
		t.Fatalf("no session for %s", user)
	}
	ch := make(probeMsg, 1)
	ls.p.Send(ch)
	select {
	case s := <-ch:
		return s
	case <-time.After(patience):
		t.Fatalf("session of %s did not answer the probe", user)
	}
	return ""
}

// waitScreen waits until user's screen contains text.
func (ts *testServer) waitScreen(t testing.TB, user, text string) string {
	t.Helper()
	deadline := time.Now().Add(patience)
	var s string
	for time.Now().Before(deadline) {
		if s = ts.screenOf(t, user); strings.Contains(s, text) {
			return s
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s's screen never showed %q; it shows:\n%s", user, text, s)
	return ""
}

// waitScreenNot waits until user's screen no longer contains text.
func (ts *testServer) waitScreenNot(t testing.TB, user, text string) {
	t.Helper()
	deadline := time.Now().Add(patience)
	var s string
	for time.Now().Before(deadline) {
		if s = ts.screenOf(t, user); !strings.Contains(s, text) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s's screen still shows %q:\n%s", user, text, s)
}

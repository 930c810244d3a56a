package cmd

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/internal/testout"
	"github.com/malipo/malipo/sshd"
)

// buildOnce builds the malipo binary for the subprocess tests.
var buildOnce struct {
	sync.Once
	path string
	err  error
}

func malipoBinary(t testing.TB) string {
	t.Helper()
	// MALIPO_SSH_LOAD_BINARY runs the load test against another build
	// (an A/B against main's binary, docs/performance.md).
	if bin := os.Getenv("MALIPO_SSH_LOAD_BINARY"); bin != "" {
		return bin
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "malipo-serve-test-")
		if err != nil {
			buildOnce.err = err
			return
		}
		buildOnce.path = filepath.Join(dir, "malipo")
		out, err := exec.Command("go", "build", "-o", buildOnce.path, "..").CombinedOutput()
		if err != nil {
			buildOnce.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildOnce.err != nil {
		t.Fatal(buildOnce.err)
	}
	return buildOnce.path
}

type sshPerson struct {
	name, role string
	signer     gossh.Signer
	priv       ed25519.PrivateKey // for OpenSSH clients' key files
}

func newPerson(t testing.TB, name, role string) sshPerson {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return sshPerson{name: name, role: role, signer: s, priv: priv}
}

func writeUsers(t testing.TB, path string, people ...sshPerson) {
	t.Helper()
	var b strings.Builder
	for _, p := range people {
		key := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(p.signer.PublicKey())))
		fmt.Fprintf(&b, "[[user]]\nname = %q\nrole = %q\nkeys = [%q]\n", p.name, p.role, key+" "+p.name+"@laptop")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// serveProc is `malipo serve --demo` running as a child process.
type serveProc struct {
	cmd    *exec.Cmd
	addr   string
	stderr *testout.Buffer
	state  string
	exited chan error // closed when the process has exited; err is then set
	err    error
}

var listeningRE = regexp.MustCompile(`listening on (\S+) `)

func startServe(t testing.TB, state, users string, extra ...string) *serveProc {
	t.Helper()
	return startServeEnv(t, state, users, append(os.Environ(), auditKeyEnv(t, state)), extra...)
}

// startServeEnv is startServe with the child's whole environment given.
func startServeEnv(t testing.TB, state, users string, env []string, extra ...string) *serveProc {
	t.Helper()
	args := append([]string{"serve", "--demo", "--addr", "127.0.0.1:0", "--users", users}, extra...)
	return startServeProc(t, state, env, args, 15*time.Second)
}

// startServeProc runs malipo with args and env (its state in state) and
// waits up to patience for it to say where it listens; it fails at once
// if the process exits first. The process is killed when the test ends.
func startServeProc(t testing.TB, state string, env, args []string, patience time.Duration) *serveProc {
	t.Helper()
	return startProc(t, malipoBinary(t), state, env, args, patience)
}

// startProc is startServeProc for any binary that says where it listens
// as serve does (the load test's baseline is this test binary).
func startProc(t testing.TB, bin, state string, env, args []string, patience time.Duration) *serveProc {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(env, "XDG_STATE_HOME="+state)
	p := &serveProc{cmd: cmd, stderr: testout.New(), state: state, exited: make(chan error)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.exited
	})
	deadline := time.Now().Add(patience)
	for time.Now().Before(deadline) {
		if m := listeningRE.FindStringSubmatch(p.stderr.String()); m != nil {
			p.addr = m[1]
			return p
		}
		select {
		case <-p.exited:
			t.Fatalf("serve exited (%v):\n%s", p.err, p.stderr.String())
		case <-time.After(20 * time.Millisecond): // polling a buffer, not synchronising
		}
	}
	t.Fatalf("serve did not start:\n%s", p.stderr.String())
	return nil
}

// auditKeyEnv points MALIPO_AUDIT_KEY_FILE at a key beside the state
// directory (never in it, like a systemd credential), made once per state
// so a restart signs with the same key.
func auditKeyEnv(t testing.TB, state string) string {
	t.Helper()
	path := filepath.Join(filepath.Dir(state), "audit.key")
	if _, err := os.Stat(path); err != nil {
		seed := make([]byte, ed25519.SeedSize)
		if _, err := rand.Read(seed); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(hex.EncodeToString(seed)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return "MALIPO_AUDIT_KEY_FILE=" + path
}

var auditHeadRE = regexp.MustCompile(`audit head (\d+:[0-9a-f]+)`)

// heads are the audit heads the server printed so far.
func (p *serveProc) heads() []string {
	var out []string
	for _, m := range auditHeadRE.FindAllStringSubmatch(p.stderr.String(), -1) {
		out = append(out, m[1])
	}
	return out
}

func (p *serveProc) auditPath() string {
	return filepath.Join(p.state, "malipo", "demo", "audit.jsonl")
}

type auditLine struct {
	Event, User, Key, Role, Result, Detail, Session string
}

func readAudit(t testing.TB, path string) []auditLine {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []auditLine
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var l auditLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, l)
	}
	return out
}

// sshTerm is a client session with a 100x30 PTY.
type sshTerm struct {
	client *gossh.Client
	in     io.Writer
	out    *testout.Buffer
	done   chan error
	mark   int
}

func sshDial(addr string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{User: "ops", Auth: auth,
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
}

func sshLogin(addr string, signer gossh.Signer) (*sshTerm, error) {
	c, err := sshDial(addr, gossh.PublicKeys(signer))
	if err != nil {
		return nil, err
	}
	sess, err := c.NewSession()
	if err != nil {
		c.Close()
		return nil, err
	}
	tm := &sshTerm{client: c, out: testout.New(), done: make(chan error, 1)}
	sess.Stdout, sess.Stderr = tm.out, tm.out
	if tm.in, err = sess.StdinPipe(); err != nil {
		c.Close()
		return nil, err
	}
	if err := sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
		c.Close()
		return nil, err
	}
	if err := sess.Shell(); err != nil {
		c.Close()
		return nil, err
	}
	go func() { tm.done <- sess.Wait() }()
	return tm, nil
}

func (tm *sshTerm) since() string { return ansi.Strip(tm.out.From(tm.mark)) }

func (tm *sshTerm) send(keys string) {
	tm.mark = tm.out.Len()
	_, _ = io.WriteString(tm.in, keys)
}

// waitFor reports whether text appeared since the mark within d.
func (tm *sshTerm) waitFor(text string, d time.Duration) bool {
	timeout := time.After(d)
	for {
		if strings.Contains(tm.since(), text) {
			return true
		}
		select {
		case <-tm.out.Wrote():
		case <-timeout:
			return false
		}
	}
}

func TestServeAuditSurvivesKill9(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users.toml")
	ops := newPerson(t, "wanjiru", "approver")
	stranger := newPerson(t, "stranger", "viewer")
	writeUsers(t, users, ops)
	p := startServe(t, filepath.Join(dir, "state"), users)

	// A refused login: the client hears "no" only after the refusal is on disk.
	c, err := sshDial(p.addr, gossh.PublicKeys(stranger.signer))
	if err == nil {
		c.Close()
	}
	testcheck.Expect(t, "an unknown key", err, testcheck.C("refused", err != nil))
	lookAroundAndQuit(t, p, ops)
	// The session has ended from the client's side; the server records the
	// logout before closing the channel, so it is on disk now.
	testcheck.Must(t, "kill -9", p.cmd.Process.Signal(syscall.SIGKILL))
	<-p.exited

	recs := readAudit(t, p.auditPath())
	for ev, seen := range killedAuditSeen(recs, ops, stranger) {
		if !seen {
			t.Errorf("after kill -9 the audit log lacks %s:\n%s", ev, mustReadFile(t, p.auditPath()))
		}
	}
	checkVerifyAfterKill(t, p)
	restartAppends(t, dir, users, recs)
}

// lookAroundAndQuit logs in as who, waits for the wallets and quits.
func lookAroundAndQuit(t *testing.T, p *serveProc, who sshPerson) {
	t.Helper()
	tm, err := sshLogin(p.addr, who.signer)
	testcheck.Must(t, "login", err)
	if !tm.waitFor("Payroll", 10*time.Second) {
		t.Fatalf("no wallets:\n%s", tm.since())
	}
	tm.send("q")
	select {
	case <-tm.done:
	case <-time.After(10 * time.Second):
		t.Fatal("q did not end the session")
	}
}

// killedAuditSeen reports which of the events the killed server must have
// written are in recs: its start, the stranger's refusal, ops's login and
// logout.
func killedAuditSeen(recs []auditLine, ops, stranger sshPerson) map[string]bool {
	want := map[string]bool{"server.start": false, "login.refused": false, "login": false, "logout": false}
	for _, r := range recs {
		switch {
		case r.Event == "login.refused" && r.Key == gossh.FingerprintSHA256(stranger.signer.PublicKey()):
			want[r.Event] = true
		case (r.Event == "login" || r.Event == "logout") && r.User == "wanjiru" && r.Role == "approver" &&
			r.Key == gossh.FingerprintSHA256(ops.signer.PublicKey()):
			want[r.Event] = true
		case r.Event == "server.start":
			want[r.Event] = true
		}
	}
	return want
}

// checkVerifyAfterKill: the head printed at start is still in the log,
// which verifies and kept its mode.
func checkVerifyAfterKill(t *testing.T, p *serveProc) {
	t.Helper()
	heads := p.heads()
	testcheck.Expect(t, "audit heads printed at start", fmt.Sprintf("%v\n%s", heads, p.stderr.String()), testcheck.C("one", len(heads) == 1))
	verify := exec.Command(malipoBinary(t), "serve", "verify-audit", "--checkpoint", heads[0], p.auditPath())
	verify.Env = append(os.Environ(), auditKeyEnv(t, p.state))
	out, err := verify.CombinedOutput()
	testcheck.Check(t, "verify-audit after kill -9", fmt.Sprintf("%v\n%s", err, out),
		testcheck.C("no error", err == nil), testcheck.C("chain intact", strings.Contains(string(out), "chain intact")),
		testcheck.C("1 checkpoints found", strings.Contains(string(out), "1 checkpoints found")))
	info, err := os.Stat(p.auditPath())
	testcheck.Check(t, "audit log mode", err, testcheck.C("stat", err == nil), testcheck.C("0600", err == nil && info.Mode().Perm() == 0o600))
}

// restartAppends: a restart reuses the host key and appends to the log
// that held recs.
func restartAppends(t *testing.T, dir, users string, recs []auditLine) {
	t.Helper()
	hostKey := filepath.Join(dir, "state", "malipo", "ssh_host_ed25519_key")
	before, _ := os.ReadFile(hostKey)
	p2 := startServe(t, filepath.Join(dir, "state"), users)
	after, _ := os.ReadFile(hostKey)
	testcheck.Check(t, "the host key on restart", len(after), testcheck.C("unchanged", bytes.Equal(before, after)), testcheck.C("present", len(before) > 0))
	deadline := time.Now().Add(5 * time.Second)
	for len(readAudit(t, p2.auditPath())) <= len(recs) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	got := readAudit(t, p2.auditPath())
	testcheck.Check(t, fmt.Sprintf("restart: %d records (had %d)", len(got), len(recs)), nil,
		testcheck.C("one appended", len(got) == len(recs)+1), testcheck.C("same first record", len(got) > 0 && got[0] == recs[0]))
}

func mustReadFile(t testing.TB, path string) string {
	data, _ := os.ReadFile(path)
	return string(data)
}

func TestServeReloadsOnSIGHUPAndDrainsOnSIGTERM(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users.toml")
	a, b := newPerson(t, "amina", "viewer"), newPerson(t, "baraka", "maker")
	writeUsers(t, users, a)
	p := startServe(t, filepath.Join(dir, "state"), users, "--grace", "1s")
	c, err := sshDial(p.addr, gossh.PublicKeys(b.signer))
	if err == nil {
		c.Close()
	}
	testcheck.Expect(t, "baraka before being added", err, testcheck.C("refused", err != nil))
	writeUsers(t, users, a, b)
	testcheck.Must(t, "SIGHUP", p.cmd.Process.Signal(syscall.SIGHUP))
	tm := loginAfterReload(t, p, b)
	if !tm.waitFor("baraka (maker)", 10*time.Second) {
		t.Fatalf("status bar:\n%s", tm.since())
	}
	tm.mark = tm.out.Len()
	start := time.Now()
	testcheck.Must(t, "SIGTERM", p.cmd.Process.Signal(syscall.SIGTERM))
	if !tm.waitFor("shutting down in", 5*time.Second) {
		t.Errorf("no shutdown banner:\n%s", tm.since())
	}
	select {
	case <-p.exited:
		testcheck.Check(t, "serve's exit", fmt.Sprintf("%v:\n%s", p.err, p.stderr.String()), testcheck.C("clean", p.err == nil))
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not exit after SIGTERM")
	}
	el := time.Since(start)
	testcheck.Check(t, "exited after", el, testcheck.C("the 1s grace", el >= 900*time.Millisecond))
	checkDrained(t, p, tm)
}

// loginAfterReload retries who's login until the reloaded users file
// lets them in.
func loginAfterReload(t *testing.T, p *serveProc, who sshPerson) *sshTerm {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		tm, err := sshLogin(p.addr, who.signer)
		if err == nil {
			return tm
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still refused after SIGHUP: %v\n%s", who.name, err, p.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkDrained: the session was told goodbye, the log ends with the stop,
// and the reload left its head and its line on stderr.
func checkDrained(t *testing.T, p *serveProc, tm *sshTerm) {
	t.Helper()
	testcheck.Contains(t, "the session (told goodbye)", tm.since(), "shutting down. Goodbye")
	recs := readAudit(t, p.auditPath())
	last := recs[len(recs)-1]
	testcheck.Check(t, "last audit record", last, testcheck.C("server.stop", last.Event == "server.stop"), testcheck.C("stopped", last.Result == "stopped"))
	heads := p.heads()
	testcheck.Check(t, "audit heads at start and on SIGHUP", heads, testcheck.C("two", len(heads) == 2))
	testcheck.Contains(t, "stderr", p.stderr.String(), "users file reloaded: 2 users")
}

func TestServeRefusesBadSetup(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "users.toml")
	writeUsers(t, good, newPerson(t, "amina", "viewer"))
	empty := filepath.Join(dir, "empty.toml")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	loose := filepath.Join(dir, "loose_key")
	if err := os.WriteFile(loose, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	cases := []struct {
		name string
		args []string
		err  string
	}{
		{"no users flag", []string{"serve", "--demo"}, "--users FILE is required"},
		{"no users in file", []string{"serve", "--demo", "--users", empty}, "no [[user]]"},
		{"missing users file", []string{"serve", "--demo", "--users", filepath.Join(dir, "nope.toml")}, "no such file"},
		{"loose host key", []string{"serve", "--demo", "--users", good, "--host-key", loose}, "chmod 600"},
		{"demo and profile", []string{"serve", "--demo", "--profile", "shop", "--users", good}, "exclusive"},
		{"bad max-startups", []string{"serve", "--demo", "--users", good, "--max-startups", "100:30:10"}, "--max-startups"},
		{"no login grace", []string{"serve", "--demo", "--users", good, "--login-grace", "0s"}, "--login-grace"},
		{"unknown zone", []string{"serve", "--demo", "--users", good, "--zone", "Mars/Olympus"}, "--zone"},
		{"webhooks without a challenge", []string{"serve", "--users", good, "--webhooks", "127.0.0.1:0"}, "needs the challenge"},
		{"webhooks cert without key", []string{"serve", "--demo", "--users", good, "--webhooks", "127.0.0.1:0", "--webhooks-cert", loose}, "go together"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := newRootCmd()
			cmd.SetArgs(c.args)
			cmd.SetErr(io.Discard)
			err := cmd.Execute()
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("err = %v, want %q", err, c.err)
			}
		})
	}
}

// verify-audit as an auditor runs it: the key read like serve reads it
// (MALIPO_AUDIT_KEY_FILE here) or only its public half, checkpoints
// given; each of issue 10's tamperings fails with the line and reason.
// TestServeDemoNeedsNoKeyring: `serve --demo` signs its log with a key
// file of its own, so it starts where no Secret Service runs (here: none
// reachable, and no MALIPO_AUDIT_KEY_FILE), and `verify-audit --demo`
// checks that log with that key.
func TestServeDemoNeedsNoKeyring(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, "state")
	users := filepath.Join(dir, "users.toml")
	writeUsers(t, users, newPerson(t, "amina", "viewer"))
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") && !strings.HasPrefix(kv, "MALIPO_AUDIT_KEY_FILE=") {
			env = append(env, kv)
		}
	}
	env = append(env, "DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(dir, "no-bus"))
	p := startServeEnv(t, state, users, env)
	if !strings.Contains(p.stderr.String(), "for the demo only") {
		t.Errorf("no word that the demo made its own audit key:\n%s", p.stderr.String())
	}
	key := filepath.Join(state, "malipo", "demo", "audit-key")
	if fi, err := os.Stat(key); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("demo audit key: %v, %v", fi, err)
	}
	verify := exec.Command(malipoBinary(t), "serve", "verify-audit", "--demo")
	verify.Env = append(env, "XDG_STATE_HOME="+state)
	out, err := verify.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "chain intact") {
		t.Errorf("verify-audit --demo: %v\n%s", err, out)
	}
}

func TestServeVerifyAudit(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	keyEnv := auditKeyEnv(t, filepath.Join(dir, "state"))
	keyFile := strings.TrimPrefix(keyEnv, "MALIPO_AUDIT_KEY_FILE=")
	t.Setenv("MALIPO_AUDIT_KEY_FILE", keyFile)
	seedHex, _ := os.ReadFile(keyFile)
	seed, _ := hex.DecodeString(strings.TrimSpace(string(seedHex)))
	key := ed25519.NewKeyFromSeed(seed)

	path := filepath.Join(dir, "made.jsonl")
	l, err := sshd.OpenAuditLog(path, key, sshd.AuditOptions{HostKey: "SHA256:host", Now: func() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 150 {
		if err := l.Write(sshd.Record{Event: "payout.approve", User: "wanjiru", Target: fmt.Sprintf("TRK%03d", i), Result: "ok"}); err != nil {
			t.Fatal(err)
		}
	}
	head := l.Head().String()
	l.Close()
	data, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(data), "\n")
	lines = lines[:len(lines)-1]
	all := strings.Join(lines, "")

	// Re-signing from line 50 on with a key the forger made up.
	_, wrong, _ := ed25519.GenerateKey(rand.Reader)
	forged, err := sshd.OpenAuditLog(filepath.Join(dir, "forged.jsonl"), wrong, sshd.AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 151; i++ {
		forged.Write(sshd.Record{Event: "payout.approve", User: "wanjiru", Target: fmt.Sprintf("TRK%03d", i), Result: "ok"})
	}
	forged.Close()
	fdata, _ := os.ReadFile(filepath.Join(dir, "forged.jsonl"))
	flines := strings.SplitAfter(string(fdata), "\n")

	pub := fmt.Sprintf("%x", []byte(key.Public().(ed25519.PublicKey)))
	cases := []struct {
		name string
		data string
		args []string
		err  string // "" means it verifies
	}{
		{"intact", all, []string{"--checkpoint", head}, ""},
		{"intact, public key only", all, []string{"--public-key", pub, "--checkpoint", head}, ""},
		{"torn by a crash", all + `{"n":152,"time":"2026-03-01T09:0`, nil, ""},
		{"non-JSON lines", "all good\nnothing to see\n", nil, "line 1 is not an audit record"},
		{"first 100 lines deleted", strings.Join(lines[100:], ""), nil, "line 1: the log does not begin with its genesis record"},
		{"genesis missing", strings.Join(lines[1:], ""), nil, "line 1: the log does not begin with its genesis record"},
		{"mangled last record", strings.Join(lines[:150], "") + `{"n":151,"event":"payout.approve"}}}` + "\n", nil, "line 151 is not an audit record"},
		{"rewritten, later records re-signed with another key", strings.Join(lines[:49], "") + strings.Join(flines[49:], ""), nil, "line 50: its signature does not verify"},
		{"newest records deleted", strings.Join(lines[:120], ""), []string{"--checkpoint", head}, "checkpoint 151: the log has only 120 records"},
		{"wrong public key", all, []string{"--public-key", strings.Repeat("00", 32)}, "line 1: its signature does not verify"},
		{"bad checkpoint", all, []string{"--checkpoint", "151"}, "want COUNT:SIGNATURE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "audit.jsonl")
			if err := os.WriteFile(p, []byte(c.data), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := newRootCmd()
			out := testout.New()
			cmd.SetOut(out)
			cmd.SetArgs(append(append([]string{"serve", "verify-audit"}, c.args...), p))
			err := cmd.Execute()
			if c.err == "" {
				if err != nil || !strings.Contains(out.String(), "chain intact") {
					t.Fatalf("%q, %v", out.String(), err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("err = %v, want %q", err, c.err)
			}
		})
	}
}

// TestServeScpIntoTheUsersFolder: the wiring of `malipo serve`: plain scp
// (SFTP) puts a file into files/<user>/ under the serve state dir and
// fetches it back; scp -O too; a viewer is refused; all of it audited.
func TestServeScpIntoTheUsersFolder(t *testing.T) {
	for _, bin := range []string{"ssh", "scp"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("the OpenSSH client %q is not installed: this test needs real ssh and scp", bin)
		}
	}
	dir := t.TempDir()
	users := filepath.Join(dir, "users.toml")
	ops, vera := newPerson(t, "ops", "maker"), newPerson(t, "vera", "viewer")
	writeUsers(t, users, ops, vera)
	state := filepath.Join(dir, "state")
	p := startServe(t, state, users)
	_, port, _ := strings.Cut(p.addr, ":")
	work := t.TempDir()
	keyOf := func(who sshPerson) string {
		block, err := gossh.MarshalPrivateKey(who.priv, "")
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(work, who.name+".key")
		if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	scp := func(who sshPerson, args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		a := []string{"-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
			"-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "-i", keyOf(who), "-P", port}
		cmd := exec.CommandContext(ctx, "scp", append(a, args...)...)
		cmd.Dir = work
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	csv := filepath.Join(work, "salaries.csv")
	if err := os.WriteFile(csv, []byte("name,phone,amount\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := scp(ops, csv, "ops@127.0.0.1:"); err != nil {
		t.Fatalf("scp upload: %v\n%s", err, out)
	}
	stored := filepath.Join(state, "malipo", "serve", "files", "ops", "salaries.csv")
	if data, err := os.ReadFile(stored); err != nil || string(data) != "name,phone,amount\n" {
		t.Fatalf("%s: %q, %v", stored, data, err)
	}
	if out, err := scp(ops, "-O", "ops@127.0.0.1:salaries.csv", filepath.Join(work, "back.csv")); err != nil {
		t.Fatalf("scp -O download: %v\n%s", err, out)
	}
	if out, err := scp(vera, csv, "vera@127.0.0.1:"); err == nil || !strings.Contains(out, "may not upload") {
		t.Errorf("a viewer uploaded: %v\n%s", err, out)
	}
	want := map[string]bool{"ops file.upload ok": false, "ops file.download ok": false, "vera file.refused refused": false}
	for _, r := range readAudit(t, p.auditPath()) {
		want[r.User+" "+r.Event+" "+r.Result] = true
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("no %q in the audit log:\n%s", k, mustReadFile(t, p.auditPath()))
		}
	}
}

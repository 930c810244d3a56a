package cmd

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"
	gossh "golang.org/x/crypto/ssh"

	"github.com/malipo/malipo/internal/pgtest"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/internal/testout"
	"github.com/malipo/malipo/keystore"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/store"
)

// Issue 14's "done when" as a test, every part its own process: one
// PostgreSQL, one `malipo sim`, two `malipo serve --store URL` hosts on two
// ports, and OpenSSH clients (ssh -tt on a PTY) typing into them.

// hostsPatience bounds every wait for a screen or a process: generous, so
// a loaded machine is slow but never wrong.
const hostsPatience = 60 * time.Second

// simControlToken is the simulator's control-API token (loopback only).
const simControlToken = "hosts-test-control-token"

// simProc is `malipo sim` running as a child process.
type simProc struct {
	base string // http://127.0.0.1:PORT/api/v1/
	ctl  string // http://127.0.0.1:PORT/_sim/
}

var simBaseRE = regexp.MustCompile(`a local IntaSend sandbox at (http://(\S+)/api/v1/)`)

// startSimProc runs `malipo sim` with the given extra flags until the test
// ends. No failures at random: the test is about who approves, not payees.
func startSimProc(t *testing.T, extra ...string) *simProc {
	t.Helper()
	args := append([]string{"sim", "--addr", "127.0.0.1:0", "--no-generator", "--failure-rate", "0", "--seed", "7"}, extra...)
	cmd := exec.Command(malipoBinary(t), args...)
	cmd.Env = append(os.Environ(), "MALIPO_SIM_CONTROL_TOKEN="+simControlToken)
	out := testout.New()
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	timeout := time.After(hostsPatience)
	for {
		if m := simBaseRE.FindStringSubmatch(out.String()); m != nil && strings.Contains(out.String(), "Ctrl-C") {
			return &simProc{base: m[1], ctl: "http://" + m[2] + "/_sim/"}
		}
		select {
		case <-out.Wrote():
		case <-exited:
			t.Fatalf("malipo sim exited:\n%s", out.String())
		case <-timeout:
			t.Fatalf("malipo sim did not start:\n%s", out.String())
		}
	}
}

// counters reads the simulator's counters through its control API.
func (s *simProc) counters(t *testing.T) counterView {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.ctl+"counters", nil)
	req.Header.Set("Authorization", "Bearer "+simControlToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var c counterView
	if err := json.NewDecoder(res.Body).Decode(&c); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /_sim/counters: %d, %v", res.StatusCode, err)
	}
	return c
}

type counterView struct {
	Requests map[string]int `json:"requests"`
	Approved map[string]int `json:"approved"`
}

// hostEnv is a serve host's environment: its own home, config and state
// (two machines), the sandbox keys the simulator takes from the
// environment, no Secret Service, and the audit key every host of the
// store shares (one chain, one signer).
func hostEnv(t *testing.T, home, auditKey string) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "DBUS_SESSION_BUS_ADDRESS", "HOME", "XDG_CONFIG_HOME", keystore.EnvAuditKeyFile,
			keystore.EnvPublishableKey, keystore.EnvSecretKey, keystore.EnvDeviceKeyFile, keystore.EnvDeviceID, EnvStore:
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(home, "no-bus"),
		keystore.EnvPublishableKey+"="+testPub, keystore.EnvSecretKey+"="+testSec, auditKey)
}

// twoHosts is the whole setup: store, simulator, hosts A and B.
type twoHosts struct {
	url      string
	sim      *simProc
	a, b     *serveProc
	auditKey string // MALIPO_AUDIT_KEY_FILE=…
	keys     string // the clients' key files
}

func startTwoHosts(t *testing.T, people []sshPerson, simFlags ...string) *twoHosts {
	t.Helper()
	if _, err := exec.LookPath("ssh"); err != nil {
		t.Skip("the OpenSSH client ssh is not installed: this test needs real ssh")
	}
	h := &twoHosts{url: pgtest.Start(t).URL("postgres"), keys: t.TempDir()}
	dir := t.TempDir()
	h.auditKey = auditKeyEnv(t, filepath.Join(dir, "shared")) // dir/audit.key
	users := filepath.Join(dir, "users.toml")
	writeUsers(t, users, people...)
	h.sim = startSimProc(t, simFlags...)
	start := func(name string) *serveProc {
		home := filepath.Join(dir, name)
		if err := os.MkdirAll(home, 0o700); err != nil {
			t.Fatal(err)
		}
		// Not --demo: a profile's (sandbox) keys against the one simulator.
		return startServeEnvArgs(t, filepath.Join(home, "state"), hostEnv(t, home, h.auditKey),
			[]string{"--base-url", h.sim.base, "serve", "--addr", "127.0.0.1:0", "--users", users, "--store", h.url})
	}
	h.a, h.b = start("a"), start("b")
	return h
}

// startServeEnvArgs is startServeEnv for a serve that is not --demo: the
// whole argument list is given.
func startServeEnvArgs(t *testing.T, state string, env, args []string) *serveProc {
	t.Helper()
	return startServeProc(t, state, env, args, hostsPatience)
}

// ptyConsole is OpenSSH's ssh -tt on a PTY of our own (120x40), what the
// person sees read from the PTY with the ANSI sequences stripped.
type ptyConsole struct {
	t    *testing.T
	who  string
	cmd  *exec.Cmd
	tty  *os.File
	out  *testout.Buffer
	read chan struct{}
	mark int
}

// console logs who in to host p with ssh -tt. -e none: no escape
// character, so ssh eats no key sequence.
func (h *twoHosts) console(t *testing.T, p *serveProc, who sshPerson) *ptyConsole {
	t.Helper()
	block, err := gossh.MarshalPrivateKey(who.priv, "")
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(h.keys, who.name+".key")
	if err := os.WriteFile(key, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	_, port, _ := strings.Cut(p.addr, ":")
	cmd := exec.Command("ssh", "-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "-i", key,
		"-tt", "-e", "none", "-p", port, who.name+"@127.0.0.1")
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	return startOnPTY(t, who.name, cmd)
}

// startOnPTY runs cmd on a 120x40 PTY of its own and records what it
// draws; the test's end stops it (SIGTERM) and closes the PTY.
func startOnPTY(t *testing.T, who string, cmd *exec.Cmd) *ptyConsole {
	t.Helper()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatalf("%s on a PTY: %v", cmd.Args[0], err)
	}
	c := &ptyConsole{t: t, who: who, cmd: cmd, tty: tty, out: testout.New(), read: make(chan struct{})}
	go func() {
		_, _ = io.Copy(c.out, tty) // ends with EIO once the program exits
		close(c.read)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		tty.Close()
		<-c.read
	})
	return c
}

func (c *ptyConsole) screen() string { return ansi.Strip(c.out.From(c.mark)) }

// send types keys, after marking the output so waits look only at what
// they caused.
func (c *ptyConsole) send(keys string) {
	c.mark = c.out.Len()
	if _, err := io.WriteString(c.tty, keys); err != nil {
		c.t.Fatalf("typing %q into %s's ssh: %v", keys, c.who, err)
	}
}

// waitFor waits (woken by each write, no polling) until the output since
// the mark shows text.
func (c *ptyConsole) waitFor(text string) string {
	c.t.Helper()
	timeout := time.After(hostsPatience)
	for {
		if s := c.screen(); strings.Contains(s, text) {
			return s
		}
		select {
		case <-c.out.Wrote():
		case <-timeout:
			c.t.Fatalf("%s's terminal never showed %q; since the last key it shows:\n%s", c.who, text, c.screen())
		}
	}
}

// initiate composes a one-row KES 1,000.00 batch and initiates it
// (the keys sshd's tests type); it returns the batch's tracking id from
// the shared journal.
func (h *twoHosts) initiate(t *testing.T, c *ptyConsole) string {
	t.Helper()
	c.waitFor("Payroll")
	c.send("3")
	c.waitFor("Payouts · Compose")
	c.send("a")
	c.waitFor("Name")
	for _, k := range []string{"Jane", "\t", "0708374149", "\t", "1000", "\t", "nov", "\r"} {
		c.send(k)
	}
	c.waitFor("1 row")
	c.send("p")
	c.waitFor("Preview and approve (BP103)")
	for _, e := range h.journal(t).Pending() {
		if e.Initiator == c.who {
			return e.TrackingID
		}
	}
	t.Fatalf("the shared journal has no pending batch initiated by %s", c.who)
	return ""
}

// openPendingOf opens the batch initiator left pending.
func openPendingOf(c *ptyConsole, initiator string) {
	c.waitFor("Payroll")
	c.send("3")
	c.waitFor("Payouts")
	c.send("P")
	c.waitFor("KES 1,000.00 " + initiator)
	c.send("\r")
	c.waitFor("Preview and approve (BP103)")
}

func (h *twoHosts) journal(t *testing.T) *payout.Journal {
	t.Helper()
	s := h.store(t)
	j, err := payout.OpenJournalStore(s, keystore.DefaultProfile)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func (h *twoHosts) store(t *testing.T) *store.Store { return openTestStore(t, h.url) }

// openTestStore opens the store at url for the test's length.
func openTestStore(t *testing.T, url string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// auditRecords are the shared chain's records, oldest first.
func (h *twoHosts) auditRecords(t *testing.T) []chainRecord { return chainRecords(t, h.store(t)) }

// chainRecord is what the tests read of an audit record on the store.
type chainRecord struct {
	Event, User, Target, Result, Detail, Profile, Session string
}

// chainRecords are the store's audit records, oldest first.
func chainRecords(t *testing.T, db *store.Store) []chainRecord {
	t.Helper()
	var out []chainRecord
	err := db.AuditLines(context.Background(), func(_ int64, line []byte) error {
		var r chainRecord
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// verifyAudit runs `malipo serve verify-audit --store URL` with the
// shared key, as an auditor would.
func (h *twoHosts) verifyAudit(t *testing.T) string { return verifyStoreAudit(t, h.url, h.auditKey) }

// verifyStoreAudit runs `malipo serve verify-audit --store url` with
// keyEnv (MALIPO_AUDIT_KEY_FILE=…) and wants the chain intact.
func verifyStoreAudit(t *testing.T, url, keyEnv string) string {
	t.Helper()
	verify := exec.Command(malipoBinary(t), "serve", "verify-audit", "--store", url)
	verify.Env = append(os.Environ(), keyEnv)
	out, err := verify.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "chain intact") {
		t.Fatalf("verify-audit --store: %v\n%s", err, out)
	}
	return string(out)
}

// TestServeTwoHostsApproveOnce: a maker on host A initiates a batch over
// SSH; an approver on host A and one on host B open it, type the amount
// and press Confirm at the same moment. Exactly one approve call reaches
// the simulator, the other approver is refused by the shared journal, and
// the one audit chain both hosts wrote verifies with verify-audit --store.
func TestServeTwoHostsApproveOnce(t *testing.T) {
	maker, wanjiru, otieno := newPerson(t, "baraka", "maker"), newPerson(t, "wanjiru", "approver"), newPerson(t, "otieno", "approver")
	// A slow approve keeps both confirmations in flight together.
	h := startTwoHosts(t, []sshPerson{maker, wanjiru, otieno}, "--faults", "approve:latency=300ms")

	tid := h.initiate(t, h.console(t, h.a, maker))
	onA, onB := h.console(t, h.a, wanjiru), h.console(t, h.b, otieno)
	for _, c := range []*ptyConsole{onA, onB} {
		openPendingOf(c, "baraka") // host B shows host A's batch
		c.waitFor("covers it")     // approve acts once the balance is in
		c.send("A")
		c.waitFor("Type 1,000.00 to confirm")
		c.send("\t")
		c.send("1,000.00")
		c.waitFor("[ Confirm ]")
	}
	onA.send("\r")
	onB.send("\r")

	won, lost := approveOutcome(t, onA, onB)
	t.Logf("%s approved; %s was refused", won, lost)
	cnt := h.sim.counters(t)
	if n := cnt.Requests["POST send-money/approve/"]; n != 1 || cnt.Approved[tid] != 1 {
		t.Fatalf("approve calls %d, approved %d: want exactly one (won %s, lost %s)", n, cnt.Approved[tid], won, lost)
	}
	if e, _ := h.journal(t).Entry(tid); e.Status != payout.StatusApproved {
		t.Errorf("the shared journal: %s", e.Status)
	}
	out := h.verifyAudit(t)
	approving, refused, starts := approveOnceRecords(h.auditRecords(t), tid, lost)
	testcheck.Check(t, fmt.Sprintf("%d journal.approving, %d refusals of %s, %d server starts; want 1, 1, 2\n%s", approving, refused, lost, starts, out), nil,
		testcheck.C("one journal.approving", approving == 1), testcheck.C("one refusal", refused == 1), testcheck.C("two server starts", starts == 2))
}

// approveOnceRecords counts, on the shared chain, tid's journal.approving
// records, the refusals of lost's approve and the server starts.
func approveOnceRecords(rs []chainRecord, tid, lost string) (approving, refused, starts int) {
	for _, r := range rs {
		switch {
		case r.Event == "journal.approving" && r.Target == tid:
			approving++
		case r.Event == "payout.approve" && r.Target == tid && r.Result == "refused" && r.User == lost:
			refused++
		case r.Event == "server.start":
			starts++
		}
	}
	return approving, refused, starts
}

// approveOutcome waits until one console says Approved and the other that
// the journal refused (another session is sending it, or, on a loaded
// machine where the winner finished first, it is approved already).
func approveOutcome(t *testing.T, a, b *ptyConsole) (won, lost string) {
	t.Helper()
	timeout := time.After(hostsPatience)
	for {
		for _, c := range []*ptyConsole{a, b} {
			switch s := c.screen(); {
			case strings.Contains(s, "Approved"):
				won = c.who
			case strings.Contains(s, "another session"), strings.Contains(s, "approved already"):
				lost = c.who
			}
		}
		if won != "" && lost != "" && won != lost {
			return won, lost
		}
		select {
		case <-a.out.Wrote():
		case <-b.out.Wrote():
		case <-timeout:
			t.Fatalf("after both confirmed:\n%s:\n%s\n%s:\n%s", a.who, a.screen(), b.who, b.screen())
		}
	}
}

// TestServeTwoHostsFourEyes: an approver who initiated a batch on host A
// cannot approve it on host B: four-eyes reads the initiator from the
// shared journal. Nothing reaches the simulator; the refusal is in the
// shared chain, which verifies.
func TestServeTwoHostsFourEyes(t *testing.T) {
	amina := newPerson(t, "amina", "approver")
	h := startTwoHosts(t, []sshPerson{amina})
	tid := h.initiate(t, h.console(t, h.a, amina))

	onB := h.console(t, h.b, amina)
	openPendingOf(onB, "amina")
	onB.send("A")
	if s := onB.waitFor("four-eyes"); strings.Contains(s, "to confirm") {
		t.Fatalf("host B offered the initiator the approval:\n%s", s)
	}
	if n := h.sim.counters(t).Requests["POST send-money/approve/"]; n != 0 {
		t.Fatalf("%d approve calls", n)
	}
	// Host B audits the refusal as it refuses the key; poll the shared
	// chain for it, within the one bound.
	deadline := time.Now().Add(hostsPatience)
	for {
		found := false
		for _, r := range h.auditRecords(t) {
			found = found || r.Event == "payout.approve" && r.Target == tid && r.Result == "refused" && r.User == "amina"
		}
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the four-eyes refusal is not in the shared audit chain:\n%s", h.verifyAudit(t))
		}
		time.Sleep(50 * time.Millisecond) // polling the store for a condition, bounded above
	}
	if e, _ := h.journal(t).Entry(tid); e.Status != payout.StatusInitiated {
		t.Errorf("the shared journal: %s", e.Status)
	}
	h.verifyAudit(t)
}

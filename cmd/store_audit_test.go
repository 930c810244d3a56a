package cmd

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/pgtest"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/keystore"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/sshd"
	"github.com/malipo/malipo/store"
)

// Issue 14: every money-moving step is audited, also off SSH. With a
// shared store named, the local commands write the store's one audit
// chain (as local:<user>@<host>, with the profile), in the transaction of
// each state change, and their refusals too; without the audit key they
// refuse to move money at all.

// localStore is a migrated throw-away PostgreSQL named by MALIPO_STORE,
// and the audit key every host of it signs with (MALIPO_AUDIT_KEY_FILE).
type localStore struct {
	url, keyEnv string
}

func newLocalStore(t *testing.T) *localStore {
	t.Helper()
	url := pgtest.Start(t).URL("postgres")
	if out, err := exec.Command(malipoBinary(t), "store", "migrate", "--store", url).CombinedOutput(); err != nil {
		t.Fatalf("store migrate: %v\n%s", err, out)
	}
	t.Setenv(EnvStore, url)
	keyEnv := auditKeyEnv(t, filepath.Join(t.TempDir(), "state"))
	name, path, _ := strings.Cut(keyEnv, "=")
	t.Setenv(name, path)
	return &localStore{url: url, keyEnv: keyEnv}
}

func (s *localStore) open(t *testing.T) *store.Store { return openTestStore(t, s.url) }

// serveHost is a serve host's side of the store as sshd has it: the
// profile's journal whose events write journal.<event> records in their
// own transactions, signed with the shared key.
func (s *localStore) serveHost(t *testing.T) *payout.Journal {
	t.Helper()
	db := s.open(t)
	k, _, err := keystore.LoadAuditKey(context.Background(), keystore.AuditKeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	log, err := sshd.OpenAuditStore(context.Background(), db, k.PrivateKey(), sshd.AuditOptions{HostKey: "SHA256:serve-host"})
	if err != nil {
		t.Fatal(err)
	}
	j, err := payout.OpenJournalStore(db, keystore.DefaultProfile)
	if err != nil {
		t.Fatal(err)
	}
	j.SetStateAudit(log.StateAuditor())
	return j
}

func (s *localStore) records(t *testing.T) []chainRecord { return chainRecords(t, s.open(t)) }

// count is how many records match event, target and result ("" any) and
// are by user ("" any).
func count(rs []chainRecord, event, target, result, user string) int {
	n := 0
	for _, r := range rs {
		if r.Event == event && (target == "" || r.Target == target) && (result == "" || r.Result == result) && (user == "" || r.User == user) {
			n++
		}
	}
	return n
}

// verify runs `malipo serve verify-audit --store URL` as an auditor would.
func (s *localStore) verify(t *testing.T) string { return verifyStoreAudit(t, s.url, s.keyEnv) }

// localActor is what the commands write as the user: the OS user@host
// the journal records, marked local.
func localActor(t *testing.T, db *store.Store) string {
	t.Helper()
	j, err := payout.OpenJournalStore(db, keystore.DefaultProfile)
	if err != nil {
		t.Fatal(err)
	}
	return "local:" + j.Initiator()
}

// TestStoreLocalCommandsAudit: a real `malipo serve --store` and the CLI
// on one store. The CLI's initiate, its four-eyes refusal, its limit
// refusal and its approve of a batch a serve user made all land in the
// one chain as local:<user>@<host> with the profile, journal records in
// their transactions; exactly one approve reaches IntaSend; verify-audit
// --store checks the chain that mixes serve's and local records.
func TestStoreLocalCommandsAudit(t *testing.T) {
	f := newMoneyFixture(t)
	s := newLocalStore(t)
	dir := t.TempDir()
	users := filepath.Join(dir, "users.toml")
	writeUsers(t, users, newPerson(t, "wanjiru", "approver"))
	serveEnv := append(os.Environ(), s.keyEnv)
	startServeEnv(t, filepath.Join(dir, "serve"), users, serveEnv, "--store", s.url)
	actor := localActor(t, s.open(t))

	// Initiated here, so four-eyes refuses this machine's user its approval.
	own := f.initiate(t, writeCSV(t, batchCSV))
	_, errw, code := runCLI(t, "payouts", "approve", own, "--confirm", "300", "--base-url", f.base)
	cliRefused(t, "approving one's own batch", code, errw, "four-eyes")

	theirs := serveHostInitiate(t, f, s)
	// Over the profile's approve_limit: refused, and recorded.
	cfg := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "malipo")
	writeFile(t, filepath.Join(cfg, "config.toml"), "[profiles.default]\nenvironment = \"sandbox\"\napprove_limit = \"350\"\n")
	_, errw, code = runCLI(t, "payouts", "approve", theirs, "--confirm", "400", "--base-url", f.base)
	cliRefused(t, "over the limit", code, errw, "approval limit")
	writeFile(t, filepath.Join(cfg, "config.toml"), "[profiles.default]\nenvironment = \"sandbox\"\n")
	_, errw, code = runCLI(t, "payouts", "approve", theirs, "--confirm", "400", "--base-url", f.base)
	testcheck.Expect(t, "approve: exit", fmt.Sprintf("%d: %s", code, errw), testcheck.C("0", code == 0))
	c := f.s.Counters()
	testcheck.Expect(t, fmt.Sprintf("approve calls %d, approved %d", c.Requests["POST send-money/approve/"], c.Approved[theirs]), nil,
		testcheck.C("one call", c.Requests["POST send-money/approve/"] == 1), testcheck.C("approved once", c.Approved[theirs] == 1))

	// A command that keeps no journal writes the chain too.
	_, errw, code = runCLI(t, "stk-push", "0712345678", "200", "--ref", "ORDER-7", "--confirm", "200", "--base-url", f.base)
	testcheck.Expect(t, "stk-push: exit", fmt.Sprintf("%d: %s", code, errw), testcheck.C("0", code == 0))
	checkLocalChain(t, s.records(t), actor, own, theirs)
	out := s.verify(t)
	t.Log(out)
}

// cliRefused stops the test unless the command was refused saying want.
func cliRefused(t *testing.T, what string, code int, errw, want string) {
	t.Helper()
	testcheck.Expect(t, what, fmt.Sprintf("exit %d: %s", code, errw),
		testcheck.C("refused", code == exitRefused), testcheck.C("says "+want, strings.Contains(errw, want)))
}

// serveHostInitiate initiates a serve user's batch through the serve
// host's journal and returns its tracking id.
func serveHostInitiate(t *testing.T, f *moneyFixture, s *localStore) string {
	t.Helper()
	host := s.serveHost(t)
	d := payout.NewDraft(payout.B2C, simStart)
	d.Rows = []payout.Row{{Name: "Jane", Account: "254708374149", Amount: client.Units(400)}}
	res := payout.Initiate(context.Background(), host.As("baraka"), f.cl, d, "")
	testcheck.Expect(t, "serve host's initiate", res,
		testcheck.C("no error", res.Err == nil), testcheck.C("journalled", res.JournalErr == nil), testcheck.C("recorded", res.RecordErr == nil))
	f.clock.Advance(time.Minute)
	return res.Batch.TrackingID
}

// checkLocalChain: every step is in the one chain once, as local:<user>@
// <host> with the profile and the command.
func checkLocalChain(t *testing.T, rs []chainRecord, actor, own, theirs string) {
	t.Helper()
	for _, w := range []struct {
		event, target, result, user string
	}{
		{"stk.push", "ORDER-7", "requested", actor},
		{"stk.push", "ORDER-7", "ok", actor},
		{"server.start", "", "ok", ""},
		{"journal.initiating", "", "recorded", actor},
		{"journal.initiated", own, "recorded", actor},
		{"payout.initiate", own, "ok", actor},
		{"payout.approve", own, "refused", actor},           // four-eyes
		{"journal.initiated", theirs, "recorded", "baraka"}, // the serve host's
		{"payout.approve", theirs, "refused", actor},        // the limit
		{"payout.approve", theirs, "requested", actor},
		{"journal.approving", theirs, "recorded", actor},
		{"journal.approved", theirs, "recorded", actor},
		{"payout.approve", theirs, "ok", actor},
	} {
		if n := count(rs, w.event, w.target, w.result, w.user); n != 1 {
			t.Errorf("%d records %s %s %s by %q; want 1", n, w.event, w.target, w.result, w.user)
		}
	}
	for _, r := range rs {
		if r.User == actor && (r.Profile != keystore.DefaultProfile || r.Session == "") {
			t.Errorf("a local record without its profile or command: %+v", r)
		}
	}
	n := count(rs, "journal.approving", theirs, "", "")
	testcheck.Check(t, "journal.approving records", n, testcheck.C("one", n == 1))
}

// TestStoreLocalNoAuditKeyRefuses: on a shared store without the audit
// key the commands refuse to move money, saying how to fix it; nothing
// reaches IntaSend, the journal or the chain. Reads still work.
func TestStoreLocalNoAuditKeyRefuses(t *testing.T) {
	f := newMoneyFixture(t)
	s := newLocalStore(t)
	before := len(s.records(t))
	t.Setenv(keystore.EnvAuditKeyFile, "")
	// No keyring either: the key is nowhere.
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	_, errw, code := runCLI(t, "payouts", "initiate", writeCSV(t, batchCSV), "--rail", "b2c", "--base-url", f.base)
	if code != exitRefused || !strings.Contains(errw, "MALIPO_AUDIT_KEY_FILE") || !strings.Contains(errw, "nothing was sent") {
		t.Fatalf("initiate without the audit key: exit %d: %s", code, errw)
	}
	if n := f.s.Counters().Requests["POST send-money/initiate/"]; n != 0 {
		t.Fatalf("%d initiate calls", n)
	}
	_, errw, code = runCLI(t, "stk-push", "0712345678", "200", "--confirm", "200", "--base-url", f.base)
	if code != exitRefused || !strings.Contains(errw, "MALIPO_AUDIT_KEY_FILE") {
		t.Fatalf("stk-push without the audit key: exit %d: %s", code, errw)
	}
	if n := f.s.Counters().Requests["POST payment/mpesa-stk-push/"]; n != 0 {
		t.Fatalf("%d pushes", n)
	}
	_, errw, code = runCLI(t, "payouts", "approve", "NOSUCH", "--confirm", "1", "--base-url", f.base)
	if code != exitRefused || !strings.Contains(errw, "MALIPO_AUDIT_KEY_FILE") {
		t.Fatalf("approve without the audit key: exit %d: %s", code, errw)
	}
	if hist, errw, code := runCLI(t, "payouts", "history", "--json"); code != 0 || strings.TrimSpace(hist) != "[]" {
		t.Fatalf("history: exit %d: %s%s", code, hist, errw)
	}
	if after := len(s.records(t)); after != before {
		t.Fatalf("the chain grew from %d to %d records", before, after)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// localConsole runs `malipo` (the local console) on a PTY of its own
// (120x40), as a person at the serve host's keyboard would.
func localConsole(t *testing.T, who string, env []string, args ...string) *ptyConsole {
	t.Helper()
	cmd := exec.Command(malipoBinary(t), args...)
	cmd.Env = append(env, "TERM=xterm-256color")
	return startOnPTY(t, who, cmd)
}

// TestStoreLocalConsoleAudits: the local console on a shared store (a
// real `malipo` on a PTY against a real `malipo sim`) initiates a batch:
// its journal records and its outcome are in the store's chain as
// local:<user>@<host> with the profile and "console", beside a serve
// host's records, and verify-audit --store passes. Without the audit key
// the same console sends nothing and says how to fix it.
func TestStoreLocalConsoleAudits(t *testing.T) {
	isolate(t)
	s := newLocalStore(t)
	sim := startSimProc(t)
	dir := t.TempDir()
	users := filepath.Join(dir, "users.toml")
	writeUsers(t, users, newPerson(t, "wanjiru", "approver"))
	startServeEnv(t, filepath.Join(dir, "serve"), users, append(os.Environ(), s.keyEnv), "--store", s.url)
	actor := localActor(t, s.open(t))
	h := &twoHosts{url: s.url, sim: sim}

	home := filepath.Join(dir, "me")
	env := append(hostEnv(t, home, s.keyEnv), EnvStore+"="+s.url)
	// The journal names the initiator as the OS user@host; the chain adds "local:".
	tid := h.initiate(t, localConsole(t, strings.TrimPrefix(actor, "local:"), env, "--base-url", sim.base))
	rs := s.records(t)
	for _, w := range []struct{ event, target, result string }{
		{"journal.initiating", "", "recorded"},
		{"journal.initiated", tid, "recorded"},
		{"payout.initiate", tid, "ok"},
	} {
		if n := count(rs, w.event, w.target, w.result, actor); n != 1 {
			t.Errorf("%d records %s %s %s by %s; want 1", n, w.event, w.target, w.result, actor)
		}
	}
	for _, r := range rs {
		if r.User == actor && (r.Profile != keystore.DefaultProfile || r.Session != "console") {
			t.Errorf("a console record without its profile or \"console\": %+v", r)
		}
	}
	if count(rs, "server.start", "", "", "") != 1 {
		t.Errorf("no serve record in the chain")
	}
	s.verify(t)

	// Without the key: refused, nothing sent, the reason on screen.
	noKey := append(hostEnv(t, home, keystore.EnvAuditKeyFile+"="), EnvStore+"="+s.url)
	c := localConsole(t, actor, noKey, "--base-url", sim.base)
	before := sim.counters(t).Requests["POST send-money/initiate/"]
	c.waitFor("Payroll")
	c.send("3")
	c.waitFor("Payouts · Compose")
	c.send("a")
	c.waitFor("Name")
	for _, k := range []string{"Amina", "\t", "0712345678", "\t", "2000", "\t", "dec", "\r"} {
		c.send(k)
	}
	c.waitFor("1 row")
	c.send("p")
	c.waitFor("audit key")
	if n := sim.counters(t).Requests["POST send-money/initiate/"]; n != before {
		t.Fatalf("%d initiate calls without the audit key", n-before)
	}
	s.verify(t)
}

package cmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/payout"
)

// moneyFixture is a seeded simulator on a manual clock, kept so tests can
// inject faults and count what IntaSend was asked to do.
type moneyFixture struct {
	*readFixture
	s *sim.Server
}

func newMoneyFixture(t *testing.T) *moneyFixture {
	t.Helper()
	clock := sim.NewManualClock(simStart)
	s := sim.New(sim.Options{Seed: true, Rand: 7, Clock: clock, FailureRate: -1})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	cl, err := client.New(testPub, testSec, client.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	withKeys(t)
	return &moneyFixture{readFixture: &readFixture{base: srv.URL, clock: clock, cl: cl}, s: s}
}

// batchCSV is two M-Pesa payouts, KES 300.00 in all.
const batchCSV = "name,phone,amount\nJane,0708374149,100\nJohn,0712345678,200\n"

// initiate runs `payouts initiate` and returns the tracking id, after
// the simulator has moved the batch to waiting for approval.
func (f *moneyFixture) initiate(t *testing.T, file string, extra ...string) string {
	t.Helper()
	out, errw, code := runCLI(t, append([]string{"payouts", "initiate", file, "--rail", "b2c", "--json", "--base-url", f.base}, extra...)...)
	if code != 0 {
		t.Fatalf("initiate: exit %d: %s", code, errw)
	}
	var v initiateOut
	if err := json.Unmarshal([]byte(out), &v); err != nil || v.TrackingID == "" {
		t.Fatalf("initiate output %q: %v", out, err)
	}
	f.clock.Advance(time.Minute)
	return v.TrackingID
}

// TestPayoutsInitiateApprove: a CSV becomes a batch waiting for approval,
// the journal refuses the same file twice, approve refuses without the
// amount, with a wrong one, and approves once with any spelling of it.
func TestPayoutsInitiateApprove(t *testing.T) {
	f := newMoneyFixture(t)
	schema := schemas(t)
	file := writeCSV(t, batchCSV)
	tid := initiateBatch(t, f, file)
	f.clock.Advance(time.Minute)

	steps := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"same file again", []string{"payouts", "initiate", file, "--rail", "b2c"}, exitRefused, "identical batch"},
		{"no confirmation", []string{"payouts", "approve", tid}, exitUsage, "--confirm AMOUNT"},
		{"wrong amount", []string{"payouts", "approve", tid, "--confirm", "299.99"}, exitRefused, "KES 299.99 is not the amount, KES 300.00"},
		{"not an amount", []string{"payouts", "approve", tid, "--confirm", "yes"}, exitRefused, "not an amount"},
	}
	for _, s := range steps {
		_, errw, code := runCLI(t, append(s.args, "--base-url", f.base)...)
		testcheck.Check(t, fmt.Sprintf("%s: exit %d, stderr %q", s.name, code, errw), nil,
			testcheck.C(fmt.Sprint("exit ", s.code), code == s.code), testcheck.C("says "+s.stderr, strings.Contains(errw, s.stderr)))
	}
	c := f.s.Counters()
	testcheck.Expect(t, fmt.Sprintf("refusals sent something: %d initiated, %v approved", c.Initiated, c.Approved), nil,
		testcheck.C("one initiate", c.Initiated == 1), testcheck.C("no approval", len(c.Approved) == 0))
	out, errw, code := runCLI(t, "payouts", "approve", tid, "--confirm", "KES 300", "--json", "--base-url", f.base)
	testcheck.Expect(t, "approve: exit", fmt.Sprintf("%d: %s", code, errw), testcheck.C("0", code == 0))
	validate(t, schema("payout-approve.json"), out)
	testcheck.Contains(t, "approve output", out, `"outcome": "approved"`)
	_, errw, code = runCLI(t, "payouts", "approve", tid, "--confirm", "300", "--base-url", f.base)
	testcheck.Check(t, "second approve", fmt.Sprintf("exit %d: %s", code, errw),
		testcheck.C("refused", code == exitRefused), testcheck.C("not waiting", strings.Contains(errw, "does not wait for approval")))
	c = f.s.Counters()
	testcheck.Check(t, "approved times", c.Approved[tid], testcheck.C("once", c.Approved[tid] == 1))
	hist, _, _ := runCLI(t, "payouts", "history", "--json")
	testcheck.Contains(t, "journal after approval", hist, `"status": "approved"`, tid)
}

// initiateBatch initiates file's batch of two rows (KES 300) as JSON and
// checks that IntaSend saw one initiate and no approval; it returns the
// tracking id.
func initiateBatch(t *testing.T, f *moneyFixture, file string) string {
	t.Helper()
	out, errw, code := runCLI(t, "payouts", "initiate", file, "--rail", "b2c", "--json", "--base-url", f.base)
	testcheck.Expect(t, "exit", fmt.Sprintf("%d: %s", code, errw), testcheck.C("0", code == 0))
	validate(t, schemas(t)("payout-initiate.json"), out)
	var ini initiateOut
	_ = json.Unmarshal([]byte(out), &ini)
	testcheck.Check(t, "initiate", ini, testcheck.C("total 300", ini.Total == client.Units(300)),
		testcheck.C("2 rows", ini.Count == 2), testcheck.C("a charge estimate", ini.ChargeEstimate > 0))
	c := f.s.Counters()
	testcheck.Expect(t, fmt.Sprintf("after initiate: %d initiated, %v approved", c.Initiated, c.Approved), nil,
		testcheck.C("one initiate", c.Initiated == 1), testcheck.C("no approval", len(c.Approved) == 0))
	return ini.TrackingID
}

// TestPayoutsInitiateRefusals: a file with a bad row, a wallet that cannot
// cover the batch and a refused rail create nothing at IntaSend.
func TestPayoutsInitiateRefusals(t *testing.T) {
	f := newMoneyFixture(t)
	tests := []struct {
		name, csv string
		args      []string
		code      int
		stderr    string
	}{
		{"bad row", hyperlinkCSV, []string{"--rail", "b2c"}, exitRefused, "2 bad rows of 3; nothing was initiated"},
		{"wallet short", bigBatch(), []string{"--rail", "b2c"}, exitRefused, "short. Nothing was initiated"},
		{"unknown rail", batchCSV, []string{"--rail", "cash"}, exitUsage, "unknown rail"},
		{"no such wallet", batchCSV, []string{"--rail", "b2c", "--wallet", "NOSUCH"}, exitRefused, "404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"payouts", "initiate", writeCSV(t, tt.csv), "--base-url", f.base}, tt.args...)
			_, errw, code := runCLI(t, args...)
			if code != tt.code || !strings.Contains(errw, tt.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errw, tt.code, tt.stderr)
			}
		})
	}
	if c := f.s.Counters(); c.Initiated != 0 {
		t.Errorf("%d batches initiated", c.Initiated)
	}
}

// TestPayoutsAmbiguous: an initiate whose answer is lost exits 3, is not
// sent again, and the journal then refuses the same file; an approve whose
// answer is lost is settled by a status read and lands exactly once.
func TestPayoutsAmbiguous(t *testing.T) {
	f := newMoneyFixture(t)
	file := writeCSV(t, batchCSV)
	f.s.SetFaults([]sim.Fault{mustFault(t, "send-money/initiate:drop-after")})
	_, errw, code := runCLI(t, "payouts", "initiate", file, "--rail", "b2c", "--base-url", f.base)
	if code != exitUnreachable || !strings.Contains(errw, "NOT sent again") {
		t.Fatalf("lost initiate: exit %d: %s", code, errw)
	}
	f.s.SetFaults(nil)
	if c := f.s.Counters(); c.Requests["POST send-money/initiate/"] != 1 {
		t.Fatalf("initiate sent %d times", c.Requests["POST send-money/initiate/"])
	}
	_, errw, code = runCLI(t, "payouts", "initiate", file, "--rail", "b2c", "--base-url", f.base)
	if code != exitRefused || !strings.Contains(errw, "its answer was lost") {
		t.Fatalf("initiate after a lost answer: exit %d: %s", code, errw)
	}

	tid := f.initiate(t, writeCSV(t, "name,phone,amount\nMary,0722000111,150\n"))
	f.s.SetFaults([]sim.Fault{mustFault(t, "approve:drop-after")})
	out, errw, code := runCLI(t, "payouts", "approve", tid, "--confirm", "150", "--base-url", f.base)
	if code != 0 || !strings.Contains(out, "Approved batch "+tid) {
		t.Fatalf("approve with a lost answer: exit %d: %s%s", code, out, errw)
	}
	if c := f.s.Counters(); c.Approved[tid] != 1 {
		t.Errorf("approved %d times", c.Approved[tid])
	}
}

// TestPayoutsApproveLimits: the profile's approve_limit in config.toml
// refuses a larger batch before anything is asked or sent.
func TestPayoutsApproveLimits(t *testing.T) {
	f := newMoneyFixture(t)
	cfg := filepath.Join(os.Getenv("XDG_CONFIG_HOME"), "malipo")
	if err := os.MkdirAll(cfg, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cfg, "config.toml"), []byte("[profiles.default]\nenvironment = \"sandbox\"\napprove_limit = \"250\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tid := f.initiate(t, writeCSV(t, batchCSV))
	_, errw, code := runCLI(t, "payouts", "approve", tid, "--confirm", "300", "--base-url", f.base)
	if code != exitRefused || !strings.Contains(errw, "KES 300.00 is over your approval limit of KES 250.00") {
		t.Fatalf("exit %d: %s", code, errw)
	}
	if c := f.s.Counters(); len(c.Approved) != 0 {
		t.Errorf("approved over the limit: %v", c.Approved)
	}
}

// TestPayoutsApproveTyped: on a terminal the amount is typed; Enter alone
// cancels and a wrong amount is refused, each sending nothing.
func TestPayoutsApproveTyped(t *testing.T) {
	f := newMoneyFixture(t)
	tid := f.initiate(t, writeCSV(t, batchCSV))
	for _, c := range []struct {
		typed  string
		code   int
		stderr string
	}{
		{"\n", exitRefused, "cancelled: nothing was sent"},
		{"30\n", exitRefused, "not the amount"},
		{"300.00\n", 0, "Type the amount (KES 300.00) to confirm"},
	} {
		out, errw, code := runOnTerminal(t, c.typed, "payouts", "approve", tid, "--base-url", f.base)
		if code != c.code || !strings.Contains(errw, c.stderr) || !strings.Contains(errw, "Approve batch "+tid) {
			t.Fatalf("typed %q: exit %d: %s%s", c.typed, code, out, errw)
		}
	}
	if c := f.s.Counters(); c.Approved[tid] != 1 {
		t.Errorf("approved %d times", c.Approved[tid])
	}
}

// TestPayoutsApproveRepeatedRows: the summary before the typed amount
// warns of rows paying the same account the same amount.
func TestPayoutsApproveRepeatedRows(t *testing.T) {
	f := newMoneyFixture(t)
	tid := f.initiate(t, writeCSV(t, "name,phone,amount\nJane,0708374149,100\nJane,0708374149,100\nJohn,0712345678,200\n"))
	_, errw, code := runOnTerminal(t, "\n", "payouts", "approve", tid, "--base-url", f.base)
	if code != exitRefused || !strings.Contains(errw, "Warning: 1 row pays the same account the same amount as another row (254708374149 KES 100.00)") {
		t.Fatalf("exit %d: %s", code, errw)
	}
}

// runOnTerminal runs the command with a real pseudo-terminal as stdin,
// where typed (a line) is waiting.
func runOnTerminal(t *testing.T, typed string, args ...string) (string, string, int) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	if _, err := ptmx.WriteString(typed); err != nil {
		t.Fatal(err)
	}
	root := newRootCmd()
	var out, errw bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errw)
	root.SetIn(tty)
	root.SetArgs(args)
	code := 0
	if err := root.Execute(); err != nil {
		errw.WriteString("malipo: " + err.Error() + "\n")
		code = exitCode(err)
	}
	return out.String(), errw.String(), code
}

// bigBatch is KES 1,500,000: more than the seeded settlement wallet holds.
func bigBatch() string {
	var b strings.Builder
	b.WriteString("name,phone,amount\n")
	for i := range 10 {
		fmt.Fprintf(&b, "P%d,07120000%02d,150000\n", i, i)
	}
	return b.String()
}

// TestPayoutsInitiatePesaLink: bank codes are checked against IntaSend's
// list, and a bad one refuses the file before anything is sent.
func TestPayoutsInitiatePesaLink(t *testing.T) {
	f := newMoneyFixture(t)
	_, errw, code := runCLI(t, "payouts", "initiate", writeCSV(t, "name,account,bank,amount\nJohn,0123456789,4,1000\n"), "--rail", "bank", "--base-url", f.base)
	if code != exitRefused || !strings.Contains(errw, `"4" is not a known bank code`) {
		t.Fatalf("bad bank code: exit %d: %s", code, errw)
	}
	out, errw, code := runCLI(t, "payouts", "initiate", writeCSV(t, "name,account,bank,amount\nJane,0123456789,68,1000\n"), "--rail", "bank", "--base-url", f.base)
	if code != 0 || !strings.Contains(out, "Initiated batch") || errw != "" {
		t.Fatalf("exit %d: %s%s", code, out, errw)
	}
	if c := f.s.Counters(); c.Initiated != 1 {
		t.Errorf("%d batches initiated", c.Initiated)
	}
}

// TestPayoutsInitiateInFlightElsewhere: another session on the profile's
// journal (a console) is initiating the same file right now. The CLI's
// own look finds it and refuses; --again, which covers what it was shown,
// is refused too while that initiate may still be answered: the journal's
// guard says who and what to do, and nothing reaches IntaSend.
func TestPayoutsInitiateInFlightElsewhere(t *testing.T) {
	f := newMoneyFixture(t)
	file := writeCSV(t, batchCSV)
	j := openDefaultJournal(t)
	defer j.Close()
	// Stamped ahead of the wall clock the CLI's journal reads, so however
	// slow the machine the reservation is still in its window.
	j.SetClock(func() time.Time { return time.Now().Add(time.Hour) })
	d := payout.NewDraft(payout.B2C, simStart)
	d.WalletID = f.s.SettlementWalletID()
	d.Rows = []payout.Row{{Name: "Jane", Account: "0708374149", AmountText: "100"}, {Name: "John", Account: "0712345678", AmountText: "200"}}
	if _, err := j.As("brian@console").ReserveInitiate(d, nil); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		extra []string
		want  string
	}{
		{"no --again", nil, "identical batch"},
		{"--again", []string{"--again"}, "not initiated: brian@console started initiating an identical batch"},
	} {
		args := append([]string{"payouts", "initiate", file, "--rail", "b2c", "--base-url", f.base}, tt.extra...)
		_, errw, code := runCLI(t, args...)
		if code != exitRefused || !strings.Contains(errw, tt.want) {
			t.Errorf("%s: exit %d: %s", tt.name, code, errw)
		}
	}
	if c := f.s.Counters(); c.Requests["POST send-money/initiate/"] != 0 {
		t.Fatalf("%d initiate calls", c.Requests["POST send-money/initiate/"])
	}
}

// openDefaultJournal opens the default profile's payout journal, as the
// console and the CLI write it; the caller closes it.
func openDefaultJournal(t *testing.T) *payout.Journal {
	t.Helper()
	dir, err := payout.StateDir("default")
	if err != nil {
		t.Fatal(err)
	}
	j, err := payout.OpenJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

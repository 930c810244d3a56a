package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/keystore"
	"github.com/malipo/malipo/payout"
)

const (
	testPub = "ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f"
	testSec = "ISSecretKey_test_c3b1fa1b-5d1e-4a3e-9e7c-4f0c5a1d8181"
)

// simStart is the simulator's fixed start: no test reads the real date.
var simStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// readFixture is a seeded simulator on a manual clock behind a loopback
// listener, and a client to find ids with.
type readFixture struct {
	base  string
	clock *sim.ManualClock
	cl    *client.Client
}

func newReadFixture(t *testing.T) *readFixture {
	t.Helper()
	clock := sim.NewManualClock(simStart)
	srv := httptest.NewServer(sim.New(sim.Options{Seed: true, Rand: 7, Clock: clock, FailureRate: -1}))
	t.Cleanup(srv.Close)
	cl, err := client.New(testPub, testSec, client.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	return &readFixture{base: srv.URL, clock: clock, cl: cl}
}

// runCLI runs `malipo ARGS…` in process with test keys from the
// environment and returns stdout, stderr and the exit status main uses.
func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	root := newRootCmd()
	var out, errw bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errw)
	root.SetIn(strings.NewReader(""))
	root.SetArgs(args)
	code := 0
	if err := root.Execute(); err != nil {
		fmt.Fprintln(&errw, "malipo:", err) // as main does
		code = exitCode(err)
	}
	return out.String(), errw.String(), code
}

func withKeys(t *testing.T) {
	t.Helper()
	isolate(t)
	t.Setenv(keystore.EnvPublishableKey, testPub)
	t.Setenv(keystore.EnvSecretKey, testSec)
}

// schemas compiles docs/schemas; each test validates against them.
func schemas(t *testing.T) func(name string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	files, _ := filepath.Glob("../docs/schemas/*.json")
	if len(files) == 0 {
		t.Fatal("no schemas in docs/schemas")
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(fh)
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if err := c.AddResource("https://malipo.dev/schemas/"+filepath.Base(f), doc); err != nil {
			t.Fatal(err)
		}
	}
	return func(name string) *jsonschema.Schema {
		s, err := c.Compile("https://malipo.dev/schemas/" + name)
		if err != nil {
			t.Fatalf("schema %s: %v", name, err)
		}
		return s
	}
}

func validate(t *testing.T, s *jsonschema.Schema, out string) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(out))
	if err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, out)
	}
	if err := s.Validate(inst); err != nil {
		t.Fatalf("does not match %s: %v\n%.2000s", s.Location, err, out)
	}
}

// ids are the seeded account's objects the commands are asked about.
type ids struct {
	wallet, invoice, failedInvoice, refund, tracking string
}

func (f *readFixture) ids(t *testing.T) ids {
	t.Helper()
	ctx := t.Context()
	var v ids
	ws, err := f.cl.AllWallets(ctx)
	if err != nil || len(ws) == 0 {
		t.Fatalf("wallets: %v", err)
	}
	v.wallet = ws[0].ID
	page, err := f.cl.Transactions(ctx, client.TransactionFilter{TransType: "SALE"})
	if err != nil || len(page.Results) == 0 {
		t.Fatalf("sales: %v", err)
	}
	v.invoice = page.Results[0].Invoice.ID
	// A failed STK push (magic number: insufficient balance, code 1).
	stk, err := f.cl.STKPush(ctx, client.STKPushRequest{Phone: "254700000001", Amount: client.Units(100)})
	if err != nil {
		t.Fatal(err)
	}
	v.failedInvoice = stk.Invoice.ID
	rs, err := f.cl.ListRefunds(ctx, 1)
	if err != nil || len(rs.Results) == 0 {
		t.Fatalf("refunds: %v", err)
	}
	v.refund = rs.Results[0].ID
	// A batch with a row in doubt (TF105) and one paid.
	b, err := f.cl.InitiatePayout(ctx, client.InitiateRequest{Provider: client.MPesaB2C, Transactions: []client.PayoutItem{
		{Name: "Jane", Account: "254708374149", Amount: client.Units(100)},
		{Name: "Held", Account: "254700000105", Amount: client.Units(200)}}})
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	if b, err = f.cl.PayoutStatus(ctx, b.TrackingID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.cl.ApproveOnce(ctx, b); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(10 * time.Minute)
	v.tracking = b.TrackingID
	return v
}

// TestCLIReads: every read command against the simulator, in each mode;
// --json output matches its committed schema, --jsonl has one object a
// line, CSV has a header, tables show money as KES 1,234.50.
func TestCLIReads(t *testing.T) {
	f := newReadFixture(t)
	v := f.ids(t)
	withKeys(t)
	// A journal entry for payouts history, as the console would write it.
	j := openDefaultJournal(t)
	d := payout.NewDraft(payout.B2C, simStart)
	d.Rows = []payout.Row{{Name: "Jane", Account: "254708374149", Amount: client.MustAmount("1234.50")}}
	if err := j.RecordInitiating(d); err != nil {
		t.Fatal(err)
	}
	if err := j.RecordInitiated(d, &client.Batch{TrackingID: v.tracking, StatusCode: "BP103"}); err != nil {
		t.Fatal(err)
	}
	// A status read and an acknowledgement (issue 13), so the schema
	// covers the entry's fields they fill.
	st := &client.Batch{StatusCode: "BP103", Status: "Preview and approve", Transactions: []client.PayoutResult{{StatusCode: "TP101"}}}
	if _, err := j.RecordStatus(v.tracking, st); err != nil {
		t.Fatal(err)
	}
	if err := j.Acknowledge(v.tracking); err != nil {
		t.Fatal(err)
	}
	j.Close()

	schema := schemas(t)
	since := simStart.Add(-30 * 24 * time.Hour).Format(time.RFC3339)
	tests := []struct {
		name   string
		args   []string
		schema string
		table  []string // in the table output
	}{
		{"wallets", []string{"wallets"}, "wallets.json", []string{"WALLET", "AVAILABLE", "KES "}},
		{"one wallet", []string{"wallets", v.wallet}, "wallet.json", []string{v.wallet}},
		{"wallet statement", []string{"wallets", "transactions", v.wallet}, "wallet-transactions.json", []string{"BALANCE", "SALE"}},
		{"collections", []string{"collections", "--since", since}, "collections.json", []string{v.invoice}},
		{"complete collections", []string{"collections", "--state", "complete"}, "collections.json", []string{v.invoice, "COMPLETE"}},
		{"invoice", []string{"invoice", v.failedInvoice}, "invoice.json", []string{"FAILED", "The balance is insufficient"}},
		{"payout status", []string{"payouts", "status", v.tracking}, "payout-status.json", []string{"TF105", "ask IntaSend support; do not resend", "KES 200.00"}},
		{"payout history", []string{"payouts", "history"}, "payouts-history.json", []string{v.tracking, "KES 1,234.50", "initiated"}},
		{"refunds", []string{"refunds"}, "refunds.json", []string{v.refund}},
		{"one refund", []string{"refunds", v.refund}, "refund.json", []string{v.refund}},
		{"plans", []string{"subscriptions", "plans"}, "subscription-plans.json", []string{"PLAN"}},
		{"subscribers", []string{"subscriptions", "customers"}, "subscription-customers.json", []string{"CUSTOMER"}},
		{"subscriptions", []string{"subscriptions", "list"}, "subscriptions.json", []string{"SUBSCRIPTION"}},
		{"banks", []string{"banks"}, "banks.json", []string{"CODE", "BANK"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(tt.args, "--base-url", f.base)
			out, errw, code := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errw)
			}
			for _, w := range tt.table {
				if !strings.Contains(out, w) {
					t.Errorf("table lacks %q:\n%s", w, out)
				}
			}
			js, errw, code := runCLI(t, append(args, "--json")...)
			if code != 0 {
				t.Fatalf("--json exit %d: %s", code, errw)
			}
			validate(t, schema(tt.schema), js)
			checkJSONL(t, args, js)
			checkCSV(t, args)
			if strings.Contains(out+js, testSec[len("ISSecretKey_test_"):]) {
				t.Fatal("a secret key was printed")
			}
		})
	}
}

// TestCLICollectionsSince: --since leaves out what came before it.
func TestCLICollectionsSince(t *testing.T) {
	f := newReadFixture(t)
	withKeys(t)
	for _, c := range []struct {
		since time.Time
		empty bool
	}{{simStart.AddDate(0, 0, -30), false}, {simStart.Add(time.Hour), true}} {
		out, errw, code := runCLI(t, "collections", "--since", c.since.Format(time.RFC3339), "--json", "--base-url", f.base)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errw)
		}
		var invs []client.Invoice
		if err := json.Unmarshal([]byte(out), &invs); err != nil {
			t.Fatal(err)
		}
		if (len(invs) == 0) != c.empty {
			t.Errorf("--since %s: %d invoices", c.since, len(invs))
		}
		for _, inv := range invs {
			if inv.CreatedAt.Before(c.since) {
				t.Errorf("%s created %s, before --since %s", inv.ID, inv.CreatedAt, c.since)
			}
		}
	}
}

// checkJSONL: --jsonl is one object a line, as many as --json's list.
func checkJSONL(t *testing.T, args []string, js string) {
	t.Helper()
	out, errw, code := runCLI(t, append(args, "--jsonl")...)
	if code != 0 {
		t.Fatalf("--jsonl exit %d: %s", code, errw)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, l := range lines {
		var obj map[string]any
		if l != "" && json.Unmarshal([]byte(l), &obj) != nil {
			t.Fatalf("--jsonl line is not an object: %q", l)
		}
	}
	var list []any
	if json.Unmarshal([]byte(js), &list) == nil && len(list) != len(lines) && len(list) > 0 {
		t.Errorf("--jsonl has %d lines, --json %d items", len(lines), len(list))
	}
}

// checkCSV: a header line, and money cells as plain decimals.
func checkCSV(t *testing.T, args []string) {
	t.Helper()
	out, errw, code := runCLI(t, append(args, "--output", "csv")...)
	if code != 0 {
		t.Fatalf("csv exit %d: %s", code, errw)
	}
	if out == "" || strings.Contains(out, "KES ") {
		t.Errorf("csv output:\n%s", out)
	}
}

// TestCLIMoneyExact: money is a decimal string in JSON and KES 1,234.50 in
// a table, right-aligned, never a float.
func TestCLIMoneyExact(t *testing.T) {
	f := newReadFixture(t)
	withKeys(t)
	ws, err := f.cl.AllWallets(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	w := ws[0]
	js, _, _ := runCLI(t, "wallets", w.ID, "--json", "--base-url", f.base)
	if !strings.Contains(js, `"available_balance": "`+w.AvailableBalance.Decimal()+`"`) {
		t.Errorf("JSON lacks the decimal string %s:\n%s", w.AvailableBalance.Decimal(), js)
	}
	table, _, _ := runCLI(t, "wallets", "--base-url", f.base)
	lines := strings.Split(strings.TrimSuffix(table, "\n"), "\n")
	end := strings.Index(lines[0], "AVAILABLE") + len("AVAILABLE")
	for _, l := range lines[1:] {
		// Right-aligned: each amount ends where the header ends.
		if len(l) <= end || !strings.ContainsRune("0123456789", rune(l[end-1])) || l[end] != ' ' {
			t.Errorf("money is not right-aligned under AVAILABLE:\n%s", table)
		}
	}
	if !strings.Contains(table, w.AvailableBalance.Format("KES")) {
		t.Errorf("table lacks %s:\n%s", w.AvailableBalance.Format("KES"), table)
	}
}

// TestCLIExitCodes: 0 ok, 1 IntaSend said no (its words on stderr), 2
// usage, 3 IntaSend unreachable or failing.
func TestCLIExitCodes(t *testing.T) {
	f := newReadFixture(t)
	failing := httptest.NewServer(sim.New(sim.Options{Faults: []sim.Fault{mustFault(t, "*:5xx=1")}}))
	defer failing.Close()
	dead := httptest.NewServer(nil)
	dead.Close()
	withKeys(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"ok", []string{"banks", "--base-url", f.base}, exitOK, ""},
		{"not found", []string{"invoice", "NOSUCH1", "--base-url", f.base}, exitRefused, "404"},
		{"missing argument", []string{"invoice", "--base-url", f.base}, exitUsage, "accepts 1 arg"},
		{"extra argument", []string{"wallets", "a", "b"}, exitUsage, "at most 1 arg"},
		{"unknown flag", []string{"banks", "--bogus"}, exitUsage, "unknown flag"},
		{"bad output", []string{"banks", "-o", "xml", "--base-url", f.base}, exitUsage, "want table, csv, json or jsonl"},
		{"json and jsonl", []string{"banks", "--json", "--jsonl", "--base-url", f.base}, exitUsage, "exclusive"},
		{"bad state", []string{"collections", "--state", "PAID", "--base-url", f.base}, exitUsage, "--state"},
		{"bad since", []string{"collections", "--since", "yesterday", "--base-url", f.base}, exitUsage, "--since"},
		{"subscriptions alone", []string{"subscriptions"}, exitUsage, "plans, customers or list"},
		{"unreachable", []string{"wallets", "--base-url", dead.URL}, exitUnreachable, "connection refused"},
		{"server failing", []string{"wallets", "--base-url", failing.URL}, exitUnreachable, "500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errw, code := runCLI(t, tt.args...)
			if code != tt.code || !strings.Contains(errw, tt.stderr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errw, tt.code, tt.stderr)
			}
		})
	}
}

func mustFault(t *testing.T, spec string) sim.Fault {
	t.Helper()
	fs, err := sim.ParseFaults(spec)
	if err != nil || len(fs) != 1 {
		t.Fatalf("faults %q: %v", spec, err)
	}
	return fs[0]
}

// TestAPIExit is the one mapping from client errors to exit statuses.
func TestAPIExit(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"refused", &client.APIError{Status: 400, Detail: "bad"}, exitRefused},
		{"not found", &client.APIError{Status: 404}, exitRefused},
		{"keys refused", &client.APIError{Status: 401}, exitRefused},
		{"rate limited", &client.APIError{Status: 429}, exitUnreachable},
		{"server error", &client.APIError{Status: 503}, exitUnreachable},
		{"transport", &client.TransportError{Err: errors.New("refused")}, exitUnreachable},
		{"wrapped transport", fmt.Errorf("wallets: %w", &client.TransportError{Err: errors.New("x")}), exitUnreachable},
		{"usage kept", usageError(errors.New("x")), exitUsage},
		{"other", errors.New("no keys"), 1},
	}
	for _, tt := range tests {
		if got := exitCode(apiExit(tt.err)); got != tt.want {
			t.Errorf("%s: exit %d, want %d", tt.name, got, tt.want)
		}
	}
	if apiExit(nil) != nil {
		t.Error("apiExit(nil) is not nil")
	}
}

func TestParseSince(t *testing.T) {
	eat := time.FixedZone("EAT", 3*3600)
	now := time.Date(2026, 3, 2, 9, 30, 0, 0, eat)
	tests := []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{in: "24h", want: now.Add(-24 * time.Hour)},
		{in: "90m", want: now.Add(-90 * time.Minute)},
		{in: "7d", want: now.AddDate(0, 0, -7)},
		{in: "2026-01-31", want: time.Date(2026, 1, 31, 0, 0, 0, 0, eat)},
		{in: "2026-01-31T10:00:00Z", want: time.Date(2026, 1, 31, 10, 0, 0, 0, time.UTC)},
		{in: "-5h", bad: true},
		{in: "yesterday", bad: true},
		{in: "", bad: true},
	}
	for _, tt := range tests {
		got, err := parseSince(tt.in, now)
		if tt.bad != (err != nil) || !tt.bad && !got.Equal(tt.want) {
			t.Errorf("parseSince(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// TestCLIHelpExamples: every new command's --help shows an example.
func TestCLIHelpExamples(t *testing.T) {
	for _, args := range [][]string{{"wallets"}, {"wallets", "transactions"}, {"collections"}, {"invoice"},
		{"payouts", "status"}, {"payouts", "history"}, {"refunds"}, {"subscriptions"}, {"subscriptions", "plans"},
		{"subscriptions", "customers"}, {"subscriptions", "list"}, {"banks"}, {"explain"}, {"doctor"}} {
		out, _, code := runCLI(t, append(args, "--help")...)
		if code != 0 || !strings.Contains(out, "Examples:\n  malipo "+args[0]) {
			t.Errorf("%v --help has no example:\n%s", args, out)
		}
	}
}

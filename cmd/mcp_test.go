package cmd

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// TestMain lets a test run this binary as `malipo`: with
// MALIPO_CMD_TEST_MAIN=1 it is the command line, so `malipo mcp` can be
// tested as an agent runs it, a child process spoken to over stdio. With
// MALIPO_CMD_TEST_BASELINE=1 it is the load test's baseline server.
func TestMain(m *testing.M) {
	if os.Getenv("MALIPO_CMD_TEST_MAIN") == "1" {
		os.Exit(Main())
	}
	if os.Getenv("MALIPO_CMD_TEST_BASELINE") == "1" {
		os.Exit(serveBaseline())
	}
	os.Exit(m.Run())
}

// mcpSession starts `malipo mcp ARGS…` as a child process and connects the
// SDK's own client to it over its stdin and stdout.
func mcpSession(t *testing.T, args ...string) *mcp.ClientSession {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"mcp"}, args...)...)
	cmd.Env = append(os.Environ(), "MALIPO_CMD_TEST_MAIN=1")
	cmd.Stderr = os.Stderr
	c := mcp.NewClient(&mcp.Implementation{Name: "malipo-test", Version: "1"}, nil)
	s, err := c.Connect(t.Context(), &mcp.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func toolNames(t *testing.T, s *mcp.ClientSession) []string {
	t.Helper()
	var names []string
	for tool, err := range s.Tools(context.Background(), nil) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tool.Name)
	}
	return names
}

// call calls a tool and returns its text and whether it is an error.
func call(t *testing.T, s *mcp.ClientSession, name string, args map[string]any) (string, bool) {
	t.Helper()
	res, err := s.CallTool(t.Context(), &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String(), res.IsError
}

// checkReadTools: every read tool is served, and no tool that moves money.
func checkReadTools(t *testing.T, names []string) {
	t.Helper()
	for _, want := range []string{"wallets", "wallet_transactions", "collections", "invoice_status", "payout_status",
		"payouts_history", "refunds", "subscriptions", "banks", "explain", "validate_payout_csv", "draft_payout"} {
		if !slices.Contains(names, want) {
			t.Errorf("no %s tool in %v", want, names)
		}
	}
	for _, money := range []string{"stk_push", "refund", "payout_approve"} {
		if slices.Contains(names, money) {
			t.Errorf("%s served without --allow-money", money)
		}
	}
}

// TestMCPReads: an agent's session over stdio against the simulator: the
// read tools answer with the command line's JSON (schema-checked), errors
// come back as tool errors with the exit status, and no tool moves money.
func TestMCPReads(t *testing.T) {
	f := newMoneyFixture(t)
	v := f.ids(t)
	schema := schemas(t)
	s := mcpSession(t, "--base-url", f.base)
	checkReadTools(t, toolNames(t, s))
	tests := []struct {
		tool   string
		args   map[string]any
		schema string
		has    string
	}{
		{"wallets", nil, "wallets.json", v.wallet},
		{"wallets", map[string]any{"wallet_id": v.wallet}, "wallet.json", v.wallet},
		{"wallet_transactions", map[string]any{"wallet_id": v.wallet}, "wallet-transactions.json", "running_balance"},
		{"collections", map[string]any{"state": "COMPLETE"}, "collections.json", v.invoice},
		{"invoice_status", map[string]any{"invoice_id": v.failedInvoice}, "invoice.json", "FAILED"},
		{"payout_status", map[string]any{"tracking_id": v.tracking}, "payout-status.json", "TF105"},
		{"refunds", nil, "refunds.json", v.refund},
		{"banks", nil, "banks.json", "bank_code"},
		{"subscriptions", map[string]any{"what": "plans"}, "subscription-plans.json", "plan_id"},
		{"explain", map[string]any{"code": "TF105"}, "explain.json", "do not resend"},
		{"validate_payout_csv", map[string]any{"csv": hyperlinkCSV, "rail": "b2c"}, "payouts-check.json", `"bad": 2`},
		{"draft_payout", map[string]any{"csv": batchCSV, "rail": "MPESA-B2C"}, "payout-draft.json", `"total": "300.00"`},
	}
	for _, tt := range tests {
		out, isErr := call(t, s, tt.tool, tt.args)
		if isErr {
			t.Errorf("%s %v: error %s", tt.tool, tt.args, out)
			continue
		}
		validate(t, schema(tt.schema), out)
		if !strings.Contains(out, tt.has) {
			t.Errorf("%s: lacks %q:\n%.500s", tt.tool, tt.has, out)
		}
	}
	j := openDefaultJournal(t)
	defer j.Close()
	if ds, _ := j.Drafts(); len(ds) != 1 || len(ds[0].Rows) != 2 {
		t.Errorf("drafts in the journal: %v", ds)
	}

	errs := []struct {
		tool string
		args map[string]any
		want string
	}{
		{"invoice_status", map[string]any{"invoice_id": "NOSUCH1"}, "exit 1"},
		{"collections", map[string]any{"since": "yesterday"}, "exit 2"},
		// A value that looks like a flag stays a value.
		{"wallets", map[string]any{"wallet_id": "--base-url=http://127.0.0.1:1/"}, "exit 1"},
		{"validate_payout_csv", map[string]any{"csv": "a\n", "rail": "cash"}, "unknown rail"},
		{"subscriptions", map[string]any{"what": "--base-url=http://127.0.0.1:1/"}, "exit 2"},
	}
	for _, e := range errs {
		out, isErr := call(t, s, e.tool, e.args)
		if !isErr || !strings.Contains(out, e.want) {
			t.Errorf("%s %v: error %v, %q; want %q", e.tool, e.args, isErr, out, e.want)
		}
	}
	if c := f.s.Counters(); c.Requests["POST payment/mpesa-stk-push/"] != 1 || c.Requests["POST chargebacks/"] != 0 {
		t.Errorf("the agent's session moved money: %v", c.Requests)
	}
}

// TestMCPMoney: with --allow-money the money tools are served, and each
// still refuses an amount the person did not confirm.
func TestMCPMoney(t *testing.T) {
	f := newMoneyFixture(t)
	s := mcpSession(t, "--base-url", f.base, "--allow-money")
	names := toolNames(t, s)
	for _, money := range []string{"stk_push", "refund", "payout_approve"} {
		if !slices.Contains(names, money) {
			t.Errorf("no %s with --allow-money: %v", money, names)
		}
	}
	const route = "POST payment/mpesa-stk-push/"
	out, isErr := call(t, s, "stk_push", map[string]any{"phone": "0712345678", "amount": "100", "confirm": ""})
	if !isErr || !strings.Contains(out, "not confirmed") {
		t.Errorf("empty confirm: %v %s", isErr, out)
	}
	out, isErr = call(t, s, "stk_push", map[string]any{"phone": "0712345678", "amount": "100", "confirm": "1000"})
	if !isErr || !strings.Contains(out, "is not the amount") {
		t.Errorf("wrong confirm: %v %s", isErr, out)
	}
	if n := f.s.Counters().Requests[route]; n != 0 {
		t.Fatalf("unconfirmed pushes sent: %d", n)
	}
	out, isErr = call(t, s, "stk_push", map[string]any{"phone": "0712345678", "amount": "100", "confirm": "KES 100", "api_ref": "AGENT-1"})
	if isErr || !strings.Contains(out, `"api_ref": "AGENT-1"`) {
		t.Errorf("confirmed push: %v %s", isErr, out)
	}
	if n := f.s.Counters().Requests[route]; n != 1 {
		t.Errorf("%d pushes sent, want 1", n)
	}
}

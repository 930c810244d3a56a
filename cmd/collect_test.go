package cmd

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
)

// TestSTKPush: refused without the amount, with a wrong one or a bad
// phone; sent once with --confirm in any spelling; a lost answer exits 3
// and is not sent again.
func TestSTKPush(t *testing.T) {
	f := newMoneyFixture(t)
	schema := schemas(t)
	const route = "POST payment/mpesa-stk-push/"
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no confirmation", []string{"0712345678", "100"}, exitUsage, "--confirm AMOUNT"},
		{"wrong amount", []string{"0712345678", "100", "--confirm", "10"}, exitRefused, "KES 10.00 is not the amount, KES 100.00"},
		{"bad phone", []string{"0812345678", "100", "--confirm", "100"}, exitUsage, "not a mobile number"},
		{"bad amount", []string{"0712345678", "0", "--confirm", "0"}, exitUsage, "positive amount"},
		{"bad ref", []string{"0712345678", "100", "--ref", "<x>", "--confirm", "100"}, exitUsage, "--ref"},
		{"missing amount", []string{"0712345678"}, exitUsage, "accepts 2 arg"},
	}
	for _, tt := range tests {
		_, errw, code := runCLI(t, append(append([]string{"stk-push"}, tt.args...), "--base-url", f.base)...)
		if code != tt.code || !strings.Contains(errw, tt.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tt.name, code, errw, tt.code, tt.stderr)
		}
	}
	if n := f.s.Counters().Requests[route]; n != 0 {
		t.Fatalf("refusals sent %d pushes", n)
	}
	out, errw, code := runCLI(t, "stk-push", "0712 345 678", "1,500", "--ref", "ORDER-1042", "--confirm", "KES 1500.00", "--json", "--base-url", f.base)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errw)
	}
	validate(t, schema("stk-push.json"), out)
	var v stkOut
	_ = json.Unmarshal([]byte(out), &v)
	if v.APIRef != "ORDER-1042" || v.Invoice.ID == "" || v.Invoice.Value != client.Units(1500) {
		t.Errorf("push: %+v", v)
	}
	f.s.SetFaults([]sim.Fault{mustFault(t, "mpesa-stk-push:drop-after")})
	_, errw, code = runCLI(t, "stk-push", "0712345678", "200", "--confirm", "200", "--base-url", f.base)
	if code != exitUnreachable || !strings.Contains(errw, "NOT sent again") || !strings.Contains(errw, "api_ref malipo-") {
		t.Errorf("lost answer: exit %d: %s", code, errw)
	}
	if n := f.s.Counters().Requests[route]; n != 2 {
		t.Errorf("%d pushes sent, want 2 (none retried)", n)
	}
}

// TestSTKPushTyped: on a terminal the amount is typed.
func TestSTKPushTyped(t *testing.T) {
	f := newMoneyFixture(t)
	out, errw, code := runOnTerminal(t, "KES 250\n", "stk-push", "0712345678", "250", "--base-url", f.base)
	if code != 0 || !strings.Contains(errw, "An M-Pesa prompt for KES 250.00 goes to +254 712 345 678") || !strings.Contains(out, "Prompt sent") {
		t.Fatalf("exit %d: %s%s", code, out, errw)
	}
}

// TestRefund: the console's checks (COMPLETE only, no more than is left),
// the confirmation, one call, and a lost answer settled by reading the
// invoice's refunds again.
func TestRefund(t *testing.T) {
	f := newMoneyFixture(t)
	v := f.ids(t)
	schema := schemas(t)
	st, err := f.cl.PaymentStatus(t.Context(), v.invoice)
	if err != nil {
		t.Fatal(err)
	}
	value := st.Invoice.Value
	const route = "POST chargebacks/"
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no confirmation", []string{v.invoice, "1"}, exitUsage, "--confirm AMOUNT"},
		{"wrong amount", []string{v.invoice, "1", "--confirm", "2"}, exitRefused, "is not the amount"},
		{"too much", []string{v.invoice, (value + client.Units(1)).Decimal(), "--confirm", (value + client.Units(1)).Decimal()}, exitRefused, "left to refund"},
		{"not complete", []string{v.failedInvoice, "1", "--confirm", "1"}, exitRefused, "only COMPLETE payments"},
		{"bad reason", []string{v.invoice, "1", "--reason", "regret", "--confirm", "1"}, exitUsage, "--reason"},
		{"no such invoice", []string{"NOSUCH1", "1", "--confirm", "1"}, exitRefused, "404"},
	}
	for _, tt := range tests {
		_, errw, code := runCLI(t, append(append([]string{"refund"}, tt.args...), "--base-url", f.base)...)
		if code != tt.code || !strings.Contains(errw, tt.stderr) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tt.name, code, errw, tt.code, tt.stderr)
		}
	}
	if n := f.s.Counters().Requests[route]; n != 0 {
		t.Fatalf("refusals sent %d refunds", n)
	}
	out, errw, code := runCLI(t, "refund", v.invoice, "1", "--reason", "duplicate", "--confirm", "1.00", "--json", "--base-url", f.base)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errw)
	}
	validate(t, schema("refund.json"), out)
	f.clock.Advance(time.Second)
	f.s.SetFaults([]sim.Fault{mustFault(t, "POST chargebacks:drop-after")})
	out, errw, code = runCLI(t, "refund", v.invoice, "2", "--confirm", "2", "--base-url", f.base)
	if code != 0 || !strings.Contains(out, "Refund ") || !strings.Contains(out, "KES 2.00") {
		t.Errorf("lost answer, refund made: exit %d: %s%s", code, out, errw)
	}
	if n := f.s.Counters().Requests[route]; n != 2 {
		t.Errorf("%d refunds sent, want 2 (none retried)", n)
	}
}

// TestMoneyHelpExamples: the money commands' --help shows an example.
func TestMoneyHelpExamples(t *testing.T) {
	for _, args := range [][]string{{"payouts", "initiate"}, {"payouts", "approve"}, {"payouts", "draft"}, {"payouts", "check"},
		{"stk-push"}, {"refund"}, {"mcp"}} {
		out, _, code := runCLI(t, append(args, "--help")...)
		if code != 0 || !strings.Contains(out, "Examples:\n  malipo "+args[0]) {
			t.Errorf("%v --help has no example:\n%s", args, out)
		}
	}
}

// TestMatchConfirm: any spelling of the amount confirms it; nothing else.
func TestMatchConfirm(t *testing.T) {
	want := client.MustAmount("14750.50")
	for _, c := range []struct {
		typed string
		ok    bool
	}{
		{"14750.50", true}, {"14750.5", true}, {"14,750.50", true}, {"KES 14,750.50", true}, {" 14750.50\n", true},
		{"14750", false}, {"14750.51", false}, {"", false}, {"yes", false}, {"-14750.50", false},
	} {
		if err := matchConfirm(c.typed, want, "KES"); (err == nil) != c.ok {
			t.Errorf("matchConfirm(%q) = %v, want ok=%v", c.typed, err, c.ok)
		}
	}
}

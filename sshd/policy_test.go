package sshd

import (
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
)

func TestParsePolicy(t *testing.T) {
	m, a, b := newUser(t, "baraka", "maker"), newUser(t, "wanjiru", "approver"), newUser(t, "otieno", "approver")
	people := usersTOML(m, a, b)
	// approver is wanjiru's entry with extra lines; it starts on line 1.
	approver := func(extra string) string {
		return "[[user]]\nname = \"wanjiru\"\nrole = \"approver\"\nkeys = [\"" + a.authorizedKey() + "\"]\n" + extra +
			"\n[[user]]\nname = \"otieno\"\nrole = \"approver\"\nkeys = [\"" + b.authorizedKey() + "\"]\n"
	}
	cases := []struct {
		name, file string
		err        string // "" means valid
	}{
		{"the issue's example", "[policy]\nexpire_after = \"24h\"\nnew_payee = \"flag\"\n\n[[policy.rule]]\nabove = \"1,000,000.00\"\napprovers = 2\n\n" + people, ""},
		{"rails and days", "[policy]\nexpire_after = \"2d\"\n[[policy.rule]]\nabove = \"100,000\"\napprovers = 2\nrail = \"PESALINK\"\n[[policy.rule]]\nabove = \"5,000,000\"\napprovers = 2\n" + people, ""},
		{"limits", approver("approve_limit = \"5,000,000.00\"\ndaily_limit = \"10,000,000.00\"\nmonthly_limit = \"50,000,000\""), ""},
		{"bad amount names the line", approver("approve_limit = \"5,000,000.005\""), "line 5"},
		{"float amount", approver("daily_limit = 1000000.0"), "line 5"},
		{"zero limit", approver("daily_limit = \"0\""), "more than zero"},
		{"limit on a maker", "[[user]]\nname = \"baraka\"\nrole = \"maker\"\nkeys = [\"" + m.authorizedKey() + "\"]\napprove_limit = \"10\"\n", `user 1 ("baraka", line 1): approve_limit`},
		{"monthly under daily", approver("daily_limit = \"10\"\nmonthly_limit = \"5\""), "monthly_limit is less"},
		{"unknown policy key", "[policy]\nexpire = \"24h\"\n" + people, "unknown field(s) policy.expire"},
		{"unknown rule key", "[[policy.rule]]\nabove = \"1\"\napprovers = 2\ncurrency = \"KES\"\n" + people, "policy.rule.currency"},
		{"bad new_payee", "[policy]\nnew_payee = \"ask\"\n" + people, `line 2 (last key "policy.new_payee"): new_payee "ask"`},
		{"bad duration", "[policy]\nexpire_after = \"soon\"\n" + people, "line 2"},
		{"approvers zero", "[[policy.rule]]\nabove = \"1\"\napprovers = 0\n" + people, "line 3"},
		{"bad rail", "[[policy.rule]]\nabove = \"1\"\napprovers = 2\nrail = \"MPESA\"\n" + people, `line 4 (last key "policy.rule.rail")`},
		{"rule without approvers", "[[policy.rule]]\nabove = \"1\"\n" + people, "rule 1 (line 1): a rule needs both"},
		{"more approvers than the file has", "\n[[policy.rule]]\nabove = \"1\"\napprovers = 3\n" + people, "rule 1 (line 2): a batch could need 3 distinct approvers, but the file lists 2"},
		{"extra-approver makes it impossible", "[policy]\nnew_payee = \"extra-approver\"\n[[policy.rule]]\nabove = \"1\"\napprovers = 2\n" + people, "could need 3"},
		{"a rule that can never apply", "[[policy.rule]]\nabove = \"1,000\"\napprovers = 2\n[[policy.rule]]\nabove = \"5,000\"\napprovers = 2\nrail = \"PESALINK\"\n" + people,
			"rule 2 (line 4) can never apply: rule 1 (line 1)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseUsers([]byte(c.file))
			switch {
			case c.err == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
				t.Fatalf("err = %v, want it to mention %q", err, c.err)
			}
		})
	}
}

func TestParsePolicyValues(t *testing.T) {
	a, b := newUser(t, "wanjiru", "approver"), newUser(t, "otieno", "approver")
	file := "[policy]\nexpire_after = \"24h\"\nnew_payee = \"extra-approver\"\n[[policy.rule]]\nabove = \"1,000,000.00\"\napprovers = 1\n" +
		"[[user]]\nname = \"Wanjiru\"\nrole = \"approver\"\nkeys = [\"" + a.authorizedKey() + "\"]\napprove_limit = \"5,000,000.00\"\ndaily_limit = \"10,000,000.00\"\n" +
		usersTOML(b)
	u, err := ParseUsers([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	p := u.Policy()
	want := payout.Rule{Above: client.Units(1_000_000), Approvers: 1, Line: 4}
	if p.ExpireAfter != 24*time.Hour || p.NewPayee != payout.NewPayeeExtra || len(p.Rules) != 1 || p.Rules[0] != want {
		t.Fatalf("policy %+v", p)
	}
	if l := p.LimitsFor("wanjiru"); l.Approve != client.Units(5_000_000) || l.Daily != client.Units(10_000_000) || l.Monthly != 0 {
		t.Errorf("wanjiru's limits %+v", l)
	}
	if l := p.LimitsFor("otieno"); l != (payout.Limits{}) {
		t.Errorf("otieno's limits %+v", l)
	}
	// No [policy]: one approver, nothing expires, new payees allowed.
	u, _ = ParseUsers([]byte(usersTOML(a)))
	if n, _ := u.Policy().Need(payout.B2C, client.Units(1e9), 5); n != 1 || u.Policy().ExpireAfter != 0 {
		t.Errorf("default policy %+v", u.Policy())
	}
}

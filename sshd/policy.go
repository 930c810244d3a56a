package sshd

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
)

// The users file's approval policy (issue 13):
//
//	[policy]
//	expire_after = "24h"
//	new_payee = "extra-approver"
//	[[policy.rule]]
//	above = "1,000,000.00"
//	approvers = 2
//	rail = "PESALINK"        # optional
//
// and, per user, approve_limit, daily_limit and monthly_limit. Values are
// parsed by TextUnmarshaler types, so a bad one is an error the TOML
// decoder reports with its line.

type policyFile struct {
	ExpireAfter *tomlDuration `toml:"expire_after"`
	NewPayee    *tomlNewPayee `toml:"new_payee"`
	Rule        []ruleFile    `toml:"rule"`
}

type ruleFile struct {
	Above     *tomlAmount    `toml:"above"`
	Approvers *tomlApprovers `toml:"approvers"`
	Rail      *tomlRail      `toml:"rail"`
}

// limitsFile is the per-user part of a [[user]] entry.
type limitsFile struct {
	ApproveLimit *tomlAmount `toml:"approve_limit"`
	DailyLimit   *tomlAmount `toml:"daily_limit"`
	MonthlyLimit *tomlAmount `toml:"monthly_limit"`
}

// tomlAmount is a decimal string ("1,000,000.00"), parsed exactly: a
// TOML number is refused, since a float would round someone's limit.
type tomlAmount client.Amount

func (a *tomlAmount) UnmarshalTOML(data any) error {
	s, ok := data.(string)
	if !ok {
		return fmt.Errorf("write amounts as strings, \"1,000,000.00\", not %v", data)
	}
	v, err := client.ParseAmount(s)
	if err != nil {
		return fmt.Errorf("not an amount: %w (write it as a string, \"1,000,000.00\")", err)
	}
	if v <= 0 {
		return fmt.Errorf("amount %s must be more than zero", v)
	}
	*a = tomlAmount(v)
	return nil
}

// tomlDuration is a Go duration ("24h", "90m") or whole days ("2d").
type tomlDuration time.Duration

func (d *tomlDuration) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	var v time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return fmt.Errorf("%q is not a duration (\"24h\", \"2d\")", s)
		}
		v = time.Duration(days) * 24 * time.Hour
	} else if p, err := time.ParseDuration(s); err == nil {
		v = p
	} else {
		return fmt.Errorf("%q is not a duration (\"24h\", \"2d\")", s)
	}
	if v < time.Minute {
		return fmt.Errorf("expire_after %q is too short: at least a minute", s)
	}
	*d = tomlDuration(v)
	return nil
}

type tomlNewPayee string

func (p *tomlNewPayee) UnmarshalText(b []byte) error {
	switch s := string(b); s {
	case payout.NewPayeeAllow, payout.NewPayeeFlag, payout.NewPayeeExtra:
		*p = tomlNewPayee(s)
		return nil
	default:
		return fmt.Errorf("new_payee %q is not one of allow, flag, extra-approver", s)
	}
}

// maxApprovers bounds a rule: more distinct people than this approving one
// batch is a typo, not a policy.
const maxApprovers = 9

type tomlApprovers int

func (n *tomlApprovers) UnmarshalText(b []byte) error {
	v, err := strconv.Atoi(string(b))
	if err != nil || v < 1 || v > maxApprovers {
		return fmt.Errorf("approvers must be a whole number from 1 to %d, not %s", maxApprovers, b)
	}
	*n = tomlApprovers(v)
	return nil
}

type tomlRail payout.Rail

func (r *tomlRail) UnmarshalText(b []byte) error {
	if !payout.Rail(b).Valid() {
		return fmt.Errorf("rail %q is not one of %s, %s, %s, %s, %s", b, payout.B2C, payout.B2B, payout.PesaLink, payout.P2P, payout.Airtime)
	}
	*r = tomlRail(b)
	return nil
}

// headerLines finds the line of each [[name]] table header, in order, so
// errors about a whole entry (a rule that can never apply, a user with no
// keys) name the line the entry starts on.
func headerLines(data []byte, name string) []int {
	re := regexp.MustCompile(`^\s*\[\[\s*` + regexp.QuoteMeta(name) + `\s*\]\]`)
	var out []int
	for i, l := range strings.Split(string(data), "\n") {
		if re.MatchString(l) {
			out = append(out, i+1)
		}
	}
	return out
}

func lineOf(lines []int, i int) int {
	if i < len(lines) {
		return lines[i]
	}
	return 0
}

// buildPolicy checks the [policy] table against the users (a rule needing
// more approvers than the file has can never be met) and builds it.
func buildPolicy(f *policyFile, data []byte, approvers int) (payout.Policy, error) {
	var p payout.Policy
	if f == nil {
		return p, nil
	}
	if f.ExpireAfter != nil {
		p.ExpireAfter = time.Duration(*f.ExpireAfter)
	}
	p.NewPayee = payout.NewPayeeAllow
	if f.NewPayee != nil {
		p.NewPayee = string(*f.NewPayee)
	}
	lines := headerLines(data, "policy.rule")
	for i, r := range f.Rule {
		where := fmt.Sprintf("rule %d (line %d)", i+1, lineOf(lines, i))
		rule, err := buildRule(r, where, p.NewPayee, approvers)
		if err != nil {
			return p, err
		}
		rule.Line = lineOf(lines, i)
		if err := reachable(p.Rules, rule, where); err != nil {
			return p, err
		}
		p.Rules = append(p.Rules, rule)
	}
	return p, nil
}

func buildRule(r ruleFile, where, newPayee string, approvers int) (payout.Rule, error) {
	if r.Above == nil || r.Approvers == nil {
		return payout.Rule{}, fmt.Errorf("%s: a rule needs both above (an amount) and approvers (a number)", where)
	}
	rule := payout.Rule{Above: client.Amount(*r.Above), Approvers: int(*r.Approvers)}
	if r.Rail != nil {
		rule.Rail = payout.Rail(*r.Rail)
	}
	need := rule.Approvers
	if newPayee == payout.NewPayeeExtra {
		need++ // a batch with a new payee needs one more
	}
	if need > approvers {
		return rule, fmt.Errorf("%s: a batch could need %d distinct approvers, but the file lists %d with role approver: it could never be approved", where, need, approvers)
	}
	return rule, nil
}

// reachable refuses a rule an earlier one always wins over (the first
// matching rule decides): same or wider rail, same or lower threshold.
func reachable(earlier []payout.Rule, r payout.Rule, where string) error {
	for k, e := range earlier {
		if (e.Rail == "" || e.Rail == r.Rail) && e.Above <= r.Above {
			return fmt.Errorf("%s can never apply: rule %d (line %d) matches every batch it would; put higher thresholds first", where, k+1, e.Line)
		}
	}
	return nil
}

// buildLimits reads a user's limits; only an approver approves, so a limit
// on anyone else is a mistake worth saying.
func buildLimits(l limitsFile, role, where string) (payout.Limits, error) {
	var out payout.Limits
	for _, f := range []struct {
		src *tomlAmount
		dst *client.Amount
	}{{l.ApproveLimit, &out.Approve}, {l.DailyLimit, &out.Daily}, {l.MonthlyLimit, &out.Monthly}} {
		if f.src != nil {
			*f.dst = client.Amount(*f.src)
		}
	}
	if out != (payout.Limits{}) && role != common.RoleApprover {
		return out, fmt.Errorf("%s: approve_limit, daily_limit and monthly_limit are for approvers; this user's role is %s", where, role)
	}
	if out.Daily > 0 && out.Monthly > 0 && out.Monthly < out.Daily {
		return out, errors.New(where + ": monthly_limit is less than daily_limit")
	}
	return out, nil
}

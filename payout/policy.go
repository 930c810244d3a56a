package payout

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
)

// The approval policy (issue 13): how many distinct people must approve a
// batch, how much each may approve, and for how long a batch may wait.
// Over SSH it comes from the users file's [policy] and each user's limits;
// the local console has limits from the profile's settings and never
// needs more than one approver (one person holds the keys there).

// New-payee modes: what a batch paying an account this profile never paid
// before needs.
const (
	NewPayeeAllow = "allow"          // nothing more
	NewPayeeFlag  = "flag"           // the rows are marked, with their count and sum
	NewPayeeExtra = "extra-approver" // marked, and one more approver than the rule says
)

// Rule says how many approvers a batch needs: the first rule whose Above
// the batch total (charges estimated included) exceeds, on its Rail when
// one is given, decides.
type Rule struct {
	Above     client.Amount
	Approvers int
	Rail      Rail // "" matches every rail
	Line      int  // where it is in the users file, for messages
}

// Limits are one approver's caps; zero means none.
type Limits struct {
	Approve client.Amount // the largest batch total they may approve
	Daily   client.Amount // the sum of batch totals per calendar day in Africa/Nairobi
	Monthly client.Amount // the same per calendar month
}

// Policy is the whole approval policy. The zero value is the old
// behaviour: one approver, no limits, no expiry.
type Policy struct {
	ExpireAfter time.Duration // 0: batches never expire
	NewPayee    string        // one of the NewPayee* modes; "" is allow
	Rules       []Rule
	Limits      map[string]Limits // by user name, lower case; "" is the local console
}

// LimitsFor is name's limits (none when the policy has none for them).
func (p *Policy) LimitsFor(name string) Limits {
	if p == nil {
		return Limits{}
	}
	return p.Limits[strings.ToLower(name)]
}

// Need is how many distinct approvers a batch of total (charges included)
// on rail needs, and the rule that says so ("" when none matched).
// newPayees is how many of its rows pay an account never paid before.
func (p *Policy) Need(rail Rail, total client.Amount, newPayees int) (int, string) {
	need, why := 1, ""
	if p == nil {
		return need, why
	}
	for i, r := range p.Rules {
		if (r.Rail == "" || r.Rail == rail) && total > r.Above {
			need, why = r.Approvers, fmt.Sprintf("rule %d: above %s", i+1, r.Above)
			if r.Rail != "" {
				why += " on " + string(r.Rail)
			}
			break
		}
	}
	if newPayees > 0 && p.NewPayee == NewPayeeExtra {
		need++
		if why != "" {
			why += ", "
		}
		why += "+1 for new payees"
	}
	return need, why
}

// Expired reports whether e waited for approval longer than the policy
// allows. An entry whose initiation the journal never saw (opened by
// tracking id) has no age and never expires here.
func (p *Policy) Expired(e Entry, now time.Time) bool {
	if p == nil || p.ExpireAfter <= 0 || e.InitiatedAt.IsZero() {
		return false
	}
	return now.Sub(e.InitiatedAt) >= p.ExpireAfter
}

// Nairobi is the zone daily and monthly limits count in: IntaSend's and
// the merchants' business day. A system without the zone database gets
// the fixed EAT offset, which Kenya has kept since 1960 (no summer time).
var Nairobi = func() *time.Location {
	if loc, err := time.LoadLocation("Africa/Nairobi"); err == nil {
		return loc
	}
	return time.FixedZone("EAT", 3*60*60)
}()

// PayeeKey names one payee (rail, bank code, account as sent) without
// writing the account itself into the journal: a short hash, enough to
// tell "paid before" and nothing more.
func PayeeKey(rail Rail, bankCode, account string) string {
	h := sha256.Sum256([]byte("malipo-payee-v1\x1f" + string(rail) + "\x1f" + strings.TrimSpace(bankCode) + "\x1f" + strings.TrimSpace(account)))
	return hex.EncodeToString(h[:8])
}

// BatchPayees are the payee keys of IntaSend's rows of a batch.
func BatchPayees(b *client.Batch) []string {
	if b == nil {
		return nil
	}
	out := make([]string, len(b.Transactions))
	for i, t := range b.Transactions {
		out[i] = PayeeKey(Rail(t.Provider), t.BankCode, t.Account)
	}
	return out
}

// draftPayees are the payee keys of a draft's rows as they will be sent.
func draftPayees(d *Draft) []string {
	out := make([]string, len(d.Rows))
	for i, r := range d.Rows {
		n := NormalizeRow(d.Rail, r)
		out[i] = PayeeKey(d.Rail, n.BankCode, n.Account)
	}
	return out
}

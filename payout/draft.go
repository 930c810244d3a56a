package payout

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
)

// Draft is a batch being composed. It is plain data: the journal saves it
// as JSON and gives it back byte for byte after a crash.
type Draft struct {
	ID        string    `json:"id"`
	Rail      Rail      `json:"rail"`
	WalletID  string    `json:"wallet_id,omitempty"`
	Currency  string    `json:"currency,omitempty"` // KES when empty
	Rows      []Row     `json:"rows"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// NewDraft starts an empty draft on rail with a fresh random id.
func NewDraft(rail Rail, now time.Time) *Draft {
	return &Draft{ID: newID(), Rail: rail, Currency: "KES", CreatedAt: now, UpdatedAt: now}
}

// newID is 12 random hex characters: unique enough per profile, short
// enough to read and to fit IntaSend's batch_reference.
func newID() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥1.24)
	return hex.EncodeToString(b[:])
}

// Clone is a deep copy, so a draft can be saved from another goroutine
// while the original keeps changing.
func (d *Draft) Clone() *Draft {
	c := *d
	c.Rows = slices.Clone(d.Rows)
	return &c
}

// currency is the batch currency, KES by default.
func (d *Draft) currency() string {
	if d.Currency == "" {
		return "KES"
	}
	return d.Currency
}

// Totals is the number of rows and the sum of their amounts (as they will
// be sent, i.e. after NormalizeRow).
func (d *Draft) Totals() (count int, sum client.Amount) {
	for _, r := range d.Rows {
		sum += rowAmount(r)
	}
	return len(d.Rows), sum
}

// EstimatedCharges is what IntaSend is expected to charge for the batch,
// row by row (client.EstimatePayoutCharge): known before initiating, so a
// batch the wallet cannot cover need never be created.
func (d *Draft) EstimatedCharges() client.Amount {
	var sum client.Amount
	for _, r := range d.Rows {
		sum += client.EstimatePayoutCharge(string(d.Rail), rowAmount(r))
	}
	return sum
}

// Problems validates every row (Row set to its index) and the draft as a
// whole (Row -1): the rail, the currency, the row count, duplicates.
func (d *Draft) Problems(banks BankSet) []Problem {
	var ps []Problem
	file := func(field, reason string) { ps = append(ps, Problem{Row: -1, Field: field, Reason: reason}) }
	switch {
	case !d.Rail.Valid():
		file("rail", fmt.Sprintf("unknown rail %q", d.Rail))
		return ps
	case !slices.Contains(d.Rail.Currencies(), d.currency()):
		file("currency", fmt.Sprintf("%s pays out in KES only, not %s", d.Rail, d.currency()))
	}
	switch n := len(d.Rows); {
	case n == 0:
		file("", "no payments yet")
	case n > MaxRows:
		file("", tooManyRows(n))
	}
	if banks == nil {
		banks = DefaultBanks()
	}
	dups := newDupIndex(len(d.Rows))
	for i, r := range d.Rows {
		n, amountErr := normalize(d.Rail, r)
		for _, p := range validate(d.Rail, n, amountErr, banks) {
			p.Row = i
			ps = append(ps, p)
		}
		if p, dup := dups.check(n); dup {
			p.Row = i
			ps = append(ps, p)
		}
	}
	return ps
}

func tooManyRows(n int) string {
	return fmt.Sprintf("%s rows: IntaSend's maximum is %s per batch; split the file", thousands(n), thousands(MaxRows))
}

// thousands writes n with thousands commas: 5,001.
func thousands(n int) string {
	return strings.TrimSuffix(client.Units(int64(n)).String(), ".00")
}

// FormatCount writes a count the way every payout message does, digits
// grouped: 5,001. Counts beside each other must never read "5000 rows"
// and "5,001 rows".
func FormatCount(n int) string { return thousands(n) }

// dupIndex finds rows that pay the same account the same amount: almost
// always a copy-paste slip, so a warning, not an error.
type dupIndex struct{ seen map[dupKey]int } // key → Line first seen

// dupKey identifies a payment for the duplicate checks: who is paid and
// how much, not what the SMS says.
type dupKey struct {
	account                      string
	amount                       client.Amount
	bank, accountType, reference string
}

func keyOf(n Row) dupKey {
	return dupKey{n.Account, n.Amount, n.BankCode, n.AccountType, n.AccountReference}
}

func newDupIndex(n int) *dupIndex { return &dupIndex{seen: make(map[dupKey]int, n)} }

// check takes a normalised row.
func (x *dupIndex) check(n Row) (Problem, bool) {
	if n.Account == "" || n.Amount <= 0 {
		return Problem{}, false
	}
	key := keyOf(n)
	where := n.Line
	if first, ok := x.seen[key]; ok {
		what := "another row"
		if first > 0 {
			what = fmt.Sprintf("line %d", first)
		}
		return Problem{Line: n.Line, Row: -1, Field: "account", Warning: true,
			Reason: fmt.Sprintf("same account and amount as %s (%s, %s): paid twice if both stay", what, n.Account, n.Amount.Decimal())}, true
	}
	x.seen[key] = where
	return Problem{}, false
}

// rowKey is keyOf as text, for the fingerprint.
func rowKey(n Row) string {
	return strings.Join([]string{n.Account, strconv.FormatInt(n.Amount.Cents(), 10), n.BankCode, n.AccountType, n.AccountReference}, "\x1f")
}

// Fingerprint is a stable hash of what the batch would pay: rail, wallet,
// currency and every row's normalised account, amount, bank code, account
// type and reference, in any order. Two drafts with the same fingerprint
// move the same money to the same people.
func (d *Draft) Fingerprint() string {
	keys := make([]string, len(d.Rows))
	for i, r := range d.Rows {
		keys[i] = rowKey(NormalizeRow(d.Rail, r))
	}
	slices.Sort(keys)
	h := sha256.New()
	field := func(s string) {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	field("malipo-batch-v1")
	field(string(d.Rail))
	field(d.WalletID)
	field(d.currency())
	for _, k := range keys {
		field(k)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Request is the initiate request for the draft: rows normalised,
// requires_approval YES (malipo always previews), and batch_reference the
// draft id so that an initiate whose answer was lost can be found.
func (d *Draft) Request() client.InitiateRequest {
	items := make([]client.PayoutItem, len(d.Rows))
	for i, r := range d.Rows {
		n := NormalizeRow(d.Rail, r)
		items[i] = client.PayoutItem{Name: n.Name, Account: n.Account, BankCode: n.BankCode, AccountType: n.AccountType,
			AccountReference: n.AccountReference, Narrative: n.Narrative, IDNumber: n.IDNumber, Amount: n.Amount}
	}
	return client.InitiateRequest{Provider: string(d.Rail), Currency: d.currency(), Transactions: items,
		WalletID: d.WalletID, BatchReference: batchReference(d.ID)}
}

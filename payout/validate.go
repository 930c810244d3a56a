package payout

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/csvin"
)

// Row is one payment in a draft or an imported file.
type Row struct {
	// Line is the 1-based line in the CSV (header = line 1) where the row
	// starts; 0 for rows added by hand.
	Line             int           `json:"line,omitempty"`
	Name             string        `json:"name,omitempty"`
	Account          string        `json:"account,omitempty"`
	BankCode         string        `json:"bank_code,omitempty"`
	AccountType      string        `json:"account_type,omitempty"`
	AccountReference string        `json:"account_reference,omitempty"`
	Narrative        string        `json:"narrative,omitempty"`
	IDNumber         string        `json:"id_number,omitempty"`
	Amount           client.Amount `json:"amount"`
	// AmountText is what was typed or imported, kept so that a bad amount is
	// never lost. When it is set, it is authoritative: NormalizeRow parses
	// it into Amount and ValidateRow reports it if it does not parse.
	AmountText string `json:"amount_text,omitempty"`
}

// Problem is one thing wrong (or worth a second look, when Warning) with a
// row or a whole file.
type Problem struct {
	Line    int    `json:"line,omitempty"` // CSV line, 0 when the row was added by hand
	Row     int    `json:"row"`            // index in Draft.Rows (Import.Rows for imports); -1: file-level or a rejected row
	Field   string `json:"field,omitempty"`
	Reason  string `json:"reason"`
	Warning bool   `json:"warning,omitempty"`
}

// String renders a problem the way `malipo payouts check` prints it:
// `line 12: account: "0712 34" is too short …`.
func (p Problem) String() string {
	var b strings.Builder
	switch {
	case p.Line > 0:
		fmt.Fprintf(&b, "line %d: ", p.Line)
	case p.Row >= 0:
		fmt.Fprintf(&b, "row %d: ", p.Row+1)
	}
	if p.Warning {
		b.WriteString("warning: ")
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Reason)
	return b.String()
}

// Errors counts the problems that are not warnings.
func Errors(ps []Problem) int {
	n := 0
	for _, p := range ps {
		if !p.Warning {
			n++
		}
	}
	return n
}

// sciRe spots a number a spreadsheet rewrote (2.54712E+11); only used to
// explain an account that is already refused.
var sciRe = regexp.MustCompile(`^\d(\.\d+)?[eE]\+?\d+$`)

// Field limits from IntaSend's OpenAPI schema (the simulator enforces them).
const (
	maxText         = 240 // name, narrative
	maxAccount      = 24
	maxIDNumber     = 20
	maxAccountRef   = 20
	smsNarrative    = 22 // longer narratives are cut short in the recipient's SMS
	maxFieldBytes   = 1024
	fieldNameAmount = "amount"
)

// NormalizeRow returns r as it will be sent: fields trimmed, the account
// without spaces (and, on M-Pesa B2C and airtime, a phone number in the
// 2547…/2541… form when it parses), AmountText parsed into Amount.
// Values it cannot normalise are left as they are for ValidateRow to report.
func NormalizeRow(rail Rail, r Row) Row {
	n, _ := normalize(rail, r)
	return n
}

// normalize is NormalizeRow that also says why AmountText did not parse.
// When AmountText is set it is authoritative: Amount becomes what it says,
// or 0 when it says nothing sensible.
func normalize(rail Rail, r Row) (Row, error) {
	r.Name = strings.TrimSpace(r.Name)
	r.BankCode = strings.TrimSpace(r.BankCode)
	r.AccountType = strings.TrimSpace(r.AccountType)
	r.AccountReference = strings.TrimSpace(r.AccountReference)
	r.Narrative = strings.TrimSpace(r.Narrative)
	r.IDNumber = strings.TrimSpace(r.IDNumber)
	r.AmountText = strings.TrimSpace(r.AmountText)
	r.Account = strings.TrimSpace(r.Account)
	switch {
	case rail.Phone():
		if isMobile(r.Account) {
			break
		}
		if p, ok := quickPhone(r.Account); ok {
			r.Account = p
		} else if p, err := client.ParsePhone(r.Account); err == nil {
			r.Account = p.String()
		}
	case isDigitsSpaces(r.Account):
		if strings.IndexByte(r.Account, ' ') >= 0 || strings.IndexByte(r.Account, '\t') >= 0 {
			r.Account = strings.Join(strings.Fields(r.Account), "")
		}
	}
	var amountErr error
	if r.AmountText != "" {
		r.Amount, amountErr = client.ParseAmount(r.AmountText)
		if amountErr != nil {
			r.Amount = 0
		}
	}
	return r, amountErr
}

// rowAmount is the amount a row will send, without the rest of normalize.
func rowAmount(r Row) client.Amount {
	if t := strings.TrimSpace(r.AmountText); t != "" {
		a, err := client.ParseAmount(t)
		if err != nil {
			return 0
		}
		return a
	}
	return r.Amount
}

func isDigitsSpaces(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// ValidateRow checks one row for rail with the simulator's rules (which
// are IntaSend's schema), after NormalizeRow. banks nil means the built-in
// list (DefaultBanks). Problems have Row -1 and the row's Line; callers
// that index rows set Row.
func ValidateRow(rail Rail, r Row, banks BankSet) []Problem {
	if banks == nil {
		banks = DefaultBanks()
	}
	n, amountErr := normalize(rail, r)
	return validate(rail, n, amountErr, banks)
}

// validate checks a normalised row; amountErr is normalize's.
func validate(rail Rail, r Row, amountErr error, banks BankSet) []Problem {
	v := &rowCheck{line: r.Line}
	v.text("name", r.Name)
	v.text("narrative", r.Narrative)
	v.maxLen("id_number", r.IDNumber, maxIDNumber)
	v.maxLen("account_reference", r.AccountReference, maxAccountRef)
	v.utf8("id_number", r.IDNumber)
	v.utf8("account_reference", r.AccountReference)
	if t := r.AccountType; t != "" && t != client.PayBill && t != client.TillNumber {
		v.add("account_type", fmt.Sprintf("%q is not a valid choice: use PayBill or TillNumber (case-sensitive)", t))
	}
	v.account(rail, r.Account)
	v.amount(rail, r, amountErr)
	switch rail {
	case B2B:
		if r.AccountType == "" {
			v.add("account_type", "required: MPESA-B2B needs PayBill or TillNumber")
		}
		if r.AccountType == client.PayBill && r.AccountReference == "" {
			v.add("account_reference", "required: a PayBill payment needs the account number at the business")
		}
	case PesaLink:
		switch {
		case r.BankCode == "":
			v.add("bank_code", "required: PESALINK needs the bank's code (see the bank list)")
		case !banks.Known(r.BankCode):
			v.add("bank_code", fmt.Sprintf("%q is not a known bank code", r.BankCode))
		}
	}
	v.warnings(rail, r)
	return v.ps
}

// rowCheck gathers one row's problems.
type rowCheck struct {
	line int
	ps   []Problem
}

func (v *rowCheck) add(field, reason string) {
	v.ps = append(v.ps, Problem{Line: v.line, Row: -1, Field: field, Reason: reason})
}

func (v *rowCheck) warn(field, reason string) {
	v.ps = append(v.ps, Problem{Line: v.line, Row: -1, Field: field, Reason: reason, Warning: true})
}

func (v *rowCheck) utf8(field, s string) {
	if !utf8.ValidString(s) {
		v.add(field, "not UTF-8 text")
	}
}

func (v *rowCheck) maxLen(field, s string, n int) {
	if c := utf8.RuneCountInString(s); c > n {
		v.add(field, fmt.Sprintf("%s is %d characters; the limit is %d", quoteShort(s), c, n))
	}
}

// text is OAS's name/narrative rule: ≤240 letters, digits, '-', '_', spaces.
func (v *rowCheck) text(field, s string) {
	if s == "" {
		return
	}
	if utf8.RuneCountInString(s) > maxText {
		v.maxLen(field, s, maxText)
		return
	}
	if !isText(s) {
		v.add(field, fmt.Sprintf("%s has characters IntaSend refuses (%s): use only letters, digits, '-', '_' and spaces",
			quoteShort(s), badTextChars(s)))
	}
}

func (v *rowCheck) account(rail Rail, acct string) {
	switch {
	case acct == "":
		v.add("account", fmt.Sprintf("required: the %s to pay", rail.AccountLabel()))
	case rail.Phone():
		if isMobile(acct) {
			return
		}
		if sciRe.MatchString(acct) {
			v.add("account", sciReason(acct))
			return
		}
		_, err := client.ParsePhone(acct)
		if err == nil { // cannot happen after normalize; keep the message honest anyway
			err = errors.New("not in the 2547XXXXXXXX form")
		}
		v.add("account", phoneReason(acct, err))
	case len(acct) > maxAccount:
		v.add("account", fmt.Sprintf("%s is %d characters; the limit is %d", quoteShort(acct), len(acct), maxAccount))
	case !allDigits(acct):
		if sciRe.MatchString(acct) {
			v.add("account", sciReason(acct))
			return
		}
		v.add("account", fmt.Sprintf("%s: an account has only digits and spaces", quoteShort(acct)))
	case rail == B2B && (len(acct) < 4 || len(acct) > 8):
		v.add("account", fmt.Sprintf("%s is not a PayBill or till number (4 to 8 digits)", quoteShort(acct)))
	}
}

func sciReason(acct string) string {
	return fmt.Sprintf("%s is a number a spreadsheet rewrote in scientific notation: format the column as Text and export again", quoteShort(acct))
}

// quickPhone normalises the two commonest spellings, 07XXXXXXXX and
// +2547XXXXXXXX, as ParsePhone would but without its allocations (the
// import of 5,000 rows is a benchmarked path).
func quickPhone(s string) (string, bool) {
	switch {
	case len(s) == 10 && s[0] == '0' && (s[1] == '7' || s[1] == '1') && allDigits(s[2:]):
		return "254" + s[1:], true
	case len(s) == 13 && s[0] == '+' && isMobile(s[1:]):
		return s[1:], true
	}
	return "", false
}

// isMobile is the simulator's ^254[17]\d{8}$ without the regexp cost.
func isMobile(s string) bool {
	return len(s) == 12 && s[:3] == "254" && (s[3] == '7' || s[3] == '1') && allDigits(s[4:])
}

// allDigits: at least one byte, all ASCII digits (\d in RE2 is ASCII).
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isText is the OAS pattern ^[a-zA-Z0-9-_ ]+$ without the regexp cost.
func isText(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !textByte(s[i]) {
			return false
		}
	}
	return true
}

func textByte(c byte) bool {
	return c == '-' || c == '_' || c == ' ' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// phoneReason turns ParsePhone's error into `"0712 34" is too short (…)`.
func phoneReason(acct string, err error) string {
	msg := err.Error()
	if i := strings.Index(msg, ": "); i >= 0 && errors.Is(err, client.ErrPhone) {
		msg = msg[i+2:]
	}
	return fmt.Sprintf("%s is %s", quoteShort(acct), msg)
}

func (v *rowCheck) amount(rail Rail, r Row, amountErr error) {
	if amountErr != nil {
		msg := amountErr.Error()
		if i := strings.Index(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		v.add(fieldNameAmount, fmt.Sprintf("%s is not an amount: %s", quoteShort(r.AmountText), msg))
		return
	}
	a := r.Amount
	lo, hi := rail.Limits()
	switch {
	case r.AmountText == "" && a == 0:
		v.add(fieldNameAmount, "required")
	case a <= 0:
		v.add(fieldNameAmount, fmt.Sprintf("%s: must be more than 0", a.Decimal()))
	case a < lo:
		v.add(fieldNameAmount, fmt.Sprintf("%s is below the %s minimum of %s", a.Decimal(), rail, lo.Decimal()))
	case hi > 0 && a > hi:
		v.add(fieldNameAmount, fmt.Sprintf("%s is above the %s maximum of %s per payment", a.Decimal(), rail, hi.Decimal()))
	}
}

// warnings are things IntaSend accepts that a person should look at.
func (v *rowCheck) warnings(rail Rail, r Row) {
	if n := utf8.RuneCountInString(r.Narrative); n > smsNarrative && n <= maxText {
		v.warn("narrative", fmt.Sprintf("%d characters: the recipient's SMS shows only the first %d", n, smsNarrative))
	}
	if r.Name == "" && rail != Airtime {
		v.warn("name", "empty: IntaSend's docs ask for the recipient's name on this rail")
	}
}

// badTextChars lists the distinct characters the text pattern refuses.
func badTextChars(s string) string {
	seen := map[rune]bool{}
	var out []string
	for _, c := range s {
		if (c >= 0x80 || !textByte(byte(c))) && !seen[c] && len(out) < 5 {
			seen[c] = true
			out = append(out, fmt.Sprintf("%q", c))
		}
	}
	return strings.Join(out, " ")
}

// quoteShort quotes s for a message, cut to 40 characters (csvin.QuoteShort).
func quoteShort(s string) string { return csvin.QuoteShort(s) }

package payout

import (
	"encoding/csv"
	"io"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/csvin"
)

// ResultsHeader is the header row WriteResultsCSV writes.
var ResultsHeader = []string{"name", "account", "amount", "charge", "status", "status_code",
	"provider_reference", "status_description", "bank_code", "account_reference", "narrative", "transaction_id"}

// WriteResultsCSV exports a batch's per-row results. Cells that a
// spreadsheet would run as a formula (starting with = + - @, tab or CR) are
// written with a leading ' so that opening the file runs nothing.
func WriteResultsCSV(w io.Writer, b *client.Batch) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(ResultsHeader); err != nil {
		return err
	}
	for _, t := range b.Transactions {
		rec := []string{t.Name, t.Account, t.Amount.Decimal(), t.Charge.Decimal(), t.Status, t.StatusCode,
			t.ProviderReference, t.StatusDescription, t.BankCode, t.AccountReference, t.Narrative, t.TransactionID}
		for i, c := range rec {
			rec[i] = SafeCell(c)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// SafeCell defuses a cell a spreadsheet would treat as a formula by
// prefixing a ' (OWASP's advice for CSV injection). Plain numbers, negative
// amounts included, are left alone.
func SafeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
		return "'" + s
	case '+', '-':
		if !plainNumber(s[1:]) {
			return "'" + s
		}
	}
	return s
}

// plainNumber is csvin.PlainNumber: the one rule for what counts as data.
func plainNumber(s string) bool { return csvin.PlainNumber(s) }

// Failed reports whether a transaction certainly ended without paying
// (client.PayoutResult.Failed). Not every TF… code qualifies: TF104 is
// still processing and TF105 is undetermined, and resending either may pay
// twice.
func Failed(t client.PayoutResult) bool { return t.Failed() }

// FailedRows turns a batch's failed and cancelled transactions into rows
// for a new draft, so they can be retried.
func FailedRows(b *client.Batch) []Row {
	var out []Row
	for _, t := range b.Transactions {
		if !Failed(t) {
			continue
		}
		out = append(out, Row{Name: t.Name, Account: t.Account, BankCode: t.BankCode, AccountType: t.AccountType,
			AccountReference: t.AccountReference, Narrative: t.Narrative, Amount: t.Amount, AmountText: t.Amount.Decimal()})
	}
	return out
}

// Package reconcile matches a merchant's own order ledger (a CSV) against
// what IntaSend collected: which orders were paid, paid the wrong amount,
// paid twice or not at all, which payments match no order, and which were
// refunded. Reading the ledger follows the payout importer's hostile-input
// rules (package csvin); matching is pure and exact (client.Amount cents).
package reconcile

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/csvin"
)

// Limits on what ReadLedger reads: a year of a busy shop's orders fits
// well inside both.
const (
	MaxLedgerBytes = 64 << 20
	MaxLedgerRows  = 500_000
	MaxCellBytes   = 1024
)

// Order is one ledger row, normalised.
type Order struct {
	Line      int           `json:"line"`
	Reference string        `json:"reference"`
	Amount    client.Amount `json:"amount"`
	Date      Day           `json:"date"`
	Phone     string        `json:"phone,omitempty"` // 2547…/2541… when it parses
	Email     string        `json:"email,omitempty"`
}

// Day is a calendar day in the merchant's zone; JSON "2026-03-01".
type Day struct{ time.Time }

// MarshalJSON writes the day as YYYY-MM-DD.
func (d Day) MarshalJSON() ([]byte, error) { return []byte(`"` + d.Format(time.DateOnly) + `"`), nil }

// Problem is what is wrong with a ledger line; Warning problems keep the row.
type Problem struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Reason  string `json:"reason"`
	Warning bool   `json:"warning,omitempty"`
}

func (p Problem) String() string {
	s := fmt.Sprintf("line %d: ", p.Line)
	if p.Field != "" {
		s += p.Field + ": "
	}
	if p.Warning {
		s += "warning: "
	}
	return s + p.Reason
}

// Ledger is the outcome of reading a ledger file.
type Ledger struct {
	Orders   []Order
	Problems []Problem // sorted by line
	Rejected int       // rows left out for an error
	Refused  error     // the whole file is refused; Orders is empty
	DataRows int       // non-blank rows below the header
	Columns  map[string]string
	Ignored  []string
}

// ledgerAliases maps a normalised header to the field it fills: the names
// shop systems and spreadsheets export.
var ledgerAliases = map[string]string{
	"reference": "reference", "ref": "reference", "api_ref": "reference", "order": "reference",
	"order_id": "reference", "order_no": "reference", "order_number": "reference", "order_ref": "reference",
	"order_reference": "reference", "invoice_ref": "reference", "account_reference": "reference",
	"amount": "amount", "total": "amount", "value": "amount", "amount_kes": "amount", "order_total": "amount",
	"date": "date", "order_date": "date", "created": "date", "created_at": "date", "time": "date",
	"timestamp": "date", "ordered_at": "date",
	"phone": "phone", "phone_number": "phone", "msisdn": "phone", "mobile": "phone", "customer_phone": "phone",
	"email": "email", "e_mail": "email", "email_address": "email", "customer_email": "email",
}

var requiredLedger = []string{"reference", "amount", "date"}

var ledgerHelp = map[string]string{
	"reference": "reference (or order_id, order_no, api_ref)",
	"amount":    "amount (or total)",
	"date":      "date (or order_date, created_at)",
}

func namesALedgerField(rec []string) bool { return csvin.NamesAField(rec, ledgerAliases) }

// ReadLedger reads a ledger CSV: header names matched ignoring case,
// spaces and hyphens with aliases (reference, amount and date required;
// phone and email optional), dates read in loc. Bad rows are reported with
// their line and left out; the rest are kept.
func ReadLedger(r io.Reader, loc *time.Location) *Ledger {
	lg := &Ledger{Columns: map[string]string{}}
	data, err := csvin.ReadText(r, MaxLedgerBytes, fmt.Sprintf("the file is over %d MiB: is it the right file?", MaxLedgerBytes>>20))
	if err != nil {
		lg.Refused = err
		return lg
	}
	(&ledgerReader{lg: lg, loc: loc}).run(data)
	return lg
}

type ledgerReader struct {
	lg       *Ledger
	loc      *time.Location
	col      [5]int // reference, amount, date, phone, email; -1 when absent
	lastLine int
	lines    csvin.LineCursor
	dates    dateReader
}

const (
	colRef = iota
	colAmount
	colDate
	colPhone
	colEmail
)

var colFields = [5]string{"reference", "amount", "date", "phone", "email"}

func (p *ledgerReader) run(data []byte) {
	p.lastLine = csvin.LastLine(data)
	p.lines = csvin.NewLineCursor(data)
	p.dates = dateReader{loc: p.loc}
	cr := csvin.NewReader(data, namesALedgerField)
	if !p.header(cr) {
		return
	}
	p.lg.Orders = make([]Order, 0, min(p.lastLine, MaxLedgerRows))
	if err := p.rows(cr); err != nil {
		p.lg.Refused, p.lg.Orders = err, nil
		return
	}
	if p.lg.DataRows == 0 {
		p.lg.Refused, p.lg.Orders = errors.New("no orders below the header row"), nil
	}
}

func (p *ledgerReader) rows(cr *csv.Reader) error {
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if pe, ok := errors.AsType[*csv.ParseError](err); ok {
			if err := csvin.Runaway(pe, p.lastLine); err != nil {
				return err
			}
			p.lg.DataRows++
			p.reject(Problem{Line: pe.StartLine, Reason: csvin.BadLine(pe) + ": " + csvin.QuoteShort(p.lines.Text(pe.StartLine, pe.Line))})
			continue
		}
		if err != nil {
			return fmt.Errorf("reading the file: %w", err)
		}
		if csvin.Blank(rec) {
			continue
		}
		if p.lg.DataRows++; p.lg.DataRows > MaxLedgerRows {
			return fmt.Errorf("the ledger has more than %d rows: reconcile a shorter period (split the file by date)", MaxLedgerRows)
		}
		line, _ := cr.FieldPos(0)
		p.row(rec, line)
	}
}

func (p *ledgerReader) reject(pr Problem) {
	p.lg.Rejected++
	p.lg.Problems = append(p.lg.Problems, pr)
}

func (p *ledgerReader) header(cr *csv.Reader) bool {
	rec, line, skipped, err := csvin.Header(cr, namesALedgerField)
	var nh *csvin.NotHeaderError
	switch {
	case errors.Is(err, csvin.ErrEmpty):
		p.lg.Refused = errors.New("the file is empty: expected a header row (reference, amount, date, …) and orders below it")
		return false
	case errors.As(err, &nh):
		p.lg.Refused = fmt.Errorf("line %d is not a header row: expected column names such as reference, amount, date, phone; got %s", nh.Line, nh.Text)
		return false
	case err != nil:
		p.lg.Refused = err
		return false
	}
	for _, l := range skipped {
		p.lg.Problems = append(p.lg.Problems, Problem{Line: l, Warning: true, Reason: "skipped: above the header row"})
	}
	return p.mapColumns(rec, line)
}

func (p *ledgerReader) mapColumns(rec []string, line int) bool {
	for i := range p.col {
		p.col[i] = -1
	}
	for i, h := range rec {
		f, ok := ledgerAliases[csvin.NormHeader(h)]
		if !ok {
			if strings.TrimSpace(h) != "" {
				p.lg.Ignored = append(p.lg.Ignored, csvin.HeaderText(h))
			}
			continue
		}
		if prev := p.lg.Columns[f]; prev != "" {
			p.lg.Refused = fmt.Errorf("line %d: two columns give the %s (%q and %q): keep one", line, f, prev, csvin.HeaderText(h))
			return false
		}
		p.lg.Columns[f] = csvin.HeaderText(h)
		for k, name := range colFields {
			if name == f {
				p.col[k] = i
			}
		}
	}
	var missing []string
	for _, f := range requiredLedger {
		if p.lg.Columns[f] == "" {
			missing = append(missing, ledgerHelp[f])
		}
	}
	if len(missing) > 0 {
		p.lg.Refused = fmt.Errorf("missing column(s): %s", strings.Join(missing, "; "))
		return false
	}
	return true
}

// row checks one data row and keeps it unless a required cell is bad.
// Optional cells that do not parse (a phone, an email) are warnings: the
// order is still an order.
func (p *ledgerReader) row(rec []string, line int) {
	var cells [5]string
	for k, i := range p.col {
		if i < 0 || i >= len(rec) {
			continue
		}
		v := rec[i]
		if reason := csvin.CellProblem(v, MaxCellBytes); reason != "" {
			p.reject(Problem{Line: line, Field: colFields[k], Reason: reason})
			return
		}
		cells[k] = strings.TrimSpace(v)
	}
	o := Order{Line: line, Reference: cells[colRef]}
	if o.Reference == "" {
		p.reject(Problem{Line: line, Field: "reference", Reason: "empty: every order needs the reference its payment carries (api_ref)"})
		return
	}
	a, err := client.ParseAmount(cells[colAmount])
	if err != nil || a <= 0 {
		p.reject(Problem{Line: line, Field: "amount", Reason: csvin.QuoteShort(cells[colAmount]) + " is not a positive amount"})
		return
	}
	o.Amount = a
	d, ok := p.dates.parse(cells[colDate])
	if !ok {
		p.reject(Problem{Line: line, Field: "date", Reason: csvin.QuoteShort(cells[colDate]) + " is not a date (2026-03-01, 01/03/2026 day first, or 2026-03-01 14:05)"})
		return
	}
	o.Date = Day{d}
	o.Phone, o.Email = p.contact(line, cells[colPhone], cells[colEmail])
	p.lg.Orders = append(p.lg.Orders, o)
}

func (p *ledgerReader) contact(line int, phone, email string) (string, string) {
	if phone != "" {
		ph, err := client.ParsePhone(phone)
		if err != nil {
			p.lg.Problems = append(p.lg.Problems, Problem{Line: line, Field: "phone", Warning: true,
				Reason: csvin.QuoteShort(phone) + " is not a Kenyan mobile number; the row is matched without it"})
			phone = ""
		} else {
			phone = string(ph)
		}
	}
	if email != "" && !strings.Contains(email, "@") {
		p.lg.Problems = append(p.lg.Problems, Problem{Line: line, Field: "email", Warning: true,
			Reason: csvin.QuoteShort(email) + " is not an email address; the row is matched without it"})
		email = ""
	}
	return phone, strings.ToLower(email)
}

// dateLayouts are the forms ledgers write dates in. Slashes are read day
// first, as Kenya writes them (01/03/2026 is 1 March).
var dateLayouts = []string{
	time.DateOnly, time.RFC3339, "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006/01/02",
	"02/01/2006", "2/1/2006", "02/01/2006 15:04", "2/1/2006 15:04", "02/01/2006 15:04:05", "02-01-2006", "02.01.2006",
}

// dateReader parses dates, trying the layout that worked last first: a
// ledger writes every date the same way.
type dateReader struct {
	loc  *time.Location
	last int
}

// parse returns the day (midnight in loc) of s.
func (d *dateReader) parse(s string) (time.Time, bool) {
	for k := range dateLayouts {
		i := (d.last + k) % len(dateLayouts)
		if t, err := time.ParseInLocation(dateLayouts[i], s, d.loc); err == nil {
			d.last = i
			return midnight(t.In(d.loc)), true // an RFC 3339 time may be in another zone
		}
	}
	return time.Time{}, false
}

func midnight(t time.Time) time.Time {
	y, m, dd := t.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, t.Location())
}

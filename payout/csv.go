package payout

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/malipo/malipo/csvin"
)

// Import is the outcome of reading a payout CSV.
type Import struct {
	// Rows are the good rows (warnings allowed), normalised, in file order.
	Rows []Row
	// Rejected are the bad rows as read (cells over 1 KiB cut short), so a
	// person can fix them; their problems have Row -1 and their Line. Every
	// bad row is here, including lines that are not valid CSV (their cells
	// read as leniently as possible), so the console and `payouts check`
	// count the same rows as bad.
	Rejected []Row
	// Problems are errors and warnings sorted by line. Row is the index in
	// Rows for a kept row's warnings, -1 for rejected rows and the file.
	Problems []Problem
	// Refused is set when the whole file is refused (not CSV, no header,
	// missing columns, over MaxRows rows); then Rows and Rejected are empty.
	Refused error
	// DataRows counts the non-blank rows after the header.
	DataRows int
	// Columns maps each field to the header it was read from ("account" →
	// "Phone Number"); Ignored lists headers that match no field.
	Columns map[string]string
	Ignored []string
}

// Bad is the number of rejected rows, lines that are not valid CSV
// included: the one count both the console and `payouts check` report.
func (im *Import) Bad() int { return len(im.Rejected) }

// Warnings counts warnings.
func (im *Import) Warnings() int { return len(im.Problems) - Errors(im.Problems) }

// Limits on what ImportCSV reads.
const (
	maxFileBytes = 32 << 20 // far above 5,000 honest rows, far below what would hurt
	// MaxCellBytes is the largest cell read as is; a larger one rejects its row.
	MaxCellBytes = maxFieldBytes
)

// columnAliases maps a normalised header (lower case, '_' for spaces and
// hyphens) to the field it fills.
var columnAliases = map[string]string{
	"name": "name", "recipient": "name", "full_name": "name", "recipient_name": "name",
	"account": "account", "phone": "account", "phone_number": "account", "msisdn": "account",
	"account_number": "account", "account_no": "account", "mobile": "account",
	"amount":    "amount",
	"bank_code": "bank_code", "bank": "bank_code",
	"account_type": "account_type", "type": "account_type",
	"account_reference": "account_reference", "reference": "account_reference", "acc_ref": "account_reference",
	"account_ref": "account_reference",
	"narrative":   "narrative", "description": "narrative", "reason": "narrative",
	"id_number": "id_number", "national_id": "id_number",
}

// requiredColumns per rail.
func requiredColumns(rail Rail) []string {
	switch rail {
	case B2B:
		return []string{"account", "amount", "account_type"}
	case PesaLink:
		return []string{"account", "amount", "bank_code"}
	}
	return []string{"account", "amount"}
}

// usedOn reports whether field means anything on rail: a "Type" or "Bank"
// column in a salary file is not sent with M-Pesa B2C payments (IntaSend
// would refuse a stray account_type).
func usedOn(rail Rail, field string) bool {
	switch field {
	case "bank_code":
		return rail == PesaLink
	case "account_type", "account_reference":
		return rail == B2B
	}
	return true
}

var columnHelp = map[string]string{
	"account":      "account, phone, phone_number, msisdn or account_number",
	"amount":       "amount",
	"account_type": "account_type or type (PayBill or TillNumber)",
	"bank_code":    "bank_code or bank",
}

// ImportCSV reads a payout file for rail. Header names are matched ignoring
// case, spaces and hyphens, with aliases (see columnAliases); extra columns
// are ignored. Text must be UTF-8 (a UTF-8 byte-order mark is stripped;
// UTF-16 with a byte-order mark is decoded); a row with bytes that are not
// UTF-8 is rejected with "not UTF-8 text" rather than guessed at. Commas,
// semicolons or tabs separate cells (taken from the header line). Blank
// lines are skipped. Every row is validated with ValidateRow; bad rows are
// reported with their line and kept aside while good rows stay. banks nil
// means DefaultBanks.
func ImportCSV(r io.Reader, rail Rail, banks BankSet) *Import {
	im := &Import{Columns: map[string]string{}}
	if banks == nil {
		banks = DefaultBanks()
	}
	if !rail.Valid() {
		im.Refused = fmt.Errorf("unknown rail %q", rail)
		return im
	}
	data, err := readText(r)
	if err != nil {
		im.Refused = err
		return im
	}
	(&importer{im: im, rail: rail, banks: banks}).run(data)
	return im
}

// readText reads the whole file as UTF-8 under the shared CSV rules
// (csvin.ReadText), with the payout importer's size cap.
func readText(r io.Reader) ([]byte, error) {
	return csvin.ReadText(r, maxFileBytes, fmt.Sprintf("the file is over %d MiB: a batch of %s payments is far smaller; is it the right file?", maxFileBytes>>20, thousands(MaxRows)))
}

// columns are the column indexes of each field, -1 when absent.
type columns struct{ name, account, bank, typ, ref, narrative, id, amount int }

func (p *importer) indexColumns() {
	at := func(f string) int {
		if i, ok := p.cols[f]; ok {
			return i
		}
		return -1
	}
	p.idx = columns{at("name"), at("account"), at("bank_code"), at("account_type"), at("account_reference"),
		at("narrative"), at("id_number"), at("amount")}
}

// importer holds one import's state.
type importer struct {
	im       *Import
	rail     Rail
	banks    BankSet
	cols     map[string]int // field → column index
	idx      columns        // the same as fields, for the per-row loop
	lastLine int
	dups     *dupIndex
	lines    csvin.LineCursor // finds the text of a line that is not valid CSV
}

func (p *importer) run(data []byte) {
	p.lastLine = csvin.LastLine(data)
	p.lines = csvin.NewLineCursor(data)
	cr := csvin.NewReader(data, namesAField)
	if !p.header(cr) {
		return
	}
	p.indexColumns()
	lines := min(bytes.Count(data, []byte{'\n'})+1, MaxRows)
	p.dups = newDupIndex(lines)
	rows := make([]Row, 0, lines)
	var rejected []Row
	var problems []Problem
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if p.runaway(pe) {
				return
			}
			p.im.DataRows++
			row, ps := p.badCSV(pe, cr.Comma)
			rejected = append(rejected, row)
			problems = append(problems, ps...)
			continue
		}
		if err != nil {
			p.im.Refused = fmt.Errorf("reading the file: %w", err)
			return
		}
		if csvin.Blank(rec) {
			continue
		}
		p.im.DataRows++
		if p.im.DataRows > MaxRows {
			continue // keep counting, for the message
		}
		line, _ := cr.FieldPos(0)
		row, ps := p.row(rec, line)
		if Errors(ps) > 0 {
			rejected = append(rejected, row)
		} else {
			for i := range ps {
				ps[i].Row = len(rows)
			}
			rows = append(rows, row)
		}
		problems = append(problems, ps...)
	}
	switch {
	case p.im.DataRows > MaxRows:
		p.im.Refused = errors.New(tooManyRows(p.im.DataRows))
		return
	case p.im.DataRows == 0:
		p.im.Refused = errors.New("no payments below the header row")
		return
	}
	p.im.Rows, p.im.Rejected, p.im.Problems = rows, rejected, append(p.im.Problems, problems...)
}

// badCSV keeps a line that is not valid CSV as a rejected row, like any
// other bad row: listed with its line and reason, counted as bad, and
// offered to be fixed in the draft. Its cells are read leniently (stray
// quotes kept as text) so nothing typed in it is lost; the reason is the
// CSV error alone, since cells read that way may be shifted.
func (p *importer) badCSV(pe *csv.ParseError, comma rune) (Row, []Problem) {
	rec := csvin.LenientRecord(p.lines.Text(pe.StartLine, pe.Line), comma)
	row := p.fields(pe.StartLine, func(_ string, i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		if v := rec[i]; len(v) <= MaxCellBytes {
			return v
		}
		return csvin.Cut(rec[i], 64) + "…"
	})
	return row, []Problem{{Line: pe.StartLine, Row: -1, Reason: csvin.BadLine(pe)}}
}

// runaway reports (and refuses the file for) a quote that never closes: the
// reader swallowed the rest of the file into one cell.
func (p *importer) runaway(pe *csv.ParseError) bool {
	err := csvin.Runaway(pe, p.lastLine)
	if err != nil {
		p.im.Refused = err
	}
	return err != nil
}

// header finds the header (csvin.Header); the title lines above it are
// reported as skipped.
func (p *importer) header(cr *csv.Reader) bool {
	rec, _, skipped, err := csvin.Header(cr, namesAField)
	var nh *csvin.NotHeaderError
	switch {
	case errors.Is(err, csvin.ErrEmpty):
		p.im.Refused = errors.New("the file is empty: expected a header row (name, account, amount, …) and payments below it")
		return false
	case errors.As(err, &nh):
		p.im.Refused = notHeader(nh.Line, nh.Text)
		return false
	case err != nil:
		p.im.Refused = err
		return false
	}
	for _, l := range skipped {
		p.im.Problems = append(p.im.Problems, Problem{Line: l, Row: -1, Warning: true, Reason: "skipped: above the header row"})
	}
	return p.mapColumns(rec, cr)
}

func notHeader(line int, text string) error {
	return fmt.Errorf("line %d is not a header row: expected column names such as name, account (or phone), amount, narrative; got %s",
		line, text)
}

func namesAField(rec []string) bool { return csvin.NamesAField(rec, columnAliases) }

func (p *importer) mapColumns(rec []string, cr *csv.Reader) bool {
	line, _ := cr.FieldPos(0)
	p.cols = map[string]int{}
	for i, h := range rec {
		f, ok := columnAliases[csvin.NormHeader(h)]
		switch {
		case !ok || !usedOn(p.rail, f):
			if strings.TrimSpace(h) != "" {
				p.im.Ignored = append(p.im.Ignored, h)
			}
		case p.im.Columns[f] != "" || hasCol(p.cols, f):
			p.im.Refused = fmt.Errorf("line %d: two columns give the %s (%q and %q): keep one", line, f, p.im.Columns[f], h)
			return false
		default:
			p.cols[f] = i
			p.im.Columns[f] = csvin.HeaderText(h)
		}
	}
	var missing []string
	for _, f := range requiredColumns(p.rail) {
		if _, ok := p.cols[f]; !ok {
			missing = append(missing, columnHelp[f])
		}
	}
	if len(missing) > 0 {
		p.im.Refused = fmt.Errorf("missing column(s) for %s: %s", p.rail, strings.Join(missing, "; "))
		return false
	}
	if len(p.im.Ignored) > 0 {
		p.im.Problems = append(p.im.Problems, Problem{Line: line, Row: -1, Warning: true, Reason: ignoredReason(p.im.Ignored, p.rail)})
	}
	return true
}

// maxNamedIgnored is how many ignored columns the warning names.
const maxNamedIgnored = 5

// ignoredReason is one warning for every ignored column, naming the first
// few and counting the rest: a file with 100,000 stray columns gets one
// line, not 100,000.
func ignoredReason(ignored []string, rail Rail) string {
	if len(ignored) == 1 {
		return fmt.Sprintf("column %s is not used for %s payouts; it is ignored", quoteShort(ignored[0]), rail)
	}
	names := make([]string, 0, maxNamedIgnored)
	for _, h := range ignored[:min(len(ignored), maxNamedIgnored)] {
		names = append(names, quoteShort(h))
	}
	list := strings.Join(names, ", ")
	if more := len(ignored) - len(names); more > 0 {
		list += " and " + thousands(more) + " more"
	}
	return fmt.Sprintf("%s columns are not used for %s payouts; they are ignored: %s", thousands(len(ignored)), rail, list)
}

func hasCol(cols map[string]int, f string) bool { _, ok := cols[f]; return ok }

// row builds and checks one data row.
func (p *importer) row(rec []string, line int) (Row, []Problem) {
	var cellPs []Problem
	bad := map[string]bool(nil)
	cell := func(field string, i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		v := rec[i]
		if reason := csvin.CellProblem(v, MaxCellBytes); reason != "" {
			cellPs = append(cellPs, Problem{Line: line, Row: -1, Field: field, Reason: reason})
			if bad == nil {
				bad = map[string]bool{}
			}
			bad[field] = true
			if len(v) > MaxCellBytes {
				v = csvin.Cut(v, 64) + "…"
			}
		}
		return v // a substring of the record's own string: ReuseRecord reuses the slice, not the text
	}
	r := p.fields(line, cell)
	n, amountErr := normalize(p.rail, r)
	ps := cellPs
	for _, q := range validate(p.rail, n, amountErr, p.banks) {
		if !bad[q.Field] {
			ps = append(ps, q)
		}
	}
	if Errors(ps) > 0 {
		return r, ps
	}
	if q, dup := p.dups.check(n); dup {
		ps = append(ps, q)
	}
	return n, ps
}

// fields builds a row from its cells, cell(field, column) reading each.
func (p *importer) fields(line int, cell func(field string, i int) string) Row {
	c := &p.idx
	return Row{Line: line, Name: cell("name", c.name), Account: cell("account", c.account), BankCode: cell("bank_code", c.bank),
		AccountType: cell("account_type", c.typ), AccountReference: cell("account_reference", c.ref),
		Narrative: cell("narrative", c.narrative), IDNumber: cell("id_number", c.id), AmountText: cell("amount", c.amount)}
}

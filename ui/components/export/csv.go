// Package export writes a table's rows to CSV: every row the view shows
// (filtered, in a date range, all loaded pages, not only the screen),
// money as decimal strings, times in when's one export format, cells a
// spreadsheet would run as formulas defused. Locally the file goes to a
// path; over SSH (Common.Files) into the user's folder by plain name. The
// role check (PermExport through common.Allowed) and the audit record are
// the component's, so every table exports the same way.
//
// A view snapshots its rows on the UI goroutine with Collect (the fill
// function reads the view's own row shapes) and hands the Table to
// Model.Start; the writing happens in a tea.Cmd.
package export

import (
	"encoding/csv"
	"io"
	"regexp"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/components/when"
)

// Table is a snapshot of rows to write: cells are final text.
type Table struct {
	Header []string
	Rows   [][]string
}

// Record is one row being collected: the view adds its cells in column
// order through the typed methods, so money and times are always written
// the same way.
type Record struct {
	cells []string
	now   time.Time
}

// Text adds cells as they are.
func (r *Record) Text(s ...string) { r.cells = append(r.cells, s...) }

// Money adds an amount as a decimal string ("-1234.50"): exact, no
// thousands separator, read as a number by every spreadsheet.
func (r *Record) Money(a client.Amount) { r.cells = append(r.cells, a.Decimal()) }

// Time adds a time in when.Export's format, in now's zone; a zero time
// is an empty cell.
func (r *Record) Time(t time.Time) {
	if t.IsZero() {
		r.cells = append(r.cells, "")
		return
	}
	r.cells = append(r.cells, when.Export(r.now, t))
}

// TimeTitle is a time column's title with the zone its times are in:
// "Created (Africa/Nairobi +03:00)".
func TimeTitle(title string, now time.Time) string {
	return title + " (" + when.ExportZone(now) + ")"
}

// Collect snapshots n rows: fill adds row i's cells (i is the view's
// shown row, so a filter's order is kept).
func Collect(now time.Time, header []string, n int, fill func(i int, r *Record)) Table {
	t := Table{Header: header, Rows: make([][]string, 0, n)}
	for i := 0; i < n; i++ {
		r := Record{now: now, cells: make([]string, 0, len(header))}
		fill(i, &r)
		t.Rows = append(t.Rows, r.cells)
	}
	return t
}

// Shown is what Rows needs of a table (table.Model): how many rows show
// and which of the view's rows each is.
type Shown interface {
	Len() int
	Index(i int) int
}

// Rows snapshots every row t shows, in its order (the filter's and the
// date range's matches, all loaded pages, not only the screen): fill gets
// the view's row index, as the table's fill function does.
func Rows(now time.Time, header []string, t Shown, fill func(row int, r *Record)) Table {
	return Collect(now, header, t.Len(), func(i int, r *Record) { fill(t.Index(i), r) })
}

// number is a plain decimal: a debit "-500.00" is a number, not a formula.
var number = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// Safe defuses a cell a spreadsheet would run (CSV injection, OWASP): a
// cell starting with = + - @, a tab or a carriage return gets a leading
// apostrophe, which spreadsheets show as text. Plain numbers are left
// alone, so debits stay negative numbers. A payer's name or a narrative
// comes from outside (IntaSend passes what the customer typed), which is
// why every cell goes through here.
func Safe(cell string) string {
	if cell == "" || number.MatchString(cell) {
		return cell
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + cell
	}
	return cell
}

// WriteCSV writes t with RFC 4180 quoting (encoding/csv) and every cell,
// header included, through Safe.
func WriteCSV(w io.Writer, t Table) error {
	cw := csv.NewWriter(w)
	line := make([]string, 0, len(t.Header))
	write := func(cells []string) error {
		line = line[:0]
		for _, c := range cells {
			line = append(line, Safe(c))
		}
		return cw.Write(line)
	}
	if err := write(t.Header); err != nil {
		return err
	}
	for _, r := range t.Rows {
		if err := write(r); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Package csvin holds the rules every CSV malipo reads from a person
// follows, whatever the file is for (payout batches, reconciliation
// ledgers): the text is UTF-8 (a byte-order mark stripped, UTF-16 with a
// mark decoded, workbooks and binary refused), files are size-capped, the
// separator is found from the header, a title may stand above the header,
// header names are matched loosely, and a cell a spreadsheet would run as
// a formula is refused. The importers keep their own fields, messages and
// row rules; what they share lives here so a fix to one is a fix to both.
package csvin

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxTitleRows is how many non-blank lines may stand above the header (a
// title such as "Salaries November 2026" in a payroll export).
const MaxTitleRows = 5

// UTF8BOM is the UTF-8 byte-order mark.
const UTF8BOM = "\xEF\xBB\xBF"

// ReadText reads the whole file (at most maxBytes; over that it returns
// tooBig as the error) and returns it as UTF-8, invalid bytes left for the
// rows to report.
func ReadText(r io.Reader, maxBytes int, tooBig string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, int64(maxBytes)+1))
	if err != nil {
		return nil, fmt.Errorf("reading the file: %w", err)
	}
	if len(data) > maxBytes {
		return nil, errors.New(tooBig)
	}
	switch {
	case bytes.HasPrefix(data, []byte(UTF8BOM)):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return plainText(decodeUTF16(data[2:], false))
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return plainText(decodeUTF16(data[2:], true))
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return nil, errors.New("this is a spreadsheet workbook (.xlsx or .ods), not CSV: save it as \"CSV UTF-8\" and import that")
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, errors.New("this is an old Excel workbook (.xls), not CSV: save it as \"CSV UTF-8\" and import that")
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, fmt.Errorf("the file has NUL bytes (the first at byte %d): it looks like UTF-16 without a byte-order mark, or not text at all; save it as \"CSV UTF-8\"", i)
	}
	return plainText(data, nil)
}

// plainText undoes two things spreadsheets and editors do to a CSV that
// would otherwise cost a column or the whole file: a byte-order mark
// written twice (a file saved as "UTF-8 with BOM" by a tool that kept the
// first one; left in, it hides the first header), and the classic Mac line
// ending, CR alone ("CSV (Macintosh)"), which encoding/csv reads as one
// long line. CR becomes LF only when the file has no LF at all, so a CR
// inside a cell of an ordinary file stays.
func plainText(data []byte, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	for bytes.HasPrefix(data, []byte(UTF8BOM)) {
		data = data[3:]
	}
	if bytes.IndexByte(data, '\n') < 0 && bytes.IndexByte(data, '\r') >= 0 {
		data = bytes.ReplaceAll(data, []byte{'\r'}, []byte{'\n'})
	}
	return data, nil
}

// decodeUTF16 turns UTF-16 (BOM already removed) into UTF-8.
func decodeUTF16(b []byte, bigEndian bool) ([]byte, error) {
	if len(b)%2 != 0 {
		return nil, errors.New("the file says it is UTF-16 but has an odd number of bytes: save it as \"CSV UTF-8\"")
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	out := make([]byte, 0, len(u))
	for _, r := range utf16.Decode(u) {
		out = utf8.AppendRune(out, r)
	}
	return out, nil
}

// Separator picks the cell separator: the one (',', ';' or tab) under
// which one of the first lines names a field (names says), else ',' unless
// the first line has none but has ';' or a tab (spreadsheets in some
// locales save with ';').
func Separator(data []byte, names func([]string) bool) rune {
	seps := []byte{',', ';', '\t'}
	rest := data
	for n := 0; n <= MaxTitleRows && len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		n++
		for _, sep := range seps {
			if bytes.IndexByte(line, sep) >= 0 && names(strings.Split(strings.ReplaceAll(string(line), `"`, ""), string(sep))) {
				return rune(sep)
			}
		}
	}
	first := data
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		first = data[:i]
	}
	for _, sep := range seps {
		if bytes.IndexByte(first, sep) >= 0 {
			return rune(sep)
		}
	}
	return ','
}

// NamesAField reports whether one of rec's cells is a header aliases knows.
func NamesAField(rec []string, aliases map[string]string) bool {
	for _, h := range rec {
		if _, ok := aliases[NormHeader(h)]; ok {
			return true
		}
	}
	return false
}

// NewReader is an encoding/csv reader over data set up as every importer
// reads: the separator found from the header, ragged rows allowed, the
// record slice reused (callers copy what they keep).
func NewReader(data []byte, names func([]string) bool) *csv.Reader {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = Separator(data, names)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return cr
}

// ErrEmpty is Header's answer for a file with no non-blank line.
var ErrEmpty = errors.New("the file is empty")

// NotHeaderError is Header's answer when no line within MaxTitleRows names
// a field: Line and Text are the first non-blank line's.
type NotHeaderError struct {
	Line int
	Text string
}

func (e *NotHeaderError) Error() string {
	return fmt.Sprintf("line %d is not a header row; got %s", e.Line, e.Text)
}

// Header finds the header: the first non-blank record that names a field
// (names says), within MaxTitleRows lines. It returns the record, its line
// and the lines above it (titles, to be reported as skipped). Errors are
// ErrEmpty, *NotHeaderError or a CSV error in the header itself.
func Header(cr *csv.Reader, names func([]string) bool) (rec []string, line int, skipped []int, err error) {
	firstLine, firstText := 0, ""
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			if firstLine == 0 {
				return nil, 0, nil, ErrEmpty
			}
			return nil, 0, nil, &NotHeaderError{firstLine, firstText}
		}
		if err != nil {
			return nil, 0, nil, fmt.Errorf("the header row is not valid CSV: %w", err)
		}
		if Blank(rec) {
			continue
		}
		line, _ := cr.FieldPos(0)
		if firstLine == 0 {
			firstLine, firstText = line, QuoteShort(strings.Join(rec, string(cr.Comma)))
		}
		if names(rec) {
			return rec, line, skipped, nil
		}
		if skipped = append(skipped, line); len(skipped) >= MaxTitleRows {
			return nil, 0, nil, &NotHeaderError{firstLine, firstText}
		}
	}
}

// LineCursor finds lines by number, moving forward only: CSV errors come
// in line order, so the whole file is scanned at most once.
type LineCursor struct {
	data []byte
	line int // the line data starts with
}

// NewLineCursor starts a cursor at line 1 of data.
func NewLineCursor(data []byte) LineCursor { return LineCursor{data: data, line: 1} }

// Text is lines from to to (1-based, inclusive), without the final newline.
func (c *LineCursor) Text(from, to int) string {
	for c.line < from && len(c.data) > 0 {
		i := bytes.IndexByte(c.data, '\n')
		if i < 0 {
			c.data = nil
			break
		}
		c.data, c.line = c.data[i+1:], c.line+1
	}
	end := 0
	for n := from; n <= to && end < len(c.data); n++ {
		i := bytes.IndexByte(c.data[end:], '\n')
		if i < 0 {
			end = len(c.data)
			break
		}
		end += i + 1
	}
	return strings.TrimRight(string(c.data[:end]), "\r\n")
}

// LenientRecord reads the text of a line that is not valid CSV as
// leniently as possible (stray quotes kept as text), so nothing typed in
// it is lost when it is shown back.
func LenientRecord(raw string, comma rune) []string {
	lr := csv.NewReader(strings.NewReader(raw))
	lr.Comma, lr.LazyQuotes, lr.FieldsPerRecord = comma, true, -1
	rec, err := lr.Read()
	if err != nil {
		return []string{raw}
	}
	return rec
}

// LastLine is the number of the file's last line.
func LastLine(data []byte) int {
	n := bytes.Count(data, []byte{'\n'})
	if len(data) > 0 && data[len(data)-1] != '\n' {
		n++
	}
	return n
}

// Runaway is the error for a quote that never closes (the reader swallowed
// the rest of the file into one cell), nil for any other CSV error.
func Runaway(pe *csv.ParseError, lastLine int) error {
	if !errors.Is(pe.Err, csv.ErrQuote) || pe.Line <= pe.StartLine || pe.Line < lastLine {
		return nil
	}
	return fmt.Errorf("line %d: a quoted cell never closes (a stray \" ?): the rest of the file would be one cell", pe.StartLine)
}

// BadLine is the reason a line that is not valid CSV is rejected.
func BadLine(pe *csv.ParseError) string {
	return "not valid CSV: " + pe.Err.Error() + quoteHint(pe)
}

func quoteHint(pe *csv.ParseError) string {
	if errors.Is(pe.Err, csv.ErrBareQuote) || errors.Is(pe.Err, csv.ErrQuote) {
		return ` (a " inside a cell must be doubled, and the cell quoted)`
	}
	return ""
}

// Blank reports whether every cell of rec is empty or spaces.
func Blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// NormHeader drops a byte-order mark, lower-cases and turns spaces,
// hyphens and dots into '_' (runs of them into one).
func NormHeader(h string) string {
	// A byte-order mark left inside the first cell (a second BOM, or one
	// after title rows) must not hide the column it starts.
	h = strings.ToLower(strings.TrimSpace(strings.TrimLeft(h, "\ufeff")))
	h = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.':
			return '_'
		}
		return r
	}, h)
	for strings.Contains(h, "__") {
		h = strings.ReplaceAll(h, "__", "_")
	}
	return strings.Trim(h, "_")
}

// HeaderText is a header cell as shown back: trimmed, without a BOM.
func HeaderText(h string) string { return strings.TrimSpace(strings.TrimLeft(h, "\ufeff")) }

// CellProblem is what is wrong with a cell before its field's rules apply:
// bigger than maxCell bytes, not UTF-8, or a spreadsheet formula.
func CellProblem(v string, maxCell int) string {
	switch {
	case len(v) > maxCell:
		return fmt.Sprintf("the cell is %d bytes; the limit is %d (is a column shifted?)", len(v), maxCell)
	case !utf8.ValidString(v):
		return "not UTF-8 text: save the file as \"CSV UTF-8\""
	case LooksLikeFormula(v):
		return fmt.Sprintf("%s looks like a spreadsheet formula: malipo does not send formulas", QuoteShort(v))
	}
	return ""
}

// LooksLikeFormula flags cells a spreadsheet would evaluate (CSV
// injection): starting with = or @ (or a tab or CR), or with + or - when
// what follows is not a plain number ("+254712345678" and "-5" are data).
func LooksLikeFormula(v string) bool {
	v = strings.TrimLeft(v, " ")
	if v == "" {
		return false
	}
	switch v[0] {
	case '=', '@', '\t', '\r':
		return true
	case '+', '-':
		return !PlainNumber(v[1:])
	}
	return false
}

// PlainNumber: at least one digit, and only digits and the punctuation
// people write numbers and phone numbers with (spaces . , - ( )). No
// letters, no operators a function call or DDE payload needs.
func PlainNumber(s string) bool {
	digit := false
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c == ' ' || c == '.' || c == ',' || c == '-' || c == '(' || c == ')':
		default:
			return false
		}
	}
	return digit
}

// Cut returns at most n bytes of s, not splitting a rune.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// QuoteShort quotes s for a message, cut to 40 characters so a huge cell
// cannot flood it.
func QuoteShort(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		rs := []rune(s)
		return fmt.Sprintf("%q…", string(rs[:40]))
	}
	return fmt.Sprintf("%q", s)
}

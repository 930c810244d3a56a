package table

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/keys"
	"github.com/malipo/malipo/ui/components/text"
)

func TestLayout(t *testing.T) {
	id := Column{Title: "ID", Min: 8}
	name := Column{Title: "NAME", Min: 10, Flex: 2}
	email := Column{Title: "EMAIL", Min: 10, Flex: 1}
	amount := Column{Title: "AMOUNT", Min: 12, Align: Right}
	ref := Column{Title: "REF", Min: 10, Drop: 1}
	note := Column{Title: "NOTE", Min: 12, Drop: 2}
	label := Column{Title: "LABEL", Min: 6, Flex: 1, Max: 40}
	tests := []struct {
		name  string
		cols  []Column
		width int
		want  []int
	}{
		{"exact fit: minimums", []Column{id, amount}, 2 + 8 + 2 + 12, []int{8, 12}},
		{"spare goes to flex by weight", []Column{id, name, email, amount}, 2 + 8 + 10 + 10 + 12 + 6 + 30, []int{8, 30, 20, 12}},
		{"no flex: table narrower than the screen", []Column{id, amount}, 100, []int{8, 12}},
		{"max caps and the rest goes to the others", []Column{label, email}, 2 + 6 + 10 + 2 + 100, []int{40, 76}},
		{"highest drop goes first", []Column{id, ref, note, amount}, 2 + 8 + 10 + 12 + 4, []int{8, 10, 0, 12}},
		{"both dropped when short", []Column{id, ref, note, amount}, 2 + 8 + 12 + 2, []int{8, 0, 0, 12}},
		{"too narrow: flex shrinks first", []Column{id, name, amount}, 2 + 8 + 12 + 4 + 5, []int{8, 5, 12}},
		{"far too narrow: every column gives", []Column{id, amount}, 10, []int{3, 3}},
		{"title is the floor", []Column{{Title: "CUSTOMER", Min: 3}}, 10, []int{8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := layout(nil, tt.cols, tt.width, 2, 2)
			if !slices.Equal(got, tt.want) {
				t.Errorf("layout(%d) = %v, want %v", tt.width, got, tt.want)
			}
			if used := measure(got, 2, 2); used > tt.width && tt.width >= 2+len(tt.cols)*3 {
				t.Errorf("uses %d cells of %d", used, tt.width)
			}
		})
	}
}

// people is a small data set: the view's rows, in the view's own shape.
type person struct {
	name, email string
	paid        client.Amount
}

var people = []person{
	{"Wanjiku Kamau", "wanjiku.kamau@example.co.ke", 123450},
	{"Otieno Odhiambo", "otieno@example.com", 5000},
	{"Achieng Atieno", "achieng.atieno.long.address@example.org", 1234567890},
	{"Kiprono Kibet", "kip@example.com", -250},
	{"Njeri Mwangi", "njeri@example.com", 99},
}

func peopleCols() []Column {
	return []Column{
		{Title: "NAME", Min: 8, Flex: 1},
		{Title: "EMAIL", Min: 10, Flex: 2},
		{Title: "PAID", Min: 17, Align: Right}, // the widest amount: money is never cut
	}
}

func newPeople(t testing.TB, w, rows int, opts ...Option) (*Model, func(int, *Row)) {
	t.Helper()
	c := &common.Common{Styles: common.NewStyles(true)}
	tb := New(c, peopleCols(), opts...)
	m := &tb
	m.SetSize(w, rows)
	m.SetTotal(len(people))
	fill := func(i int, r *Row) {
		p := people[i]
		r.Add(p.name, p.email, p.paid.Format("KES"))
	}
	return m, fill
}

func press(t testing.TB, m *Model, keys ...string) tea.Cmd {
	t.Helper()
	var last tea.Cmd
	for _, k := range keys {
		cmd, ok := m.Update(tuitest.MustKey(k))
		if !ok {
			t.Fatalf("key %q not handled", k)
		}
		last = cmd
	}
	return last
}

func TestViewFitsAndAligns(t *testing.T) {
	for _, w := range []int{40, 80, 160} {
		m, fill := newPeople(t, w, 10)
		v := tuitest.Strip(m.View(fill))
		tuitest.CheckBox(t, v, w, 11)
		lines := strings.Split(v, "\n")
		if !strings.HasPrefix(lines[1], "▸ ") || !strings.HasPrefix(lines[2], "  ") {
			t.Errorf("%d: cursor mark missing:\n%s", w, v)
		}
		// Money is right-aligned: every amount ends in the same column.
		end := ansi.StringWidth(lines[1])
		for _, l := range lines[1:] {
			if ansi.StringWidth(l) != end {
				t.Errorf("%d: amounts not aligned:\n%s", w, v)
			}
		}
		if w == 160 && strings.Contains(v, "…") {
			t.Errorf("cut at 160 columns beside free space:\n%s", v)
		}
		if w == 40 && !strings.Contains(v, "…") {
			t.Errorf("nothing cut at 40 columns:\n%s", v)
		}
	}
}

func TestViewGolden(t *testing.T) {
	m, fill := newPeople(t, 80, 4)
	press(t, m, "down")
	tuitest.Golden(t, "people_80", tuitest.Strip(m.View(fill))+"\n"+tuitest.Strip(m.Line("Total", "", client.Amount(1234672185).Format("KES"))))
}

func TestWideCellsTruncateByWidth(t *testing.T) {
	c := &common.Common{Styles: common.NewStyles(true)}
	m := New(c, []Column{{Title: "N", Min: 6}, {Title: "X", Min: 3}})
	m.SetSize(2+6+2+3, 2)
	m.SetTotal(1)
	v := m.View(func(_ int, r *Row) { r.Add("日本語の名前", "abc") })
	line := strings.Split(tuitest.Strip(v), "\n")[1]
	if ansi.StringWidth(line) != 13 || !strings.Contains(line, "…") {
		t.Errorf("wide runes not cut by cell width: %q (%d cells)", line, ansi.StringWidth(line))
	}
}

func TestKeys(t *testing.T) {
	tests := []struct {
		keys       []string
		cursor, at int
	}{
		{[]string{"down"}, 1, 0},
		{[]string{"down", "down", "down"}, 3, 1},
		{[]string{"end"}, 4, 2},
		{[]string{"end", "home"}, 0, 0},
		{[]string{"pgdown"}, 2, 0},
		{[]string{"pgdown", "pgdown", "pgdown"}, 4, 2},
		{[]string{"up"}, 0, 0},
		{[]string{"G", "k"}, 3, 2},
	}
	for _, tt := range tests {
		m, _ := newPeople(t, 80, 3)
		press(t, m, tt.keys...)
		if m.Cursor() != tt.cursor || m.Offset() != tt.at {
			t.Errorf("%v: cursor %d offset %d, want %d %d", tt.keys, m.Cursor(), m.Offset(), tt.cursor, tt.at)
		}
	}
	m, _ := newPeople(t, 80, 3)
	if _, ok := m.Update(tuitest.MustKey("x")); ok {
		t.Error("x handled by the table")
	}
	if _, ok := m.Update(tuitest.MustKey("enter")); ok {
		t.Error("enter handled without a detail hook")
	}
}

// TestRendersVisibleOnly: fill is asked for the rows on screen, not the rest.
func TestRendersVisibleOnly(t *testing.T) {
	c := &common.Common{Styles: common.NewStyles(true)}
	m := New(c, peopleCols())
	m.SetSize(80, 5)
	m.SetTotal(10_000)
	m.SetCursor(5_000)
	var asked []int
	m.View(func(i int, r *Row) { asked = append(asked, i); r.Add("x") })
	if want := []int{4996, 4997, 4998, 4999, 5000}; !slices.Equal(asked, want) {
		t.Errorf("filled %v, want %v", asked, want)
	}
}

func TestFilter(t *testing.T) {
	hay := make([]string, len(people))
	for i, p := range people {
		hay[i] = strings.ToLower(p.name + " " + p.email)
	}
	m, fill := newPeople(t, 80, 10)
	press(t, m, "down", "down")
	m.FilterWords(hay, "example.com")
	if m.Len() != 3 || m.Cursor() != 0 || m.Count("person", "people") != "3 of 5 people" {
		t.Fatalf("filter: %d shown, cursor %d, %q", m.Len(), m.Cursor(), m.Count("person", "people"))
	}
	press(t, m, "down")
	if i, _ := m.Current(); i != 3 {
		t.Errorf("current %d, want Kiprono (3)", i)
	}
	v := tuitest.Strip(m.View(fill))
	if strings.Contains(v, "Wanjiku") || !strings.Contains(v, "Kiprono") {
		t.Errorf("filtered view:\n%s", v)
	}
	m.FilterWords(hay, "nobody")
	if m.Len() != 0 || strings.Count(m.View(fill), "\n") != 0 {
		t.Errorf("no match: %d shown", m.Len())
	}
	m.FilterWords(hay, "example.com")
	press(t, m, "down")
	m.ClearFilter()
	if i, _ := m.Current(); i != 3 || m.Count("person", "people") != "5 people" {
		t.Errorf("after clear: current %d, %q", i, m.Count("person", "people"))
	}
	// A view's own filter (ranked): rows in the order given.
	m.SetMatch([]int{4, 0}, "n")
	if m.Index(0) != 4 || m.Index(1) != 0 {
		t.Errorf("SetMatch order lost")
	}
}

type openMsg struct{ row int }

func TestDetailHook(t *testing.T) {
	m, fill := newPeople(t, 44, 3)
	m.SetDetail(func(i int) tea.Msg {
		if i == 2 {
			return Detail{Title: people[i].name, Text: "email " + people[i].email + "\n\n" + strings.Repeat("a long narrative ", 10)}
		}
		return openMsg{i}
	})
	cmd := press(t, m, "down", "enter")
	if cmd == nil || cmd() != (openMsg{1}) || m.DetailOpen() {
		t.Fatalf("enter on row 1 should send openMsg{1}")
	}
	press(t, m, "down", "enter")
	if !m.DetailOpen() {
		t.Fatal("detail not shown")
	}
	v := tuitest.Strip(m.View(fill))
	tuitest.CheckBox(t, v, 44, 4)
	tuitest.MustContain(t, v, "Achieng Atieno", "esc back", "achieng.atieno.long.address@example.org", "lines 1–3 of")
	press(t, m, "end")
	if v := tuitest.Strip(m.View(fill)); !strings.Contains(v, "narrative") {
		t.Errorf("end did not scroll:\n%s", v)
	}
	if _, ok := m.Update(tuitest.MustKey("x")); ok {
		t.Error("x taken by the detail")
	}
	press(t, m, "esc")
	if m.DetailOpen() || m.Cursor() != 2 {
		t.Errorf("esc: open %v cursor %d", m.DetailOpen(), m.Cursor())
	}
}

func TestMultiSelect(t *testing.T) {
	m, fill := newPeople(t, 80, 5, WithMultiSelect())
	press(t, m, "space", "down", "space")
	if got := m.Selected(); !slices.Equal(got, []int{0, 2}) {
		t.Errorf("selected %v", got)
	}
	v := tuitest.Strip(m.View(fill))
	if strings.Count(v, "✓") != 2 {
		t.Errorf("selection not shown:\n%s", v)
	}
	m.ClearSelection()
	if len(m.Selected()) != 0 {
		t.Error("selection kept")
	}
}

func TestFollowKeepsRowInPlace(t *testing.T) {
	m, _ := newPeople(t, 80, 3)
	m.SetTotal(100)
	m.SetCursor(50)
	row := m.Cursor() - m.Offset()
	m.Follow(53) // three rows arrived on top
	if m.Cursor() != 53 || m.Cursor()-m.Offset() != row {
		t.Errorf("cursor %d offset %d", m.Cursor(), m.Offset())
	}
}

func TestCellPaintsKeepWidths(t *testing.T) {
	m, _ := newPeople(t, 80, 5)
	p := text.NewPaint(m.c.Styles.MoneyOut)
	v := m.View(func(i int, r *Row) {
		r.Add(people[i].name, people[i].email, people[i].paid.Format("KES"))
		r.PaintCell(2, p)
		r.Mark = ""
	})
	for _, l := range strings.Split(v, "\n")[1:] {
		if n := ansi.StringWidth(l); n != 80 {
			t.Errorf("row is %d wide: %q", n, l)
		}
	}
}

func TestGroup(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567"} {
		if got := group(n); got != want {
			t.Errorf("group(%d) = %q", n, got)
		}
	}
}

func ExampleModel() {
	c := &common.Common{Styles: common.NewStyles(true)}
	t := New(c, []Column{{Title: "NAME", Min: 6, Flex: 1}, {Title: "AMOUNT", Min: 12, Align: Right}})
	t.SetSize(30, 5)
	t.SetTotal(2)
	names := []string{"Wanjiku", "Otieno"}
	amounts := []client.Amount{123450, 500}
	fmt.Println(tuitest.Strip(t.View(func(i int, r *Row) { r.Add(names[i], amounts[i].Format("KES")) })))
	// Output:
	// NAME                  AMOUNT
	// ▸ Wanjiku         KES 1,234.50
	//   Otieno              KES 5.00
}

func TestFilterBox(t *testing.T) {
	c := &common.Common{Styles: common.NewStyles(true)}
	type step struct {
		keys    []string
		ev      FilterEvent
		query   string
		focused bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"typing narrows, enter keeps", []step{
			{[]string{"K"}, FilterChanged, "k", true},
			{[]string{"i", "p"}, FilterChanged, "kip", true},
			{[]string{"enter"}, FilterKept, "kip", false},
		}},
		{"esc clears", []step{
			{[]string{"o", "t"}, FilterChanged, "ot", true},
			{[]string{"esc"}, FilterCleared, "", false},
		}},
		{"spaces alone are no filter", []step{
			{[]string{" "}, FilterNone, "", true},
			{[]string{"enter"}, FilterKept, "", false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := NewFilterBox(c, textinput.New(), keys.NewFilterBox())
			if v := tuitest.Strip(f.View(20, -1)); v != "/ filter" {
				t.Fatalf("idle box shows %q", v)
			}
			f.Focus()
			for _, s := range tt.steps {
				var ev FilterEvent
				for _, k := range s.keys {
					_, ev = f.Update(tuitest.MustKey(k))
				}
				if ev != s.ev || f.Query() != s.query || f.Focused() != s.focused {
					t.Fatalf("%v: event %d query %q focused %v; want %d %q %v", s.keys, ev, f.Query(), f.Focused(), s.ev, s.query, s.focused)
				}
			}
			if f.Query() != "" && !strings.Contains(tuitest.Strip(f.View(20, 3)), "3 match") {
				t.Errorf("applied filter without its count: %q", tuitest.Strip(f.View(20, 3)))
			}
		})
	}
}

// TestClick: a click selects the row under it (lines count from the
// header), a second click on it opens it, and clicks off the rows or on
// a shown detail do nothing.
func TestClick(t *testing.T) {
	m, _ := newPeople(t, 80, 3)
	m.SetDetail(func(i int) tea.Msg { return openMsg{i} })
	press(t, m, "down", "down", "down") // rows 1-3 on screen, cursor on 3
	cases := []struct {
		line        int
		hit, again  bool
		cursor      int
		wantOpenRow int // -1: nothing opened
	}{
		{0, false, false, 3, -1}, // the header
		{1, true, false, 1, -1},
		{1, true, true, 1, 1},
		{3, true, false, 3, -1},
		{4, false, false, 3, -1}, // under the window
	}
	for _, tc := range cases {
		cmd, hit, again := m.Click(tc.line)
		if hit != tc.hit || again != tc.again || m.Cursor() != tc.cursor {
			t.Fatalf("line %d: hit %v again %v cursor %d, want %v %v %d", tc.line, hit, again, m.Cursor(), tc.hit, tc.again, tc.cursor)
		}
		if (cmd != nil) != (tc.wantOpenRow >= 0) || cmd != nil && cmd() != (openMsg{tc.wantOpenRow}) {
			t.Fatalf("line %d: open %v", tc.line, cmd)
		}
	}
	m.FilterWords([]string{"a", "b", "c", "d", "e"}, "b")
	if _, hit, _ := m.Click(2); hit {
		t.Error("a click under the only match hit a row")
	}
}

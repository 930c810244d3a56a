package subscriptions

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/table"
)

// list is one paginated list from the API (plans, customers,
// subscriptions, a subscription's transactions) as loaded so far, with a
// cursor and a filter over the loaded rows. Pages come one request at a
// time; the filter never fetches.
type list[T any] struct {
	name string // "plans", for messages
	id   func(T) string
	text func(T) string // what the filter searches

	rows []T
	hay  []string // lower-cased text each row is filtered on
	seen map[string]bool

	gen     int // ties page answers to this list's current loading
	next    int // the next page to fetch; 0 when the server has no more
	count   int // the server's total, when it says
	loading bool
	again   bool // a reload was asked for while a page was loading
	loaded  bool // page 1 has arrived once
	err     string

	tbl    table.Model     // cursor, window and filter over rows
	filter table.FilterBox // the "/" box; hint says what it searches
}

func newList[T any](c *common.Common, km KeyMap, name, hint string, id, text func(T) string) *list[T] {
	// A page moves a whole window: the rows read last are one key away.
	tbl := table.New(c, nil, table.WithKeys(km.Nav), table.WithPage(func(rows int) int { return rows }))
	return &list[T]{name: name, id: id, text: text, seen: map[string]bool{},
		filter: table.NewFilterBox(c, uiform.NewInput(c.Styles, "/ ", hint, 80), km.FilterBox), tbl: tbl}
}

func (l *list[T]) shown() int { return l.tbl.Len() }

func (l *list[T]) at(i int) T { return l.rows[l.tbl.Index(i)] }

// current is the row under the cursor.
func (l *list[T]) current() (T, bool) {
	if i, ok := l.tbl.Current(); ok {
		return l.rows[i], true
	}
	var zero T
	return zero, false
}

func (l *list[T]) currentID() string {
	if r, ok := l.current(); ok {
		return l.id(r)
	}
	return ""
}

// byID finds a loaded row.
func (l *list[T]) byID(id string) (T, bool) {
	for _, r := range l.rows {
		if l.id(r) == id {
			return r, true
		}
	}
	var zero T
	return zero, false
}

// setPage takes a page: page 1 replaces the rows it holds (a status may
// have changed) and puts new ones on top, keeping older pages already
// loaded; later pages add what is not loaded yet (new rows on top shift
// IntaSend's pages, so pages overlap).
func (l *list[T]) setPage(page int, results []T, hasNext bool, count int) {
	keep := l.currentID()
	l.count = count
	if page == 1 {
		fresh := map[string]bool{}
		for _, r := range results {
			fresh[l.id(r)] = true
		}
		old := l.rows
		l.rows, l.hay, l.seen = nil, nil, map[string]bool{}
		l.add(results)
		if len(old) > len(results) { // older pages were loaded: keep them and where paging got to
			var rest []T
			for _, r := range old {
				if !fresh[l.id(r)] {
					rest = append(rest, r)
				}
			}
			l.add(rest)
		} else {
			l.next = 0
			if hasNext && len(results) > 0 {
				l.next = 2
			}
		}
		l.loaded = true
	} else {
		l.add(results)
		l.next = 0
		if hasNext && len(results) > 0 {
			l.next = page + 1
		}
	}
	l.applyFilter()
	l.tbl.SetCursor(l.indexOf(keep, l.tbl.Cursor()))
}

// put adds or replaces one row (a create's answer) without a reload.
func (l *list[T]) put(r T) {
	for i, x := range l.rows {
		if l.id(x) == l.id(r) {
			l.rows[i] = r
			l.hay[i] = strings.ToLower(l.text(r))
			l.applyFilter()
			return
		}
	}
	l.rows = append([]T{r}, l.rows...)
	l.hay = append([]string{strings.ToLower(l.text(r))}, l.hay...)
	l.seen[l.id(r)] = true
	l.count++
	l.applyFilter()
}

// reindex recomputes the filter text of every row: a subscription's text
// names its customer and plan, which may arrive after it.
func (l *list[T]) reindex() {
	for i, r := range l.rows {
		l.hay[i] = strings.ToLower(l.text(r))
	}
	l.applyFilter()
}

func (l *list[T]) add(rs []T) {
	for _, r := range rs {
		id := l.id(r)
		if id != "" && l.seen[id] {
			continue
		}
		l.seen[id] = true
		l.rows = append(l.rows, r)
		l.hay = append(l.hay, strings.ToLower(l.text(r)))
	}
}

// indexOf finds the shown row with id, or clamps def.
func (l *list[T]) indexOf(id string, def int) int {
	n := l.shown()
	if id != "" {
		for i := 0; i < n; i++ {
			if l.id(l.at(i)) == id {
				return i
			}
		}
	}
	return min(max(def, 0), max(n-1, 0))
}

// applyFilter recomputes the matching rows: every word of the query must
// appear in the row's text.
func (l *list[T]) applyFilter() {
	l.tbl.SetTotal(len(l.rows))
	l.tbl.FilterWords(l.hay, l.filter.Query())
}

// setCursor puts the cursor on shown row i in a window of rows.
func (l *list[T]) setCursor(i, rows int) {
	l.tbl.SetRows(rows)
	l.tbl.SetCursor(i)
}

func (l *list[T]) ensureVisible(rows int) { l.tbl.SetRows(rows) }

// wantsMore says whether the next page should be fetched: the cursor is
// within a screen of the end, and no filter is applied (`/` must never
// load everything).
func (l *list[T]) wantsMore(rows int) bool {
	return l.next != 0 && !l.loading && l.filter.Query() == "" && l.tbl.Cursor() >= l.shown()-rows
}

// move applies a navigation key; it reports whether the key was one.
func (l *list[T]) move(k tea.KeyPressMsg, rows int) bool {
	l.tbl.SetRows(rows)
	_, ok := l.tbl.Update(k)
	return ok
}

func (l *list[T]) startFilter() tea.Cmd { return l.filter.Focus() }

// clearFilter shows every row again, the cursor on the row it was on.
func (l *list[T]) clearFilter(rows int) {
	l.filter.Clear()
	l.applyFilter()
	l.ensureVisible(rows)
}

// filterKey edits the filter; rows narrow as the user types.
func (l *list[T]) filterKey(msg tea.Msg, rows int) tea.Cmd {
	cmd, ev := l.filter.Update(msg)
	if ev == table.FilterChanged || ev == table.FilterCleared {
		l.applyFilter()
		l.ensureVisible(rows)
	}
	return cmd
}

func (l *list[T]) isFiltering() bool { return l.filter.Focused() }
func (l *list[T]) hasQuery() bool    { return l.filter.Query() != "" }

// pane is what the Model does to whichever list is in front, whatever its
// row type.
type pane interface {
	isFiltering() bool
	hasQuery() bool
	ensureVisible(rows int)
	move(k tea.KeyPressMsg, rows int) bool
	startFilter() tea.Cmd
	clearFilter(rows int)
	filterKey(msg tea.Msg, rows int) tea.Cmd
}

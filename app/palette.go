package app

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/sahilm/fuzzy"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// paletteEntry is one runnable line of the command palette: either a shell
// action (run) or a view's Action (msg, sent to the view that offered it).
type paletteEntry struct {
	title, help, key string
	where            string // the view an action belongs to, when not the active one
	danger           bool
	view             int // shellOwner for shell actions
	msg              tea.Msg
	run              func(m *Model) tea.Cmd
}

// palette is the `:` / ctrl+p command palette (lazygit #4008, k9s `:`):
// type to filter fuzzily, enter runs the selected entry. It is built fresh
// each time it opens, from every view's Actions() that the role may use
// (the active view's first) and the shell's; what is typed is also looked
// up at IntaSend by id (search.go), and what is found comes first.
type palette struct {
	keys    PaletteKeyMap
	input   textinput.Model
	entries []paletteEntry
	shown   []int // indexes into entries, best match first
	cursor  int

	tag       int            // the current search; older answers are dropped
	searching bool           // a search is scheduled or running
	searchErr error          // the search could not reach IntaSend
	found     []paletteEntry // what the search found, shown first
}

func newPalette(s *common.Styles, entries []paletteEntry) *palette {
	in := textinput.New()
	in.Prompt = ": "
	in.Placeholder = "type to filter"
	st := textinput.DefaultStyles(s.IsDark)
	st.Cursor.Blink = false
	in.SetStyles(st)
	in.Focus()
	p := &palette{keys: DefaultPaletteKeyMap(), input: in, entries: entries}
	p.filter()
	return p
}

// entrySource adapts entries to fuzzy.Source: the title and the key match.
type entrySource []paletteEntry

func (e entrySource) String(i int) string { return e[i].title + " " + e[i].where }
func (e entrySource) Len() int            { return len(e) }

func (p *palette) filter() {
	q := strings.TrimSpace(p.input.Value())
	p.shown = p.shown[:0]
	if q == "" {
		for i := range p.entries {
			p.shown = append(p.shown, i)
		}
	} else {
		for _, m := range fuzzy.FindFrom(q, entrySource(p.entries)) {
			p.shown = append(p.shown, m.Index)
		}
	}
	p.cursor = 0
}

// rows is what the palette lists, in order: search hits, then the
// entries that match the filter.
func (p *palette) rows() []*paletteEntry {
	out := make([]*paletteEntry, 0, len(p.found)+len(p.shown))
	for i := range p.found {
		out = append(out, &p.found[i])
	}
	for _, i := range p.shown {
		out = append(out, &p.entries[i])
	}
	return out
}

// selected is the highlighted entry, or nil when nothing matches.
func (p *palette) selected() *paletteEntry {
	rows := p.rows()
	if p.cursor < 0 || p.cursor >= len(rows) {
		return nil
	}
	return rows[p.cursor]
}

// setHits shows a search's answer; each hit opens in its view.
func (p *palette) setHits(msg searchDoneMsg) {
	p.searching, p.searchErr, p.found = false, msg.err, nil
	for _, h := range msg.hits {
		h := h
		p.found = append(p.found, paletteEntry{title: h.title, help: h.help, where: h.tab, view: shellOwner,
			run: func(m *Model) tea.Cmd { return m.goTo(common.GoToMsg{Tab: h.tab, Msg: h.msg}) }})
	}
	p.cursor = 0
}

// update handles a key. It returns done when the palette should close, and
// the entry to run (nil when closed without running).
func (p *palette) update(msg tea.KeyPressMsg) (run *paletteEntry, done bool) {
	switch {
	case key.Matches(msg, p.keys.Close):
		return nil, true
	case key.Matches(msg, p.keys.Run):
		return p.selected(), true
	case key.Matches(msg, p.keys.Up):
		if p.cursor > 0 {
			p.cursor--
		}
		return nil, false
	case key.Matches(msg, p.keys.Down):
		if p.cursor < len(p.rows())-1 {
			p.cursor++
		}
		return nil, false
	}
	before := p.input.Value()
	p.input, _ = p.input.Update(msg)
	if p.input.Value() != before {
		p.filter()
	}
	return nil, false
}

// view renders the palette as a dialog at most width wide and height tall.
func (p *palette) view(s *common.Styles, width, height int) string {
	w := min(64, width-4)
	inner := w - s.Dialog.GetHorizontalFrameSize()
	p.input.SetWidth(inner - 3)
	rows := max(1, min(12, height-10))
	start := 0
	if p.cursor >= rows {
		start = p.cursor - rows + 1
	}
	var lines []string
	lines = append(lines, s.Title.Render("Commands"), p.input.View(), p.status(s, inner))
	all := p.rows()
	if len(all) == 0 && !p.searching {
		lines = append(lines, s.Faint.Render("no command matches"))
	}
	for i := start; i < len(all) && i < start+rows; i++ {
		lines = append(lines, p.row(s, *all[i], i == p.cursor, inner))
	}
	if e := p.selected(); e != nil && e.help != "" {
		lines = append(lines, "", s.Faint.Render(ansi.Truncate(e.help, inner, "…")))
	}
	return s.Dialog.Width(w).Render(strings.Join(lines, "\n"))
}

// row draws one entry: a marker (so the selection shows without colour),
// the title, a danger mark and the key that does the same thing.
func (p *palette) row(s *common.Styles, e paletteEntry, sel bool, width int) string {
	mark := "  "
	if sel {
		mark = "› "
	}
	title := e.title
	if e.danger {
		title += " " + common.SymWarn
	}
	k := e.key
	if e.where != "" {
		k = strings.TrimSpace(e.where + " " + k)
	}
	gap := width - 2 - ansi.StringWidth(title) - ansi.StringWidth(k)
	if gap < 1 {
		title = ansi.Truncate(title, width-3-ansi.StringWidth(k), "…")
		gap = 1
	}
	line := mark + title + strings.Repeat(" ", gap) + k
	if sel {
		return s.SelectedRow.Render(line)
	}
	return s.Text.Render(mark+title+strings.Repeat(" ", gap)) + s.Key.Render(k)
}

// status is the line under the filter: what the id search is doing.
func (p *palette) status(s *common.Styles, width int) string {
	switch {
	case p.searching:
		return s.Faint.Render(common.SymPending + " looking it up at IntaSend…")
	case p.searchErr != nil:
		return s.Warning.Render(ansi.Truncate(common.SymWarn+" search failed: "+text.ErrText(p.searchErr), width, "…"))
	}
	return ""
}

// paletteEntries builds the palette for the current state: the active
// view's actions (what the user is most likely after), the shell's, then
// every other view's, each of which opens its view first. Actions the role
// may not perform are not offered at all (common.Allowed).
func (m *Model) paletteEntries() []paletteEntry {
	order := m.viewOrder()
	var out []paletteEntry
	if len(order) > 0 {
		out = m.viewEntries(order[0], out)
	}
	out = append(out, m.shellEntries()...)
	for _, i := range order[min(1, len(order)):] {
		out = m.viewEntries(i, out)
	}
	return out
}

// viewEntries appends view i's actions that the role may use.
func (m *Model) viewEntries(i int, out []paletteEntry) []paletteEntry {
	where := ""
	if i != m.active {
		where = m.views[i].Title()
	}
	for _, a := range m.views[i].Actions() {
		if allowed(m.role(), a.Perm) {
			out = append(out, paletteEntry{title: a.Title, help: a.Help, key: a.Key.Help().Key, where: where,
				danger: a.Danger, view: i, msg: a.Msg})
		}
	}
	return out
}

// shellEntries are the shell's own actions: switching views, refresh,
// help and quit.
func (m *Model) shellEntries() []paletteEntry {
	var out []paletteEntry
	for i, v := range m.views {
		if i == m.active {
			continue
		}
		out = append(out, paletteEntry{title: "Go to " + v.Title(), key: m.goToKey(i), view: shellOwner,
			run: func(m *Model) tea.Cmd { return m.switchTo(i) }})
	}
	if m.refreshable() {
		out = append(out, paletteEntry{title: "Refresh", help: "Reload this view from IntaSend", key: m.keys.Refresh.Help().Key,
			view: shellOwner, run: func(m *Model) tea.Cmd { return m.refresh() }})
	}
	return append(out,
		paletteEntry{title: "Show help", help: "Every key of this view and the global ones", key: m.keys.Help.Help().Key,
			view: shellOwner, run: func(m *Model) tea.Cmd { m.openHelp(); return nil }},
		paletteEntry{title: "Quit", key: m.keys.Quit.Help().Key, view: shellOwner,
			run: func(m *Model) tea.Cmd { return m.quit() }},
	)
}

// viewOrder is the active view, then the others in tab order.
func (m *Model) viewOrder() []int {
	if len(m.views) == 0 {
		return nil
	}
	order := []int{m.active}
	for i := range m.views {
		if i != m.active {
			order = append(order, i)
		}
	}
	return order
}

// overlay places fg centred over bg (both full-screen strings).
func overlay(bg, fg string, width, height int) string {
	x := max(0, (width-lipgloss.Width(fg))/2)
	y := max(0, (height-lipgloss.Height(fg))/2)
	return place(bg, fg, x, y, width)
}

// place draws fg over bg with its top-left corner at x, y, splicing lines
// (ANSI-aware) instead of compositing cell buffers: about five times cheaper
// per frame than lipgloss' Compositor at 120x40. Every line of bg must be
// exactly width cells (Render's frame is); the result keeps that.
func place(bg, fg string, x, y, width int) string {
	lines := strings.Split(bg, "\n")
	fgLines := strings.Split(fg, "\n")
	fw := 0
	for _, l := range fgLines {
		fw = max(fw, ansi.StringWidth(l))
	}
	fw = min(fw, width-x)
	const reset = "\x1b[m"
	for i, fl := range fgLines {
		row := y + i
		if row < 0 || row >= len(lines) {
			continue
		}
		bl := lines[row]
		left := ansi.Truncate(bl, x, "")
		if lw := ansi.StringWidth(left); lw < x { // a wide rune straddled x
			left += strings.Repeat(" ", x-lw)
		}
		switch w := ansi.StringWidth(fl); {
		case w < fw:
			fl += strings.Repeat(" ", fw-w)
		case w > fw:
			fl = ansi.Truncate(fl, fw, "")
		}
		right := ansi.TruncateLeft(bl, x+fw, "")
		if rw := width - x - fw; ansi.StringWidth(right) < rw {
			right = strings.Repeat(" ", rw-ansi.StringWidth(right)) + right
		}
		lines[row] = left + reset + fl + reset + right
	}
	return strings.Join(lines, "\n")
}

// goToKey is the digit that opens view i ("" past the sixth).
func (m *Model) goToKey(i int) string {
	if i < len(m.keys.GoTo) {
		return m.keys.GoTo[i].Help().Key
	}
	return ""
}

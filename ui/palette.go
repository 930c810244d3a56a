package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/sahilm/fuzzy"

	"github.com/malipo/malipo/ui/common"
)

// paletteEntry is one runnable line of the command palette: either a shell
// action (run) or a view's Action (msg, sent to the view that offered it).
type paletteEntry struct {
	title, help, key string
	danger           bool
	view             int // shellOwner for shell actions
	msg              tea.Msg
	run              func(m *Model) tea.Cmd
}

// palette is the `:` / ctrl+p command palette (lazygit #4008, k9s `:`):
// type to filter fuzzily, enter runs the selected entry. It is built fresh
// each time it opens, from the shell's actions and the active view's
// Actions() that the role may use.
type palette struct {
	keys    PaletteKeyMap
	input   textinput.Model
	entries []paletteEntry
	shown   []int // indexes into entries, best match first
	cursor  int
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

func (e entrySource) String(i int) string { return e[i].title }
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

// selected is the highlighted entry, or nil when nothing matches.
func (p *palette) selected() *paletteEntry {
	if len(p.shown) == 0 {
		return nil
	}
	return &p.entries[p.shown[p.cursor]]
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
		if p.cursor < len(p.shown)-1 {
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
	lines = append(lines, s.Title.Render("Commands"), p.input.View(), "")
	if len(p.shown) == 0 {
		lines = append(lines, s.Faint.Render("no command matches"))
	}
	for i := start; i < len(p.shown) && i < start+rows; i++ {
		lines = append(lines, p.row(s, p.entries[p.shown[i]], i == p.cursor, inner))
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

// paletteEntries builds the palette for the current state: the active
// view's actions first (what the user is most likely after), then the
// shell's. Actions the role may not perform are not offered at all.
func (m *Model) paletteEntries() []paletteEntry {
	var out []paletteEntry
	if len(m.views) > 0 {
		for _, a := range m.views[m.active].Actions() {
			if !allowed(m.role(), a.Perm) {
				continue
			}
			out = append(out, paletteEntry{title: a.Title, help: a.Help, key: a.Key.Help().Key, danger: a.Danger, view: m.active, msg: a.Msg})
		}
	}
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
	out = append(out,
		paletteEntry{title: "Toggle help", help: "Every key of this view and the global ones", key: m.keys.Help.Help().Key,
			view: shellOwner, run: func(m *Model) tea.Cmd { m.openHelp(); return nil }},
		paletteEntry{title: "Quit", key: m.keys.Quit.Help().Key, view: shellOwner,
			run: func(m *Model) tea.Cmd { return m.quit() }},
	)
	return out
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

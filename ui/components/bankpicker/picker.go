// Package bankpicker is a reusable bank-code picker: the Kenyan bank list
// from IntaSend (send-money/bank-codes/ke/), cached for the session and on
// disk for a day, filtered fuzzily on name or code as the user types.
//
// Embedding it (e.g. as a modal in a payout composer):
//
//	cache := bankpicker.NewCache()               // share one per session
//	p := bankpicker.New(c, cache)
//	p.SetSize(60, 14)                             // content size, no border
//	cmd := tea.Batch(p.Focus(), p.Load())         // open it
//	...
//	case bankpicker.LoadedMsg:                    // route it to the picker
//		p, cmd = p.Update(msg)
//	case tea.KeyPressMsg:                         // while it is open: all keys
//		p, cmd = p.Update(msg)
//	case bankpicker.PickedMsg:                    // enter: msg.Bank
//	case bankpicker.CancelledMsg:                 // esc
//	...
//	st.FocusedBox.Render(p.View())                // the host draws the frame
//
// While it is open the host's Capturing() must be true: every printable
// key is part of the filter.
package bankpicker

import (
	"context"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/keys"
	"github.com/malipo/malipo/ui/components/table"
)

// requestTO bounds one fetch of the list.
const requestTO = 30 * time.Second

// PickedMsg is sent when the user chooses a bank (enter).
type PickedMsg struct{ Bank client.Bank }

// CancelledMsg is sent when the user leaves the picker without choosing (esc).
type CancelledMsg struct{}

// LoadedMsg carries the list to the picker. Hosts must route it to
// Update; it comes from Load or Reload.
type LoadedMsg struct {
	Banks  []client.Bank
	Source Source
	// FetchedAt is when the list was fetched from IntaSend.
	FetchedAt time.Time
	Err       error
}

// KeyMap is the picker's bindings. Letters are never bound: they filter.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Choose, Cancel key.Binding
}

// DefaultKeyMap returns the picker's bindings.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return KeyMap{
		Up:       b([]string{"up", "ctrl+k"}, "↑", "up"),
		Down:     b([]string{"down", "ctrl+j"}, "↓", "down"),
		PageUp:   b([]string{"pgup"}, "pgup", "page up"),
		PageDown: b([]string{"pgdown"}, "pgdn", "page down"),
		Choose:   b([]string{"enter"}, "enter", "choose"),
		Cancel:   b([]string{"esc"}, "esc", "cancel"),
	}
}

// Model is the picker. Create it with New; it is a value, like the bubbles
// components: keep the one Update returns.
type Model struct {
	c     *common.Common
	cache *Cache
	keys  KeyMap
	input textinput.Model

	banks []client.Bank // sorted by name
	hay   haystack      // what each bank is matched on
	shown []int         // the banks the filter lets through, best first
	hits  [][]int       // per bank: the bytes of "name code" that matched
	query string        // the filter applied to shown

	tbl           table.Model // cursor, scroll window and columns
	width, height int

	loading bool
	loaded  bool
	source  Source
	fetched time.Time
	err     string
}

// haystack is the text fuzzy matches on: "Name code" per bank.
type haystack []string

func (h haystack) String(i int) string { return h[i] }
func (h haystack) Len() int            { return len(h) }

// New builds a picker. cache may be shared between pickers; nil gives this
// picker its own (with the default disk file).
func New(c *common.Common, cache *Cache) Model {
	if cache == nil {
		cache = NewCache()
	}
	in := textinput.New()
	in.Prompt = "Bank › "
	in.Placeholder = "name or code, e.g. equity or 68"
	in.CharLimit = 40
	st := c.Styles
	s := textinput.DefaultStyles(st.IsDark)
	s.Focused.Placeholder, s.Blurred.Placeholder = st.Faint, st.Faint
	s.Focused.Text, s.Blurred.Text = st.Text, st.Text
	s.Focused.Prompt, s.Blurred.Prompt = st.Key, st.Faint
	s.Cursor.Blink = false // a blinking cursor redraws twice a second for nothing
	s.Cursor.Color = st.Accent
	in.SetStyles(s)
	m := Model{c: c, cache: cache, keys: DefaultKeyMap(), input: in}
	m.tbl = table.New(c, columns(), table.WithKeys(keys.Nav{
		Up: m.keys.Up, Down: m.keys.Down, PageUp: m.keys.PageUp, PageDown: m.keys.PageDown,
	}))
	m.SetSize(60, 12)
	return m
}

// columns: the code right-aligned (IntaSend's codes are at most 2 digits
// today; 4 leaves room without shifting names), the name takes the rest.
func columns() []table.Column {
	return []table.Column{
		{Title: "CODE", Min: 4, Align: table.Right},
		{Title: "BANK", Min: 4, Flex: 1},
	}
}

// Load fetches the list through the cache (memory, then disk, then
// IntaSend). The answer is a LoadedMsg.
func (m *Model) Load() tea.Cmd {
	if m.loading {
		return nil
	}
	m.loading = true
	cache, cl, base := m.cache, m.c.Client, m.c.Context()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, requestTO)
		defer cancel()
		banks, src, err := cache.Banks(ctx, cl)
		return LoadedMsg{Banks: banks, Source: src, FetchedAt: cache.FetchedAt(), Err: err}
	}
}

// Reload asks IntaSend again, bypassing both caches.
func (m *Model) Reload() tea.Cmd {
	if m.loading {
		return nil
	}
	m.loading = true
	cache, cl, base := m.cache, m.c.Client, m.c.Context()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(base, requestTO)
		defer cancel()
		banks, err := cache.Refresh(ctx, cl)
		return LoadedMsg{Banks: banks, Source: FromNetwork, FetchedAt: cache.FetchedAt(), Err: err}
	}
}

// SetSize gives the picker's content size in cells (the host draws any
// border around it).
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 16), max(h, 4)
	m.input.SetWidth(max(m.width-len(m.input.Prompt)-1, 4))
	m.tbl.SetSize(m.width, m.rows())
}

// Focus puts the cursor in the filter.
func (m *Model) Focus() tea.Cmd { return m.input.Focus() }

// Blur takes the cursor out of the filter.
func (m *Model) Blur() { m.input.Blur() }

// Focused reports whether the filter has the cursor.
func (m Model) Focused() bool { return m.input.Focused() }

// Query is the filter as typed.
func (m Model) Query() string { return m.input.Value() }

// Reset clears the filter and puts the cursor on the first bank.
func (m *Model) Reset() {
	m.input.SetValue("")
	m.refilter()
}

// Loading reports whether a fetch is under way.
func (m Model) Loading() bool { return m.loading }

// Loaded reports whether a list has arrived.
func (m Model) Loaded() bool { return m.loaded }

// Err is the last fetch's error text, "" when it worked.
func (m Model) Err() string { return m.err }

// Source says where the shown list came from.
func (m Model) Source() Source { return m.source }

// FetchedAt is when the shown list was fetched from IntaSend (zero when
// not known).
func (m Model) FetchedAt() time.Time { return m.fetched }

// Banks is the whole list, sorted by name.
func (m Model) Banks() []client.Bank { return m.banks }

// Matches is the banks the filter lets through, best first.
func (m Model) Matches() []client.Bank {
	out := make([]client.Bank, len(m.shown))
	for i, idx := range m.shown {
		out[i] = m.banks[idx]
	}
	return out
}

// Selected is the bank under the cursor.
func (m Model) Selected() (client.Bank, bool) {
	i, ok := m.tbl.Current()
	if !ok {
		return client.Bank{}, false
	}
	return m.banks[i], true
}

// Click is a mouse click on line y of View (0 is the filter line): it
// selects the bank under it, and a click on the bank already selected
// picks it, as enter does.
func (m *Model) Click(y int) tea.Cmd {
	if !m.loaded {
		return nil
	}
	_, hit, again := m.tbl.Click(y - 1)
	if !hit || !again {
		return nil
	}
	b, ok := m.Selected()
	if !ok {
		return nil
	}
	return func() tea.Msg { return PickedMsg{Bank: b} }
}

// SetHelp renames what enter and esc do in the footer and help, for hosts
// where they mean something else ("copy code", "clear filter").
func (m *Model) SetHelp(choose, cancel string) {
	m.keys.Choose.SetHelp("enter", choose)
	m.keys.Cancel.SetHelp("esc", cancel)
}

// KeyMap returns the bindings, for the host's help.
func (m Model) KeyMap() KeyMap { return m.keys }

// ShortHelp is the picker's footer help.
func (m Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Up, m.keys.Down, m.keys.Choose, m.keys.Cancel}
}

// Update handles keys, pastes and LoadedMsg.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case LoadedMsg:
		m.onLoaded(msg)
		return m, nil
	case tea.KeyPressMsg:
		return m.onKey(msg)
	case tea.PasteMsg:
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(msg)
		m.refilter()
		return m, cmd
	}
	return m, nil
}

func (m *Model) onLoaded(msg LoadedMsg) {
	m.loading = false
	if msg.Err != nil {
		m.err = errText(msg.Err)
		return
	}
	m.err = ""
	m.loaded = true
	m.source, m.fetched = msg.Source, msg.FetchedAt
	m.setBanks(msg.Banks)
}

// setBanks stores the list sorted by name (people look banks up by name;
// IntaSend sends them by code) and reapplies the filter.
func (m *Model) setBanks(banks []client.Bank) {
	keep, hadSel := m.Selected()
	m.banks = append([]client.Bank(nil), banks...)
	sort.SliceStable(m.banks, func(i, j int) bool {
		return strings.ToLower(m.banks[i].Name) < strings.ToLower(m.banks[j].Name)
	})
	m.hay = make(haystack, len(m.banks))
	for i, b := range m.banks {
		m.hay[i] = b.Name + " " + b.Code
	}
	m.tbl.SetTotal(len(m.banks))
	m.query = "\x00" // force
	m.refilter()
	if hadSel {
		m.tbl.Find(func(i int) bool { return m.banks[i] == keep })
	}
}

func (m Model) onKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	if _, ok := m.tbl.Update(k); ok { // ↑↓, pages
		return m, nil
	}
	switch {
	case key.Matches(k, m.keys.Cancel):
		return m, func() tea.Msg { return CancelledMsg{} }
	case key.Matches(k, m.keys.Choose):
		b, ok := m.Selected()
		if !ok {
			return m, nil
		}
		return m, func() tea.Msg { return PickedMsg{Bank: b} }
	}
	var cmd tea.Cmd
	if !m.input.Focused() && k.Text != "" {
		cmd = m.input.Focus() // typing always filters
	}
	var c2 tea.Cmd
	m.input, c2 = m.input.Update(k)
	m.refilter()
	return m, tea.Batch(cmd, c2)
}

// refilter recomputes the shown banks when the query changed. An exact
// code match comes first ("68" → Equity Bank), then fuzzy matches on
// "name code" by score, ties in name order. The table gets them through
// its filter hook, so it shows "N of M" and puts the cursor on the best.
func (m *Model) refilter() {
	q := strings.TrimSpace(m.input.Value())
	if q == m.query {
		return
	}
	m.query = q
	m.shown = m.shown[:0]
	m.hits = append(m.hits[:0], make([][]int, len(m.banks))...)
	if q == "" {
		for i := range m.banks {
			m.shown = append(m.shown, i)
		}
		m.tbl.ClearFilter()
		m.tbl.SetCursor(0)
		return
	}
	exact := -1
	for i, b := range m.banks {
		if b.Code == q {
			exact = i
			m.shown = append(m.shown, i)
			break
		}
	}
	for _, r := range fuzzy.FindFrom(q, m.hay) {
		if r.Index == exact {
			continue
		}
		m.shown = append(m.shown, r.Index)
		m.hits[r.Index] = r.MatchedIndexes
	}
	m.tbl.SetMatch(m.shown, q)
	m.tbl.SetCursor(0)
}

// rows is how many banks fit: the input line, the header and the footer
// take three.
func (m Model) rows() int { return max(m.height-3, 1) }

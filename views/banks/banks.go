// Package banks is the console's Banks tab: IntaSend's Kenyan bank codes,
// filtered as you type (the reusable bankpicker component), and on enter
// the chosen code is shown in a toast and copied to the clipboard (OSC 52).
//
// Typing any letter that is not a global key starts the filter, so "equ"
// finds Equity in three keystrokes; `/` starts it explicitly (needed for a
// code, since digits switch tabs), esc clears it.
package banks

import (
	"errors"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/bankpicker"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

// KeyMap is the tab's own bindings (the picker's arrows come with it).
type KeyMap struct {
	Filter, Copy, Clear, Refresh key.Binding
}

// DefaultKeyMap returns the tab's bindings.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return KeyMap{
		Filter:  b([]string{"/"}, "/ or type", "filter by name or code"),
		Copy:    b([]string{"enter"}, "enter", "copy bank code"),
		Clear:   b([]string{"esc"}, "esc", "clear filter"),
		Refresh: b([]string{"r"}, "r", "refresh from IntaSend"),
	}
}

// Model is the Banks tab. Use New.
type Model struct {
	c      *common.Common
	cache  *bankpicker.Cache
	keys   KeyMap
	picker bankpicker.Model

	width, height int
	last          string // the code copied last, shown in the title line
}

// New builds the Banks tab with its own session cache (and the shared disk
// file). Use NewWithCache to share the session cache with other pickers.
func New(c *common.Common) common.View { return NewWithCache(c, bankpicker.NewCache()) }

// NewWithCache builds the Banks tab on a session cache shared with others
// (the payout composer's picker), so the list is fetched once.
func NewWithCache(c *common.Common, cache *bankpicker.Cache) common.View {
	return newModel(c, cache)
}

func newModel(c *common.Common, cache *bankpicker.Cache) *Model {
	m := &Model{c: c, cache: cache, keys: DefaultKeyMap(), picker: bankpicker.New(c, cache)}
	m.picker.SetHelp("copy code", "clear filter")
	m.SetSize(80, 20)
	return m
}

// Init loads the list (memory, disk or IntaSend).
func (m *Model) Init() tea.Cmd { return m.picker.Load() }

// Title is the tab label.
func (m *Model) Title() string { return "Banks" }

// SetSize gives the body's size; the picker gets all but the title line.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 20), max(h, 5)
	m.picker.SetSize(m.width, m.height-1)
}

// Capturing is true while the filter has the cursor.
func (m *Model) Capturing() bool { return m.picker.Focused() }

// TakesDigits: the tab is a picker, and bank codes are numbers, so a
// typed digit filters (common.DigitTaker) rather than switching tabs.
func (m *Model) TakesDigits() bool { return true }

// Refresh asks IntaSend again (the shell's `r`).
func (m *Model) Refresh() tea.Cmd { return m.picker.Reload() }

type refreshMsg struct{}

// Actions are offered in the command palette.
func (m *Model) Actions() []common.Action {
	return []common.Action{{Title: "Refresh bank codes", Help: "ask IntaSend for the bank list again", Key: m.keys.Refresh, Msg: refreshMsg{}}}
}

// ShortHelp is the footer's help for the current state.
func (m *Model) ShortHelp() []key.Binding {
	pk := m.picker.KeyMap()
	if m.picker.Focused() {
		return []key.Binding{pk.Up, pk.Down, m.keys.Copy, m.keys.Clear}
	}
	return []key.Binding{pk.Up, pk.Down, m.keys.Filter, m.keys.Copy, m.keys.Refresh}
}

// FullHelp is every binding, for the `?` overlay.
func (m *Model) FullHelp() [][]key.Binding {
	pk := m.picker.KeyMap()
	return [][]key.Binding{{pk.Up, pk.Down, pk.PageUp, pk.PageDown}, {m.keys.Filter, m.keys.Clear, m.keys.Copy, m.keys.Refresh}}
}

// Update handles keys, the picker's answers and the list's arrival.
func (m *Model) Update(msg tea.Msg) (common.View, tea.Cmd) {
	return m, m.update(msg)
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case bankpicker.LoadedMsg:
		var cmd tea.Cmd
		m.picker, cmd = m.picker.Update(msg)
		if msg.Err != nil && !m.picker.Loaded() {
			cmd = tea.Batch(cmd, common.Error("Could not load bank codes", msg.Err))
		}
		if msg.Source == bankpicker.FromNetwork || msg.Err != nil {
			cmd = tea.Batch(cmd, health(msg.Err, m.c.Now()))
		}
		return cmd
	case bankpicker.PickedMsg:
		m.picker.Blur() // the filter stays; tab keys work again
		m.last = msg.Bank.Code
		return tea.Batch(common.Clipboard(msg.Bank.Code), common.Toast(common.ToastSuccess,
			fmt.Sprintf("%s %s: bank code %s (copied)", common.SymOK, msg.Bank.Name, msg.Bank.Code)))
	case bankpicker.CancelledMsg:
		return nil
	case refreshMsg:
		return m.Refresh()
	case tea.PasteMsg:
		cmd := m.picker.Focus()
		var c2 tea.Cmd
		m.picker, c2 = m.picker.Update(msg)
		return tea.Batch(cmd, c2)
	case tea.KeyPressMsg:
		return m.onKey(msg)
	}
	return nil
}

func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.Clear):
		// esc clears the filter here; the picker's own esc means "cancel",
		// which a tab has nothing to cancel to.
		m.picker.Reset()
		m.picker.Blur()
		return nil
	case !m.picker.Focused() && key.Matches(k, m.keys.Filter):
		return m.picker.Focus()
	}
	var cmd tea.Cmd
	m.picker, cmd = m.picker.Update(k) // a printable key focuses the filter
	return cmd
}

// View draws the title line and the picker.
func (m *Model) View() string {
	st := m.c.Styles
	title := st.Title.Render("Banks")
	var right string
	switch {
	case m.picker.Loading():
		right = st.Faint.Render(common.SymPending + " loading…")
	case m.picker.Loaded():
		right = st.Faint.Render(m.sourceText())
	}
	if m.last != "" {
		right = st.Faint.Render("copied "+m.last+" · ") + right
	}
	gap := m.width - text.Width(title) - text.Width(right)
	line := title + fmt.Sprintf("%*s", max(gap, 2), "") + right
	if gap < 2 {
		line = ansi.Truncate(line, m.width, "…")
	}
	return line + "\n" + m.picker.View()
}

var (
	_ common.Clickable = (*Model)(nil)
	_ common.Copier    = (*Model)(nil)
)

// CopyText is the bank code under the cursor, for the shell's `y` (enter
// copies it too). While the filter has the cursor, y is a letter.
func (m *Model) CopyText() (label, text string) {
	if m.picker.Focused() {
		return "", ""
	}
	if b, ok := m.picker.Selected(); ok {
		return "bank code", b.Code
	}
	return "", ""
}

// ClickRow selects the bank on body line y (the picker starts under the
// title line); a second click copies its code, as enter does.
func (m *Model) ClickRow(y int) tea.Cmd { return m.picker.Click(y - 1) }

// sourceText says how fresh the list is.
func (m *Model) sourceText() string {
	at := m.picker.FetchedAt()
	if at.IsZero() {
		return "bank codes"
	}
	stamp := when.DayTime(m.c.Now(), at)
	if m.picker.Source() == bankpicker.FromNetwork {
		return "from IntaSend at " + stamp
	}
	return "cached list from " + stamp
}

// health reports a fetch's outcome to the status bar: a 4xx is a healthy
// connection with a refused request.
func health(err error, at time.Time) tea.Cmd {
	ok := err == nil
	var ae *client.APIError
	if errors.As(err, &ae) && ae.Status < 500 && ae.Status != 429 {
		ok = true
	}
	return func() tea.Msg { return common.HealthMsg{OK: ok, At: at} }
}

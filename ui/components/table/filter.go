package table

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/keys"
)

// FilterBox is the "/" box over a table: what is typed narrows the rows as
// one types, enter keeps the filter and leaves the box, esc clears it. The
// view turns Query into rows (FilterWords, or its own filter and SetMatch).
type FilterBox struct {
	c       *common.Common
	input   textinput.Model
	keys    keys.FilterBox
	focused bool
	query   string // applied: trimmed, lower-cased
}

// FilterEvent is what a message did to the box.
type FilterEvent int

const (
	// FilterNone: nothing the view needs to act on.
	FilterNone FilterEvent = iota
	// FilterChanged: the query changed (typing, pasting).
	FilterChanged
	// FilterKept: enter left the box, the filter stays.
	FilterKept
	// FilterCleared: esc emptied the box and left it.
	FilterCleared
)

// NewFilterBox builds a box around in, the view's themed input (its
// placeholder says what is searched: "name, amount, id"); k are the view's
// filter-box keys, so help and the box agree.
func NewFilterBox(c *common.Common, in textinput.Model, k keys.FilterBox) FilterBox {
	return FilterBox{c: c, input: in, keys: k}
}

// Focus puts the cursor in the box.
func (f *FilterBox) Focus() tea.Cmd {
	f.focused = true
	return f.input.Focus()
}

// Focused says whether the box takes the keys (the view's Capturing).
func (f *FilterBox) Focused() bool { return f.focused }

// Query is the filter applied: trimmed and lower-cased, "" for none.
func (f *FilterBox) Query() string { return f.query }

// Clear empties the box and leaves it; true when a filter was applied.
func (f *FilterBox) Clear() bool {
	had := f.query != ""
	f.input.SetValue("")
	f.input.Blur()
	f.focused, f.query = false, ""
	return had
}

// Update takes a key or a paste while the box is focused.
func (f *FilterBox) Update(msg tea.Msg) (tea.Cmd, FilterEvent) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, f.keys.ClearFilter):
			f.Clear()
			return nil, FilterCleared
		case key.Matches(k, f.keys.KeepFilter):
			f.input.Blur()
			f.focused = false
			if f.query == "" {
				f.input.SetValue("") // only spaces were typed
			}
			return nil, FilterKept
		}
	}
	var cmd tea.Cmd
	f.input, cmd = f.input.Update(msg)
	if q := strings.ToLower(strings.TrimSpace(f.input.Value())); q != f.query {
		f.query = q
		return cmd, FilterChanged
	}
	return cmd, FilterNone
}

// View is the box boxW cells wide while it is in use, with "N match" after
// it when matches is not negative; otherwise the hint "/ filter".
func (f *FilterBox) View(boxW, matches int) string {
	st := f.c.Styles
	if !f.focused && f.query == "" {
		return st.Faint.Render("/ filter")
	}
	f.input.SetWidth(max(boxW, 10))
	v := f.input.View()
	if matches >= 0 {
		v += st.Faint.Render(fmt.Sprintf("  %d match", matches))
	}
	return v
}

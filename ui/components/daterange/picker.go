package daterange

import (
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/keys"
	"github.com/malipo/malipo/ui/components/when"
)

// Picker is the small form that asks for a range: From and To, each
// checked as it is typed (the day it means is shown under it), and a
// range that ends before it starts refused on To. Both empty is "all
// dates". A view keeps a *Picker (nil while closed), routes keys and
// pastes to Update while it is open and draws View over its table.
type Picker struct {
	c    *common.Common
	form *form.Form
	rng  Range
}

// Event is what a message did to the picker.
type Event int

const (
	// Pending: still editing.
	Pending Event = iota
	// Applied: enter on a valid range; Range holds it (zero: all dates).
	Applied
	// Cancelled: esc; the view keeps its range.
	Cancelled
)

// dayLimit is "2026-12-01" and a little slack for spaces.
const dayLimit = 12

// NewPicker opens the form on cur, the view's range now; what is names the
// rows ("statement lines") for the title.
func NewPicker(c *common.Common, cur Range, what string) (*Picker, tea.Cmd) {
	now := c.Now()
	from, to := cur.Days(now)
	p := &Picker{c: c}
	ff := form.NewText(c.Styles, "from", "From", "first day, e.g. 7d", dayLimit).Optional().WithValue(from)
	tf := form.NewText(c.Styles, "to", "To", "last day, e.g. today", dayLimit).Optional().WithValue(to)
	ff.WithCheck(p.checkDay)
	tf.WithCheck(p.checkDay)
	f := form.New(keys.NewForm(), "Date range: "+what, ff, tf)
	f.Intro = []string{"Type " + Help + " (7 days ago). Leave both empty for all dates. Days are in " +
		when.Zone(now) + " time."}
	f.Rules = p.rules
	f.MaxWidth = 64
	p.form = f
	return p, f.Focus(0)
}

// checkDay is a field's own check: the day it names, or why it names none.
func (p *Picker) checkDay(fl *form.Field) (hint, err string) {
	if fl.Trimmed() == "" {
		return "", "" // an open end
	}
	now := p.c.Now()
	t, e := ParseDay(fl.Trimmed(), now)
	if e != nil {
		return "", e.Error()
	}
	return "= " + t.Format("Mon") + " " + when.Date(now, t), ""
}

// rules refuses a range that ends before it starts, on To.
func (p *Picker) rules(f *form.Form) {
	from, to := f.Get("from"), f.Get("to")
	if from.Err != "" || to.Err != "" {
		return
	}
	if _, err := Parse(from.Trimmed(), to.Trimmed(), p.c.Now()); err != nil {
		to.Err, to.Hint = err.Error(), ""
	}
}

// Update applies a key or a paste.
func (p *Picker) Update(msg tea.Msg) (Event, tea.Cmd) {
	ev := Pending
	cmd := p.form.Handle(msg, form.Handlers{
		Close: func() { ev = Cancelled },
		Send: func() tea.Cmd {
			r, err := Parse(p.form.Value("from"), p.form.Value("to"), p.c.Now())
			if err != nil { // Submit checked it: only a day passing midnight gets here
				p.form.Get("to").Err = err.Error()
				return nil
			}
			p.rng, ev = r, Applied
			return nil
		},
	})
	return ev, cmd
}

// Range is the range applied (after Applied).
func (p *Picker) Range() Range { return p.rng }

// View draws the form at most width cells wide.
func (p *Picker) View(width int) string { return p.form.View(p.c.Styles, "", width) }

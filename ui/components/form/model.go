package form

import (
	"errors"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/bankpicker"
	"github.com/malipo/malipo/ui/components/keys"
	"github.com/malipo/malipo/ui/components/text"
)

// State is where a form is in its life.
type State int

const (
	Editing    State = iota
	Confirming       // waiting for the shell's confirmation dialog
	Sending          // the request is in flight
)

// Event is what a message did to a form.
type Event int

const (
	Nothing   Event = iota
	Cancelled       // esc: the view closes the form
	Submitted       // enter on the last field: the view calls Submit
	Moved           // the focus moved (or stayed on a missing field)
	Edited          // a field's value changed
)

// Form is a stack of fields with the focus, IntaSend's last refusal and the
// form's state. Seq ties confirmations and results to one opening of it.
type Form struct {
	Title string
	Intro []string    // faint lines under the title, wrapped
	Facts [][2]string // read-only label/value lines above the fields ("From …")
	// Fields are the form's lines, in focus order.
	Fields []*Field
	// Err is IntaSend's message after a refused request.
	Err   string
	State State
	Seq   int
	// Help replaces the default key help at the foot; Sending replaces
	// "sending…".
	Help, Sending string
	// MaxWidth bounds the box (72 when 0).
	MaxWidth int
	// Rules, when set, runs after every field's own check: rules that span
	// fields (a payout row checked whole) set the fields' Err, Warn, Hint.
	Rules func(f *Form)

	keys   keys.Form
	focus  int
	picker *bankpicker.Model
}

// New is a form on km's keys; call Focus to give it the focus.
func New(km keys.Form, title string, fields ...*Field) *Form {
	return &Form{keys: km, Title: title, Fields: fields}
}

// Get is the field called key, or nil.
func (f *Form) Get(key string) *Field {
	for _, fl := range f.Fields {
		if fl.Key == key {
			return fl
		}
	}
	return nil
}

// Value is the trimmed value of the field called key ("" when none).
func (f *Form) Value(key string) string {
	if fl := f.Get(key); fl != nil {
		return fl.Trimmed()
	}
	return ""
}

// Focused is the index of the field with the focus.
func (f *Form) Focused() int { return f.focus }

// Current is the field with the focus.
func (f *Form) Current() *Field { return f.Fields[f.focus] }

// Typed reports whether anything was typed into a text field: a form with
// typing in it asks before it is thrown away.
func (f *Form) Typed() bool {
	for _, fl := range f.Fields {
		if fl.Kind != Choice && !fl.blank() {
			return true
		}
	}
	return false
}

// Focus moves the focus to field i (clamped), blurring the others.
func (f *Form) Focus(i int) tea.Cmd {
	if len(f.Fields) == 0 {
		return nil
	}
	f.focus = min(max(i, 0), len(f.Fields)-1)
	var cmd tea.Cmd
	for j, fl := range f.Fields {
		switch {
		case !fl.takesText():
		case j == f.focus:
			cmd = fl.input.Focus()
		default:
			fl.input.Blur()
		}
	}
	return cmd
}

// Check runs every field's rules, then the form's; ok when no field has
// an error (warnings are fine). Hints update; errors show once touched.
func (f *Form) Check() bool {
	for _, fl := range f.Fields {
		fl.validate()
	}
	if f.Rules != nil {
		f.Rules(f)
	}
	return f.firstError() < 0
}

func (f *Form) firstError() int {
	for i, fl := range f.Fields {
		if fl.Err != "" && !fl.Warn {
			return i
		}
	}
	return -1
}

// Submit is what every form does when it is sent: mark every field
// touched, forget the last refusal, check, and focus the first field in
// error. ok: the view may build its request from the fields.
func (f *Form) Submit() (ok bool, cmd tea.Cmd) {
	for _, fl := range f.Fields {
		fl.Touched = true
	}
	f.Err = ""
	if f.Check() {
		return true, nil
	}
	return false, f.Focus(f.firstError())
}

// Update applies a key, a paste or a bank picker's message to the form.
// Nothing happens while it waits for a confirmation or a result.
func (f *Form) Update(msg tea.Msg) (Event, tea.Cmd) {
	if f.picker != nil {
		return f.updatePicker(msg)
	}
	if f.State != Editing || len(f.Fields) == 0 {
		return Nothing, nil
	}
	cur := f.Current()
	switch msg := msg.(type) {
	case tea.PasteMsg:
		if !cur.takesText() {
			return Nothing, nil
		}
		cmd := cur.edit(msg)
		f.Check()
		return Edited, cmd
	case tea.KeyPressMsg:
		return f.key(cur, msg)
	}
	return Nothing, nil
}

func (f *Form) key(cur *Field, k tea.KeyPressMsg) (Event, tea.Cmd) {
	if cur.Kind == BankCode && cur.picker != nil && opensPicker(k) {
		return Nothing, f.openPicker(cur, k)
	}
	switch act, next := Nav(Keys{Cancel: f.keys.Cancel, Submit: f.keys.Submit, Next: f.keys.NextField, Prev: f.keys.PrevField},
		k, f.focus, len(f.Fields)); act {
	case Cancel:
		return Cancelled, nil
	case Submit:
		cur.Touched = true
		return Submitted, nil
	case Move:
		cur.Touched = true
		f.Check()
		if cur.missing() && key.Matches(k, f.keys.Submit) {
			// enter on an empty required field stays there and says why:
			// a placeholder is not a value.
			return Moved, nil
		}
		return Moved, f.Focus(next)
	}
	if cur.Kind == Choice && key.Matches(k, f.keys.Choose) {
		d := 1
		if k.String() == "left" {
			d = -1
		}
		cur.step(d)
		f.Check()
		return Edited, nil
	}
	if !cur.takesText() {
		return Nothing, nil
	}
	cmd := cur.edit(k)
	f.Check()
	return Edited, cmd
}

// Handlers are what a view does with its form's events.
type Handlers struct {
	Close  func()         // esc: the view drops the form
	Send   func() tea.Cmd // a submit passed every check: build the request
	Edited func()         // optional: a value changed
}

// Handle is the loop every view's form runs: it applies msg (Update) and,
// on a submit, runs the skeleton (Submit: every field touched, checked,
// the first error focused) and calls Send only when the form is right.
func (f *Form) Handle(msg tea.Msg, h Handlers) tea.Cmd {
	ev, cmd := f.Update(msg)
	switch ev {
	case Cancelled:
		h.Close()
		return nil
	case Submitted:
		ok, focus := f.Submit()
		if !ok {
			return tea.Batch(cmd, focus)
		}
		return tea.Batch(cmd, h.Send())
	case Edited:
		if h.Edited != nil {
			h.Edited()
		}
	}
	return cmd
}

// Confirm records that the view asked the shell for a confirmation.
func (f *Form) Confirm() { f.State = Confirming }

// Confirmed moves a form waiting for confirmation seq to Sending; false
// when it is not that form or not waiting (a second confirmation finds it
// sending: the request goes once).
func (f *Form) Confirmed(seq int) bool {
	if f == nil || f.Seq != seq || f.State != Confirming {
		return false
	}
	f.State = Sending
	return true
}

// Cancelled takes a form back to editing when its confirmation seq was
// cancelled.
func (f *Form) Cancelled(seq int) {
	if f != nil && f.Seq == seq && f.State == Confirming {
		f.State = Editing
	}
}

// Is reports whether f is the form opened as seq.
func (f *Form) Is(seq int) bool { return f != nil && f.Seq == seq }

// Refused puts IntaSend's refusal of request seq on the form and keeps
// everything typed: the message goes to the foot, each field error
// (client.APIError) under its field (attrs maps IntaSend's attribute to a
// field key where they differ), and the first such field takes the focus.
func (f *Form) Refused(seq int, err error, attrs map[string]string) tea.Cmd {
	if !f.Is(seq) {
		return nil
	}
	f.State = Editing
	f.Err = text.ErrText(err)
	var ae *client.APIError
	if !errors.As(err, &ae) {
		return nil
	}
	first, placed := -1, 0
	said := map[*Field]bool{} // IntaSend's first word on a field wins
	for _, d := range ae.Errors {
		k := d.Attr
		if a, ok := attrs[k]; ok {
			k = a
		}
		if i := f.index(k); i >= 0 {
			placed++
			if fl := f.Fields[i]; !said[fl] {
				said[fl] = true
				fl.Err, fl.Warn, fl.Touched = d.Detail, false, true
				if first < 0 {
					first = i
				}
			}
		}
	}
	if first < 0 {
		return nil
	}
	if placed == len(ae.Errors) {
		// Every word IntaSend said is under its field: the foot points
		// there rather than say it again and push the keys off the box.
		f.Err = "refused: see the line marked " + common.SymFailed + " above"
	}
	return f.Focus(first)
}

// index is the position of the field called key, or -1.
func (f *Form) index(key string) int {
	for i, fl := range f.Fields {
		if fl.Key == key {
			return i
		}
	}
	return -1
}

// Holder is a view's form: the shared Form inside the view's own type
// (with what the view keeps beside it), nil while none is open.
type Holder interface {
	comparable
	Is(seq int) bool
	Cancelled(seq int)
	Refused(seq int, err error, attrs map[string]string) tea.Cmd
}

// Drop closes the form in *h when it is the one opened as seq (its
// request is done); a reply meant for another form changes nothing.
func Drop[H Holder](h *H, seq int) bool {
	var none H
	if *h == none || !(*h).Is(seq) {
		return false
	}
	*h = none
	return true
}

// Refuse hands IntaSend's refusal of request seq to the form in h, if it
// is still open (see Refused).
func Refuse[H Holder](h H, seq int, err error, attrs map[string]string) tea.Cmd {
	var none H
	if h == none {
		return nil
	}
	return h.Refused(seq, err, attrs)
}

// Reopen takes the form in h back to editing when the confirmation of
// request seq was cancelled (see Cancelled); a closed form stays closed.
func Reopen[H Holder](h H, seq int) {
	var none H
	if h != none {
		h.Cancelled(seq)
	}
}

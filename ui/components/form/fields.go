package form

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/bankpicker"
	"github.com/malipo/malipo/ui/components/text"
)

// Kind is what a field holds: it decides the field's own rules, its hint
// and how it takes keys.
type Kind int

const (
	Text     Kind = iota // free text, limited and optionally matched
	Money                // an amount: "4300", "4,300" and "4300.00" alike, more than zero
	Phone                // a Kenyan phone number in any usual spelling
	Choice               // one of a few options, ←/→ (or narrowed by typing)
	BankCode             // digits; a letter opens the bank picker
)

// Option is one choice of a Choice field.
type Option struct{ Label, Value string }

// Field is one line of a form. The view builds it with a constructor, adds
// its own rule with WithCheck when the kind's rules are not enough, and
// reads it with Value, Amount or Phone once the form submits.
type Field struct {
	Key   string // names the field ("amount"), and IntaSend's errors find it by it
	Label string
	Kind  Kind

	// Required: an empty field is an error, RequiredMsg says so.
	Required    bool
	RequiredMsg string
	// Limit is the most characters IntaSend accepts (limits.go); 0: none.
	Limit int
	// Pattern, when set, must match the trimmed value; PatternMsg says why not.
	Pattern    *regexp.Regexp
	PatternMsg string
	// Currency formats a Money field's hint (KES when empty).
	Currency string
	// Check is the view's own rule (a balance, a date), run after the
	// kind's rules pass. What it returns replaces the kind's hint.
	Check func(f *Field) (hint, err string)

	// Hint is the line under the field when all is well ("= KES 1,500.00").
	Hint string
	// Err is what is wrong; it shows once the field was left or the form
	// submitted (Touched), or at once when Warn says it is only a warning.
	Err     string
	Warn    bool
	Touched bool
	// Note says what the field did to an edit ("cut to 24 characters").
	Note string

	input   textinput.Model
	options []Option
	search  bool  // a Choice narrowed by typing into input
	match   []int // search: indexes into options that match
	sel     int   // the chosen option, -1 for none
	picker  func() bankpicker.Model
}

// placeholder dresses a placeholder so that it cannot pass for a value
// without colour (NO_COLOR, a screen reader, a copied screen): angle
// brackets are the command-line convention for "fill this in", and no
// value a form accepts starts with "<" (narratives and references refuse
// it, amounts and phones are digits). Faint and italic come on top where
// the terminal shows them.
func placeholder(p string) string {
	if p == "" {
		return ""
	}
	return "<" + p + ">"
}

func newTyped(st *common.Styles, kind Kind, key, label, hint string, limit int) *Field {
	// The input itself has no limit: the field cuts an edit to Limit
	// itself so it can say so, and a value set from elsewhere (a CSV row)
	// is shown whole and refused by the check, never cut out of sight.
	in := NewInput(st, "", placeholder(hint), 0)
	return &Field{Key: key, Label: label, Kind: kind, Limit: limit, input: in, sel: -1}
}

// NewText is a text field of at most limit characters (limits.go).
func NewText(st *common.Styles, key, label, hint string, limit int) *Field {
	return newTyped(st, Text, key, label, hint, limit)
}

// NewMoney is a required amount field.
func NewMoney(st *common.Styles, key, label, hint string) *Field {
	f := newTyped(st, Money, key, label, hint, MoneyMax)
	f.Required, f.RequiredMsg = true, "an amount is required"
	return f
}

// NewPhone is a required phone number field.
func NewPhone(st *common.Styles, key, label string) *Field {
	f := newTyped(st, Phone, key, label, "07XX XXX XXX", PhoneMax)
	f.Required, f.RequiredMsg = true, "a phone number is required"
	return f
}

// NewEmail is an optional email field (Req makes it required).
func NewEmail(st *common.Styles, key, label, hint string) *Field {
	return newTyped(st, Text, key, label, hint, EmailMax).WithCheck(checkEmail)
}

// checkEmail refuses what IntaSend's email validator does: an address
// net/mail cannot read whole (a display name, two dots in a row), or a
// domain without a dot.
func checkEmail(f *Field) (hint, err string) {
	v := f.Trimmed()
	if v == "" {
		return "", ""
	}
	a, perr := mail.ParseAddress(v)
	if perr != nil || a.Address != v || !strings.Contains(v[strings.LastIndex(v, "@"):], ".") {
		return "", "not an email address (name@example.com)"
	}
	return "", ""
}

// NewChoice is a required pick among options, starting on value (or the
// first option).
func NewChoice(key, label string, options []Option, value string) *Field {
	f := &Field{Key: key, Label: label, Kind: Choice, Required: true, options: options}
	f.RequiredMsg = "choose " + strings.ToLower(label)
	if len(options) > 0 {
		f.sel = 0
	} else {
		f.sel = -1
	}
	f.Choose(value)
	return f
}

// NewSearch is a Choice narrowed by typing (a customer among hundreds),
// starting on option sel.
func NewSearch(st *common.Styles, key, label string, options []Option, sel int) *Field {
	f := NewChoice(key, label, options, "")
	f.search = true
	f.input = NewInput(st, "", placeholder("type to narrow"), 40)
	f.narrow()
	if sel >= 0 && sel < len(options) {
		f.sel = sel
	}
	return f
}

// NewBankCode is a bank-code field: digits type a code, a letter (or
// ctrl+b) opens the picker that open builds, with the letter as the start
// of its filter. open sizes the picker and sets its help.
func NewBankCode(st *common.Styles, key, label, hint string, open func() bankpicker.Model) *Field {
	f := newTyped(st, BankCode, key, label, hint, BankCodeMax)
	f.Pattern, f.PatternMsg = regexp.MustCompile(`^[0-9]+$`), "a bank code is digits: type a letter to search by name"
	f.picker = open
	return f
}

// Req makes the field required; msg (if any) says what is missing.
func (f *Field) Req(msg string) *Field {
	f.Required = true
	if msg != "" {
		f.RequiredMsg = msg
	}
	return f
}

// Optional makes an empty field acceptable.
func (f *Field) Optional() *Field { f.Required = false; return f }

// Match requires the trimmed value to match re (when not empty).
func (f *Field) Match(re *regexp.Regexp, msg string) *Field {
	f.Pattern, f.PatternMsg = re, msg
	return f
}

// WithCheck adds the view's own rule.
func (f *Field) WithCheck(check func(f *Field) (hint, err string)) *Field {
	f.Check = check
	return f
}

// WithValue fills the field: a typed field shows v whole with the cursor
// at its end, a Choice picks the option whose value is v.
func (f *Field) WithValue(v string) *Field {
	f.SetValue(v)
	return f
}

// SetValue replaces what the field holds (see WithValue).
func (f *Field) SetValue(v string) {
	if f.Kind == Choice {
		f.Choose(v)
		return
	}
	f.input.SetValue(v)
	f.input.CursorEnd()
}

// Value is what the field holds: the text as typed, or the chosen option's
// value ("" when none).
func (f *Field) Value() string {
	if f.Kind == Choice {
		if o, ok := f.Selected(); ok {
			return o.Value
		}
		return ""
	}
	return f.input.Value()
}

// Trimmed is the value without surrounding spaces: what a request sends.
func (f *Field) Trimmed() string { return strings.TrimSpace(f.Value()) }

// Amount is a Money field's amount; ok is false when it does not parse.
func (f *Field) Amount() (client.Amount, bool) {
	a, err := client.ParseAmount(f.Trimmed())
	return a, err == nil
}

// Phone is a Phone field's number; ok is false when it does not parse.
func (f *Field) Phone() (client.Phone, bool) {
	p, err := client.ParsePhone(f.Trimmed())
	return p, err == nil
}

// Selected is a Choice's current option.
func (f *Field) Selected() (Option, bool) {
	if f.sel < 0 || f.sel >= len(f.options) {
		return Option{}, false
	}
	return f.options[f.sel], true
}

// Choose picks the option whose value is v; nothing changes when none is.
func (f *Field) Choose(v string) {
	for i, o := range f.options {
		if o.Value == v {
			f.sel = i
		}
	}
}

// Shown is how many options a searched Choice lets through.
func (f *Field) Shown() int {
	if f.search {
		return len(f.match)
	}
	return len(f.options)
}

// takesText says whether typing goes into the field's input.
func (f *Field) takesText() bool { return f.Kind != Choice || f.search }

// blank says whether a typed field holds nothing (a Choice is never blank:
// it is missing when it has no option).
func (f *Field) blank() bool {
	if f.Kind == Choice {
		_, ok := f.Selected()
		return !ok
	}
	return strings.TrimSpace(f.input.Value()) == ""
}

// missing: required and empty.
func (f *Field) missing() bool { return f.Required && f.blank() }

// validate sets Hint and Err from the kind's rules, then the view's Check.
func (f *Field) validate() {
	f.Hint, f.Err, f.Warn = "", "", false
	switch {
	case f.missing():
		f.Err = f.RequiredMsg
		if f.Err == "" {
			f.Err = f.Label + " is required"
		}
		return
	case f.blank():
	default:
		f.Hint, f.Err = f.kindCheck()
	}
	if f.Err == "" && f.Check != nil {
		if hint, err := f.Check(f); hint != "" || err != "" {
			f.Hint, f.Err = hint, err
		}
	}
}

// kindCheck is the rule every field of a kind shares; v is not empty.
func (f *Field) kindCheck() (hint, err string) {
	v := f.Trimmed()
	if n := utf8.RuneCountInString(f.Value()); f.Limit > 0 && n > f.Limit {
		return "", fmt.Sprintf("at most %d characters (this has %d)", f.Limit, n)
	}
	if f.Pattern != nil && f.Kind != Choice && !f.Pattern.MatchString(v) {
		return "", f.PatternMsg
	}
	switch f.Kind {
	case Money:
		a, perr := client.ParseAmount(v)
		switch {
		case perr != nil:
			return "", text.Reason(perr)
		case a <= 0:
			return "", "must be more than zero"
		}
		cur := f.Currency
		if cur == "" {
			cur = "KES"
		}
		return "= " + a.Format(cur), ""
	case Phone:
		p, perr := client.ParsePhone(v)
		if perr != nil {
			return "", text.Reason(perr)
		}
		return "→ " + p.Display(), ""
	}
	return "", ""
}

// edit applies a key or a paste to the input, cutting what goes past the
// limit and saying so.
func (f *Field) edit(msg tea.Msg) tea.Cmd {
	before := utf8.RuneCountInString(f.input.Value())
	var cmd tea.Cmd
	f.input, cmd = f.input.Update(msg)
	f.Note = ""
	if f.Limit > 0 && !f.search {
		f.cut(before)
	}
	if f.search {
		f.narrow()
	}
	return cmd
}

// cut takes back the characters an edit put past the limit, from the end
// of what was inserted (the text after the cursor stays). A value that was
// already too long (set, not typed) only loses what the edit added.
func (f *Field) cut(before int) {
	after := []rune(f.input.Value())
	over := len(after) - f.Limit
	grew := len(after) - before
	if over <= 0 || grew <= 0 {
		return
	}
	n := min(over, grew)
	pos := min(f.input.Position(), len(after))
	start := max(pos-n, 0)
	kept := string(after[:start]) + string(after[pos:])
	f.input.SetValue(kept)
	f.input.SetCursor(start)
	f.Note = fmt.Sprintf("cut to %d characters: IntaSend takes no more", f.Limit)
}

// narrow recomputes a searched Choice's matches after typing, keeping the
// chosen option when it still matches.
func (f *Field) narrow() {
	q := strings.Fields(strings.ToLower(f.input.Value()))
	f.match = f.match[:0]
	for i, o := range f.options {
		if containsAll(strings.ToLower(o.Label+" "+o.Value), q) {
			f.match = append(f.match, i)
		}
	}
	for _, i := range f.match {
		if i == f.sel {
			return
		}
	}
	f.sel = -1
	if len(f.match) > 0 {
		f.sel = f.match[0]
	}
}

func containsAll(h string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(h, w) {
			return false
		}
	}
	return true
}

// step moves a Choice by d among its (matching) options, round.
func (f *Field) step(d int) {
	idx := f.match
	if !f.search {
		idx = make([]int, len(f.options))
		for i := range idx {
			idx[i] = i
		}
	}
	if len(idx) == 0 {
		return
	}
	pos := 0
	for i, o := range idx {
		if o == f.sel {
			pos = i
		}
	}
	f.sel = idx[(pos+d+len(idx))%len(idx)]
}

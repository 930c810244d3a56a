package form

import (
	"errors"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/bankpicker"
	"github.com/malipo/malipo/ui/components/keys"
)

var refRE = regexp.MustCompile(`^[a-zA-Z0-9-_ ]+$`)

// sample is a form with one field of each kind that types.
func sample() *Form {
	st := common.NewStyles(true)
	f := New(keys.NewForm(), "Request a payment",
		NewPhone(st, "phone", "Phone"),
		NewMoney(st, "amount", "Amount", "e.g. 1,500.00"),
		NewChoice("currency", "Currency", []Option{{"KES", "KES"}, {"USD", "USD"}}, "KES"),
		NewText(st, "ref", "Reference", "ORDER-1042", CheckoutRefMax).Match(refRE, "letters, digits, - and _"),
	)
	f.Focus(0)
	f.Check()
	return f
}

// drive feeds keys (names as tuitest.Key knows them) and pastes to f.
func drive(t *testing.T, f *Form, input ...any) Event {
	t.Helper()
	var ev Event
	for _, in := range input {
		var msg tea.Msg
		switch in := in.(type) {
		case string:
			k, ok := tuitest.Key(in)
			if !ok {
				t.Fatalf("unknown key %q", in)
			}
			msg = k
		case tea.PasteMsg:
			msg = in
		}
		ev, _ = f.Update(msg)
	}
	return ev
}

func typeText(s string) []any {
	var out []any
	for _, r := range s {
		out = append(out, string(r))
	}
	return out
}

func TestFieldKinds(t *testing.T) {
	st := common.NewStyles(true)
	for _, tc := range []struct {
		name      string
		field     *Field
		value     string
		hint, err string
	}{
		{"money plain", NewMoney(st, "a", "Amount", ""), "4300", "= KES 4,300.00", ""},
		{"money grouped", NewMoney(st, "a", "Amount", ""), "4,300", "= KES 4,300.00", ""},
		{"money decimals", NewMoney(st, "a", "Amount", ""), "4300.00", "= KES 4,300.00", ""},
		{"money currency", func() *Field { f := NewMoney(st, "a", "Amount", ""); f.Currency = "USD"; return f }(), "12.5", "= USD 12.50", ""},
		{"money zero", NewMoney(st, "a", "Amount", ""), "0", "", "must be more than zero"},
		{"money words", NewMoney(st, "a", "Amount", ""), "lots", "", "only digits"},
		{"money required", NewMoney(st, "a", "Amount", ""), "  ", "", "an amount is required"},
		{"phone local", NewPhone(st, "p", "Phone"), "0712 345 678", "→ +254 712 345 678", ""},
		{"phone letters", NewPhone(st, "p", "Phone"), "07l2", "", "unexpected character"},
		{"phone required", NewPhone(st, "p", "Phone"), "", "", "a phone number is required"},
		{"text optional empty", NewText(st, "r", "Ref", "", 10), "", "", ""},
		{"text required", NewText(st, "r", "Ref", "", 10).Req(""), "", "", "Ref is required"},
		{"text pattern", NewText(st, "r", "Ref", "", 10).Match(refRE, "letters only"), "a<b", "", "letters only"},
		{"text too long when set", NewText(st, "r", "Ref", "", 4), "abcdef", "", "at most 4 characters (this has 6)"},
		{"check replaces hint", NewMoney(st, "a", "Amount", "").WithCheck(func(f *Field) (string, string) {
			if a, _ := f.Amount(); a > 100_00 {
				return "", "more than the available KES 100.00"
			}
			return "", ""
		}), "150", "", "more than the available KES 100.00"},
		{"check runs on empty optional", NewText(st, "c", "Cycles", "", 4).WithCheck(func(f *Field) (string, string) {
			return "until cancelled", ""
		}), "", "until cancelled", ""},
		{"email", NewEmail(st, "e", "Email", ""), "amina@example.co.ke", "", ""},
		{"email optional empty", NewEmail(st, "e", "Email", ""), "", "", ""},
		{"email required", NewEmail(st, "e", "Email", "").Req("an email is required"), "", "", "an email is required"},
		{"email no at", NewEmail(st, "e", "Email", ""), "amina.example.com", "", "not an email address"},
		{"email no dot in domain", NewEmail(st, "e", "Email", ""), "amina@example", "", "not an email address"},
		{"email display name", NewEmail(st, "e", "Email", ""), "Amina <amina@example.com>", "", "not an email address"},
		{"email space", NewEmail(st, "e", "Email", ""), "amina o@example.com", "", "not an email address"},
		{"bank code digits", NewBankCode(st, "b", "Bank", "", nil), "68", "", ""},
		{"bank code not digits", NewBankCode(st, "b", "Bank", "", nil), "6-8", "", "a bank code is digits"},
		{"choice", NewChoice("c", "Currency", []Option{{"KES", "KES"}, {"USD", "USD"}}, "USD"), "", "", ""},
		{"choice none", NewChoice("c", "Wallet", nil, ""), "", "", "choose wallet"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.value != "" {
				tc.field.SetValue(tc.value)
			}
			tc.field.validate()
			if tc.field.Hint != tc.hint || !strings.Contains(tc.field.Err, tc.err) || (tc.err == "") != (tc.field.Err == "") {
				t.Errorf("hint %q err %q; want hint %q err %q", tc.field.Hint, tc.field.Err, tc.hint, tc.err)
			}
		})
	}
}

func TestChoiceValue(t *testing.T) {
	f := NewChoice("c", "Currency", []Option{{"Shillings", "KES"}, {"Dollars", "USD"}}, "USD")
	if f.Value() != "USD" {
		t.Fatalf("value %q, want USD", f.Value())
	}
	f.step(1)
	if f.Value() != "KES" {
		t.Errorf("after → value %q, want KES (round)", f.Value())
	}
}

// TestLimits: a field never holds more than IntaSend takes, and says so
// when it cuts (§2 item 17 of issue 11).
func TestLimits(t *testing.T) {
	st := common.NewStyles(true)
	long := strings.Repeat("7", 41)
	for _, tc := range []struct {
		name  string
		field *Field
		start string // set before the edit, cursor at its end
		input []any
		want  string
		note  bool
	}{
		{"pasted account cut to 24", NewText(st, "account", "Account", "", AccountMax), "", []any{tea.PasteMsg{Content: long}},
			strings.Repeat("7", 24), true},
		{"narrative paste of 20,000", NewText(st, "n", "Narrative", "", TransferNarrativeMax), "", []any{tea.PasteMsg{Content: strings.Repeat("x", 20_000)}},
			strings.Repeat("x", 255), true},
		{"paste that fits", NewText(st, "n", "Narrative", "", 10), "ab", []any{tea.PasteMsg{Content: "cd"}}, "abcd", false},
		{"typing at the limit", NewText(st, "r", "Ref", "", 3), "abc", []any{"d"}, "abc", true},
		{"paste in the middle keeps the tail", NewText(st, "r", "Ref", "", 6), "abcd", []any{"left", "left", tea.PasteMsg{Content: "XYZ"}},
			"abXYcd", true},
		{"too long when set: typing adds nothing, deleting works", NewText(st, "r", "Ref", "", 3), "abcde", []any{"f", "backspace"},
			"abcd", false},
		{"search box is not cut", NewSearch(st, "c", "Customer", []Option{{"Jane", "1"}}, 0), "", []any{tea.PasteMsg{Content: "Ja"}}, "Ja", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := New(keys.NewForm(), "t", tc.field)
			f.Focus(0)
			tc.field.SetValue(tc.start)
			drive(t, f, tc.input...)
			got := tc.field.input.Value()
			if got != tc.want {
				t.Errorf("holds %q (%d), want %q (%d)", trunc(got), len(got), trunc(tc.want), len(tc.want))
			}
			if (tc.field.Note != "") != tc.note {
				t.Errorf("note %q, want a note: %v", tc.field.Note, tc.note)
			}
			if tc.note {
				v := tuitest.Strip(f.View(common.NewStyles(true), "", 80))
				if want := "cut to " + strconv.Itoa(tc.field.Limit) + " characters"; !strings.Contains(v, want) {
					t.Errorf("screen lacks %q:\n%s", want, v)
				}
			}
		})
	}
}

func trunc(s string) string {
	if len(s) > 30 {
		return s[:30] + "…"
	}
	return s
}

func TestFocusKeys(t *testing.T) {
	for _, tc := range []struct {
		name  string
		input []any
		focus int
		ev    Event
	}{
		{"tab moves", []any{"tab"}, 1, Moved},
		{"down moves", []any{"down"}, 1, Moved},
		{"shift+tab goes round", []any{"shift+tab"}, 3, Moved},
		{"up goes round", []any{"up"}, 3, Moved},
		{"enter on an empty required field stays", []any{"enter"}, 0, Moved},
		{"enter on a filled field moves", append(typeText("0712345678"), "enter"), 1, Moved},
		{"enter on the last field submits", []any{"up", "enter"}, 3, Submitted},
		{"esc cancels", []any{"esc"}, 0, Cancelled},
		{"←/→ on a choice edits", []any{"tab", "tab", "right"}, 2, Edited},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := sample()
			ev := drive(t, f, tc.input...)
			if f.Focused() != tc.focus || ev != tc.ev {
				t.Errorf("focus %d event %v; want %d %v", f.Focused(), ev, tc.focus, tc.ev)
			}
		})
	}
}

// TestEnterOnEmptyRequired: a placeholder is not a value; enter says so.
func TestEnterOnEmptyRequired(t *testing.T) {
	f := sample()
	drive(t, f, "enter")
	v := tuitest.Strip(f.View(common.NewStyles(true), "", 80))
	if !strings.Contains(v, "✖ a phone number is required") || f.Focused() != 0 {
		t.Errorf("focus %d, screen:\n%s", f.Focused(), v)
	}
}

func TestSubmit(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values map[string]string
		ok     bool
		focus  int
	}{
		{"nothing typed: the first field", nil, false, 0},
		{"the first wrong field", map[string]string{"phone": "0712345678", "amount": "0", "ref": "a<b"}, false, 1},
		{"a later field", map[string]string{"phone": "0712345678", "amount": "10", "ref": "a<b"}, false, 3},
		{"all right", map[string]string{"phone": "0712345678", "amount": "4,300.00", "ref": "ORDER-1"}, true, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := sample()
			for k, v := range tc.values {
				f.Get(k).SetValue(v)
			}
			f.Focus(3)
			f.Err = "an old refusal"
			ok, _ := f.Submit()
			if ok != tc.ok || f.Focused() != tc.focus || f.Err != "" {
				t.Errorf("ok %v focus %d err %q; want %v %d and no refusal", ok, f.Focused(), f.Err, tc.ok, tc.focus)
			}
			for _, fl := range f.Fields {
				if !fl.Touched {
					t.Errorf("%s not touched: its error would stay hidden", fl.Key)
				}
			}
			if a, _ := f.Get("amount").Amount(); tc.ok && a != 4300_00 {
				t.Errorf("amount %d cents, want 430000", a)
			}
		})
	}
}

// TestHandle: the loop a view runs. esc closes, a typed key is an edit,
// enter on the last field sends only a form that passes its checks (and
// otherwise focuses the first error).
func TestHandle(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		values               map[string]string
		key                  string
		closed, sent, edited bool
		focus                int
	}{
		{"esc closes", nil, "esc", true, false, false, 3},
		{"typing edits", nil, "x", false, false, true, 3},
		{"a wrong form is not sent", map[string]string{"phone": "0712345678", "amount": "0"}, "enter", false, false, false, 1},
		{"a right form is sent", map[string]string{"phone": "0712345678", "amount": "4300"}, "enter", false, true, false, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := sample()
			for k, v := range tc.values {
				f.Get(k).SetValue(v)
			}
			f.Focus(3)
			var closed, sent, edited bool
			k, _ := tuitest.Key(tc.key)
			f.Handle(k, Handlers{Close: func() { closed = true }, Send: func() tea.Cmd { sent = true; return nil },
				Edited: func() { edited = true }})
			if closed != tc.closed || sent != tc.sent || edited != tc.edited || f.Focused() != tc.focus {
				t.Errorf("closed %v sent %v edited %v focus %d; want %v %v %v %d",
					closed, sent, edited, f.Focused(), tc.closed, tc.sent, tc.edited, tc.focus)
			}
		})
	}
}

func TestLifecycle(t *testing.T) {
	f := sample()
	f.Seq = 7
	f.Confirm()
	if f.Confirmed(6) || f.State != Confirming {
		t.Fatal("another form's confirmation was taken")
	}
	f.Cancelled(7)
	if f.State != Editing || f.Confirmed(7) {
		t.Fatal("a cancelled confirmation still sends")
	}
	f.Confirm()
	if !f.Confirmed(7) || f.State != Sending || f.Confirmed(7) {
		t.Fatal("a confirmation must send once")
	}
	if ev, _ := f.Update(tuitest.MustKey("x")); ev != Nothing {
		t.Error("keys reach a form that is sending")
	}
	var none *Form
	if none.Confirmed(7) || none.Is(7) {
		t.Error("a closed form confirmed")
	}
}

func TestRefusedKeepsValues(t *testing.T) {
	f := sample()
	f.Seq = 3
	f.Get("phone").SetValue("0712345678")
	f.Get("amount").SetValue("4300")
	f.Get("ref").SetValue("ORDER-1")
	f.State = Sending
	err := &client.APIError{Status: 400, Errors: []client.ErrorDetail{{Code: "invalid", Detail: "Invalid phone", Attr: "phone_number"}}}
	f.Refused(2, err, nil)
	if f.State != Sending {
		t.Fatal("another request's refusal reached the form")
	}
	f.Focus(3)
	f.Refused(3, err, map[string]string{"phone_number": "phone"})
	if f.State != Editing || f.Err == "" || f.Get("phone").Err != "Invalid phone" || f.Focused() != 0 {
		t.Errorf("state %v err %q phone err %q focus %d", f.State, f.Err, f.Get("phone").Err, f.Focused())
	}
	if !strings.Contains(f.Err, "see the line marked") {
		t.Errorf("every error is under its field, yet the foot says %q", f.Err)
	}
	for k, want := range map[string]string{"phone": "0712345678", "amount": "4300", "ref": "ORDER-1"} {
		if got := f.Get(k).Value(); got != want {
			t.Errorf("%s holds %q after the refusal, want %q", k, got, want)
		}
	}
	// A word on no field of this form keeps IntaSend's whole message.
	f.State = Sending
	err.Errors = append(err.Errors, client.ErrorDetail{Code: "invalid", Detail: "Wallet is frozen", Attr: "wallet_id"})
	err.Detail = "Wallet is frozen"
	f.Refused(3, err, map[string]string{"phone_number": "phone"})
	if !strings.Contains(f.Err, "Wallet is frozen") {
		t.Errorf("a refusal on no field lost its message: %q", f.Err)
	}
	f.Refused(3, errors.New("connection reset"), nil)
	if f.Err == "" {
		t.Error("a plain error left no message")
	}
}

// TestHolder: a view's own form type (the shared Form and the view's
// state beside it) is dropped and refused only by its own request's reply,
// and a closed one (nil) is left alone.
func TestHolder(t *testing.T) {
	type viewForm struct {
		*Form
		kind int
	}
	var open *viewForm
	if Drop(&open, 1) || Refuse(open, 1, errors.New("late"), nil) != nil {
		t.Fatal("a closed form was dropped or refused")
	}
	Reopen(open, 1)
	open = &viewForm{Form: sample(), kind: 2}
	open.Seq, open.State = 5, Confirming
	Reopen(open, 4)
	if open.State != Confirming {
		t.Fatal("another confirmation's cancel reopened the form")
	}
	Reopen(open, 5)
	if open.State != Editing {
		t.Fatalf("a cancelled confirmation left the form %v", open.State)
	}
	open.State = Sending
	Refuse(open, 4, errors.New("another form's"), nil)
	if open.State != Sending || Drop(&open, 4) || open == nil {
		t.Fatal("another request's reply reached the form")
	}
	Refuse(open, 5, errors.New("refused"), nil)
	if open.State != Editing || open.Err == "" {
		t.Fatalf("refusal not on the form: state %v err %q", open.State, open.Err)
	}
	if !Drop(&open, 5) || open != nil {
		t.Fatal("its own reply did not close the form")
	}
}

func TestSearchChoice(t *testing.T) {
	st := common.NewStyles(true)
	opts := []Option{{"Jane Wanjiru", "c1"}, {"James Wafula", "c2"}, {"Amina Otieno", "c3"}}
	f := New(keys.NewForm(), "t", NewSearch(st, "customer", "Customer", opts, 2))
	f.Focus(0)
	cu := f.Get("customer")
	if cu.Value() != "c3" {
		t.Fatalf("starts on %q, want c3", cu.Value())
	}
	drive(t, f, typeText("wa")...)
	if cu.Shown() != 2 || cu.Value() != "c1" {
		t.Errorf("'wa' shows %d and picks %q; want 2 and c1", cu.Shown(), cu.Value())
	}
	drive(t, f, "right")
	if cu.Value() != "c2" {
		t.Errorf("→ picks %q, want c2", cu.Value())
	}
	drive(t, f, typeText("zz")...)
	if _, ok := cu.Selected(); ok || cu.Err == "" {
		t.Errorf("nothing matches but %q is chosen (err %q)", cu.Value(), cu.Err)
	}
}

func TestBankCodePicker(t *testing.T) {
	s := tuitest.NewSim(t, time.Date(2026, 12, 3, 9, 0, 0, 0, tuitest.EAT()))
	c := s.Common(common.ModeDemo, "")
	cache := bankpicker.NewCache(bankpicker.WithPath(filepath.Join(t.TempDir(), "banks.json")), bankpicker.WithClock(s.Clock.Now))
	st := c.Styles
	open := func() bankpicker.Model {
		p := bankpicker.New(c, cache)
		p.SetSize(60, 12)
		return p
	}
	f := New(keys.NewForm(), "Add a payout",
		NewBankCode(st, "bank_code", "Bank code", "code, or type a name", open),
		NewMoney(st, "amount", "Amount", ""))
	d := tuitest.NewDriver(t, func(msg tea.Msg) tea.Cmd { _, cmd := f.Update(msg); return cmd },
		func() string { return f.View(st, "", 80) })
	d.Run(f.Focus(0))
	d.TypeText("6")
	if f.Picking() || f.Get("bank_code").Value() != "6" {
		t.Fatalf("a digit opened the picker or was lost: %q", f.Get("bank_code").Value())
	}
	d.Press("backspace")
	d.TypeText("equity")
	if !f.Picking() {
		t.Fatal("a letter did not open the bank picker")
	}
	d.Press("enter")
	if f.Picking() || f.Get("bank_code").Value() != "68" || f.Focused() != 1 {
		t.Fatalf("picked %q, focus %d, picking %v", f.Get("bank_code").Value(), f.Focused(), f.Picking())
	}
	d.Press("shift+tab", "ctrl+b", "esc")
	if f.Picking() || f.Get("bank_code").Value() != "68" {
		t.Errorf("esc in the picker changed the field to %q", f.Get("bank_code").Value())
	}
}

func TestFormTyped(t *testing.T) {
	f := sample()
	if f.Typed() {
		t.Fatal("a fresh form reads as typed (a chosen currency is not typing)")
	}
	f.Get("ref").SetValue("x")
	if !f.Typed() {
		t.Error("typing not seen")
	}
}

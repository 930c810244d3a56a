package payouts

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/bankpicker"
)

// openRowForm edits row i, or adds a row after the cursor when i < 0.
func (m *Model) openRowForm(i int) tea.Cmd {
	if m.form != nil {
		return nil
	}
	c := &m.comp
	if i < 0 && len(c.d.Rows) >= payout.MaxRows {
		return common.Toast(common.ToastWarn, fmt.Sprintf("A batch holds at most %s rows", fmtInt(payout.MaxRows)))
	}
	var r payout.Row
	title := "Add a payout"
	if i >= 0 {
		r = c.d.Rows[i]
		title = fmt.Sprintf("Edit row %d", i+1)
		if r.Line > 0 {
			title += fmt.Sprintf(" (CSV line %d)", r.Line)
		}
	}
	amount := r.AmountText
	if amount == "" && r.Amount != 0 {
		amount = r.Amount.Decimal()
	}
	st := m.c.Styles
	rail := c.d.Rail
	fs := []*field{textField(st, "name", "Name", "recipient's name", r.Name, 240)}
	acctHint := map[payout.Rail]string{payout.B2C: "07XX XXX XXX or 2547…", payout.Airtime: "07XX XXX XXX or 2547…",
		payout.B2B: "PayBill or till number", payout.PesaLink: "bank account number", payout.P2P: "IntaSend account"}[rail]
	fs = append(fs, textField(st, "account", "Account", acctHint, r.Account, 40))
	switch rail {
	case payout.PesaLink:
		fs = append(fs, textField(st, "bank_code", "Bank code", "code, or type a name to search", r.BankCode, 8))
	case payout.B2B:
		t := r.AccountType
		if t == "" {
			t = client.PayBill
		}
		fs = append(fs, choiceField("account_type", "Type", []choice{{"PayBill", client.PayBill}, {"Till number", client.TillNumber}}, t),
			textField(st, "account_reference", "Account ref", "account number at the business (PayBill)", r.AccountReference, 20))
	}
	fs = append(fs, textField(st, "amount", "Amount", "e.g. 1,500", amount, 20),
		textField(st, "narrative", "Narrative", "shown in the SMS (22 characters)", r.Narrative, 240))
	m.form = &form{kind: formRow, title: title, fields: fs, row: i,
		intro: []string{rail.Label() + " · " + m.walletName()}}
	m.checkRowForm(false)
	return m.form.setFocus(0)
}

func (m *Model) walletName() string {
	if w, ok := m.walletByID(m.comp.d.WalletID); ok {
		return "from " + w.Label + " · available " + w.AvailableBalance.Format(w.Currency)
	}
	return "no wallet chosen"
}

// rowFromForm builds the row the form describes; what was typed is kept
// (AmountText), NormalizeRow tidies it.
func (m *Model) rowFromForm() payout.Row {
	f := m.form
	v := func(k string) string {
		if fl := f.get(k); fl != nil {
			return fl.value()
		}
		return ""
	}
	r := payout.Row{Name: v("name"), Account: v("account"), BankCode: v("bank_code"), AccountType: v("account_type"),
		AccountReference: v("account_reference"), Narrative: v("narrative"), AmountText: v("amount")}
	if m.form.row >= 0 {
		old := m.comp.d.Rows[m.form.row]
		r.Line, r.IDNumber = old.Line, old.IDNumber
	}
	if m.comp.d.Rail != payout.B2B {
		r.AccountType, r.AccountReference = "", ""
	} else if r.AccountType == client.TillNumber {
		r.AccountReference = ""
	}
	return payout.NormalizeRow(m.comp.d.Rail, r)
}

// checkRowForm puts each problem under its field. Errors on empty fields
// wait until a save is tried, so a fresh form is not a wall of red.
func (m *Model) checkRowForm(tried bool) bool {
	f := m.form
	r := m.rowFromForm()
	ps := payout.ValidateRow(m.comp.d.Rail, r, m.banks)
	for _, fl := range f.fields {
		fl.err, fl.warn, fl.hint = "", false, ""
	}
	ok := payout.Errors(ps) == 0
	for _, warnings := range []bool{false, true} {
		for _, p := range ps {
			if p.Warning != warnings {
				continue
			}
			fl := f.get(p.Field)
			if fl == nil {
				fl = f.get("account")
			}
			if fl.err != "" || (!tried && !p.Warning && strings.TrimSpace(fl.value()) == "") {
				continue // one message per field; empty fields wait for a save
			}
			fl.err, fl.warn = p.Reason, p.Warning
		}
	}
	// Hints: what will actually be sent.
	if fl := f.get("account"); fl != nil && fl.err == "" && r.Account != "" && r.Account != strings.TrimSpace(fl.value()) {
		fl.hint = "→ " + r.Account
	}
	if fl := f.get("amount"); fl != nil && fl.err == "" && r.Amount > 0 {
		fl.hint = "= " + r.Amount.Format(m.currency())
	}
	if fl := f.get("bank_code"); fl != nil && fl.err == "" && r.BankCode != "" && m.banks != nil {
		fl.hint = "→ " + m.banks.Name(r.BankCode)
	}
	return ok
}

func (m *Model) currency() string {
	if c := m.comp.d.Currency; c != "" {
		return c
	}
	return "KES"
}

func (m *Model) onFormKey(msg tea.Msg) tea.Cmd {
	f := m.form
	if k, ok := msg.(tea.KeyPressMsg); ok && f.kind == formRow && f.fields[f.focus].key == "bank_code" {
		// Letters on the bank field search the bank list; digits type a code.
		if k.String() == "ctrl+b" || (len(k.Text) == 1 && isLetter(k.Text[0])) {
			return m.openPicker(k)
		}
	}
	ev, cmd := f.update(m.keys, msg)
	switch ev {
	case formCancel:
		m.form = nil
		return nil
	case formSubmit:
		if f.kind == formSettings {
			return tea.Batch(cmd, m.submitSettings())
		}
		return tea.Batch(cmd, m.submitRow())
	case formEdited:
		if f.kind == formRow {
			m.checkRowForm(false)
		} else {
			m.checkSettings()
		}
	}
	return cmd
}

// submitRow saves the row when it has no errors (warnings are fine).
func (m *Model) submitRow() tea.Cmd {
	f := m.form
	if !m.checkRowForm(true) {
		for i, fl := range f.fields {
			if fl.err != "" && !fl.warn {
				return f.setFocus(i)
			}
		}
		return nil
	}
	r := m.rowFromForm()
	c := &m.comp
	if f.row >= 0 {
		old := c.replace(f.row, r, m.banks)
		c.push(undoOp{what: fmt.Sprintf("edit row %d", f.row+1), kind: undoReplace, at: f.row, rows: []payout.Row{old}})
		m.message = fmt.Sprintf("Saved row %d", f.row+1)
	} else {
		at := 0
		if len(c.d.Rows) > 0 {
			at = c.cursor + 1
		}
		c.insert(at, []payout.Row{r}, m.banks)
		c.push(undoOp{what: fmt.Sprintf("add row %d", at+1), kind: undoRemove, at: at, n: 1})
		c.setCursor(at, m.composeRows())
		m.message = fmt.Sprintf("Added row %d", at+1)
	}
	m.form = nil
	return m.changed()
}

// ---- rail and wallet ----

func (m *Model) openSettings() tea.Cmd {
	if m.form != nil {
		return nil
	}
	d := m.comp.d
	var rails []choice
	for _, r := range payout.Rails() {
		rails = append(rails, choice{label: r.Label() + " (" + string(r) + ")", value: string(r)})
	}
	ws := []choice{} // non-nil: an empty picker, not a text field
	for _, w := range m.wallets {
		ws = append(ws, choice{label: fmt.Sprintf("%s (%s, %s) · %s", w.Label, w.ID, w.Currency, w.AvailableBalance.Format(w.Currency)), value: w.ID})
	}
	m.form = &form{kind: formSettings, title: "Rail and wallet",
		intro:  []string{"Rows are checked again for the new rail; u undoes the change."},
		fields: []*field{choiceField("rail", "Rail", rails, string(d.Rail)), choiceField("wallet", "Pay from", ws, d.WalletID)}}
	m.checkSettings()
	return m.form.setFocus(0)
}

func (m *Model) checkSettings() bool {
	f := m.form
	rail := payout.Rail(f.get("rail").value())
	wf := f.get("wallet")
	wf.err, wf.hint = "", ""
	if len(m.wallets) == 0 {
		wf.err = "no wallet can pay out (can_disburse): create one under Wallets"
		if m.walletsErr != "" {
			wf.err = "wallets could not be loaded: " + m.walletsErr
		}
		return false
	}
	w, _ := m.walletByID(wf.value())
	okCur := false
	for _, c := range rail.Currencies() {
		okCur = okCur || c == w.Currency
	}
	if !okCur {
		wf.err = fmt.Sprintf("%s pays out in %s only; this wallet holds %s", rail, strings.Join(rail.Currencies(), "/"), w.Currency)
		return false
	}
	wf.hint = "available " + w.AvailableBalance.Format(w.Currency)
	return true
}

func (m *Model) submitSettings() tea.Cmd {
	if !m.checkSettings() {
		return m.form.setFocus(1)
	}
	f := m.form
	c := &m.comp
	rail := payout.Rail(f.get("rail").value())
	w, _ := m.walletByID(f.get("wallet").value())
	m.form = nil
	if rail == c.d.Rail && w.ID == c.d.WalletID {
		return nil
	}
	c.push(undoOp{what: "rail/wallet change", kind: undoSettings, rail: c.d.Rail, wal: c.d.WalletID, cur: c.d.Currency})
	c.d.Rail, c.d.WalletID, c.d.Currency = rail, w.ID, w.Currency
	c.revalidate(m.banks)
	m.message = fmt.Sprintf("%s from %s", rail.Label(), w.Label)
	return m.changed()
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// openPicker opens the bank picker over the row form, the letter typed
// as the start of its filter.
func (m *Model) openPicker(k tea.KeyPressMsg) tea.Cmd {
	p := bankpicker.New(m.c, m.opts.bankCache)
	p.SetSize(min(m.width-4, 70), max(min(m.height-4, 16), 4))
	p.SetHelp("use this bank", "back to the form")
	cmds := []tea.Cmd{p.Focus(), p.Load()}
	if k.String() != "ctrl+b" {
		var cmd tea.Cmd
		p, cmd = p.Update(k)
		cmds = append(cmds, cmd)
	}
	m.picker = &p
	return tea.Batch(cmds...)
}

// onPicker routes keys and the picker's messages while it is open.
func (m *Model) onPicker(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case bankpicker.PickedMsg:
		m.picker = nil
		if m.form != nil {
			if fl := m.form.get("bank_code"); fl != nil {
				fl.input.SetValue(msg.Bank.Code)
				fl.input.CursorEnd()
				m.checkRowForm(false)
				return m.form.setFocus(m.form.focus + 1)
			}
		}
		return nil
	case bankpicker.CancelledMsg:
		m.picker = nil
		return nil
	}
	if m.picker == nil {
		return nil
	}
	p, cmd := m.picker.Update(msg)
	m.picker = &p
	return cmd
}

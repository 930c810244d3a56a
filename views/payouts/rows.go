package payouts

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/bankpicker"
	uiform "github.com/malipo/malipo/ui/components/form"
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
	cmd := m.newForm(formRow, title, c.d.Rail.Label()+" · "+m.walletName(), m.rowRules, m.rowFields(r, amount)...)
	m.form.row = i // the row's CSV line and id number go with it
	m.form.Check()
	for _, fl := range m.form.Fields {
		// A row from a CSV shows what is wrong with it at once; empty
		// fields wait for a save, so a fresh form is not a wall of red.
		fl.Touched = fl.Kind != uiform.Choice && fl.Trimmed() != ""
	}
	return cmd
}

// rowFields are the rail's fields for r, IntaSend's limits on each.
func (m *Model) rowFields(r payout.Row, amount string) []*uiform.Field {
	st := m.c.Styles
	rail := m.comp.d.Rail
	acctHint := map[payout.Rail]string{payout.B2C: "07XX XXX XXX or 2547…", payout.Airtime: "07XX XXX XXX or 2547…",
		payout.B2B: "PayBill or till number", payout.PesaLink: "bank account number", payout.P2P: "IntaSend account"}[rail]
	fs := []*uiform.Field{
		uiform.NewText(st, "name", "Name", "recipient's name", uiform.PayoutNameMax).WithValue(r.Name),
		uiform.NewText(st, "account", "Account", acctHint, uiform.AccountMax).WithValue(r.Account),
	}
	switch rail {
	case payout.PesaLink:
		fs = append(fs, uiform.NewBankCode(st, "bank_code", "Bank code", "code, or type a name to search", m.bankPicker).WithValue(r.BankCode))
	case payout.B2B:
		t := r.AccountType
		if t == "" {
			t = client.PayBill
		}
		fs = append(fs, uiform.NewChoice("account_type", "Type", []uiform.Option{{Label: "PayBill", Value: client.PayBill},
			{Label: "Till number", Value: client.TillNumber}}, t),
			uiform.NewText(st, "account_reference", "Account ref", "account number at the business (PayBill)", uiform.AccountRefMax).
				WithValue(r.AccountReference))
	}
	amt := uiform.NewMoney(st, "amount", "Amount", "e.g. 1,500").WithValue(amount)
	amt.Currency = m.currency()
	return append(fs, amt,
		uiform.NewText(st, "narrative", "Narrative", "shown in the SMS (22 characters)", uiform.PayoutNarrativeMax).WithValue(r.Narrative))
}

// bankPicker is the bank picker the bank-code field opens, sized to the
// view.
func (m *Model) bankPicker() bankpicker.Model {
	p := bankpicker.New(m.c, m.opts.bankCache)
	p.SetSize(min(m.width-4, 70), max(min(m.height-4, 16), 4))
	p.SetHelp("use this bank", "back to the form")
	return p
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
		if fl := f.Get(k); fl != nil {
			return fl.Value()
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

// rowRules puts the payout validator's verdict on the row under each
// field (the same rules as an imported CSV row): its error replaces the
// field's own, one message per field, errors before warnings. The hints say
// what will actually be sent.
func (m *Model) rowRules(f *uiform.Form) {
	r := m.rowFromForm()
	said := map[*uiform.Field]bool{}
	for _, warnings := range []bool{false, true} {
		for _, p := range payout.ValidateRow(m.comp.d.Rail, r, m.banks) {
			fl := f.Get(p.Field)
			if fl == nil {
				fl = f.Get("account")
			}
			if p.Warning != warnings || said[fl] {
				continue
			}
			said[fl] = true
			fl.Err, fl.Warn, fl.Hint = p.Reason, p.Warning, ""
		}
	}
	if fl := f.Get("account"); fl.Err == "" && r.Account != "" && r.Account != fl.Trimmed() {
		fl.Hint = "→ " + r.Account
	}
	if fl := f.Get("bank_code"); fl != nil && fl.Err == "" && r.BankCode != "" && m.banks != nil {
		fl.Hint = "→ " + m.banks.Name(r.BankCode)
	}
}

func (m *Model) currency() string {
	if c := m.comp.d.Currency; c != "" {
		return c
	}
	return "KES"
}

func (m *Model) onFormKey(msg tea.Msg) tea.Cmd {
	return m.form.Handle(msg, uiform.Handlers{Close: func() { m.form = nil }, Send: m.saveForm})
}

// saveForm puts what the checked form holds into the draft.
func (m *Model) saveForm() tea.Cmd {
	if m.form.kind == formSettings {
		return m.saveSettings()
	}
	return m.saveRow()
}

// saveRow puts the row the form describes into the draft (it has no
// errors; warnings are fine).
func (m *Model) saveRow() tea.Cmd {
	f := m.form
	r := m.rowFromForm()
	c := &m.comp
	if f.row >= 0 {
		old := c.replace(f.row, r, m.banks)
		c.push(undoOp{what: fmt.Sprintf("edit row %d", f.row+1), kind: undoReplace, at: f.row, rows: []payout.Row{old}})
		m.message = fmt.Sprintf("Saved row %d", f.row+1)
	} else {
		at := 0
		if len(c.d.Rows) > 0 {
			at = c.cursor() + 1
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
	var rails, ws []uiform.Option
	for _, r := range payout.Rails() {
		rails = append(rails, uiform.Option{Label: r.Label() + " (" + string(r) + ")", Value: string(r)})
	}
	for _, w := range m.wallets {
		ws = append(ws, uiform.Option{Label: fmt.Sprintf("%s (%s, %s) · %s", w.Label, w.ID, w.Currency, w.AvailableBalance.Format(w.Currency)), Value: w.ID})
	}
	return m.newForm(formSettings, "Rail and wallet", "Rows are checked again for the new rail; u undoes the change.", m.settingsRules,
		uiform.NewChoice("rail", "Rail", rails, string(d.Rail)), uiform.NewChoice("wallet", "Pay from", ws, d.WalletID))
}

// settingsRules: the wallet must hold a currency the rail pays out in.
// Both lines are choices, never blank, so what is wrong shows at once.
func (m *Model) settingsRules(f *uiform.Form) {
	rail := payout.Rail(f.Value("rail"))
	wf := f.Get("wallet")
	wf.Err, wf.Hint, wf.Touched = "", "", true
	if len(m.wallets) == 0 {
		wf.Err = "no wallet can pay out (can_disburse): create one under Wallets"
		if m.walletsErr != "" {
			wf.Err = "wallets could not be loaded: " + m.walletsErr
		}
		return
	}
	w, _ := m.walletByID(wf.Value())
	if !slices.Contains(rail.Currencies(), w.Currency) {
		wf.Err = fmt.Sprintf("%s pays out in %s only; this wallet holds %s", rail, strings.Join(rail.Currencies(), "/"), w.Currency)
		return
	}
	wf.Hint = "available " + w.AvailableBalance.Format(w.Currency)
}

func (m *Model) saveSettings() tea.Cmd {
	f := m.form
	c := &m.comp
	rail := payout.Rail(f.Value("rail"))
	w, _ := m.walletByID(f.Value("wallet"))
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

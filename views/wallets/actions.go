package wallets

import (
	"fmt"
	"regexp"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/audit"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/text"
)

// IntaSend's field rules (intasend-api.md §2.6, §5).
var (
	labelRE     = regexp.MustCompile(`^[a-zA-Z0-9-_ ]+$`)
	narrativeRE = regexp.MustCompile(`^[^<>%;$]+$`)
)

const (
	// labelMax: list.go sizes the label column by it.
	labelMax = uiform.LabelMax
	// stkMax is IntaSend's M-Pesa limit per transaction for new accounts.
	stkMax = client.Amount(150_000_00)
	stkMin = client.Amount(1_00)
)

// Messages of the action flows. seq ties each to the form that started it.
type (
	confirmedMsg    struct{ seq int }
	cancelledMsg    struct{ seq int }
	transferDoneMsg struct {
		seq int
		req pendingTransfer
		res *client.IntraTransferResult
		err error
		// auditErr: the audit log did not take the outcome.
		auditErr error
	}
	createDoneMsg struct {
		seq      int
		w        *client.Wallet
		err      error
		auditErr error
	}
	fundDoneMsg struct {
		seq      int
		req      pendingFund
		resp     *client.STKPushResponse
		err      error
		auditErr error
	}
)

// What a form asks for once it validates; kept on the form so the request
// sent after confirmation is exactly what was confirmed.
type (
	pendingTransfer struct {
		from, to  client.Wallet
		amount    client.Amount
		narrative string
	}
	pendingCreate struct {
		label, currency string
		canDisburse     bool
	}
	pendingFund struct {
		wallet client.Wallet
		phone  client.Phone
		amount client.Amount
	}
)

// formMeta is the form's pending request (one of the three).
type formMeta struct {
	transfer *pendingTransfer
	create   *pendingCreate
	fund     *pendingFund
	walletID string // transfer: from; fund: the wallet funded
}

// actionWallet is the wallet actions apply to: the open one, else the
// selected one.
func (m *Model) actionWallet() (client.Wallet, bool) {
	if m.detail != nil {
		if w, ok := m.walletByID(m.detail.wallet.ID); ok {
			return w, true
		}
		return m.detail.wallet, true
	}
	return m.selected()
}

func (m *Model) newForm(kind formKind, title, walletID string, fields ...*uiform.Field) tea.Cmd {
	m.seq++
	f := uiform.New(m.keys.Form, title, fields...)
	f.Seq = m.seq
	m.form = &form{Form: f, kind: kind, meta: formMeta{walletID: walletID}}
	m.refreshIntro()
	f.Check()
	first := 0
	if fields[0].Kind == uiform.Choice && fields[0].Shown() <= 1 && len(fields) > 1 {
		first = 1
	}
	return f.Focus(first)
}

func (m *Model) openTransfer() tea.Cmd {
	if m.form != nil {
		return nil
	}
	from, ok := m.actionWallet()
	if !ok {
		return common.Toast(common.ToastWarn, "No wallet selected")
	}
	var to []uiform.Option
	for _, w := range m.wallets {
		if w.ID != from.ID && w.Currency == from.Currency {
			to = append(to, uiform.Option{Label: fmt.Sprintf("%s (%s, %s)", w.Label, w.Type, w.ID), Value: w.ID})
		}
	}
	if len(to) == 0 {
		return common.Toast(common.ToastWarn, fmt.Sprintf("No other %s wallet to move money to: press n to create one", from.Currency))
	}
	st := m.c.Styles
	amount := uiform.NewMoney(st, "amount", "Amount", "e.g. 1,500.00").WithCheck(m.checkAmount)
	amount.Currency = from.Currency
	toField := uiform.NewChoice("to", "To", to, "")
	toField.RequiredMsg = "choose the wallet to credit"
	return m.newForm(formTransfer, "Move money between wallets", from.ID,
		toField,
		amount,
		uiform.NewText(st, "narrative", "Narrative", "what it is for", uiform.TransferNarrativeMax).
			Req("a narrative is required").Match(narrativeRE, "must not contain < > % ; or $"),
	)
}

func (m *Model) openCreate() tea.Cmd {
	if m.form != nil {
		return nil
	}
	st := m.c.Styles
	return m.newForm(formCreate, "Create a working wallet", "",
		uiform.NewText(st, "label", "Label", "letters, digits, - _ and spaces", uiform.LabelMax).
			Req("a label is required").Match(labelRE, "only letters, digits, '-', '_' and spaces"),
		uiform.NewChoice("currency", "Currency", []uiform.Option{{Label: "KES", Value: "KES"}, {Label: "USD", Value: "USD"},
			{Label: "EUR", Value: "EUR"}, {Label: "GBP", Value: "GBP"}}, ""),
		uiform.NewChoice("disburse", "Payouts", []uiform.Option{{Label: "not allowed from it", Value: "no"},
			{Label: "allowed from it", Value: "yes"}}, ""),
	)
}

func (m *Model) openFund() tea.Cmd {
	if m.form != nil {
		return nil
	}
	w, ok := m.actionWallet()
	if !ok {
		return common.Toast(common.ToastWarn, "No wallet selected")
	}
	if w.Currency != "KES" {
		return common.Toast(common.ToastWarn, "M-Pesa funds KES wallets only; "+w.Label+" is "+w.Currency)
	}
	st := m.c.Styles
	return m.newForm(formFund, "Fund a wallet by M-Pesa", w.ID,
		uiform.NewPhone(st, "phone", "Phone"),
		uiform.NewMoney(st, "amount", "Amount", "e.g. 500").WithCheck(m.checkAmount),
	)
}

// refreshIntro rewrites the form's read-only lines from the latest balances.
func (m *Model) refreshIntro() {
	f := m.form
	if f == nil || f.meta.walletID == "" {
		return
	}
	w, _ := m.walletByID(f.meta.walletID)
	switch f.kind {
	case formTransfer:
		f.Facts = [][2]string{
			{"From", fmt.Sprintf("%s (%s, %s)", w.Label, w.Type, w.ID)},
			{"Available", w.AvailableBalance.Format(w.Currency)},
		}
	case formFund:
		f.Facts = [][2]string{
			{"Credit", fmt.Sprintf("%s (%s, %s)", w.Label, w.Type, w.ID)},
			{"", "The customer approves the payment on their phone."},
		}
	}
}

// checkAmount is the wallet's own rule on an amount that parses: what the
// wallet holds (a transfer) or what M-Pesa takes (funding).
func (m *Model) checkAmount(fl *uiform.Field) (hint, errMsg string) {
	f := m.form
	if f == nil {
		return "", ""
	}
	a, _ := fl.Amount()
	w, _ := m.walletByID(f.meta.walletID)
	cur := w.Currency
	switch f.kind {
	case formTransfer:
		if a > w.AvailableBalance {
			return "", "more than the available " + w.AvailableBalance.Format(cur)
		}
	case formFund:
		if a < stkMin {
			return "", "M-Pesa takes at least " + stkMin.Format(cur)
		}
		if a > stkMax {
			return "", "M-Pesa takes at most " + stkMax.Format(cur) + " per payment"
		}
	}
	return "", ""
}

// onFormKey routes a key or paste to the open form.
func (m *Model) onFormKey(msg tea.Msg) tea.Cmd {
	return m.form.Handle(msg, uiform.Handlers{Close: func() { m.form = nil }, Send: m.submit})
}

// submit asks the shell to confirm what the checked form holds. The form
// stays filled until the request succeeds.
func (m *Model) submit() tea.Cmd {
	f := m.form
	f.Confirm()
	switch f.kind {
	case formTransfer:
		return m.confirmTransfer(f)
	case formCreate:
		return m.confirmCreate(f)
	case formFund:
		return m.confirmFund(f)
	}
	return nil
}

func (m *Model) confirmTransfer(f *form) tea.Cmd {
	from, _ := m.walletByID(f.meta.walletID)
	to, _ := m.walletByID(f.Value("to"))
	amount, _ := f.Get("amount").Amount()
	req := pendingTransfer{from: from, to: to, amount: amount, narrative: f.Value("narrative")}
	f.meta.transfer = &req
	return common.Confirm(common.ConfirmMsg{
		Title: "Move " + amount.Format(from.Currency),
		Body: fmt.Sprintf("from %s (%s)\nto   %s (%s)\nnarrative: %s",
			from.Label, from.ID, to.Label, to.ID, req.narrative),
		Typed:     amount.String(),
		Danger:    true,
		Perm:      common.PermTransfer,
		OnConfirm: confirmedMsg{seq: f.Seq},
		OnCancel:  cancelledMsg{seq: f.Seq},
	})
}

func (m *Model) confirmCreate(f *form) tea.Cmd {
	req := pendingCreate{
		label:       f.Value("label"),
		currency:    f.Value("currency"),
		canDisburse: f.Value("disburse") == "yes",
	}
	f.meta.create = &req
	payouts := "no payouts from it"
	if req.canDisburse {
		payouts = "payouts allowed from it"
	}
	return common.Confirm(common.ConfirmMsg{
		Title:     "Create wallet " + req.label,
		Body:      fmt.Sprintf("A WORKING wallet in %s, %s.", req.currency, payouts),
		Perm:      common.PermAdmin,
		OnConfirm: confirmedMsg{seq: f.Seq},
		OnCancel:  cancelledMsg{seq: f.Seq},
	})
}

func (m *Model) confirmFund(f *form) tea.Cmd {
	w, _ := m.walletByID(f.meta.walletID)
	phone, _ := f.Get("phone").Phone()
	amount, _ := f.Get("amount").Amount()
	req := pendingFund{wallet: w, phone: phone, amount: amount}
	f.meta.fund = &req
	return common.Confirm(common.ConfirmMsg{
		Title: "Request " + amount.Format("KES") + " by M-Pesa",
		Body: fmt.Sprintf("An M-Pesa prompt goes to %s.\nWhen they approve, %s is credited.",
			phone.Display(), w.Label),
		Perm:      common.PermCollect,
		OnConfirm: confirmedMsg{seq: f.Seq},
		OnCancel:  cancelledMsg{seq: f.Seq},
	})
}

// onConfirmed sends the confirmed request, once: a second confirmation of
// the same form finds it already sending and is dropped.
func (m *Model) onConfirmed(msg confirmedMsg) tea.Cmd {
	f := m.form
	if f == nil || !f.Confirmed(msg.seq) {
		return nil
	}
	c, cm := m.c.Client, m.c
	seq := f.Seq
	var run tea.Cmd
	switch {
	case f.meta.transfer != nil:
		req := *f.meta.transfer
		run = func() tea.Msg {
			cx, cancel := common.Bounded(cm.WriteContext())
			defer cancel()
			res, err := c.IntraTransfer(cx, req.from.ID, client.IntraTransferRequest{
				ToWalletID: req.to.ID, Amount: req.amount, Narrative: req.narrative})
			aerr := cm.Audit(audit.Event("wallet.transfer", req.from.ID+"→"+req.to.ID, req.amount, req.from.Currency, err))
			return transferDoneMsg{seq: seq, req: req, res: res, err: err, auditErr: aerr}
		}
	case f.meta.create != nil:
		req := *f.meta.create
		run = func() tea.Msg {
			cx, cancel := common.Bounded(cm.WriteContext())
			defer cancel()
			w, err := c.CreateWallet(cx, client.CreateWalletRequest{Label: req.label, Currency: req.currency, CanDisburse: req.canDisburse})
			target := req.label
			if w != nil && w.ID != "" {
				target = w.ID
			}
			aerr := cm.Audit(audit.Event("wallet.create", target, 0, req.currency, err))
			return createDoneMsg{seq: seq, w: w, err: err, auditErr: aerr}
		}
	case f.meta.fund != nil:
		req := *f.meta.fund
		run = func() tea.Msg {
			cx, cancel := common.Bounded(cm.WriteContext())
			defer cancel()
			resp, err := c.STKPush(cx, client.STKPushRequest{
				Phone: req.phone, Amount: req.amount, WalletID: req.wallet.ID,
				APIRef: "Fund " + req.wallet.ID, Narrative: "Wallet funding"})
			target := req.wallet.ID // no invoice yet when IntaSend said no
			if resp != nil && resp.Invoice.ID != "" {
				target = resp.Invoice.ID
			}
			aerr := cm.Audit(audit.Event("wallet.fund", target, req.amount, req.wallet.Currency, err))
			return fundDoneMsg{seq: seq, req: req, resp: resp, err: err, auditErr: aerr}
		}
	default:
		f.State = uiform.Editing
		return nil
	}
	return tea.Batch(run, m.startSpin())
}

func (m *Model) onCancelled(msg cancelledMsg) tea.Cmd {
	uiform.Reopen(m.form, msg.seq)
	return nil
}

// failForm puts IntaSend's refusal on the form, keeping what was typed.
func (m *Model) failForm(seq int, err error) { uiform.Refuse(m.form, seq, err, nil) }

func (m *Model) closeForm(seq int) { uiform.Drop(&m.form, seq) }

func (m *Model) onTransferDone(msg transferDoneMsg) tea.Cmd {
	now := m.now()
	r := msg.req
	switch {
	case msg.err == nil:
		m.closeForm(msg.seq)
		if msg.res != nil {
			m.applyWallet(msg.res.Origin)
			m.applyWallet(msg.res.Destination)
		}
		return tea.Batch(audit.Warning(msg.auditErr), text.Health(nil, now), m.refresh(false), common.Toast(common.ToastSuccess,
			fmt.Sprintf("%s Moved %s from %s to %s", common.SymOK, r.amount.Format(r.from.Currency), r.from.Label, r.to.Label)))
	case client.IsAmbiguous(msg.err):
		// It may have gone through: never send it again from here.
		m.closeForm(msg.seq)
		return tea.Batch(audit.Warning(msg.auditErr), text.Health(msg.err, now), m.refresh(false), common.Error("Transfer outcome unknown",
			fmt.Errorf("IntaSend did not answer clearly (%s). The transfer may have gone through, so it was not sent again: check both wallets' balances before trying again", text.ErrText(msg.err))))
	}
	m.failForm(msg.seq, msg.err)
	return tea.Batch(audit.Warning(msg.auditErr), text.Health(msg.err, now))
}

func (m *Model) onCreateDone(msg createDoneMsg) tea.Cmd {
	now := m.now()
	switch {
	case msg.err == nil:
		m.closeForm(msg.seq)
		if m.detail == nil {
			m.selectedID = msg.w.ID // the cursor lands on the new wallet
		}
		return tea.Batch(audit.Warning(msg.auditErr), text.Health(nil, now), m.refresh(false), common.Toast(common.ToastSuccess,
			fmt.Sprintf("%s Created wallet %s (%s)", common.SymOK, msg.w.Label, msg.w.ID)))
	case client.IsAmbiguous(msg.err):
		m.closeForm(msg.seq)
		return tea.Batch(audit.Warning(msg.auditErr), text.Health(msg.err, now), m.refresh(false), common.Error("Wallet creation outcome unknown",
			fmt.Errorf("IntaSend did not answer clearly (%s). The wallet may exist: check the list before creating it again", text.ErrText(msg.err))))
	}
	m.failForm(msg.seq, msg.err)
	return tea.Batch(audit.Warning(msg.auditErr), text.Health(msg.err, now))
}

// applyWallet shows a wallet IntaSend returned (a transfer's two sides) at
// once, before the refresh that follows confirms it.
func (m *Model) applyWallet(w client.Wallet) {
	if w.ID == "" || w.Currency == "" {
		return
	}
	for i := range m.wallets {
		if m.wallets[i].ID == w.ID {
			m.wallets[i].AvailableBalance, m.wallets[i].CurrentBalance = w.AvailableBalance, w.CurrentBalance
		}
	}
}

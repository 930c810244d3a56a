package payouts

import (
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/bankpicker"
	"github.com/malipo/malipo/ui/components/text"
)

// ---- reference data ----

type (
	walletsMsg struct {
		seq     int
		wallets []client.Wallet
		err     error
	}
	banksMsg struct {
		banks []client.Bank
		err   error
	}
)

func (m *Model) loadWallets() tea.Cmd {
	m.walletsSeq++
	seq, c := m.walletsSeq, m.c.Client
	base := m.c.Context()
	return func() tea.Msg {
		cx, cancel := common.Bounded(base)
		defer cancel()
		ws, err := c.AllWallets(cx)
		return walletsMsg{seq: seq, wallets: ws, err: err}
	}
}

func (m *Model) loadBanks() tea.Cmd {
	c, cache := m.c.Client, m.opts.bankCache
	base := m.c.Context()
	return func() tea.Msg {
		cx, cancel := common.Bounded(base)
		defer cancel()
		bs, _, err := cache.Banks(cx, c)
		return banksMsg{banks: bs, err: err}
	}
}

func (m *Model) onWallets(msg walletsMsg) tea.Cmd {
	if msg.seq != m.walletsSeq {
		return nil
	}
	now := m.c.Now()
	if msg.err != nil {
		m.walletsErr = text.ErrText(msg.err)
		return text.Health(msg.err, now)
	}
	m.walletsErr = ""
	m.wallets = m.wallets[:0]
	for _, w := range msg.wallets {
		if w.CanDisburse {
			m.wallets = append(m.wallets, w)
		}
	}
	// A new draft pays from the first KES wallet that can (the settlement
	// wallet comes first in IntaSend's list).
	if d := m.comp.d; d.WalletID == "" {
		for _, w := range m.wallets {
			if slices.Contains(d.Rail.Currencies(), w.Currency) {
				d.WalletID, d.Currency = w.ID, w.Currency
				break
			}
		}
	}
	return text.Health(nil, now)
}

func (m *Model) onBanks(msg banksMsg) tea.Cmd {
	now := m.c.Now()
	if msg.err != nil || len(msg.banks) == 0 {
		if msg.err != nil {
			m.banksErr = text.ErrText(msg.err)
		}
		return text.Health(msg.err, now)
	}
	m.bankList, m.banksLoaded, m.banksErr = msg.banks, true, ""
	m.banks = payout.NewBankSet(msg.banks)
	if m.comp.d.Rail == payout.PesaLink {
		m.comp.revalidate(m.banks)
	}
	return text.Health(nil, now)
}

// ---- Update ----

// Update handles keys, the view's own data messages, its timers and the
// shell's answers to its confirmations.
func (m *Model) Update(msg tea.Msg) (common.View, tea.Cmd) {
	return m, m.update(msg)
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	for _, route := range []func(tea.Msg) (tea.Cmd, bool){m.onInput, m.onData, m.onBatchMsg, m.onPalette} {
		if cmd, ok := route(msg); ok {
			return cmd
		}
	}
	return nil
}

// onInput routes what the person did: keys, pastes, the bank picker's
// answers and the file messages.
func (m *Model) onInput(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.onKey(msg), true
	case bankpicker.LoadedMsg, bankpicker.PickedMsg, bankpicker.CancelledMsg:
		if m.form != nil && m.form.Picking() {
			return m.onFormKey(msg), true
		}
		return nil, true // the form that opened the picker has gone
	case tea.PasteMsg:
		return m.onPaste(msg), true
	case filesListedMsg, importedMsg, importOpenMsg, exportedMsg, exportReplaceMsg, exportKeyMsg, copyKeyMsg:
		return m.onFileMsg(msg), true
	case balanceMsg, newDraftMsg, newDraftConfirmedMsg:
		return m.onDraftMsg(msg), true
	}
	return nil, false
}

// onData routes the view's own loads and timers.
func (m *Model) onData(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case spinMsg:
		return m.onSpin(), true
	case walletsMsg:
		return m.onWallets(msg), true
	case banksMsg:
		return m.onBanks(msg), true
	case draftsMsg:
		return m.onDrafts(msg), true
	case savedMsg:
		return m.onSaved(msg), true
	case pendingLoadedMsg:
		return m.onPendingLoaded(msg), true
	case bookMsg:
		return m.onBook(msg.entries), true
	case sweepMsg:
		return m.onSweepTimer(msg), true
	case sweptMsg:
		return m.onSwept(msg), true
	case ackMsg:
		return m.onAck(msg), true
	case detailsMsg:
		return m.onDetails(msg), true
	}
	return nil, false
}

// onBatchMsg routes the open batch's calls and their answers.
func (m *Model) onBatchMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case initiateMsg:
		return m.onInitiateConfirmed(msg), true
	case initiatedMsg:
		return m.onInitiated(msg), true
	case approveConfirmedMsg:
		return m.onApproveConfirmed(msg), true
	case approveCancelledMsg:
		return m.onApproveCancelled(msg), true
	case approvedMsg:
		return m.onApproved(msg), true
	case cancelConfirmedMsg:
		return m.onCancelConfirmed(msg), true
	case cancelDroppedMsg:
		return m.onCancelDropped(msg), true
	case cancelledMsg:
		return m.onCancelled(msg), true
	case pollMsg:
		return m.onPoll(msg), true
	case common.WebhookMsg:
		return m.onWebhook(msg), true
	case common.StoreMsg:
		m.onStore(msg)
		return nil, true
	case statusMsg:
		return m.onStatus(msg), true
	case openedMsg:
		return m.onOpened(msg), true
	}
	return nil, false
}

// onPalette routes the palette's entries (and the shell's hand-offs).
func (m *Model) onPalette(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case addRowMsg:
		if m.keys.Add.Enabled() {
			m.screen = scrCompose
			return m.openRowForm(-1), true
		}
	case previewMsg:
		if m.keys.Preview.Enabled() {
			return m.preview(), true
		}
	case approveKeyMsg:
		return m.approve(), true
	case cancelKeyMsg:
		return m.cancelBatch(), true
	case pendingMsg:
		return m.showPending(), true
	case openIDMsg:
		return m.openIDPrompt(), true
	case attentionMsg:
		return m.showAttention(), true
	case historyMsg:
		return m.showHistory(), true
	case common.OpenBatchMsg:
		return m.openByID(msg.TrackingID), true
	}
	return nil, false
}

func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case m.resume != nil:
		return m.resumeKeys(k)
	case m.form != nil:
		return m.onFormKey(k)
	case m.prompt != nil:
		return m.promptKeys(k)
	case m.imp != nil:
		return m.importKeys(k)
	case m.files != nil:
		return m.filesKeys(k)
	case m.screen == scrPending:
		return m.pendingKeys(k)
	case m.screen == scrAttention:
		return m.attentionKeys(k)
	case m.screen == scrHistory:
		return m.historyKeys(k)
	case m.screen == scrBatch && m.batch != nil:
		return m.batchKeys(k)
	}
	if key.Matches(k, m.keys.Back) && m.message != "" {
		m.message = ""
		return nil
	}
	return m.composeKeys(k)
}

// View renders the body, with a form, prompt or panel over it when open.
func (m *Model) View() string {
	var body string
	switch {
	case m.screen == scrPending:
		body = m.pendingView()
	case m.screen == scrAttention:
		body = m.attentionView()
	case m.screen == scrHistory:
		body = m.historyView()
	case m.screen == scrBatch && m.batch != nil:
		body = m.batchView()
	default:
		body = m.composeView()
	}
	var panel string
	switch {
	case m.resume != nil:
		panel = m.resumeView()
	case m.form != nil:
		panel = m.form.View(m.c.Styles, "", m.width)
	case m.prompt != nil:
		panel = m.promptView()
	case m.imp != nil:
		panel = m.importView()
	case m.files != nil:
		panel = m.filesView()
	default:
		return text.ClipFitted(body, m.width, m.height)
	}
	return text.ClipFitted(text.Overlay(body, panel, m.width), m.width, m.height)
}

// onPaste routes a bracketed paste: into the field or prompt being typed
// in, except that CSV text (it has line breaks) pasted into the import
// prompt, the folder picker or the composer is imported as a file would be.
func (m *Model) onPaste(msg tea.PasteMsg) tea.Cmd {
	switch {
	case m.form != nil:
		return m.onFormKey(msg)
	case m.screen == scrHistory && m.hist.filter.Focused():
		return m.historyFilterKeys(msg)
	case m.prompt != nil:
		if m.prompt.kind == promptImport && strings.ContainsAny(msg.Content, "\r\n") {
			m.prompt = nil
			return m.importPaste(msg.Content)
		}
		return m.promptKeys(msg)
	case m.files != nil:
		m.files = nil
		return m.importPaste(msg.Content)
	case m.resume != nil, m.imp != nil:
		return nil
	case m.screen == scrCompose:
		return m.importPaste(msg.Content)
	}
	return nil
}

// onDraftMsg handles what starts a draft over or sends it on: the balance
// read before a preview, and "new draft" with its confirmation.
func (m *Model) onDraftMsg(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case balanceMsg:
		return m.onBalance(msg)
	case newDraftMsg:
		return m.newDraft()
	case newDraftConfirmedMsg:
		return m.onNewDraftConfirmed(msg)
	}
	return nil
}

// onFileMsg handles what moves files in and out: imports, exports, the
// folder's listing, the clipboard copy and their palette entries.
func (m *Model) onFileMsg(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case filesListedMsg:
		m.onFilesListed(msg)
	case importedMsg:
		return m.onImported(msg)
	case importOpenMsg:
		return m.openImport()
	case exportedMsg:
		return m.onExported(msg)
	case exportReplaceMsg:
		return m.export(msg.target, true)
	case exportKeyMsg:
		return m.exportPrompt()
	case copyKeyMsg:
		return m.copyResults()
	}
	return nil
}

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
		cx, cancel := reqCtx(base)
		defer cancel()
		ws, err := c.AllWallets(cx)
		return walletsMsg{seq: seq, wallets: ws, err: err}
	}
}

func (m *Model) loadBanks() tea.Cmd {
	c, cache := m.c.Client, m.opts.bankCache
	base := m.c.Context()
	return func() tea.Msg {
		cx, cancel := reqCtx(base)
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
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return m.onKey(msg)
	case bankpicker.LoadedMsg, bankpicker.PickedMsg, bankpicker.CancelledMsg:
		if m.form != nil && m.form.Picking() {
			return m.onFormKey(msg)
		}
		return nil // the form that opened the picker has gone
	case tea.PasteMsg:
		return m.onPaste(msg)
	case filesListedMsg, importedMsg, importOpenMsg, exportedMsg, exportReplaceMsg, exportKeyMsg, copyKeyMsg:
		return m.onFileMsg(msg)
	case spinMsg:
		return m.onSpin()
	case walletsMsg:
		return m.onWallets(msg)
	case banksMsg:
		return m.onBanks(msg)
	case draftsMsg:
		return m.onDrafts(msg)
	case savedMsg:
		return m.onSaved(msg)
	case pendingLoadedMsg:
		return m.onPendingLoaded(msg)
	case balanceMsg, newDraftMsg, newDraftConfirmedMsg:
		return m.onDraftMsg(msg)
	case initiateMsg:
		return m.onInitiateConfirmed(msg)
	case initiatedMsg:
		return m.onInitiated(msg)
	case approveConfirmedMsg:
		return m.onApproveConfirmed(msg)
	case approveCancelledMsg:
		return m.onApproveCancelled(msg)
	case approvedMsg:
		return m.onApproved(msg)
	case cancelConfirmedMsg:
		return m.onCancelConfirmed(msg)
	case cancelDroppedMsg:
		return m.onCancelDropped(msg)
	case cancelledMsg:
		return m.onCancelled(msg)
	case pollMsg:
		return m.onPoll(msg)
	case statusMsg:
		return m.onStatus(msg)
	case openedMsg:
		return m.onOpened(msg)
	// Palette entries.
	case addRowMsg:
		if m.keys.Add.Enabled() {
			m.screen = scrCompose
			return m.openRowForm(-1)
		}
	case previewMsg:
		if m.keys.Preview.Enabled() {
			return m.preview()
		}
	case approveKeyMsg:
		return m.approve()
	case cancelKeyMsg:
		return m.cancelBatch()
	case pendingMsg:
		return m.showPending()
	case openIDMsg:
		return m.openIDPrompt()
	case common.OpenBatchMsg:
		return m.openByID(msg.TrackingID)
	}
	return nil
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

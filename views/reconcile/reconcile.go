// Package reconcile is the console's Recon tab: reconciliation (the
// pulse, "is anything wrong right now", is on Wallets and in the status
// bar since issue 16's review): pick the shop's order
// ledger (locally a path prompt; over SSH a file from the user's folder,
// nothing typed is a path), and see IntaSend's collections matched against
// it (package reconcile): every difference as a row of one table, its
// evidence on enter.
package reconcile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/reconcile"
	"github.com/malipo/malipo/ui/common"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/keys"
	"github.com/malipo/malipo/ui/components/spin"
	"github.com/malipo/malipo/ui/components/table"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/userdir"
)

// eat is the zone ledger dates are read in: IntaSend's days.
var eat = time.FixedZone("EAT", 3*60*60)

// KeyMap is the tab's own bindings.
type KeyMap struct {
	Open, Again, Settle, Refund, Submit, Cancel key.Binding
}

// DefaultKeyMap returns the tab's bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Open:   keys.Bind([]string{"o"}, "o", "open a ledger CSV"),
		Again:  keys.Bind([]string{"r"}, "r", "reconcile again"),
		Settle: keys.Bind([]string{"s"}, "s", "where the money went (14 days)"),
		Refund: keys.Bind([]string{"R"}, "R", "refund a duplicate payment"),
		Submit: keys.Bind([]string{"enter"}, "enter", "reconcile"),
		Cancel: keys.Bind([]string{"esc"}, "esc", "cancel"),
	}
}

// stage is what the tab shows.
type stage int

const (
	stageIdle    stage = iota // nothing opened yet
	stagePrompt               // the local path prompt
	stagePick                 // the SSH folder's files
	stageLoading              // reading, fetching, matching
	stageDone                 // the findings
	stageSettle               // where the money went
)

// Model is the Reconcile tab. Use New.
type Model struct {
	c     *common.Common
	keys  KeyMap
	nav   keys.Nav
	stage stage

	width, height int
	input         textinput.Model
	promptErr     string
	files         []userdir.Entry
	picker        table.Model

	seq    int
	source source
	err    string
	res    *reconcile.Result
	notes  []string // the ledger's problems, one line each
	finds  []finding
	list   table.Model
	warn   text.Paint // a finding that needs attention
	settle settlement
	before stage // where esc from the settlement returns
	spin   spin.Model
	sched  common.Scheduler // c.After; tests hold the timers
}

// New builds the Reconcile tab.
func New(c *common.Common) common.View {
	m := &Model{c: c, keys: DefaultKeyMap(), nav: keys.NewNav(), spin: spin.New(c.Styles.Pending), sched: c.After}
	m.list = table.New(c, []table.Column{
		{Title: "KIND", Min: 9},
		{Title: "REFERENCE", Min: 11, Flex: 1, Max: 24},
		{Title: "DATE", Min: 10, Drop: 2},
		{Title: "AMOUNT", Min: 12, Align: table.Right},
		{Title: "EVIDENCE", Min: 12, Flex: 3, Drop: 1},
	}, table.WithKeys(m.nav))
	m.list.SetDetail(func(i int) tea.Msg { return table.Detail{Title: m.finds[i].title(), Text: m.finds[i].evidence} })
	m.picker = table.New(c, []table.Column{
		{Title: "FILE", Min: 12, Flex: 1},
		{Title: "SIZE", Min: 8, Align: table.Right},
		{Title: "MODIFIED", Min: 16, Drop: 1},
	}, table.WithKeys(m.nav))
	m.warn = text.NewPaint(c.Styles.Warning)
	m.settle.list = m.newSettlementTable()
	m.SetSize(80, 20)
	return m
}

// Init does nothing: nothing is reconciled until a file is opened.
func (m *Model) Init() tea.Cmd { return nil }

// SetSched replaces the tab's timers (tests: tuitest.Driver.Sched).
func (m *Model) SetSched(f common.Scheduler) { m.sched = f }

// spinMsg is the busy spinner's frame.
type spinMsg struct{}

// busy is true while a reconciliation or the settlement is being read.
func (m *Model) busy() bool {
	return m.stage == stageLoading || m.stage == stageSettle && m.settle.loading
}

func (m *Model) startSpin() tea.Cmd { return m.spin.Start(m.sched, spinMsg{}) }

// Title is the tab label: short, so seven tabs fit 80 columns.
func (m *Model) Title() string { return "Recon" }

// SetSize gives the body's size: a summary of three lines above the table.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 20), max(h, 6)
	m.list.SetSize(m.width, max(m.height-5, 1))
	m.picker.SetSize(m.width, max(m.height-4, 1))
	m.settle.list.SetSize(m.width, max(m.height-5, 1))
}

// Capturing is true while the path prompt takes text.
func (m *Model) Capturing() bool { return m.stage == stagePrompt }

// ShortHelp is the status bar's help.
func (m *Model) ShortHelp() []key.Binding {
	switch m.stage {
	case stagePrompt, stagePick:
		return []key.Binding{m.keys.Submit, m.keys.Cancel}
	case stageDone:
		if _, ok := m.refundable(); ok && m.c.Can(common.PermRefund) {
			return []key.Binding{m.nav.Up, m.nav.Down, m.nav.Open, m.keys.Refund, m.keys.Open, m.keys.Again}
		}
		return []key.Binding{m.nav.Up, m.nav.Down, m.nav.Open, m.keys.Open, m.keys.Again, m.keys.Settle}
	case stageSettle:
		return []key.Binding{m.nav.Up, m.nav.Down, m.nav.Open, m.keys.Cancel}
	}
	return []key.Binding{m.keys.Open, m.keys.Settle}
}

// FullHelp is every binding.
func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{{m.keys.Open, m.keys.Again, m.keys.Settle, m.keys.Refund, m.keys.Submit, m.keys.Cancel}, {m.nav.Up, m.nav.Down, m.nav.Open}}
}

// Actions are the palette's.
func (m *Model) Actions() []common.Action {
	return []common.Action{{Title: "Reconcile a ledger", Help: "match your orders CSV against IntaSend's payments",
		Key: m.keys.Open, Msg: openMsg{}, Perm: common.PermImport},
		{Title: "Where the money went", Help: "the settlement wallet per day: collections, charges, refunds, payouts, transfers",
			Key: m.keys.Settle, Msg: settleMsg{}}}
}

type openMsg struct{}

type settleMsg struct{}

// source is the file reconciled: a local path, or a name in the user's folder.
type source struct {
	path, name string
}

func (s source) label() string {
	if s.name != "" {
		return s.name
	}
	return s.path
}

func (s source) open(files *userdir.Dir) (io.ReadCloser, error) {
	if s.name != "" {
		return files.Open(s.name)
	}
	return userdir.OpenRegular(s.path)
}

// doneMsg is one reconciliation's outcome.
type doneMsg struct {
	seq int
	lg  *reconcile.Ledger
	res *reconcile.Result
	err error
}

// filesMsg is the user's folder listing.
type filesMsg struct {
	files []userdir.Entry
	err   error
}

// open starts picking a file: the folder over SSH, a prompt locally.
func (m *Model) open() tea.Cmd {
	if !m.c.Can(common.PermImport) {
		why := fmt.Sprintf("Your role (%s) may not import files", m.c.EffectiveRole())
		return tea.Batch(common.Toast(common.ToastError, common.SymFailed+" "+why),
			m.audit("reconcile.open", "", "refused", why))
	}
	if m.c.Files != nil {
		m.stage = stagePick
		files := m.c.Files
		return func() tea.Msg {
			es, err := files.List()
			return filesMsg{files: es, err: err}
		}
	}
	m.stage, m.promptErr = stagePrompt, ""
	m.input = uiform.NewInput(m.c.Styles, "", "path/to/orders.csv", 4096)
	m.input.SetValue(m.source.path)
	m.input.CursorEnd()
	return m.input.Focus()
}

func (m *Model) audit(action, target, result, detail string) tea.Cmd {
	c := m.c
	return func() tea.Msg {
		_ = c.Audit(common.AuditEvent{Action: action, Target: target, Result: result, Detail: detail})
		return nil
	}
}

// run reads the ledger and reconciles it off the UI goroutine.
func (m *Model) run(src source) tea.Cmd {
	m.seq++
	m.stage, m.source, m.err = stageLoading, src, ""
	seq, cl, files, base := m.seq, m.c.Client, m.c.Files, m.c.Context()
	return tea.Batch(m.audit("reconcile.open", src.label(), "requested", ""), m.startSpin(), func() tea.Msg {
		rc, err := src.open(files)
		if err != nil {
			return doneMsg{seq: seq, err: err}
		}
		lg := reconcile.ReadLedger(rc, eat)
		rc.Close()
		if lg.Refused != nil {
			return doneMsg{seq: seq, err: lg.Refused}
		}
		// Fetch pages through a month of collections: longer than one
		// request's bound (common.Bounded), still ended with the session.
		ctx, cancel := context.WithTimeout(base, 2*time.Minute)
		defer cancel()
		col, err := reconcile.Fetch(ctx, cl, lg.Orders, reconcile.LedgerWindow(lg.Orders))
		if err != nil {
			return doneMsg{seq: seq, lg: lg, err: err}
		}
		return doneMsg{seq: seq, lg: lg, res: lg.Match(col)}
	})
}

// Update routes messages and keys: the keyboard, then the tab's own
// answers.
func (m *Model) Update(msg tea.Msg) (common.View, tea.Cmd) {
	return m, common.Dispatch(msg, common.Input(m.onKey, m.onPaste), m.onLoad)
}

// onLoad takes the answers of the tab's commands.
func (m *Model) onLoad(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case openMsg:
		return m.open(), true
	case filesMsg:
		m.onFiles(msg)
	case doneMsg:
		m.onDone(msg)
	case settleMsg:
		return m.openSettlement(), true
	case settledMsg:
		m.onSettled(msg)
	case spinMsg:
		return m.spin.Tick(m.busy(), m.sched, spinMsg{}), true
	default:
		return nil, false
	}
	return nil, true
}

func (m *Model) onPaste(msg tea.PasteMsg) tea.Cmd {
	if m.stage != stagePrompt {
		return nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return cmd
}

func (m *Model) onFiles(msg filesMsg) {
	if m.stage != stagePick {
		return
	}
	if msg.err != nil {
		m.stage, m.err = stageIdle, fileErr(msg.err)
		return
	}
	m.files = msg.files
	m.picker.SetTotal(len(m.files))
}

func (m *Model) onDone(msg doneMsg) {
	if msg.seq != m.seq {
		return // an earlier run's answer
	}
	m.stage = stageDone
	m.notes = m.notes[:0]
	if msg.lg != nil {
		for _, p := range msg.lg.Problems {
			m.notes = append(m.notes, p.String())
		}
	}
	if msg.err != nil {
		m.err, m.res, m.finds = errText(msg.err), nil, nil
		m.list.SetTotal(0)
		return
	}
	m.res = msg.res
	m.finds = findings(msg.res)
	m.list.SetTotal(len(m.finds))
	m.list.SetCursor(0)
}

func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	switch m.stage {
	case stagePrompt:
		return m.promptKey(k)
	case stagePick:
		return m.pickKey(k)
	case stageLoading:
		return nil
	case stageSettle:
		return m.settleKey(k)
	}
	if m.list.DetailOpen() || m.stage == stageDone {
		if cmd, ok := m.list.Update(k); ok {
			return cmd
		}
	}
	switch {
	case key.Matches(k, m.keys.Open):
		return m.open()
	case key.Matches(k, m.keys.Again) && m.source.label() != "":
		return m.run(m.source)
	case key.Matches(k, m.keys.Settle):
		return m.openSettlement()
	case key.Matches(k, m.keys.Refund) && m.stage == stageDone:
		return m.refund()
	}
	return nil
}

// refundable is the invoice the finding under the cursor offers to refund:
// only a duplicate payment has one.
func (m *Model) refundable() (string, bool) {
	i, ok := m.list.Current()
	if !ok || i >= len(m.finds) || m.finds[i].refund == "" {
		return "", false
	}
	return m.finds[i].refund, true
}

// refund hands a duplicate payment to the Refunds tab, as Collections'
// R does: the refund form and its checks live there, not here.
func (m *Model) refund() tea.Cmd {
	id, ok := m.refundable()
	switch {
	case !ok:
		return common.Toast(common.ToastWarn, common.SymWarn+" Only a duplicate payment is a refund candidate")
	case !m.c.Can(common.PermRefund):
		why := fmt.Sprintf("Your role (%s) may not refund", m.c.EffectiveRole())
		return tea.Batch(common.Toast(common.ToastError, common.SymFailed+" "+why), m.audit("reconcile.refund", id, "refused", why))
	}
	return common.GoTo("Refunds", common.OpenRefundMsg{InvoiceID: id})
}

func (m *Model) openSettlement() tea.Cmd {
	if m.stage != stageSettle {
		m.before = m.stage
	}
	return m.loadSettlement()
}

func (m *Model) settleKey(k tea.KeyPressMsg) tea.Cmd {
	if m.settle.s != nil {
		if cmd, ok := m.settle.list.Update(k); ok {
			return cmd
		}
	}
	if key.Matches(k, m.keys.Cancel) {
		m.stage = m.before
	}
	return nil
}

func (m *Model) promptKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.Cancel):
		m.stage = m.back()
		return nil
	case key.Matches(k, m.keys.Submit):
		p := strings.TrimSpace(m.input.Value())
		if p == "" {
			m.promptErr = "type the path of a CSV file"
			return nil
		}
		if strings.HasPrefix(p, "~/") {
			if home, err := os.UserHomeDir(); err == nil {
				p = home + p[1:]
			}
		}
		return m.run(source{path: p})
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(k)
	return cmd
}

func (m *Model) pickKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.Cancel):
		m.stage = m.back()
		return nil
	case key.Matches(k, m.keys.Submit):
		if i, ok := m.picker.Current(); ok {
			return m.run(source{name: m.files[i].Name})
		}
		return nil
	}
	cmd, _ := m.picker.Update(k)
	return cmd
}

// back is where esc from a picker returns: the findings, if any.
func (m *Model) back() stage {
	if m.res != nil || m.err != "" {
		return stageDone
	}
	return stageIdle
}

func fileErr(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	return err.Error()
}

// errText words a failure: a file problem, or IntaSend's.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fileErr(err)
	}
	if errors.Is(err, userdir.ErrNotRegular) || errors.Is(err, userdir.ErrName) {
		return err.Error()
	}
	return text.ErrText(err)
}

// Package ui is malipo's app shell: the root Bubble Tea model that owns the
// tabs, header, status bar, toasts, error panel, help overlay, command
// palette and confirmation dialog, and routes messages to the screens in
// views/*. It also builds and runs the program (Run, ProgramOptions) and
// the embedded demo backend (StartDemo), so `malipo`, `malipo demo` and
// `malipo serve` share one way of starting a console.
package app

import (
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/demo"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/when"
)

// Minimum terminal size the console lays out for (docs/design.md §8).
const (
	MinWidth  = 80
	MinHeight = 24
)

// Rows the shell takes from the screen: header and rule on top, help and
// status bar at the bottom.
const (
	headerRows = 2
	footerRows = 2
)

// toastTTL is how long a toast stays (k9s flashes for 6 s).
const toastTTL = 5 * time.Second

// Options change how New builds the shell.
type Options struct {
	// Views builds the tabs. Nil: the default set (Wallets, Collections,
	// Payouts, Refunds, Subscriptions, Banks).
	Views func(*common.Common) []common.View
	// Onboarding opens the "no keys stored yet" screen instead of the tabs;
	// the Common's Client may then be nil. Pressing d starts the demo.
	Onboarding bool
	// StartDemo starts the backend behind the onboarding screen's d. Nil:
	// StartDemo with a time-based seed.
	StartDemo func() (*demo.Backend, error)
	// NoMouse turns mouse reporting off (--no-mouse). It is on by default,
	// locally and over SSH: click a tab, a row, a dialog's button; the wheel
	// scrolls. While the console has the mouse, most terminals select text
	// with shift held (k9s #874 is why the flag exists).
	NoMouse bool
	// NotifyAbove rings the terminal bell and shows a toast when a payment
	// of at least this many KES completes while the console watches
	// (--notify-above); zero turns payment notifications off. A failed
	// payout always rings.
	NotifyAbove client.Amount
	// Journal is the profile's payout journal (drafts autosave, the
	// duplicate guard, crash recovery). Nil keeps payouts in memory only,
	// as the demo does.
	Journal *payout.Journal
	// DeviceID is the registered device whose key signs approvals.
	DeviceID string
	// Policy is the approval policy (issue 13): the users file's over SSH,
	// the profile's limits locally. Nil: one approver, no limits.
	Policy func() *payout.Policy
}

// Model is the shell. Build it with New; it is a tea.Model.
type Model struct {
	c      *common.Common
	opts   Options
	keys   KeyMap
	chrome chromeMemo

	views   []common.View
	active  int
	started []bool // views whose Init has run (they start when first shown)

	width, height int

	showHelp   bool
	helpOffset int // the help overlay's first line shown
	helpKeys   HelpKeyMap
	palette    *palette
	confirm    *confirmDialog
	errPanel   *errorPanel
	toasts     []toast
	toastSeq   int
	health     health

	// sched delivers msg after d unless the session ends first
	// (Common.After); tests replace it to hold the palette's debounce
	// instead of waiting on a clock.
	sched func(d time.Duration, msg tea.Msg) tea.Cmd

	onboarding   bool
	demoStarting bool          // d was pressed; the demo is coming up
	demo         *demo.Backend // started from the onboarding screen; closed by Close

	exitNotes []string // what the views left pending, collected on quitting

	attention attention // the status bar's "⚠ 3 need attention" (attention.go)
	alarm     alarm     // the status bar's "▼ 30% of last 20 paid" (the pulse's, on every tab)

	storeDown bool // the shared store did not answer serve's last ping (common.StoreMsg)
}

// New builds the shell around c. c.Styles and c.Now are filled in when nil;
// the shell is the only writer of c afterwards (sizes, theme, demo client).
func New(c *common.Common, opts Options) *Model {
	if c.Styles == nil {
		c.Styles = common.NewStyles(true) // dark until the terminal answers
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if opts.Views == nil {
		opts.Views = opts.defaultViews
	}
	if opts.StartDemo == nil {
		opts.StartDemo = func() (*demo.Backend, error) { return demo.Start(demo.Options{}) }
	}
	m := &Model{c: c, opts: opts, keys: DefaultKeyMap(), helpKeys: DefaultHelpKeyMap(), onboarding: opts.Onboarding,
		sched: c.After}
	if !m.onboarding {
		m.setViews(opts.Views(c))
	}
	return m
}

// Common is the context shared with the views.
func (m *Model) Common() *common.Common { return m.c }

// Close releases what the shell started itself (a demo begun from the
// onboarding screen). Run calls it; a caller of NewProgram must too.
func (m *Model) Close() error {
	if m.demo != nil {
		err := m.demo.Close()
		m.demo = nil
		return err
	}
	return nil
}

// Init asks the terminal for its background (the theme is dark until it
// answers, and never waits for it: some terminals never do) and starts the
// views.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, clockTick(clockMost), m.initViews())
}

// initViews starts the active view only. The others start when first
// shown: a hidden view would pause its polling anyway (docs/design.md §8), and
// fetching six screens' data at once slowed the first frame and would cost
// every SSH session six loads it may never look at.
func (m *Model) initViews() tea.Cmd {
	m.resizeViews()
	return m.startView(m.active)
}

// setViews installs the tabs; none has started yet.
func (m *Model) setViews(vs []common.View) {
	m.views = vs
	m.started = make([]bool, len(vs))
	m.active = 0
}

// startView runs view i's Init once, then tells it it is shown.
func (m *Model) startView(i int) tea.Cmd {
	if i < 0 || i >= len(m.views) || m.started[i] {
		return nil
	}
	m.started[i] = true
	cmds := []tea.Cmd{own(i, m.views[i].Init())}
	if s, ok := m.views[i].(common.Shown); ok {
		cmds = append(cmds, own(i, s.SetShown(true)))
	}
	return tea.Batch(cmds...)
}

// clockMsg re-renders the status bar so "updated 12s ago" stays true.
type clockMsg struct{}

// The clock ticks when the status bar's age would next read differently,
// not every second: each tick is a frame, and over SSH a frame for every
// session. At 100 sessions those once-a-second frames of a bar that said
// what it said a second before were a third of serve's idle CPU. clockMost
// bounds the wait, so the views' minute-grained times ("today 14:05",
// "3m ago") are never more than that late either.
const clockMost = 10 * time.Second

func clockTick(d time.Duration) tea.Cmd {
	return tea.Tick(d, func(time.Time) tea.Msg { return clockMsg{} })
}

// nextClock is how long until the status bar's age would read
// differently, at most clockMost.
func (m *Model) nextClock() time.Duration {
	h := m.health
	if !h.known || h.lastOK.IsZero() {
		return clockMost
	}
	return min(clockMost, untilAgeChanges(m.c.Now().Sub(h.lastOK), freshness(h.ok)))
}

// freshFor is how long a connected console's bar says "updated just now":
// the live screens refresh every 5 s, so a healthy bar stays still instead
// of counting 2s, 3s, 4s between refreshes. Past it, the seconds count.
const freshFor = 10 * time.Second

// freshness is how long an age reads "just now": freshFor while connected;
// offline, when.Ago's own 2 s, so "last ok" counts from the start.
func freshness(ok bool) time.Duration {
	if ok {
		return freshFor
	}
	return 2 * time.Second
}

// untilAgeChanges is how long until an age of d, shown by ageText with
// fresh, reads differently: when it stops being fresh, then at the next
// whole second, minute or hour as when.Ago counts them.
func untilAgeChanges(d, fresh time.Duration) time.Duration {
	var next time.Duration
	switch {
	case d < fresh:
		next = fresh - d
	case d < time.Minute:
		next = time.Second - d%time.Second
	case d < time.Hour:
		next = time.Minute - d%time.Minute
	default:
		next = time.Hour - d%time.Hour
	}
	return max(next, clockLeast)
}

// clockLeast keeps a tick due at once from becoming a busy loop.
const clockLeast = 10 * time.Millisecond

// ageText is how long ago t was for the status bar: "just now" within
// fresh, else when.Ago.
func ageText(now, t time.Time, fresh time.Duration) string {
	if now.Sub(t) < fresh {
		return "just now"
	}
	return when.Ago(now, t)
}

// Update routes a message: terminal and shell messages first, then keys
// (overlays, then globals, then the active view), then everything else to
// the views.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	return m, m.update(msg)
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	if cmd, ok := m.terminalMsg(msg); ok {
		return cmd
	}
	if cmd, ok := m.searchMsg(msg); ok {
		return cmd
	}
	switch msg := msg.(type) {
	case ownedMsg:
		return m.fromView(msg.view, msg.msg)
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.MouseClickMsg:
		return m.handleClick(msg)
	case tea.MouseWheelMsg:
		return m.handleWheel(msg)
	case tea.PasteMsg:
		return m.handlePaste(msg)
	case tea.MouseMsg:
		if len(m.views) > 0 && m.confirm == nil && m.palette == nil {
			return m.updateView(m.active, msg)
		}
		return nil
	}
	if cmd, ok := m.shellMsg(shellOwner, msg); ok {
		return cmd
	}
	m.noteStore(msg) // and on to the views: Payouts pauses money moves
	// Anything else (sent from outside the program, or a message whose
	// owner is unknown) goes to every view; each ignores what is not its own.
	var cmds []tea.Cmd
	for i := range m.views {
		cmds = append(cmds, m.updateView(i, msg))
	}
	return tea.Batch(cmds...)
}

// noteStore keeps serve's word on the shared store for the status bar.
func (m *Model) noteStore(msg tea.Msg) {
	if sm, ok := msg.(common.StoreMsg); ok {
		m.storeDown = sm.Down
	}
}

// terminalMsg handles what the terminal and the shell's own timers send:
// sizes, the background colour, the clock, toasts expiring, the demo
// coming up. ok says msg was one of them.
func (m *Model) terminalMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.resizeViews()
	case tea.BackgroundColorMsg:
		*m.c.Styles = *common.NewStyles(msg.IsDark())
	case clockMsg:
		return clockTick(m.nextClock()), true
	case toastExpiredMsg:
		m.expireToast(msg.id)
	case demoStartedMsg:
		return m.demoStarted(msg), true
	default:
		return nil, false
	}
	return nil, true
}

// fromView handles a message a view's command produced: the shell's own
// requests (toast, error, confirm, health) are served here, the rest go
// back to the view that made it.
func (m *Model) fromView(i int, msg tea.Msg) tea.Cmd {
	if cmd, ok := m.shellMsg(i, msg); ok {
		return cmd
	}
	if i == shellOwner {
		return m.shellReply(msg)
	}
	if i < 0 || i >= len(m.views) {
		return nil
	}
	return m.updateView(i, msg)
}

// shellMsg serves the messages of package common; owner is the view that
// sent it (for confirmations).
func (m *Model) shellMsg(owner int, msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case common.ToastMsg:
		return m.addToast(msg), true
	case common.ErrorMsg:
		m.showError(msg)
		return nil, true
	case common.HealthMsg:
		m.health.record(msg)
		return nil, true
	case common.ConfirmMsg:
		return m.openConfirm(owner, msg), true
	case common.GoToMsg:
		return m.goTo(msg), true
	case common.PaymentReceivedMsg:
		return m.notifyPayment(msg), true
	case common.PayoutFailedMsg:
		return m.notifyPayoutFailed(msg), true
	case common.BroadcastMsg:
		return m.broadcast(owner, msg.Msg), true
	case common.ClipboardMsg:
		return tea.SetClipboard(msg.Text), true
	case common.AttentionMsg:
		m.attention.set(owner, msg)
		return nil, true
	case common.AlarmMsg:
		m.alarm = alarm{view: owner, msg: msg}
		return nil, true
	}
	return nil, false
}

// broadcast delivers msg to every started view but the one that sent it,
// hidden views included (a hidden Wallets must still learn that money
// arrived); a view not started yet loads fresh data when first shown.
func (m *Model) broadcast(from int, msg tea.Msg) tea.Cmd {
	var cmds []tea.Cmd
	for i := range m.views {
		if i != from && m.started[i] {
			cmds = append(cmds, m.updateView(i, msg))
		}
	}
	return tea.Batch(cmds...)
}

// goTo is a hand-off between screens: switch to the tab titled msg.Tab
// (starting it if it never ran) and deliver msg.Msg to it.
func (m *Model) goTo(msg common.GoToMsg) tea.Cmd {
	for i, v := range m.views {
		if v.Title() != msg.Tab {
			continue
		}
		cmd := m.switchTo(i)
		if msg.Msg == nil {
			return cmd
		}
		return tea.Batch(cmd, m.updateView(i, msg.Msg))
	}
	return m.addToast(common.ToastMsg{Kind: common.ToastWarn, Text: "No " + msg.Tab + " view in this console"})
}

// shellReply handles the answer to a confirmation the shell asked itself.
func (m *Model) shellReply(msg tea.Msg) tea.Cmd {
	if _, ok := msg.(tea.QuitMsg); ok {
		return m.exit()
	}
	return nil
}

// updateView sends msg to view i and tags its commands as the view's own.
func (m *Model) updateView(i int, msg tea.Msg) tea.Cmd {
	v, cmd := m.views[i].Update(msg)
	m.views[i] = v
	return own(i, cmd)
}

// openConfirm opens the dialog unless the role may not do what it guards,
// or four-eyes forbids it (the user initiated the batch they would
// approve): then the owner hears OnCancel, the user is told why and the
// refusal is audited.
func (m *Model) openConfirm(owner int, req common.ConfirmMsg) tea.Cmd {
	switch {
	case !allowed(m.role(), req.Perm):
		why := "Your role (" + m.role() + ") may not " + permWords(req.Perm)
		m.audit(req, "refused", refusedDetail(req.Perm, why))
		toast := m.addToast(common.ToastMsg{Kind: common.ToastError, Text: why})
		return tea.Batch(toast, m.reply(owner, req.OnCancel))
	case m.c.FourEyes && req.Initiator != "" && strings.EqualFold(req.Initiator, m.c.Who()):
		// A panel, not a toast: the approver must read who has to act
		// next, and a toast is gone in seconds.
		why := "four-eyes: you initiated this batch; another approver must approve it"
		m.audit(req, "refused", why)
		m.showError(common.ErrorMsg{Title: "Not approved", Err: errors.New(why)})
		return m.reply(owner, req.OnCancel)
	}
	m.confirm = newConfirm(m.c.Styles, req, owner)
	m.palette = nil
	return nil
}

// closeConfirm answers the dialog. A confirmation is audited before the
// view hears of it; if the audit log cannot record it, nothing happens
// (the action must not run unrecorded) and the user is told.
func (m *Model) closeConfirm(confirmed bool) tea.Cmd {
	d := m.confirm
	m.confirm = nil
	if !confirmed {
		m.audit(d.req, "cancelled", "cancelled at the confirmation")
		return m.reply(d.owner, d.req.OnCancel)
	}
	if err := m.audit(d.req, "requested", "confirmed"); err != nil {
		m.showError(common.ErrorMsg{Title: "Not done: the audit log could not record it", Err: err})
		return m.reply(d.owner, d.req.OnCancel)
	}
	return m.reply(d.owner, d.req.OnConfirm)
}

// audit records a confirmation decision for requests that name their action.
// A privileged confirmation that does not name its action (a refund, an
// STK push, a transfer) is still recorded, under its permission and with
// the dialog's title, so the audit log misses no money-moving decision.
func (m *Model) audit(req common.ConfirmMsg, result, detail string) error {
	action := req.Action
	if action == "" {
		if req.Perm == common.PermView {
			return nil
		}
		action, detail = string(req.Perm), req.Title+" · "+detail
	}
	return m.c.Audit(common.AuditEvent{Action: action, Target: req.Target, Amount: req.Amount, Result: result, Detail: detail})
}

// reply delivers a dialog's answer to whoever asked.
func (m *Model) reply(owner int, msg tea.Msg) tea.Cmd {
	if msg == nil {
		return nil
	}
	return func() tea.Msg { return ownedMsg{view: owner, msg: msg} }
}

func permWords(p common.Permission) string {
	switch p {
	case common.PermCollect:
		return "request payments"
	case common.PermRefund:
		return "refund"
	case common.PermTransfer:
		return "move money between wallets"
	case common.PermInitiate:
		return "initiate payouts"
	case common.PermApprove:
		return "approve payouts"
	case common.PermAdmin:
		return "change the account"
	case common.PermImport:
		return "import files"
	case common.PermExport:
		return "export files"
	}
	return "do that"
}

// handleKey routes a key press: ctrl+c quits (asking first, as q does,
// when a view would lose or leave something: see forceQuit); an open dialog,
// palette or help overlay takes every other key; then the shell's global
// keys (unless the view is taking text); then the active view.
func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if key.Matches(msg, m.keys.ForceQuit) {
		return m.forceQuit()
	}
	switch {
	case m.confirm != nil:
		confirmed, done := m.confirm.update(msg)
		if !done {
			return nil
		}
		return m.closeConfirm(confirmed)
	case m.palette != nil:
		return m.paletteKey(msg)
	case m.showHelp:
		if key.Matches(msg, m.keys.Help, m.keys.Back, m.keys.Quit) {
			m.showHelp = false
			return nil
		}
		m.scrollHelp(msg)
		return nil
	case m.onboarding:
		return m.onboardingKey(msg)
	}
	if m.errPanel != nil && key.Matches(msg, errorDismissKey()) {
		m.errPanel = nil
		return nil
	}
	if len(m.views) == 0 {
		if key.Matches(msg, m.keys.Quit) {
			return m.exit()
		}
		return nil
	}
	if m.views[m.active].Capturing() {
		// Typing: only chords stay global, never a single letter or tab.
		if msg.String() == "ctrl+p" {
			return m.openPalette()
		}
		return m.updateView(m.active, msg)
	}
	return m.globalKey(msg)
}

func (m *Model) globalKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Quit):
		return m.quit()
	case key.Matches(msg, m.keys.NextTab):
		return m.switchTo((m.active + 1) % len(m.views))
	case key.Matches(msg, m.keys.PrevTab):
		return m.switchTo((m.active + len(m.views) - 1) % len(m.views))
	case key.Matches(msg, m.keys.Help):
		m.openHelp()
		return nil
	case key.Matches(msg, m.keys.Palette):
		return m.openPalette()
	case key.Matches(msg, m.keys.Refresh) && m.refreshable():
		return m.refresh()
	case key.Matches(msg, m.keys.Copy):
		if cmd, ok := m.copyID(); ok {
			return cmd
		}
	}
	if !m.takesDigits() {
		for i, b := range m.keys.GoTo {
			if key.Matches(msg, b) && i < len(m.views) {
				return m.switchTo(i)
			}
		}
	}
	if a, ok := m.forbiddenKeys()[msg.String()]; ok {
		return m.refuse(a)
	}
	return m.updateView(m.active, msg)
}

// refuse answers a key whose action the role may not use: the user is
// told, and the refusal is audited (README: every refusal is), under the
// permission it lacked. The toast shows even if the audit log fails: the
// action is refused either way.
func (m *Model) refuse(a common.Action) tea.Cmd {
	why := "Your role (" + m.role() + ") may not " + permWords(a.Perm)
	_ = m.c.Audit(common.AuditEvent{Action: string(a.Perm), Result: "refused",
		Detail: refusedDetail(a.Perm, a.Title+" ("+a.Key.Help().Key+") · "+why)})
	return m.addToast(common.ToastMsg{Kind: common.ToastError, Text: why})
}

// refusedDetail names the permission a refusal lacked, so the audit log
// says what was refused in the same words as common.Allowed.
func refusedDetail(p common.Permission, why string) string {
	return "needs permission " + string(p) + ": " + why
}

// forbiddenKeys are the active view's action keys whose permission the
// role lacks. The shell swallows them and hides them from help, so a
// view's own key bindings cannot get round the role check either.
func (m *Model) forbiddenKeys() map[string]common.Action {
	if m.role() == "" || len(m.views) == 0 {
		return nil
	}
	var out map[string]common.Action
	for _, a := range m.views[m.active].Actions() {
		if allowed(m.role(), a.Perm) {
			continue
		}
		for _, k := range a.Key.Keys() {
			if out == nil {
				out = map[string]common.Action{}
			}
			out[k] = a
		}
	}
	return out
}

// permitted drops bindings whose key is forbidden for the role, so help
// never offers what the shell would refuse.
func (m *Model) permitted(bs []key.Binding) []key.Binding {
	forbidden := m.forbiddenKeys()
	if len(forbidden) == 0 {
		return bs
	}
	var out []key.Binding
	for _, b := range bs {
		drop := false
		for _, k := range b.Keys() {
			if _, ok := forbidden[k]; ok {
				drop = true
			}
		}
		if !drop {
			out = append(out, b)
		}
	}
	return out
}

// quit asks first when a view holds work quitting would lose, leave
// unsure or leave waiting; otherwise it quits at once.
func (m *Model) quit() tea.Cmd {
	if w := m.quitWarning(); w != "" {
		return m.openConfirm(shellOwner, quitConfirm(w))
	}
	return m.exit()
}

// forceQuit is ctrl+c. It asks the same question as q, even over a dialog
// (the typed approval's is answered Cancel first, so the view that asked
// is not left waiting for it): quitting from there left a batch waiting
// without a word. Pressed again while the question is open, it quits at
// once, so ctrl+c never traps anyone.
func (m *Model) forceQuit() tea.Cmd {
	w := m.quitWarning()
	if w == "" || m.quitAsked() {
		return m.exit()
	}
	var dropped tea.Cmd
	if m.confirm != nil {
		dropped = m.closeConfirm(false)
	}
	m.palette, m.showHelp = nil, false
	return tea.Batch(dropped, m.openConfirm(shellOwner, quitConfirm(w)))
}

// quitWarning is the first view's reason to ask before quitting.
func (m *Model) quitWarning() string {
	for _, v := range m.views {
		if g, ok := v.(common.QuitGuard); ok {
			if w := g.QuitWarning(); w != "" {
				return w
			}
		}
	}
	return ""
}

func quitConfirm(warning string) common.ConfirmMsg {
	return common.ConfirmMsg{Title: "Quit malipo?", Body: warning + "\n(ctrl+c again quits now.)", OnConfirm: tea.QuitMsg{},
		ConfirmLabel: "Quit", CancelLabel: "Stay"}
}

// quitAsked reports whether the open dialog is the quit question.
func (m *Model) quitAsked() bool {
	if m.confirm == nil || m.confirm.owner != shellOwner {
		return false
	}
	_, ok := m.confirm.req.OnConfirm.(tea.QuitMsg)
	return ok
}

// exit quits, first collecting what the views leave pending for Run to
// print once the screen is gone.
func (m *Model) exit() tea.Cmd {
	m.exitNotes = m.exitNotes[:0]
	for _, v := range m.views {
		if n, ok := v.(common.ExitNoter); ok {
			if note := n.ExitNote(); note != "" {
				m.exitNotes = append(m.exitNotes, note)
			}
		}
	}
	return tea.Quit
}

// ExitNotes are what the views left pending when the console quit (a
// payout batch waiting for approval), one note per view, to print after
// the program ends. Run prints them; a caller of NewProgram should too.
func (m *Model) ExitNotes() []string { return m.exitNotes }

// takesDigits reports whether the active view is a picker that wants
// digits as text (common.DigitTaker).
func (m *Model) takesDigits() bool {
	d, ok := m.views[m.active].(common.DigitTaker)
	return ok && d.TakesDigits()
}

// refreshable reports whether the active view reloads on demand. A view
// that does not is never sent a made-up `r`: the key reaches it only
// when the user pressed it, as any other key would.
func (m *Model) refreshable() bool {
	if len(m.views) == 0 {
		return false
	}
	_, ok := m.views[m.active].(common.Refresher)
	return ok
}

// refresh asks the active view to reload (its Refresher).
func (m *Model) refresh() tea.Cmd {
	if r, ok := m.views[m.active].(common.Refresher); ok {
		return own(m.active, r.Refresh())
	}
	return nil
}

// switchTo makes view i active, telling views that poll when they are
// hidden or shown.
func (m *Model) switchTo(i int) tea.Cmd {
	if i == m.active || i < 0 || i >= len(m.views) {
		return nil
	}
	var cmds []tea.Cmd
	if s, ok := m.views[m.active].(common.Shown); ok {
		cmds = append(cmds, own(m.active, s.SetShown(false)))
	}
	m.active = i
	if !m.started[i] {
		cmds = append(cmds, m.startView(i))
	} else if s, ok := m.views[i].(common.Shown); ok {
		cmds = append(cmds, own(i, s.SetShown(true)))
	}
	return tea.Batch(cmds...)
}

// paletteKey sends a key to the open palette: it runs the chosen entry,
// or, when the text changed, schedules the search by id.
func (m *Model) paletteKey(msg tea.KeyPressMsg) tea.Cmd {
	before := m.palette.input.Value()
	run, done := m.palette.update(msg)
	if done {
		m.palette = nil
		return m.runEntry(run)
	}
	if m.palette.input.Value() != before {
		return m.searchAfter()
	}
	return nil
}

func (m *Model) openPalette() tea.Cmd {
	m.showHelp = false
	m.palette = newPalette(m.c.Styles, m.paletteEntries())
	return nil
}

// runEntry runs a palette entry: a shell action directly, a view's action
// by sending its message to that view.
func (m *Model) runEntry(e *paletteEntry) tea.Cmd {
	switch {
	case e == nil:
		return nil
	case e.run != nil:
		return e.run(m)
	case e.view >= 0 && e.view < len(m.views) && e.msg != nil:
		// Another view's action: open that view first, as a hand-off does.
		return tea.Batch(m.switchTo(e.view), m.updateView(e.view, e.msg))
	}
	return nil
}

// handlePaste sends pasted text where keys would go: the palette's filter,
// else the active view. A confirmation's typed value must be typed, not
// pasted, so the dialog ignores pastes.
func (m *Model) handlePaste(msg tea.PasteMsg) tea.Cmd {
	switch {
	case m.confirm != nil, m.showHelp, m.onboarding, len(m.views) == 0:
		return nil
	case m.palette != nil:
		m.palette.input, _ = m.palette.input.Update(msg)
		m.palette.filter()
		return m.searchAfter()
	}
	return m.updateView(m.active, msg)
}

// tooSmall reports whether the terminal is below the minimum size.
func (m *Model) tooSmall() bool {
	return m.width < MinWidth || m.height < MinHeight
}

// bodySize is the space the active view gets.
func (m *Model) bodySize() (int, int) {
	return m.width, max(0, m.height-headerRows-footerRows)
}

// resizeViews gives every view the body's size (hidden ones too, so a
// switch never shows a stale layout, lazygit #5297). Below the minimum the
// views keep their last size: the shell shows a notice instead.
func (m *Model) resizeViews() {
	if m.width == 0 || m.tooSmall() {
		return
	}
	w, h := m.bodySize()
	for _, v := range m.views {
		v.SetSize(w, h)
	}
}

// Onboarding reports whether the shell shows the "no keys yet" screen.
func (m *Model) Onboarding() bool { return m.onboarding }

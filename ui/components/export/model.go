package export

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/audit"
	"github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/keys"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/userdir"
)

// Spec is one export: what the view collected and how to name it.
type Spec struct {
	// Action is the audit log's action ("collections.export").
	Action string
	// One and Many name a row ("payment", "payments") in messages.
	One, Many string
	// Name is the file name offered, without ".csv" ("collections-2026-12-03").
	Name string
	// Range is the date range's label, "" for all dates.
	Range string
	Table Table
}

// Model is a view's exporter: the file-name form while it is open, then
// the write, the "replace it?" question and the outcome. Keep one in the
// view's model (New), call Start on the view's export key, pass every
// message to Update first (its results come back to the view that
// started it) and draw View while Open.
type Model struct {
	c    *common.Common
	form *form.Form
	spec Spec
	seq  int
}

type (
	doneMsg struct {
		seq    int
		target string
		exists bool // not written: that name is taken; ask first
		err    error
		audit  error
	}
	replaceMsg struct {
		seq    int
		target string
	}
)

// New is a closed exporter for the view.
func New(c *common.Common) Model { return Model{c: c} }

// Open says whether the file-name form is up (the view's Capturing).
func (m *Model) Open() bool { return m.form != nil }

// Start opens the form for s, or refuses: a role without PermExport is
// told so and the refusal audited; nothing to write says so.
func (m *Model) Start(s Spec) tea.Cmd {
	if !m.c.Can(common.PermExport) {
		why := fmt.Sprintf("Your role (%s) may not export files", m.c.EffectiveRole())
		return tea.Batch(common.Toast(common.ToastError, common.SymFailed+" "+why),
			m.record(common.AuditEvent{Action: s.Action, Target: s.Name, Result: "refused", Detail: why}))
	}
	if len(s.Table.Rows) == 0 {
		return common.Toast(common.ToastInfo, "No "+s.Many+" to export")
	}
	m.seq++
	m.spec = s
	name := s.Name + ".csv"
	var fl *form.Field
	if m.c.Files != nil {
		fl = form.NewText(m.c.Styles, "name", "File name", name, 255).Req("a file name is required").WithValue(name).
			WithCheck(func(f *form.Field) (string, string) {
				if err := userdir.CheckName(f.Trimmed()); err != nil {
					return "", err.Error()
				}
				return "", ""
			})
	} else {
		fl = form.NewText(m.c.Styles, "name", "File path", name, 4096).Req("a file path is required").WithValue("./" + name)
	}
	f := form.New(keys.NewForm(), "Export "+s.Many+" as CSV", fl)
	f.Intro = []string{m.intro()}
	dates := s.Range
	if dates == "" {
		dates = "all loaded"
	}
	f.Facts = [][2]string{{"Rows", group(len(s.Table.Rows)) + " " + text.Plural(len(s.Table.Rows), s.One, s.Many)}, {"Dates", dates}}
	f.MaxWidth = 72
	m.form = f
	return f.Focus(0)
}

// intro says where the file goes.
func (m *Model) intro() string {
	if m.c.Files != nil {
		return "A file name in your folder on the server; fetch it afterwards with scp or sftp."
	}
	return "Every row shown (with the filter and date range), not only the screen. Money as decimals, times as 2026-12-03 14:05:09."
}

// Update takes the form's keys while it is open and the exporter's own
// results at any time; handled is false for anything else.
func (m *Model) Update(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	switch msg := msg.(type) {
	case doneMsg:
		return m.done(msg), true
	case replaceMsg:
		if msg.seq != m.seq {
			return nil, true
		}
		return m.write(msg.target, true), true
	case tea.KeyPressMsg, tea.PasteMsg:
		if m.form == nil {
			return nil, false
		}
		return m.form.Handle(msg, form.Handlers{
			Close: func() { m.form = nil },
			Send: func() tea.Cmd {
				target := m.form.Value("name")
				m.form = nil
				return m.write(target, false)
			},
		}), true
	}
	return nil, false
}

// write writes the snapshot off the UI goroutine and audits the outcome.
func (m *Model) write(target string, replace bool) tea.Cmd {
	seq, spec, dir, c := m.seq, m.spec, m.c.Files, m.c
	return func() tea.Msg {
		err := write(dir, target, replace, spec.Table)
		if errors.Is(err, userdir.ErrExists) {
			return doneMsg{seq: seq, target: target, exists: true}
		}
		ev := common.AuditEvent{Action: spec.Action, Target: target, Result: "ok", Detail: rowsDetail(spec)}
		if err != nil {
			ev.Result, ev.Detail = "failed", errText(err)
		}
		return doneMsg{seq: seq, target: target, err: err, audit: c.Audit(ev)}
	}
}

func rowsDetail(s Spec) string {
	d := strconv.Itoa(len(s.Table.Rows)) + " rows"
	if s.Range != "" {
		d += ", " + s.Range
	}
	return d
}

// done tells the person how it went, or asks before replacing a file.
func (m *Model) done(msg doneMsg) tea.Cmd {
	if msg.seq != m.seq {
		return nil
	}
	if msg.exists {
		where := "That file exists already."
		if m.c.Files != nil {
			where = "A file of that name is in your folder already."
		}
		return common.Confirm(common.ConfirmMsg{Title: "Replace " + filepath.Base(msg.target) + "?",
			Body: where + " Replace it with these " + m.spec.Many + "?", Perm: common.PermExport,
			OnConfirm: replaceMsg{seq: msg.seq, target: msg.target}, Action: m.spec.Action, Target: msg.target,
			ConfirmLabel: "Replace", CancelLabel: "Keep it"})
	}
	warn := audit.Warning(msg.audit)
	if msg.err != nil {
		return tea.Batch(common.Error("Export failed", errors.New(errText(msg.err))), warn)
	}
	n := len(m.spec.Table.Rows)
	what := group(n) + " " + text.Plural(n, m.spec.One, m.spec.Many)
	done := fmt.Sprintf("%s written to %s", what, msg.target)
	if m.c.Files != nil {
		user := m.c.User
		if user == "" {
			user = "USER"
		}
		done = fmt.Sprintf("%s written to your folder as %s: fetch it with scp -P PORT %s@HOST:%s .", what, msg.target, user, msg.target)
	}
	return tea.Batch(common.Toast(common.ToastSuccess, common.SymOK+" "+done), warn)
}

// record writes an audit event off the UI goroutine (the log fsyncs).
func (m *Model) record(ev common.AuditEvent) tea.Cmd {
	c := m.c
	return func() tea.Msg {
		if warn := audit.Warning(c.Audit(ev)); warn != nil {
			return warn()
		}
		return nil
	}
}

// View is the form, at most width cells wide ("" while closed).
func (m *Model) View(width int) string {
	if m.form == nil {
		return ""
	}
	return m.form.View(m.c.Styles, "", width)
}

// group writes n with thousands separators.
func group(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

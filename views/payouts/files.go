package payouts

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/audit"
	"github.com/malipo/malipo/ui/components/table"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
	"github.com/malipo/malipo/userdir"
)

// Files in and out of the console (issue 10 §1). Over SSH (Common.Files
// set) the person picks a file of their own folder from a list and names
// exports with a plain file name: nothing they type is ever a path. The
// local console keeps its path prompts, but never opens a FIFO, a device
// or a folder (which would hang or do worse) and never truncates a file
// without asking.

// filePicker lists the SSH user's folder for Import.
type filePicker struct {
	entries []userdir.Entry
	loaded  bool
	err     string
}

// fileColumns: the name takes the box's width, size and age line up right.
func fileColumns() []table.Column {
	return []table.Column{
		{Title: "NAME", Min: 10, Flex: 1},
		{Title: "SIZE", Min: 9, Align: table.Right},
		{Title: "AGE", Min: 11, Align: table.Right},
	}
}

// syncFiles points the files table at the open picker: a picker opened
// anew starts on the newest file.
func (m *Model) syncFiles() {
	if m.filesFor != m.files {
		m.filesFor = m.files
		m.filesTbl.SetCursor(0)
	}
	m.filesTbl.SetTotal(len(m.files.entries))
	m.filesTbl.SetRows(m.filesRows())
}

type filesListedMsg struct {
	entries []userdir.Entry
	err     error
}

// listFiles reads the folder off the UI goroutine.
func (m *Model) listFiles() tea.Cmd {
	dir := m.c.Files
	if dir == nil {
		return nil
	}
	return func() tea.Msg {
		es, err := dir.List()
		return filesListedMsg{entries: es, err: err}
	}
}

func (m *Model) onFilesListed(msg filesListedMsg) {
	p := m.files
	if p == nil {
		return
	}
	p.loaded = true
	p.err = ""
	if msg.err != nil {
		p.err = "Could not list your folder: " + fileErrText(msg.err)
	}
	p.entries = msg.entries
	m.syncFiles()
}

func (m *Model) filesKeys(k tea.KeyPressMsg) tea.Cmd {
	p := m.files
	km := m.keys
	m.syncFiles()
	if _, ok := m.filesTbl.Update(k); ok {
		return nil
	}
	switch {
	case key.Matches(k, km.ImportFile):
		i, ok := m.filesTbl.Current()
		if !ok {
			return nil
		}
		m.files = nil
		return m.startImport(folderSource(m.c.Files, p.entries[i].Name))
	case key.Matches(k, km.Back):
		m.files = nil
	}
	return nil
}

// filesRows is how many files the picker shows at once.
func (m *Model) filesRows() int { return max(m.height-9, 3) }

func (m *Model) filesView() string {
	st := m.c.Styles
	p := m.files
	w := min(m.width, 90)
	inner := max(w-4, 20)
	lines := []string{st.Title.Render("Import payouts from your folder"),
		st.Faint.Render(text.Truncate("The files you copied to the server, newest first.", inner)), ""}
	switch {
	case !p.loaded:
		lines = append(lines, m.spin.View()+" reading your folder…")
	case p.err != "":
		for _, l := range text.Wrap(common.SymFailed+" "+p.err, inner) {
			lines = append(lines, st.Failed.Render(l))
		}
	case len(p.entries) == 0:
		lines = append(lines, m.emptyFolderLines(inner)...)
	default:
		lines = append(lines, m.fileRows(inner)...)
	}
	hint := "enter import · r look again · esc cancel · or paste the CSV text"
	if len(p.entries) == 0 {
		hint = "r look again · esc cancel"
	}
	lines = append(lines, "", st.Faint.Render(text.Truncate(hint, inner)))
	return st.FocusedBox.Width(w).Render(joinLines(lines))
}

// emptyFolderLines say how files get into the folder. The view does not
// know the server's host or port, so it names them as the person's own.
func (m *Model) emptyFolderLines(inner int) []string {
	st := m.c.Styles
	var out []string
	add := func(s string) { out = append(out, text.Wrap(s, inner)...) }
	add("Your folder on the server is empty. Copy a payout CSV into it from your own computer:")
	out = append(out, "", st.Key.Render(text.Truncate("  scp -P PORT salaries.csv "+m.scpUser()+"@HOST:", inner)), "")
	add("PORT and HOST are the ones you use with ssh. Then press r to look again, or paste the CSV text here.")
	return out
}

// scpUser is the name to put in an scp command.
func (m *Model) scpUser() string {
	if m.c.User == "" {
		return "USER"
	}
	return m.c.User
}

func (m *Model) fileRows(inner int) []string {
	st := m.c.Styles
	p := m.files
	m.syncFiles()
	m.filesTbl.SetSize(inner, m.filesRows())
	now := m.c.Now()
	out := strings.Split(m.filesTbl.View(func(i int, r *table.Row) {
		e := p.entries[i]
		r.Add(e.Name, fmtSize(e.Size), fmtAge(now, e.ModTime))
	}), "\n")
	if from, end := m.filesTbl.Visible(); len(p.entries) > m.filesTbl.Rows() {
		out = append(out, st.Faint.Render(fmt.Sprintf("%d–%d of %d · ↑/↓ scroll", from+1, end, len(p.entries))))
	}
	return out
}

// fmtSize is a file size for people: 512 B, 1.2 KiB, 3.4 MiB.
func fmtSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
}

// fmtAge says how long ago t was; past a week, the date.
func fmtAge(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%dh ago", int(d/time.Hour))
	case d < 7*24*time.Hour:
		return fmt.Sprintf("%dd ago", int(d/(24*time.Hour)))
	}
	return when.Date(now, t)
}

// fileErrText words a file error for the person, without the server's
// paths (os.Root errors name only what was asked for, but a missing file
// deserves plainer words).
func fileErrText(err error) string {
	switch {
	case errors.Is(err, userdir.ErrNotRegular), errors.Is(err, userdir.ErrTooLarge),
		errors.Is(err, userdir.ErrName), errors.Is(err, userdir.ErrExists):
		return err.Error()
	case errors.Is(err, fs.ErrNotExist):
		return "no such file (was it moved or deleted?)"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	return err.Error()
}

// ---- where an import's bytes come from ----

// pasteLabel names a pasted import in messages and the audit log.
const pasteLabel = "paste"

// importSource is a file of the SSH user's folder (by name), a local path,
// or pasted text. label is what the person sees and the audit's Target.
type importSource struct {
	label string
	open  func() (io.ReadCloser, error)
}

func folderSource(d *userdir.Dir, name string) importSource {
	return importSource{label: name, open: func() (io.ReadCloser, error) { return d.Open(name) }}
}

// pathSource is the local console's typed path: opened with OpenRegular
// so a FIFO, a device or a folder is refused at once instead of hanging.
func pathSource(path string) importSource {
	return importSource{label: path, open: func() (io.ReadCloser, error) { return userdir.OpenRegular(path) }}
}

func pasteSource(s string) importSource {
	return importSource{label: pasteLabel, open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(s)), nil }}
}

// ctxReader stops a read when its import is abandoned (esc), so a slow
// file does not keep the reader busy after nobody wants the answer.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// ---- local exports: never through a special file, never a silent truncate ----

// ---- role refusals and the audit log ----

// audit records a file-moving step off the UI goroutine (the log fsyncs);
// when the record fails the person is told it is not durable.
func (m *Model) record(action, target, result, detail string) tea.Cmd {
	cm := m.c
	ev := common.AuditEvent{Action: action, Target: target, Result: result, Detail: detail}
	return func() tea.Msg {
		if warn := audit.Warning(cm.Audit(ev)); warn != nil {
			return warn()
		}
		return nil
	}
}

// refuse tells the person their role may not do this and audits the
// refusal. The keys are unbound for such roles and the shell leaves the
// palette entries out, so this is the last line, for whatever got past.
func (m *Model) refuse(action, target string, p common.Permission) tea.Cmd {
	what := map[common.Permission]string{common.PermImport: "import files", common.PermExport: "export or copy files",
		common.PermApprove: "mark payouts as seen"}[p]
	why := fmt.Sprintf("Your role (%s) may not %s", m.c.EffectiveRole(), what)
	return tea.Batch(common.Toast(common.ToastError, common.SymFailed+" "+why), m.record(action, target, "refused", why))
}

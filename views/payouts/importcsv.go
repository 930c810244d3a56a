package payouts

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/userdir"
)

// importPanel lists what an import flagged: bad rows with their line and
// reason (kept aside, not lost) and warnings on the rows that were added.
type importPanel struct {
	seq      int    // ties the answer to this import: an abandoned one's is dropped
	label    string // file name, local path or pasteLabel
	loading  bool
	cancel   context.CancelFunc // stops the read when esc abandons it
	res      *payout.Import
	added    int
	refused  string
	offset   int
	rejected []payout.Row // bad rows, for enter to add them to fix here
	taken    bool         // the bad rows were added
	// choose: the draft already has rows, and the file waits for the
	// answer to "replace them or append?" (importing the same file twice
	// used to double every payment without a word).
	choose bool
}

type importedMsg struct {
	seq int
	res *payout.Import
	err error
}

// openImport offers the SSH user's folder, or locally a path prompt.
func (m *Model) openImport() tea.Cmd {
	if !m.keys.Import.Enabled() {
		return m.refuse("payout.import", "", common.PermImport)
	}
	if m.c.Files != nil {
		m.files = &filePicker{}
		return tea.Batch(m.listFiles(), m.startSpin())
	}
	return m.newPrompt(promptImport, "Import payouts from CSV",
		fmt.Sprintf("Columns: name, account (or phone), amount, narrative; bank_code for PesaLink; account_type and account_reference for B2B. At most %s rows. Or paste the CSV text.", fmtInt(payout.MaxRows)),
		"path/to/payouts.csv", "")
}

// importPath is the local prompt's answer.
func (m *Model) importPath(path string) tea.Cmd {
	if strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			path = home + path[1:]
		}
	}
	return m.startImport(pathSource(path))
}

// importPaste imports pasted CSV text the way it would a file, with the
// same size cap as a file in the folder.
func (m *Model) importPaste(s string) tea.Cmd {
	if !m.keys.Import.Enabled() {
		return m.refuse("payout.import", pasteLabel, common.PermImport)
	}
	if strings.TrimSpace(s) == "" {
		return nil
	}
	if len(s) > userdir.MaxFileSize {
		why := fmt.Sprintf("the pasted text is %s, over the %d MiB limit for an import", fmtSize(int64(len(s))), userdir.MaxFileSize>>20)
		m.imp = &importPanel{label: pasteLabel, refused: why}
		return m.record("payout.import", pasteLabel, "failed", why)
	}
	return m.startImport(pasteSource(s))
}

// startImport reads and validates the source off the UI goroutine. The
// read checks a context, so esc stops a slow one.
func (m *Model) startImport(src importSource) tea.Cmd {
	if !m.keys.Import.Enabled() {
		return m.refuse("payout.import", src.label, common.PermImport)
	}
	if p := m.imp; p != nil && p.cancel != nil {
		p.cancel()
	}
	m.impSeq++
	seq := m.impSeq
	ctx, cancel := context.WithCancel(context.Background())
	m.imp = &importPanel{seq: seq, label: src.label, loading: true, cancel: cancel}
	rail, banks := m.comp.d.Rail, m.banks
	return tea.Batch(func() tea.Msg {
		defer cancel()
		rc, err := src.open()
		if err != nil {
			return importedMsg{seq: seq, err: err}
		}
		defer rc.Close()
		return importedMsg{seq: seq, res: payout.ImportCSV(ctxReader{ctx: ctx, r: rc}, rail, banks)}
	}, m.startSpin())
}

// cancelImport abandons the import being read: its answer is dropped.
func (m *Model) cancelImport() tea.Cmd {
	p := m.imp
	m.imp = nil
	if p.cancel != nil {
		p.cancel()
	}
	m.message = "Import of " + importName(p.label) + " cancelled; nothing was added"
	return m.record("payout.import", p.label, "cancelled", "cancelled while reading")
}

func (m *Model) onImported(msg importedMsg) tea.Cmd {
	p := m.imp
	if p == nil || p.seq != msg.seq || !p.loading {
		return nil
	}
	p.loading, p.cancel = false, nil
	if msg.err != nil {
		p.refused = fileErrText(msg.err)
		return m.record("payout.import", p.label, "failed", p.refused)
	}
	im := msg.res
	p.res = im
	if im.Refused != nil {
		p.refused = im.Refused.Error()
		return m.record("payout.import", p.label, "failed", p.refused)
	}
	if len(m.comp.d.Rows) > 0 && len(im.Rows)+len(im.Rejected) > 0 {
		p.choose = true // replace or append: the person says which
		return nil
	}
	return m.applyImport(false)
}

// applyImport puts the import's rows in the draft, after the draft's own
// (append) or instead of them (replace). Either is one step of undo.
func (m *Model) applyImport(replace bool) tea.Cmd {
	p := m.imp
	im := p.res
	p.choose = false
	c := &m.comp
	have := len(c.d.Rows)
	if replace {
		have = 0
	}
	if have+len(im.Rows)+len(im.Rejected) > payout.MaxRows {
		p.refused = fmt.Sprintf("The draft has %s rows and the file %s: together over IntaSend's %s per batch. Nothing was added; split the file or replace the draft's rows.",
			fmtInt(have), fmtInt(len(im.Rows)+len(im.Rejected)), fmtInt(payout.MaxRows))
		return m.record("payout.import", p.label, "failed", p.refused)
	}
	p.rejected = im.Rejected
	p.added = len(im.Rows)
	how := "added"
	if replace {
		how = "replacing " + fmtInt(len(c.d.Rows))
	}
	logged := m.record("payout.import", p.label, "ok", fmt.Sprintf("%s rows %s, %s bad kept aside, %s warnings", fmtInt(len(im.Rows)), how, fmtInt(im.Bad()), fmtInt(im.Warnings())))
	switch {
	case replace:
		old := c.remove(0, len(c.d.Rows))
		c.insert(0, im.Rows, m.banks)
		c.push(undoOp{what: fmt.Sprintf("import of %s rows replacing %s", fmtInt(len(im.Rows)), fmtInt(len(old))), kind: undoRestore, rows: old})
		c.setCursor(0, m.composeRows())
		m.message = fmt.Sprintf("Imported %s rows from %s in place of the draft's %s (u undoes)", fmtInt(len(im.Rows)), p.label, fmtInt(len(old)))
	case len(im.Rows) > 0:
		at := len(c.d.Rows)
		c.insert(at, im.Rows, m.banks)
		c.push(undoOp{what: "import of " + fmtInt(len(im.Rows)) + " rows", kind: undoTruncate, n: at})
		c.setCursor(at, m.composeRows())
		m.message = fmt.Sprintf("Imported %s rows from %s", fmtInt(len(im.Rows)), p.label)
	}
	if len(im.Problems) == 0 {
		m.imp = nil // nothing to show: the status line says it
		return tea.Batch(logged, m.changed(), common.Toast(common.ToastSuccess, fmt.Sprintf("%s Imported %s rows from %s", common.SymOK, fmtInt(len(im.Rows)), p.label)))
	}
	if len(im.Rows) == 0 && !replace {
		return logged
	}
	return tea.Batch(logged, m.changed())
}

// chooseKeys answers "replace or append?"; esc adds nothing.
func (m *Model) chooseKeys(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.ImportReplace):
		return m.applyImport(true)
	case key.Matches(k, m.keys.ImportAppend):
		return m.applyImport(false)
	case key.Matches(k, m.keys.Back):
		p := m.imp
		m.imp = nil
		m.message = "Import of " + importName(p.label) + " cancelled; nothing was added"
		return m.record("payout.import", p.label, "cancelled", "cancelled at replace or append")
	}
	return nil
}

// importName is how an import's source is named in its panel's title.
func importName(label string) string {
	if label == pasteLabel {
		return "pasted CSV"
	}
	return filepath.Base(label)
}

func (m *Model) importKeys(k tea.KeyPressMsg) tea.Cmd {
	p := m.imp
	km := m.keys
	switch {
	case p.loading:
		if key.Matches(k, km.Back) {
			return m.cancelImport()
		}
		return nil
	case p.choose:
		return m.chooseKeys(k)
	case key.Matches(k, km.Up):
		p.offset = max(p.offset-1, 0)
	case key.Matches(k, km.Down):
		if p.res != nil {
			p.offset = min(p.offset+1, max(len(p.res.Problems)-1, 0))
		}
	case key.Matches(k, km.Open) && len(p.rejected) > 0 && !p.taken:
		// Bring the bad rows in to fix them here; preview stays refused
		// until they are fixed or deleted.
		c := &m.comp
		at := len(c.d.Rows)
		c.insert(at, p.rejected, m.banks)
		c.push(undoOp{what: fmt.Sprintf("adding %s bad rows", fmtInt(len(p.rejected))), kind: undoTruncate, n: at})
		c.setCursor(at, m.composeRows())
		m.message = fmt.Sprintf("Added the %s bad %s at the end: fix them (e) or delete them (d)", fmtInt(len(p.rejected)), text.Plural(len(p.rejected), "row", "rows"))
		p.taken = true
		m.imp = nil
		return m.changed()
	case key.Matches(k, km.Back), key.Matches(k, km.Open):
		m.imp = nil
	}
	return nil
}

func (m *Model) importView() string {
	st := m.c.Styles
	p := m.imp
	w := m.width // reasons are long: give them the whole width
	inner := w - 4
	lines := []string{st.Title.Render("Import " + text.Truncate(importName(p.label), inner-8))}
	switch {
	case p.loading:
		lines = append(lines, m.spin.View()+" reading and checking…", "", st.Faint.Render("esc cancel"))
	case p.refused != "":
		for _, l := range text.Wrap(common.SymFailed+" Refused: "+p.refused, inner) {
			lines = append(lines, st.Failed.Render(l))
		}
		lines = append(lines, "", st.Faint.Render("esc close"))
	case p.choose:
		lines = append(lines, m.chooseLines(inner)...)
	default:
		im := p.res
		bad := im.Bad() // the count `payouts check` prints for the same file
		lines = append(lines, fmt.Sprintf("%s %s added · %s %s bad %s kept aside · %s %s %s",
			common.SymOK, fmtInt(p.added), common.SymFailed, fmtInt(bad), text.Plural(bad, "row", "rows"),
			common.SymWarn, fmtInt(im.Warnings()), text.Plural(im.Warnings(), "warning", "warnings")), "")
		room := max(m.height-8, 3)
		probs := im.Problems
		end := min(p.offset+room, len(probs))
		for _, pr := range probs[p.offset:end] {
			sym, style := common.SymFailed, st.Failed
			if pr.Warning {
				sym, style = common.SymWarn, st.Warning
			}
			lines = append(lines, style.Render(text.Truncate(sym+" "+pr.String(), inner)))
		}
		if len(probs) > room {
			lines = append(lines, st.Faint.Render(fmt.Sprintf("%s–%s of %s · ↑/↓ scroll", fmtInt(p.offset+1), fmtInt(end), fmtInt(len(probs)))))
		}
		lines = append(lines, "")
		if bad > 0 {
			lines = append(lines, st.Faint.Render(fmt.Sprintf("enter adds the %s bad %s to the draft to fix there · esc leaves them out", fmtInt(bad), text.Plural(bad, "row", "rows"))))
		} else {
			lines = append(lines, st.Faint.Render("enter/esc close"))
		}
	}
	return st.FocusedBox.Width(w).Render(joinLines(lines))
}

// chooseLines ask whether the file replaces the draft's rows or joins
// them, with both counts, so a file imported twice is a decision. Plain
// text is wrapped to width first and styled line by line, so no style
// spans a line break.
func (m *Model) chooseLines(width int) []string {
	st := m.c.Styles
	im := m.imp.res
	have, n := len(m.comp.d.Rows), len(im.Rows)+len(im.Rejected)
	help := func(b key.Binding) string { return b.Help().Key + " " + b.Help().Desc }
	var out []string
	add := func(style lipgloss.Style, s string) {
		for _, l := range text.Wrap(s, width) {
			out = append(out, style.Render(l))
		}
	}
	add(st.Text, fmt.Sprintf("The file has %s %s (%s bad); the draft already has %s %s.",
		fmtInt(n), text.Plural(n, "row", "rows"), fmtInt(im.Bad()), fmtInt(have), text.Plural(have, "row", "rows")))
	add(st.Warning, common.SymWarn+" Appending a file already in the draft pays everyone in it twice.")
	out = append(out, "")
	add(st.Faint, help(m.keys.ImportReplace)+" · "+help(m.keys.ImportAppend)+" · esc cancel (nothing is added)")
	return out
}

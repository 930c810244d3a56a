package payouts

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// importPanel lists what an import flagged: bad rows with their line and
// reason (kept aside, not lost) and warnings on the rows that were added.
type importPanel struct {
	path     string
	loading  bool
	res      *payout.Import
	added    int
	refused  string
	offset   int
	rejected []payout.Row // bad rows, for enter to add them to fix here
	taken    bool         // the bad rows were added
}

type importedMsg struct {
	path string
	res  *payout.Import
	err  error
}

func (m *Model) openImport() tea.Cmd {
	return m.newPrompt(promptImport, "Import payouts from CSV",
		fmt.Sprintf("Columns: name, account (or phone), amount, narrative; bank_code for PesaLink; account_type and account_reference for B2B. At most %s rows.", fmtInt(payout.MaxRows)),
		"path/to/payouts.csv", "")
}

// startImport reads and validates the file off the UI goroutine.
func (m *Model) startImport(path string) tea.Cmd {
	if strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			path = home + path[1:]
		}
	}
	m.imp = &importPanel{path: path, loading: true}
	rail, banks := m.comp.d.Rail, m.banks
	return tea.Batch(func() tea.Msg {
		f, err := os.Open(path)
		if err != nil {
			return importedMsg{path: path, err: err}
		}
		defer f.Close()
		return importedMsg{path: path, res: payout.ImportCSV(f, rail, banks)}
	}, m.startSpin())
}

func (m *Model) onImported(msg importedMsg) tea.Cmd {
	p := m.imp
	if p == nil || p.path != msg.path {
		return nil
	}
	p.loading = false
	if msg.err != nil {
		p.refused = msg.err.Error()
		return nil
	}
	im := msg.res
	p.res = im
	if im.Refused != nil {
		p.refused = im.Refused.Error()
		return nil
	}
	c := &m.comp
	if have := len(c.d.Rows); have+len(im.Rows)+len(im.Rejected) > payout.MaxRows {
		p.refused = fmt.Sprintf("The draft has %s rows and the file %s: together over IntaSend's %s per batch. Nothing was added; split the file or start a new draft.",
			fmtInt(have), fmtInt(len(im.Rows)+len(im.Rejected)), fmtInt(payout.MaxRows))
		return nil
	}
	p.rejected = im.Rejected
	p.added = len(im.Rows)
	if len(im.Rows) > 0 {
		at := len(c.d.Rows)
		c.insert(at, im.Rows, m.banks)
		c.push(undoOp{what: "import of " + fmtInt(len(im.Rows)) + " rows", kind: undoTruncate, n: at})
		c.setCursor(at, m.composeRows())
		m.message = fmt.Sprintf("Imported %s rows from %s", fmtInt(len(im.Rows)), msg.path)
	}
	if len(im.Problems) == 0 {
		m.imp = nil // nothing to show: the status line says it
		return tea.Batch(m.changed(), common.Toast(common.ToastSuccess, fmt.Sprintf("%s Imported %s rows", common.SymOK, fmtInt(len(im.Rows)))))
	}
	if len(im.Rows) == 0 {
		return nil
	}
	return m.changed()
}

func (m *Model) importKeys(k tea.KeyPressMsg) tea.Cmd {
	p := m.imp
	km := m.keys
	switch {
	case p.loading:
		return nil
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
		c.push(undoOp{what: fmt.Sprintf("adding %d bad rows", len(p.rejected)), kind: undoTruncate, n: at})
		c.setCursor(at, m.composeRows())
		m.message = fmt.Sprintf("Added the %d bad %s at the end: fix them (e) or delete them (d)", len(p.rejected), text.Plural(len(p.rejected), "row", "rows"))
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
	lines := []string{st.Title.Render("Import " + text.Truncate(filepath.Base(p.path), inner-8))}
	switch {
	case p.loading:
		lines = append(lines, m.spin.View()+" reading and checking…")
	case p.refused != "":
		for _, l := range text.Wrap(common.SymFailed+" Refused: "+p.refused, inner) {
			lines = append(lines, st.Failed.Render(l))
		}
		lines = append(lines, "", st.Faint.Render("esc close"))
	default:
		im := p.res
		bad := len(p.rejected)
		lines = append(lines, fmt.Sprintf("%s %s added · %s %d bad %s kept aside · %s %d %s",
			common.SymOK, fmtInt(p.added), common.SymFailed, bad, text.Plural(bad, "row", "rows"),
			common.SymWarn, im.Warnings(), text.Plural(im.Warnings(), "warning", "warnings")), "")
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
			lines = append(lines, st.Faint.Render(fmt.Sprintf("%d–%d of %d · ↑/↓ scroll", p.offset+1, end, len(probs))))
		}
		lines = append(lines, "")
		if bad > 0 {
			lines = append(lines, st.Faint.Render(fmt.Sprintf("enter adds the %d bad %s to the draft to fix there · esc leaves them out", bad, text.Plural(bad, "row", "rows"))))
		} else {
			lines = append(lines, st.Faint.Render("enter/esc close"))
		}
	}
	return st.FocusedBox.Width(w).Render(joinLines(lines))
}

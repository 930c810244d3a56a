package reconcile

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/table"
	"github.com/malipo/malipo/ui/components/text"
)

// View draws the tab.
func (m *Model) View() string {
	st := m.c.Styles
	var lines []string
	switch m.stage {
	case stageIdle:
		lines = m.idle()
	case stagePrompt:
		lines = []string{st.Title.Render("Reconcile a ledger"), ""}
		lines = append(lines, text.Wrap("Path of your orders CSV (columns reference, amount, date; phone and email optional):", m.width)...)
		lines = append(lines, "", m.input.View())
		if m.promptErr != "" {
			lines = append(lines, st.Failed.Render(common.SymFailed+" "+m.promptErr))
		}
		lines = append(lines, "", st.Faint.Render("enter reconcile · esc cancel"))
	case stagePick:
		lines = m.pick()
	case stageSettle:
		lines = m.settleLines()
	case stageLoading:
		lines = append([]string{st.Title.Render("Reconciling " + text.Truncate(m.source.label(), m.width-12)), ""},
			text.Wrap(m.spin.View()+" Reading the ledger and IntaSend's payments, refunds and failed attempts…", m.width)...)
	default:
		lines = m.done()
	}
	return text.Framed(strings.Join(lines, "\n"), "", m.width, m.height)
}

func (m *Model) idle() []string {
	st := m.c.Styles
	lines := []string{st.Title.Render("Reconcile")}
	if m.err != "" {
		lines = append(lines, st.Failed.Render(text.Truncate(common.SymFailed+" "+m.err, m.width)), "")
	}
	where := "a CSV file on this computer"
	if m.c.Files != nil {
		where = "a CSV file in your folder (copy it there with scp or sftp)"
	}
	lines = append(lines, text.Wrap("Did every order get paid, was anyone paid twice? Open your orders ledger, "+where+
		", with a reference (the api_ref your checkout sends), an amount and a date per order, and malipo matches it against IntaSend's payments.", m.width)...)
	return append(lines, "", st.Faint.Render("o open a ledger"))
}

func (m *Model) pick() []string {
	st := m.c.Styles
	lines := []string{st.Title.Render("Reconcile: pick a ledger from your folder"), ""}
	if len(m.files) == 0 {
		lines = append(lines, text.Wrap("Your folder has no files yet: copy your orders CSV there (scp orders.csv HOST:) and press o again.", m.width)...)
		return append(lines, "", st.Faint.Render("esc back"))
	}
	view := m.picker.View(func(i int, r *table.Row) {
		f := m.files[i]
		r.Add(f.Name, size(f.Size), stamp(f.ModTime))
	})
	return append(lines, view, st.Faint.Render("enter reconcile · esc back"))
}

func (m *Model) done() []string {
	st := m.c.Styles
	name := text.Truncate(filepath.Base(m.source.label()), max(m.width-10, 8))
	if m.err != "" {
		lines := []string{st.Title.Render(name), "", st.Failed.Render(text.Truncate(common.SymFailed+" "+m.err, m.width))}
		for _, n := range m.notes[:min(len(m.notes), 5)] {
			lines = append(lines, st.Warning.Render(text.Truncate(n, m.width)))
		}
		return append(lines, "", st.Faint.Render("o open another file · r try again"))
	}
	s := m.res.Summary
	c := s.Counts
	head := fmt.Sprintf("%s · %s to %s · %s %s · %s %s", name, s.From, s.To,
		group(s.Orders), text.Plural(s.Orders, "order", "orders"), group(s.Payments), text.Plural(s.Payments, "payment", "payments"))
	verdict := st.OK.Render(common.SymOK + " every order paid once, every payment has its order")
	if !m.res.Clean() {
		verdict = st.Warning.Render(fmt.Sprintf("%s %d mismatched · %d unpaid · %d without order · %d duplicates",
			common.SymWarn, c.AmountMismatch, c.UnpaidOrders, c.PaidWithoutOrder, c.Duplicates))
	}
	extra := fmt.Sprintf("%d matched %s · unpaid %s · without order %s · %d refunded · %d possible",
		c.Matched, s.Sums.Matched.KES(), s.Sums.UnpaidOrders.KES(), s.Sums.PaidWithoutOrder.KES(), c.Refunded, c.PossibleMatches)
	if s.RejectedRows > 0 {
		extra += fmt.Sprintf(" · %d rows rejected", s.RejectedRows)
	}
	if m.list.DetailOpen() {
		return []string{text.Truncate(head, m.width), m.list.View(nil)}
	}
	body := m.list.View(func(i int, r *table.Row) {
		f := m.finds[i]
		r.Add(f.kind, f.ref, f.date, f.amount.KES(), f.short)
		if f.bad {
			r.PaintCell(0, m.warn)
		}
	})
	return []string{text.Truncate(head, m.width), text.Truncate(verdict, m.width), st.Faint.Render(text.Truncate(extra, m.width)), "", body}
}

func group(n int) string { return strings.TrimSuffix(client.Units(int64(n)).String(), ".00") }

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

package reconcile

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/settle"
	"github.com/malipo/malipo/ui/components/table"
	"github.com/malipo/malipo/ui/components/text"
)

// settleDays is the window the settlement shows, today included.
const settleDays = 14

// settledMsg is the settlement's answer.
type settledMsg struct {
	seq int
	s   *settle.Settlement
	err error
}

// settlement is the "where did the money go" table: a row per day, newest
// first, each row's detail explaining every category by its lines.
type settlement struct {
	seq     int
	loading bool
	s       *settle.Settlement
	err     string
	list    table.Model
}

func (m *Model) newSettlementTable() table.Model {
	t := table.New(m.c, []table.Column{
		{Title: "DAY", Min: 10},
		{Title: "COLLECTED", Min: 15, Align: table.Right},
		{Title: "CHARGES", Min: 13, Align: table.Right, Drop: 2},
		{Title: "REFUNDS", Min: 13, Align: table.Right, Drop: 3},
		{Title: "PAYOUTS+FEES", Min: 15, Align: table.Right},
		{Title: "TRANSFERS", Min: 15, Align: table.Right, Drop: 1},
		{Title: "NET", Min: 15, Align: table.Right},
		{Title: "CLOSING", Min: 17, Align: table.Right, Drop: 4},
	}, table.WithKeys(m.nav))
	t.SetDetail(func(i int) tea.Msg {
		d := m.day(i)
		return table.Detail{Title: "Where the money went on " + d.Date, Text: explain(d)}
	})
	return t
}

// day is row i's day: newest first.
func (m *Model) day(i int) *settle.Day {
	days := m.settle.s.Days
	return &days[len(days)-1-i]
}

// loadSettlement reads the settlement wallet's last settleDays days.
func (m *Model) loadSettlement() tea.Cmd {
	st := &m.settle
	st.seq++
	st.loading, st.err = true, ""
	m.stage = stageSettle
	now := m.now().In(eat)
	y, mo, d := now.Date()
	to := time.Date(y, mo, d, 0, 0, 0, 0, eat).AddDate(0, 0, 1)
	from := to.AddDate(0, 0, -settleDays)
	seq, cl, base := st.seq, m.c.Client, m.c.Context()
	return tea.Batch(m.startSpin(), func() tea.Msg {
		// Fourteen days of statement pages: longer than one request's
		// bound (common.Bounded), still ended with the session.
		ctx, cancel := context.WithTimeout(base, time.Minute)
		defer cancel()
		s, err := settle.Fetch(ctx, cl, "", from, to)
		return settledMsg{seq: seq, s: s, err: err}
	})
}

func (m *Model) onSettled(msg settledMsg) {
	st := &m.settle
	if msg.seq != st.seq {
		return
	}
	st.loading = false
	if msg.err != nil {
		st.err = text.ErrText(msg.err)
		return
	}
	st.s = msg.s
	st.list.SetTotal(len(msg.s.Days))
	st.list.SetCursor(0)
}

func (m *Model) now() time.Time {
	if m.c.Now != nil {
		return m.c.Now()
	}
	return time.Now()
}

// settleLines draws the settlement.
func (m *Model) settleLines() []string {
	st := m.c.Styles
	s := &m.settle
	switch {
	case s.loading:
		return []string{st.Title.Render("Where the money went"), "", m.spin.View() + " Reading the settlement wallet's statement…"}
	case s.err != "":
		return []string{st.Title.Render("Where the money went"), "", st.Failed.Render(text.Truncate(s.err, m.width)), "", st.Faint.Render("esc back")}
	}
	t := s.s.Total
	head := fmt.Sprintf("Where the money went · wallet %s · %s to %s", s.s.WalletID, s.s.From, s.s.To)
	sum := fmt.Sprintf("opening %s · collected %s · net %s · closing %s", t.Opening.KES(), t.Gross.KES(), t.Net.KES(), t.Closing.KES())
	check := st.OK.Render("✔ every day's lines add up to its balance movement")
	for _, d := range s.s.Days {
		if !d.AddsUp {
			check = st.Failed.Render(fmt.Sprintf("✖ %s: lines add up to %s but the balance moved %s", d.Date, d.Net.KES(), d.Movement.KES()))
		}
	}
	if s.list.DetailOpen() {
		return []string{text.Truncate(head, m.width), s.list.View(nil)}
	}
	body := s.list.View(func(i int, r *table.Row) {
		d := m.day(i)
		r.Add(d.Date, d.Gross.KES(), d.Amount(settle.CollectionCharges).KES(), d.Amount(settle.Refunds).KES(),
			(d.Amount(settle.Payouts) + d.Amount(settle.PayoutCharges)).KES(),
			(d.Amount(settle.TransfersIn) + d.Amount(settle.TransfersOut)).KES(), d.Net.KES(), d.Closing.KES())
	})
	return []string{text.Truncate(head, m.width), text.Truncate(sum, m.width), text.Truncate(check, m.width), "", body}
}

// explain is a day's detail: each category, its sum and the statement
// lines (and invoices) that make it.
func explain(d *settle.Day) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Opening %s, closing %s: moved %s; the lines below add up to %s.\n", d.Opening.KES(), d.Closing.KES(), d.Movement.KES(), d.Net.KES())
	if len(d.Categories) == 0 {
		b.WriteString("\nNo statement lines this day.")
	}
	for _, l := range d.Categories {
		fmt.Fprintf(&b, "\n%s: %s in %d %s\n  lines %s", category(l.Category), l.Amount.KES(), l.Count, text.Plural(l.Count, "line", "lines"), strings.Join(l.IDs, " "))
		if len(l.Invoices) > 0 {
			fmt.Fprintf(&b, "\n  invoices %s", strings.Join(l.Invoices, " "))
		}
	}
	return b.String()
}

func category(c string) string {
	if ch, ok := strings.CutPrefix(c, "collections:"); ok {
		return "Collections by " + channelWord(ch)
	}
	return map[string]string{settle.CollectionCharges: "IntaSend collection charges", settle.Refunds: "Refunds and chargebacks",
		settle.Payouts: "Payouts", settle.PayoutCharges: "Payout charges", settle.TransfersIn: "Transfers in",
		settle.TransfersOut: "Transfers out", settle.Other: "Other"}[c]
}

func channelWord(p string) string {
	switch p {
	case "M-PESA":
		return "M-Pesa"
	case "CARD-PAYMENT":
		return "card"
	}
	return p
}

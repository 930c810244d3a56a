package pulse

import (
	"fmt"
	"strings"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

// Lines is the strip for width cells: a title line, a line per channel,
// the payouts and float line and, when something is wrong, a banner.
func (m *Model) Lines(width int) []string {
	st := m.c.Styles
	now := m.now()
	title := st.Title.Render("Pulse")
	if m.snap == nil {
		if m.err != nil {
			return []string{title, m.banner(width)}
		}
		return []string{title + " " + st.Faint.Render("reading the last day…")}
	}
	s := m.snap
	head := fmt.Sprintf("%s · %s · %d of the last %d attempts paid (%.0f%%)", title, when.Clock(now, s.At), s.OK, s.Attempts, 100*s.Rate())
	lines := []string{text.Truncate(head, width)}
	if len(s.Reasons) > 0 {
		var rs []string
		for _, r := range s.Reasons[:min(len(s.Reasons), 3)] {
			rs = append(rs, fmt.Sprintf("%s ×%d", r.Text, r.Count))
		}
		lines = append(lines, text.Truncate(st.Faint.Render("failures: ")+strings.Join(rs, " · "), width))
	}
	if len(s.Channels) == 0 {
		lines = append(lines, st.Faint.Render("no collections in the last day"))
	}
	if len(s.Channels) > 0 {
		lines = append(lines, st.Faint.Render(text.Truncate(fmt.Sprintf("%-6s %-26s  %-39s", "", "last hour, 5 min a bar", "last 24 hours, 1 hour a bar"), width)))
	}
	for _, ch := range s.Channels {
		lines = append(lines, text.Truncate(fmt.Sprintf("%-6s %s %13s  %s %14s", channel(ch.Provider),
			spark(ch.Hour), ch.HourSum.KES(), spark(ch.Day), ch.DaySum.KES()), width))
	}
	lines = append(lines, m.payoutLines(width)...)
	if b := m.banner(width); b != "" {
		lines = append(lines, b)
	}
	return lines
}

// payoutLines are the payouts and the float: without a journal what the
// wallet says; with one, the batches in flight, failed today and waiting
// approval, and the float left once the waiting ones are paid.
func (m *Model) payoutLines(width int) []string {
	s, st := m.snap, m.c.Styles
	if !s.Payouts.Known {
		return []string{text.Truncate(fmt.Sprintf("Payouts today %d · %s · float %s (%s clearing or held)",
			s.PayoutCount, s.PayoutsToday.KES(), s.Available.KES(), s.Held.KES()), width)}
	}
	p := s.Payouts
	failed := fmt.Sprintf("%d failed today", p.FailedToday)
	if p.FailedToday > 0 {
		failed = st.Failed.Render(failed)
	}
	head := fmt.Sprintf("Payouts today %d · %s · %d %s in flight · %s", s.PayoutCount, s.PayoutsToday.KES(),
		p.InFlight, text.Plural(p.InFlight, "batch", "batches"), failed)
	// The float first: it is the figure a person acts on; the waiting
	// batches after it say why it is less than the wallet's available.
	float := fmt.Sprintf("Float left %s · %d waiting: %s", s.Float().KES(), p.Waiting, p.WaitingTotal.KES())
	switch {
	case p.Waiting == 0:
		float = fmt.Sprintf("Float left %s · no batch waiting approval", s.Float().KES())
	case p.Unestimated > 0:
		float += fmt.Sprintf(" + fees %s (%d not estimated)", p.WaitingCharges.KES(), p.Unestimated)
	default:
		float += fmt.Sprintf(" + est. fees %s", p.WaitingCharges.KES())
	}
	held := st.Faint.Render(fmt.Sprintf("%s clearing or held", s.Held.KES()))
	return []string{text.Truncate(head, width), text.Truncate(float+" · "+held, width)}
}

// Wrong reports whether the banner is up: IntaSend is not answering, or
// too few of the recent attempts paid.
func (m *Model) Wrong() bool {
	return m.err != nil || m.snap != nil && m.snap.Attempts >= LastN/2 && m.snap.Rate() < Threshold
}

func (m *Model) banner(width int) string {
	if !m.Wrong() {
		return ""
	}
	st := m.c.Styles
	var why string
	if m.err != nil {
		why = fmt.Sprintf("IntaSend is not answering since %s: %s", when.Clock(m.now(), m.failing), text.ErrText(m.err))
	} else {
		why = fmt.Sprintf("only %d of the last %d attempts paid (below %.0f%%)", m.snap.OK, m.snap.Attempts, 100*Threshold)
	}
	return st.Failed.Render(text.Truncate(common.SymFailed+" Something is wrong: "+why, width))
}

// spark draws amounts as a sparkline, each bar scaled to the largest; an
// empty bucket is a dot, so "nothing" never looks like "a little".
func spark(v []client.Amount) string {
	bars := []rune("▁▂▃▄▅▆▇█")
	var top client.Amount
	for _, a := range v {
		top = max(top, a)
	}
	var b strings.Builder
	for _, a := range v {
		switch {
		case a <= 0:
			b.WriteRune('·')
		default:
			b.WriteRune(bars[min(int(int64(a)*int64(len(bars)-1)/int64(top)), len(bars)-1)])
		}
	}
	return b.String()
}

func channel(p string) string {
	switch p {
	case "M-PESA":
		return "M-Pesa"
	case "CARD-PAYMENT":
		return "Card"
	case "BANK-ACH":
		return "Bank"
	case "":
		return "Other"
	}
	return text.Truncate(p, 6)
}

package pulse

import (
	"fmt"
	"slices"
	"strings"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

// Want is how many lines the strip draws: at least (the alarm or the
// rate, the busiest channel, payouts and float), compact (a line per
// channel) and full (with the failure reasons, a legend and two lines of
// payouts). The host shares its body with them (Lines takes what it got).
func (m *Model) Want() (least, compact, full int) {
	s := m.snap
	if s == nil {
		if m.err != nil {
			return 1, 1, 2
		}
		return 1, 1, 1
	}
	channels := max(len(s.Channels), 1) // or "no collections in the last day"
	compact = 2 + channels
	full = 1 + channels + 1 // head, channels, payouts
	if len(s.Reasons) > 0 {
		full++
	}
	if len(s.Channels) > 0 {
		full++ // the legend over the sparklines
	}
	if s.Payouts.Known {
		full++ // batches and the float on a line each
	}
	if m.Wrong() {
		full++ // the banner over it all
	}
	return min(compact, 3), compact, full
}

// Lines is the strip in at most room lines of width cells: the full form
// when it fits, else one line per channel (the quieter channels go first
// when even that does not fit).
func (m *Model) Lines(width, room int) []string {
	if _, _, full := m.Want(); room >= full {
		return m.fullLines(width)
	}
	return m.compactLines(width, room)
}

// fullLines: when something is wrong a banner, then a title line, the
// failure reasons, a line per channel, the payouts and float.
func (m *Model) fullLines(width int) []string {
	st := m.c.Styles
	title := st.Title.Render("Pulse")
	if m.snap == nil {
		if m.err != nil {
			return []string{title, m.banner(width)}
		}
		return []string{title + " " + m.spin.View() + st.Faint.Render(" reading the last day…")}
	}
	s := m.snap
	head := title + " · " + when.Clock(m.now(), s.At)
	if m.err != nil || !m.Wrong() { // else the banner says the rate
		head += fmt.Sprintf(" · %d of the last %d attempts paid (%.0f%%)", s.OK, s.Attempts, 100*s.Rate())
	}
	lines := []string{text.Truncate(head, width)}
	if len(s.Reasons) > 0 {
		lines = append(lines, text.Truncate(st.Faint.Render("failures: ")+m.reasons(), width))
	}
	if len(s.Channels) == 0 {
		lines = append(lines, st.Faint.Render("no collections in the last day"))
	} else {
		lines = append(lines, st.Faint.Render(text.Truncate(fmt.Sprintf("%-6s %-26s  %-39s", "", "last hour, 5 min a bar", "last 24 hours, 1 hour a bar"), width)))
	}
	for _, ch := range s.Channels {
		lines = append(lines, text.Truncate(fmt.Sprintf("%-6s %s %13s  %s %14s", channel(ch.Provider),
			spark(ch.Hour), ch.HourSum.KES(), spark(ch.Day), ch.DaySum.KES()), width))
	}
	lines = append(lines, m.payoutLines(width)...)
	if b := m.banner(width); b != "" { // on top: the first thing read
		lines = append([]string{b}, lines...)
	}
	return lines
}

// reasons are the top three failure reasons, most frequent first.
func (m *Model) reasons() string {
	var rs []string
	for _, r := range m.snap.Reasons[:min(len(m.snap.Reasons), 3)] {
		rs = append(rs, fmt.Sprintf("%s ×%d", r.Text, r.Count))
	}
	return strings.Join(rs, " · ")
}

// compactLines: the rate (or the alarm) with the failure reasons, a line
// per channel with both sparklines, and one line of payouts and float; at
// most room lines.
func (m *Model) compactLines(width, room int) []string {
	if room <= 0 {
		return nil
	}
	lines := []string{m.compactHead(width)}
	if m.snap == nil || room == 1 {
		return lines
	}
	s := m.snap
	chans := s.Channels[:min(len(s.Channels), room-2)]
	if len(s.Channels) == 0 && room > 2 {
		lines = append(lines, m.c.Styles.Faint.Render("no collections in the last day"))
	}
	hw, dw := sumWidths(chans)
	for _, ch := range chans {
		lines = append(lines, channelLine(ch, hw, dw, width))
	}
	return append(lines, m.compactPayouts(width))
}

// compactHead is the banner when something is wrong, else the rate; the
// failure reasons follow either.
func (m *Model) compactHead(width int) string {
	st := m.c.Styles
	s := m.snap
	switch {
	case s == nil && m.err == nil:
		return st.Title.Render("Pulse") + " " + m.spin.View() + st.Faint.Render(" reading the last day…")
	case m.err != nil:
		why := "IntaSend not answering since " + when.Clock(m.now(), m.failing)
		if s != nil { // the lines under it are older: say how old
			why += fmt.Sprintf(" (figures %s)", when.Clock(m.now(), s.At))
		}
		return st.Failed.Bold(true).Render(text.Truncate(common.SymFailed+" Something is wrong: "+why, width))
	}
	rate := fmt.Sprintf("%d of %d paid (%.0f%%)", s.OK, s.Attempts, 100*s.Rate())
	head := st.Title.Render("Pulse") + " " + when.Clock(m.now(), s.At) + " · " + rate
	if m.Wrong() {
		head = st.Failed.Bold(true).Render(common.SymFailed + " Something is wrong: only " + rate)
	}
	if len(s.Reasons) > 0 {
		head += st.Faint.Render(" · failed: ") + m.reasons()
	}
	return text.Truncate(head, width)
}

// sumWidths are the widest hour and day sums, so the channels' columns
// line up and a quiet day leaves room for the sparklines.
func sumWidths(chans []Channel) (hw, dw int) {
	for _, ch := range chans {
		hw, dw = max(hw, len(ch.HourSum.KES())), max(dw, len(ch.DaySum.KES()))
	}
	return hw, dw
}

// channelLine is a channel's last hour and day, each a sparkline and a
// sum; short of room the hour's sparkline goes, its sum stays.
func channelLine(ch Channel, hw, dw, width int) string {
	line := fmt.Sprintf("%-6s 1h %s %*s  24h %s %*s", channel(ch.Provider), spark(ch.Hour), hw, ch.HourSum.KES(), spark(ch.Day), dw, ch.DaySum.KES())
	if text.Width(line) > width {
		line = fmt.Sprintf("%-6s 1h %*s  24h %s %*s", channel(ch.Provider), hw, ch.HourSum.KES(), spark(ch.Day), dw, ch.DaySum.KES())
	}
	return text.Truncate(line, width)
}

// compactPayouts is the payouts and the float on one line.
func (m *Model) compactPayouts(width int) string {
	s, st := m.snap, m.c.Styles
	segs := []seg{{fmt.Sprintf("Payouts today %d", s.PayoutCount), 0}, {s.PayoutsToday.KES(), 3}}
	if !s.Payouts.Known {
		segs = append(segs, seg{"float " + s.Available.KES(), 0})
		return fit(st, append(segs, m.held(4)...), width)
	}
	p := s.Payouts
	segs = append(segs, seg{fmt.Sprintf("%d in flight", p.InFlight), 1}, seg{m.failedToday(), 0},
		seg{"float left " + s.Float().KES(), 0})
	if p.Waiting > 0 {
		segs = append(segs, seg{fmt.Sprintf("%d waiting approval", p.Waiting), 2})
	}
	return fit(st, segs, width)
}

func (m *Model) failedToday() string {
	p := m.snap.Payouts
	failed := fmt.Sprintf("%d failed today", p.FailedToday)
	if p.FailedToday > 0 {
		return m.c.Styles.Failed.Render(failed)
	}
	return failed
}

// payoutLines are the payouts and the float: without a journal what the
// wallet says; with one, the batches in flight, failed today and waiting
// approval, and the float left once the waiting ones are paid.
func (m *Model) payoutLines(width int) []string {
	s, st := m.snap, m.c.Styles
	if !s.Payouts.Known {
		return []string{fit(st, append([]seg{{fmt.Sprintf("Payouts today %d", s.PayoutCount), 0}, {s.PayoutsToday.KES(), 1},
			{"float " + s.Available.KES(), 0}}, m.held(2)...), width)}
	}
	p := s.Payouts
	head := []seg{{fmt.Sprintf("Payouts today %d", s.PayoutCount), 0}, {s.PayoutsToday.KES(), 1},
		{fmt.Sprintf("%d %s in flight", p.InFlight, text.Plural(p.InFlight, "batch", "batches")), 0}, {m.failedToday(), 0}}
	// The float first: it is the figure a person acts on; the waiting
	// batches after it say why it is less than the wallet's available.
	waiting := fmt.Sprintf("%d waiting: %s", p.Waiting, p.WaitingTotal.KES())
	switch {
	case p.Waiting == 0:
		waiting = "no batch waiting approval"
	case p.Unestimated > 0:
		waiting += fmt.Sprintf(" + fees %s (%d not estimated)", p.WaitingCharges.KES(), p.Unestimated)
	default:
		waiting += fmt.Sprintf(" + est. fees %s", p.WaitingCharges.KES())
	}
	float := append([]seg{{"Float left " + s.Float().KES(), 0}, {waiting, 1}}, m.held(2)...)
	return []string{fit(st, head, width), fit(st, float, width)}
}

// held is the money the wallet has but cannot spend yet (why the float is
// less than the balance), when there is any.
func (m *Model) held(rank int) []seg {
	if m.snap.Held == 0 {
		return nil
	}
	return []seg{{m.c.Styles.Faint.Render(m.snap.Held.KES() + " clearing or held"), rank}}
}

// seg is a piece of a line and how readily it goes when the line is too
// wide: the highest rank first, so a narrow strip keeps what matters.
type seg struct {
	s    string
	rank int
}

// fit joins segs with " · ", leaving out the highest-ranked ones until
// the line fits width (the last one left is cut).
func fit(st *common.Styles, segs []seg, width int) string {
	sep := st.Faint.Render(" · ")
	for {
		parts := make([]string, len(segs))
		for i, sg := range segs {
			parts[i] = sg.s
		}
		line := strings.Join(parts, sep)
		if text.Width(line) <= width || len(segs) == 1 {
			return text.Truncate(line, width)
		}
		worst := 0
		for i, sg := range segs {
			if sg.rank >= segs[worst].rank {
				worst = i
			}
		}
		segs = slices.Delete(slices.Clone(segs), worst, worst+1)
	}
}

// Wrong reports whether the banner is up: IntaSend is not answering, or
// too few of the recent attempts paid.
func (m *Model) Wrong() bool {
	return m.err != nil || m.snap != nil && m.snap.Attempts >= LastN/2 && m.snap.Rate() < Threshold
}

// Alarm is the status bar's badge for what Wrong says: a symbol and few
// words, so it reads without colour and in a narrow bar (Short). Zero
// when all is well.
func (m *Model) Alarm() common.AlarmMsg {
	switch {
	case m.err != nil:
		return common.AlarmMsg{Text: common.SymFailed + " IntaSend not answering", Short: common.SymFailed + " IntaSend", Unreachable: true}
	case m.Wrong():
		pct := fmt.Sprintf("%.0f%%", 100*m.snap.Rate())
		return common.AlarmMsg{Text: fmt.Sprintf("▼ %s of last %d paid", pct, m.snap.Attempts), Short: "▼ " + pct}
	}
	return common.AlarmMsg{}
}

// banner is bold as well as red: with NO_COLOR bold is what is left to
// set it apart from the figures.
func (m *Model) banner(width int) string {
	if !m.Wrong() {
		return ""
	}
	st := m.c.Styles
	var why string
	if m.err != nil {
		why = fmt.Sprintf("IntaSend is not answering since %s: %s", when.Clock(m.now(), m.failing), text.ErrText(m.err))
	} else {
		why = fmt.Sprintf("only %d of the last %d attempts paid (%.0f%%, below %.0f%%)", m.snap.OK, m.snap.Attempts, 100*m.snap.Rate(), 100*Threshold)
	}
	return st.Failed.Bold(true).Render(text.Truncate(common.SymFailed+" Something is wrong: "+why, width))
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

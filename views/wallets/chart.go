package wallets

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// chartDays is how many days the flow chart covers, today included.
const chartDays = 14

// dayFlow is one day's money in and out, in cents (both non-negative).
type dayFlow struct{ In, Out client.Amount }

// flows is the last chartDays days of account transactions, per currency.
type flows struct {
	First time.Time            // midnight of the first day, in the view's location
	By    map[string][]dayFlow // currency → chartDays days, oldest first
	Count int                  // transactions counted
}

// civilDay numbers calendar days so that consecutive dates differ by one
// whatever the zone's offsets do.
func civilDay(t time.Time) int64 {
	y, m, d := t.Date()
	return time.Date(y, m, d, 12, 0, 0, 0, time.UTC).Unix() / 86400
}

// startOfWindow is midnight chartDays-1 days before now, in now's location.
func startOfWindow(now time.Time) time.Time {
	y, m, d := now.Date()
	return time.Date(y, m, d-(chartDays-1), 0, 0, 0, 0, now.Location())
}

// aggregate sums transactions per day and currency in integer cents.
// Cancelled lines never moved money, so they are left out, and so are
// transfers between the account's own wallets: each is a debit and a credit
// of the same amount at the same moment, which would count once as money
// in and once as money out.
func aggregate(txs []client.WalletTransaction, now time.Time) flows {
	first := startOfWindow(now)
	f := flows{First: first, By: map[string][]dayFlow{}}
	base := civilDay(first)
	credits := internalTransfers(txs)
	debits := internalTransfers(txs)
	for _, tx := range txs {
		if tx.Value == 0 || strings.EqualFold(tx.Status, "CANCELLED") {
			continue
		}
		budget := debits
		if tx.Value > 0 {
			budget = credits
		}
		if k := pairKey(tx); budget[k] > 0 {
			budget[k]--
			continue
		}
		i := civilDay(tx.CreatedAt.In(now.Location())) - base
		if i < 0 || i >= chartDays {
			continue
		}
		cur := tx.Currency
		if cur == "" {
			cur = "KES"
		}
		days := f.By[cur]
		if days == nil {
			days = make([]dayFlow, chartDays)
			f.By[cur] = days
		}
		if tx.Value > 0 {
			days[i].In += tx.Value
		} else {
			days[i].Out -= tx.Value
		}
		f.Count++
	}
	return f
}

// transferKey identifies the two halves of an internal transfer.
type transferKey struct {
	at        int64
	amount    client.Amount
	typ, note string
	currency  string
}

func pairKey(tx client.WalletTransaction) transferKey {
	a := tx.Value
	if a < 0 {
		a = -a
	}
	return transferKey{tx.CreatedAt.Unix(), a, tx.TransType, tx.Narrative, tx.Currency}
}

// internalTransfers counts, per key, how many debit/credit pairs there are.
// The returned map is a budget: aggregate skips that many lines of each sign.
func internalTransfers(txs []client.WalletTransaction) map[transferKey]int {
	type pn struct{ pos, neg int }
	counts := map[transferKey]pn{}
	for _, tx := range txs {
		if tx.Value == 0 {
			continue
		}
		c := counts[pairKey(tx)]
		if tx.Value > 0 {
			c.pos++
		} else {
			c.neg++
		}
		counts[pairKey(tx)] = c
	}
	out := map[transferKey]int{}
	for k, c := range counts {
		if n := min(c.pos, c.neg); n > 0 {
			out[k] = n
		}
	}
	return out
}

// totals sums the window.
func totals(days []dayFlow) (in, out client.Amount) {
	for _, d := range days {
		in += d.In
		out += d.Out
	}
	return in, out
}

// compact renders an amount in few cells for axis labels: 950, 12.3k, 4.5M.
func compact(a client.Amount) string {
	units := int64(a) / 100
	switch {
	case units < 1000:
		return fmt.Sprint(units)
	case units < 1_000_000:
		return fmt.Sprintf("%d.%dk", units/1000, units%1000/100)
	case units < 1_000_000_000:
		return fmt.Sprintf("%d.%dM", units/1_000_000, units%1_000_000/100_000)
	}
	return fmt.Sprintf("%d.%dB", units/1_000_000_000, units%1_000_000_000/100_000_000)
}

// chartMinHeight is the least room the bar chart needs; below it the chart
// shrinks to a one-line summary.
const chartMinHeight = 8

// chartMaxRows bounds each half of the chart: taller bars add no reading.
const chartMaxRows = 12

// Wide screens get per-period sums beside the bars.
const (
	summaryW       = 34
	summaryMinW    = 112
	summaryMinRows = 12
)

// renderChart draws money in above the axis and money out below it, one
// column per day, on one scale. Position and the legend's words carry the
// meaning; colour only repeats it.
func renderChart(st *common.Styles, f flows, currency string, width, height int) string {
	days := f.By[currency]
	if days == nil {
		days = make([]dayFlow, chartDays)
	}
	inSum, outSum := totals(days)
	title := st.Title.Render(fmt.Sprintf("Last %d days", chartDays)) +
		st.Faint.Render(fmt.Sprintf(" · %s · all wallets", currency))
	sums := "in ▲ " + st.MoneyIn.Render(inSum.Format(currency)) + "  out ▼ " + st.MoneyOut.Render(outSum.Format(currency))
	head := title + "   " + sums
	if lipgloss.Width(head) > width {
		head = st.Title.Render(fmt.Sprintf("%d days", chartDays)) + "  " + sums
	}
	head = fitLine(head, width)
	if height < chartMinHeight || width < 40 {
		return head
	}
	side := width >= summaryMinW && height >= summaryMinRows
	barsW := width
	if side {
		barsW = width - summaryW - 3
	}
	body := chartBody(st, f.First, days, barsW, height-1)
	if side {
		for i, l := range summaryLines(st, days, currency) {
			if i < len(body) {
				body[i] += "   " + l
			}
		}
	}
	return head + "\n" + strings.Join(body, "\n")
}

// chartBody draws the bars, the axis, the day labels and the legend. Every
// line is exactly as wide as the bars, so a column can sit beside them.
func chartBody(st *common.Styles, first time.Time, days []dayFlow, width, height int) []string {
	var peak client.Amount
	for _, d := range days {
		peak = max(peak, d.In, d.Out)
	}
	const axisW = 8 // label (6) + space + tick
	colW := min(max((width-axisW)/chartDays, 2), 6)
	barW := max(colW-1, 1)
	lineW := axisW + colW*chartDays
	rows := min((height-3)/2, chartMaxRows) // axis, day labels, legend
	levels := int64(rows * 2)
	lvl := func(v client.Amount) int64 {
		if peak == 0 || v == 0 {
			return 0
		}
		return (int64(v)*levels + int64(peak) - 1) / int64(peak) // ceil: any money shows
	}
	// One paint per row of bars (not per cell): a frame stays cheap.
	faint, in, out := text.NewPaint(st.Faint), text.NewPaint(st.MoneyIn), text.NewPaint(st.MoneyOut)
	gap := strings.Repeat(" ", colW-barW)
	label := func(s string) string { return fmt.Sprintf("%6s ", s) }
	barRow := func(lab string, paint text.Paint, f func(d dayFlow) string) string {
		var cells strings.Builder
		for _, d := range days {
			cells.WriteString(f(d))
			cells.WriteString(gap)
		}
		return faint.Render(label(lab)+"│") + paint.Render(cells.String())
	}
	lines := make([]string, 0, 2*rows+3)
	for r := 0; r < rows; r++ { // money in, top row first
		lab, base := "", int64(rows-1-r)*2
		if r == 0 {
			lab = compact(peak)
		}
		lines = append(lines, barRow(lab, in, func(d dayFlow) string { return bar(lvl(d.In), base, "█", "▄", barW) }))
	}
	lines = append(lines, faint.Render(label("0")+"┼"+strings.Repeat("─", colW*chartDays)))
	for r := 0; r < rows; r++ { // money out, the row under the axis first
		lab, base := "", int64(r)*2
		if r == rows-1 {
			lab = compact(peak)
		}
		lines = append(lines, barRow(lab, out, func(d dayFlow) string { return bar(lvl(d.Out), base, "█", "▀", barW) }))
	}
	lines = append(lines,
		faint.Render(text.PadRight(label("")+" "+dayLabels(first, colW), lineW)),
		faint.Render(text.PadRight(label("")+" ▲ in above the line · ▼ out below · own-wallet transfers excluded", lineW)))
	return lines
}

// summaryLines are the sums for today, yesterday, 7 and 14 days, and the
// 14 days' net, as signed amounts (the sign says the direction).
func summaryLines(st *common.Styles, days []dayFlow, cur string) []string {
	in, out := text.NewPaint(st.MoneyIn), text.NewPaint(st.MoneyOut)
	n := len(days)
	periods := []struct {
		name     string
		from, to int
	}{{"Today", n - 1, n}, {"Yesterday", n - 2, n - 1}, {"Last 7 days", n - 7, n}, {fmt.Sprintf("Last %d days", n), 0, n}}
	amtW := summaryW - 14
	var lines []string
	for _, p := range periods {
		i, o := totals(days[p.from:p.to])
		lines = append(lines,
			st.Label.Render(text.PadRight(p.name, 14))+in.Render(text.PadLeft(signed(i, cur), amtW)),
			strings.Repeat(" ", 14)+out.Render(text.PadLeft("−"+o.Format(cur), amtW)))
	}
	i, o := totals(days)
	net := in
	if o > i {
		net = out
	}
	return append(lines, st.Bold.Render(text.PadRight(fmt.Sprintf("Net %d days", n), 14))+net.Render(text.PadLeft(signed(i-o, cur), amtW)))
}

// bar is one cell row of a bar of height h half-cells, for the row whose
// lowest half-cell is base.
func bar(h, base int64, full, half string, w int) string {
	switch {
	case h >= base+2:
		return strings.Repeat(full, w)
	case h == base+1:
		return strings.Repeat(half, w)
	}
	return strings.Repeat(" ", w)
}

// dayLabels writes the day of the month under each column, skipping some
// when the columns are too narrow for two digits and a gap.
func dayLabels(first time.Time, colW int) string {
	var b strings.Builder
	step := 1
	if colW < 3 {
		step = 2
	}
	for i := 0; i < chartDays; i++ {
		d := first.AddDate(0, 0, i)
		s := ""
		if (chartDays-1-i)%step == 0 {
			s = fmt.Sprintf("%02d", d.Day())
		}
		b.WriteString(s + strings.Repeat(" ", colW-len(s)))
	}
	return strings.TrimRight(b.String(), " ")
}

// fitLine cuts a styled line to width cells.
func fitLine(s string, width int) string {
	if lipgloss.Width(s) <= width {
		return s
	}
	return text.Truncate(s, width)
}

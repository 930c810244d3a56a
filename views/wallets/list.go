package wallets

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/table"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

func (m *Model) setCursor(i int) {
	m.ensureVisible()
	m.list.SetCursor(i)
	m.followCursor()
}

// followCursor remembers the wallet under the cursor, to find it again
// after a refresh.
func (m *Model) followCursor() {
	m.selectedID = ""
	if w, ok := m.selected(); ok {
		m.selectedID = w.ID
	}
}

// ensureVisible gives the wallet table its rows and its share of the
// body (which depends on how many wallets there are).
func (m *Model) ensureVisible() {
	m.list.SetTotal(len(m.wallets))
	m.list.SetColumns(m.columns())
	m.list.SetSize(m.width, m.listLayout().rows)
}

// listKeys handles keys on the wallet list.
func (m *Model) listKeys(k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	if _, ok := m.list.Update(k); ok {
		m.followCursor()
		return nil
	}
	switch {
	case key.Matches(k, km.Open):
		return m.openDetail()
	case key.Matches(k, km.Refresh):
		return m.refresh(true)
	case key.Matches(k, km.Create):
		return m.openCreate()
	case key.Matches(k, km.Transfer):
		return m.openTransfer()
	case key.Matches(k, km.Fund):
		return m.openFund()
	}
	return nil
}

// listLayout splits the body between the wallet table, the pulse and the
// chart.
type listLayout struct {
	rows   int  // wallet rows shown
	pulseH int  // the pulse's lines (0: none)
	chartH int  // 0: no chart; 1: a summary line; ≥ chartMinHeight: bars
	gaps   bool // a blank line before the pulse and the chart
}

// blanks is how many blank lines the layout puts between its parts.
func (l listLayout) blanks() int {
	n := 0
	if l.gaps && l.pulseH > 0 {
		n++
	}
	if l.gaps && l.chartH > 1 {
		n++
	}
	return n
}

func (m *Model) currencies() []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range m.wallets {
		if !seen[w.Currency] {
			seen[w.Currency] = true
			out = append(out, w.Currency)
		}
	}
	return out
}

// layoutSteps are the body's shares in order of preference: every wallet
// first, then the pulse (its alarm and payouts line at least), then the
// chart's bars; the full pulse and blank lines only with room to spare.
// scroll lets the wallets scroll (at least 3 rows) to keep the rest.
var layoutSteps = []struct {
	pulse       int // 0 least, 1 compact, 2 full (pulse.Want)
	chart       int
	gaps        bool
	scroll      bool
	compactMost bool // the pulse may grow to compact with the room left
}{
	{pulse: 2, chart: chartMinHeight, gaps: true},
	{pulse: 1, chart: chartMinHeight, gaps: true},
	{pulse: 1, chart: chartMinHeight},
	{pulse: 0, chart: chartMinHeight, compactMost: true},
	{pulse: 0, chart: chartMinHeight, scroll: true},
	{pulse: 1, chart: 1},
	{pulse: 0, chart: 1, compactMost: true},
	{pulse: 0, chart: 1, scroll: true},
	{pulse: 0, chart: 0, compactMost: true},
}

func (m *Model) listLayout() listLayout {
	n := len(m.wallets)
	rest := m.height - (3 + len(m.currencies())) // title, header, rule, totals
	least, compact, full := m.pulse.Want()
	wants := [3]int{least, compact, full}
	for _, st := range layoutSteps {
		l := listLayout{rows: n, pulseH: wants[st.pulse], chartH: st.chart, gaps: st.gaps}
		spare := rest - l.rows - l.pulseH - l.chartH - l.blanks()
		if st.scroll && spare < 0 {
			l.rows, spare = l.rows+spare, 0 // the wallets scroll to keep the rest
		}
		if spare < 0 || l.rows < min(n, 3) {
			continue
		}
		if st.compactMost {
			grow := min(spare, compact-l.pulseH)
			l.pulseH, spare = l.pulseH+grow, spare-grow
		}
		if l.chartH >= chartMinHeight {
			l.chartH = min(l.chartH+spare, 4+2*chartMaxRows)
		}
		return l
	}
	return listLayout{rows: max(min(n, rest), 1)}
}

// columns are the wallet table's: the label takes the spare width up to
// IntaSend's 40-character cap, the type goes first when narrow, and the
// money columns are as wide as the widest balance or total, so amounts are
// never cut.
func (m *Model) columns() []table.Column {
	amount := 12
	for _, w := range m.wallets {
		amount = max(amount, len(w.AvailableBalance.Format(w.Currency)), len(w.CurrentBalance.Format(w.Currency)))
	}
	for _, t := range m.totals() {
		amount = max(amount, len(t.avail.Format(t.cur)), len(t.current.Format(t.cur)))
	}
	return []table.Column{
		{Title: "LABEL", Min: 10, Flex: 1, Max: labelMax},
		{Title: "TYPE", Min: 10, Drop: 1},
		{Title: "CUR", Min: 3},
		{Title: "AVAILABLE", Min: amount, Align: table.Right},
		{Title: "CURRENT", Min: amount, Align: table.Right},
	}
}

type total struct {
	cur            string
	n              int
	avail, current client.Amount
}

// totals sums balances per currency, in the order currencies first appear.
func (m *Model) totals() []total {
	var out []total
	idx := map[string]int{}
	for _, w := range m.wallets {
		i, ok := idx[w.Currency]
		if !ok {
			i = len(out)
			idx[w.Currency] = i
			out = append(out, total{cur: w.Currency})
		}
		out[i].n++
		out[i].avail += w.AvailableBalance
		out[i].current += w.CurrentBalance
	}
	return out
}

// listView draws the wallet table, the totals and the chart.
func (m *Model) listView() string {
	st := m.c.Styles
	var b strings.Builder
	b.WriteString(m.titleLine(st.Title.Render("Wallets")))
	b.WriteByte('\n')
	if !m.loaded {
		if m.refreshErr != "" {
			b.WriteString(st.Failed.Render(common.SymFailed+" could not load wallets: ") + m.refreshErr + "\n")
			b.WriteString(st.Faint.Render("press r to try again"))
			return b.String()
		}
		b.WriteString(m.spin.View() + " loading wallets…")
		return b.String()
	}
	if len(m.wallets) == 0 {
		b.WriteString(st.Faint.Render("No wallets yet. Press n to create a working wallet."))
		return b.String()
	}
	lay := m.listLayout()
	b.WriteString(m.list.View(func(i int, r *table.Row) {
		w := m.wallets[i]
		r.Add(w.Label, w.Type, w.Currency, w.AvailableBalance.Format(w.Currency), w.CurrentBalance.Format(w.Currency))
	}))
	b.WriteByte('\n')
	b.WriteString(st.Faint.Render(strings.Repeat("─", min(m.width, m.list.Width()))))
	from, end := m.list.Visible()
	for _, t := range m.totals() {
		b.WriteByte('\n')
		label := fmt.Sprintf("Total %s · %d wallet%s", t.cur, t.n, plural(t.n))
		if len(m.wallets) > lay.rows {
			label += fmt.Sprintf(" (%d–%d shown)", from+1, end)
		}
		b.WriteString(st.Bold.Render(m.list.Line(label, "", "", t.avail.Format(t.cur), t.current.Format(t.cur))))
	}
	if lay.pulseH > 0 {
		b.WriteString("\n")
		if lay.gaps {
			b.WriteString("\n")
		}
		b.WriteString(strings.Join(m.pulse.Lines(m.width, lay.pulseH), "\n"))
	}
	if lay.chartH > 0 {
		b.WriteString("\n")
		if lay.gaps && lay.chartH > 1 {
			b.WriteString("\n")
		}
		b.WriteString(m.chartView(lay.chartH))
	}
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// chartView draws the chart for the selected wallet's currency.
func (m *Model) chartView(h int) string {
	st := m.c.Styles
	cur := "KES"
	if w, ok := m.selected(); ok && w.Currency != "" {
		cur = w.Currency
	}
	switch {
	case !m.flowsLoaded && m.flowsErr != "":
		return st.Failed.Render(common.SymFailed+" chart unavailable: ") + text.Truncate(m.flowsErr, m.width-22)
	case !m.flowsLoaded:
		return m.spin.View() + st.Faint.Render(" loading the last 14 days…")
	}
	if h < chartMinHeight {
		h = 1
	}
	// The chart changes only with its data, currency, size or theme, while
	// frames come with every key and spinner tick: draw it once per change.
	key := chartKey{m.flowsVer, cur, m.width, h, st, st.IsDark}
	if m.chart.key != key {
		m.chart = chartCache{key, renderChart(st, m.flows, cur, m.width, h)}
	}
	return m.chart.s
}

type chartKey struct {
	ver    int
	cur    string
	w, h   int
	styles *common.Styles
	dark   bool
}

type chartCache struct {
	key chartKey
	s   string
}

// titleLine puts the refresh state at the right of a title.
func (m *Model) titleLine(title string) string {
	st := m.c.Styles
	var right string
	switch {
	case m.loadingShown() || m.flowsBusy || (m.detail != nil && m.detail.loading):
		right = m.spin.View() + st.Faint.Render(" refreshing…")
	case m.refreshErr != "" && m.loaded:
		right = st.Warning.Render(common.SymWarn+" refresh failed: ") + st.Faint.Render(m.refreshErr)
	case !m.refreshed.IsZero():
		right = st.Faint.Render("updated " + when.Clock(m.now(), m.refreshed))
	}
	gap := m.width - text.Width(title) - text.Width(right)
	if gap < 2 {
		return text.Truncate(title+"  "+right, m.width)
	}
	return title + strings.Repeat(" ", gap) + right
}

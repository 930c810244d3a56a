package subscriptions

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

// ---- row text: what is shown and what the filter searches ----

func customerName(c client.SubscriptionCustomer) string {
	n := strings.TrimSpace(c.FirstName + " " + c.LastName)
	if n == "" {
		return c.Email
	}
	return n
}

func customerText(c client.SubscriptionCustomer) string {
	return strings.Join([]string{c.ID, c.FirstName, c.LastName, c.Email, c.Reference}, " ")
}

func planText(p client.Plan) string {
	return strings.Join([]string{p.ID, p.Name, p.Amount.String(), p.Amount.Decimal(), p.Currency, frequency(p), cycles(p)}, " ")
}

func (m *Model) subText(s client.Subscription) string {
	return strings.Join([]string{s.ID, s.Status, m.customerOf(s), m.planOf(s), s.StartDate, when.Day(s.StartDate), s.Reference}, " ")
}

// frequencyText is "month", "2 weeks": the part after "every".
func frequencyText(n int, unit string) string {
	one, many := unit, unit
	switch unit {
	case client.Daily:
		one, many = "day", "days"
	case client.Weekly:
		one, many = "week", "weeks"
	case client.Monthly:
		one, many = "month", "months"
	case client.Yearly:
		one, many = "year", "years"
	}
	if n == 1 {
		return one
	}
	return strconv.Itoa(n) + " " + many
}

func frequency(p client.Plan) string {
	return "every " + frequencyText(max(p.Frequency, 1), p.FrequencyUnit)
}

func cycles(p client.Plan) string {
	if p.BillingCycles <= 0 {
		return "until cancelled"
	}
	return fmt.Sprintf("%d cycle%s", p.BillingCycles, text.Plural(p.BillingCycles, "", "s"))
}

// customerOf names a subscription's customer: nested in the answer, else
// from the loaded customers, else its id.
func (m *Model) customerOf(s client.Subscription) string {
	if s.Customer != nil {
		return customerName(*s.Customer)
	}
	if c, ok := m.custs.byID(s.CustomerID); ok {
		return customerName(c)
	}
	return s.CustomerID
}

func (m *Model) planOf(s client.Subscription) string {
	if s.Plan != nil {
		return s.Plan.Name
	}
	if p, ok := m.plans.byID(s.PlanID); ok {
		return p.Name
	}
	return s.PlanID
}

// statusText is a subscription status with its symbol: never colour alone.
func statusText(s string) string {
	switch s {
	case client.SubscriptionActive:
		return common.SymLive + " " + s
	case client.SubscriptionPending:
		return common.SymPending + " " + s
	case client.SubscriptionCompleted:
		return common.SymOK + " " + s
	case client.SubscriptionCanceled:
		return common.SymFailed + " " + s
	case client.SubscriptionFailed:
		return common.SymWarn + " " + s
	}
	return s
}

func (p *paints) status(s string) text.Paint {
	switch s {
	case client.SubscriptionActive, client.SubscriptionCompleted:
		return p.ok
	case client.SubscriptionPending:
		return p.pending
	case client.SubscriptionFailed:
		return p.failed
	}
	return p.faint
}

func txStatus(s string) string {
	switch s {
	case "AVAILABLE", "COMPLETE":
		return common.SymOK + " " + s
	case "CLEARING", "PENDING", "PROCESSING", "ON-HOLD":
		return common.SymPending + " " + s
	case "FAILED", "CANCELLED", "REFUNDED":
		return common.SymFailed + " " + s
	}
	return s
}

// paints are the table styles as precomputed escapes, rebuilt when the
// shell swaps the theme.
type paints struct {
	for_                     *common.Styles
	dark                     bool
	row, sel, faint          text.Paint
	ok, pending, failed, hdr text.Paint
}

func (m *Model) paints() *paints {
	st := m.c.Styles
	if p := &m.paint; p.for_ == st && p.dark == st.IsDark {
		return p
	}
	m.paint = paints{for_: st, dark: st.IsDark, row: text.NewPaint(st.Row), sel: text.NewPaint(st.SelectedRow),
		faint: text.NewPaint(st.Faint), ok: text.NewPaint(st.OK), pending: text.NewPaint(st.Pending), failed: text.NewPaint(st.Failed),
		hdr: text.NewPaint(st.TableHeader)}
	return &m.paint
}

// ---- layout ----

// col is one table column: a width and whether it is right-aligned. A flex
// column takes what the fixed ones leave.
type col struct {
	title string
	w     int
	right bool
	flex  int // share of the leftover width; 0 = fixed
	min   int // a flex column below this is dropped... unless it is the only one
}

// fit gives flex columns their widths for a table width; columns that
// would be narrower than their min are dropped (w = 0), last first.
func fit(cols []col, width int) []col {
	out := append([]col(nil), cols...)
	for {
		used, shares := 2, 0 // the cursor mark
		n := 0
		for _, c := range out {
			if c.w == 0 && c.flex == 0 {
				continue
			}
			n++
			if c.flex == 0 {
				used += c.w
			}
			shares += c.flex
		}
		used += 2 * (n - 1)
		left := width - used
		ok := true
		if shares > 0 {
			given := 0
			last := -1
			for i := range out {
				if out[i].flex > 0 {
					out[i].w = max(left*out[i].flex/shares, 0)
					given += out[i].w
					last = i
				}
			}
			if last >= 0 {
				out[last].w += max(left-given, 0)
			}
			for i := range out {
				if out[i].flex > 0 && out[i].w < out[i].min {
					ok = false
				}
			}
		}
		if ok || !dropOne(out) {
			return out
		}
	}
}

// dropOne removes the rightmost optional fixed column (min < 0 marks
// optional); false when none is left to drop.
func dropOne(cols []col) bool {
	for i := len(cols) - 1; i >= 0; i-- {
		if cols[i].min < 0 && cols[i].w > 0 {
			cols[i].w, cols[i].flex = 0, 0
			return true
		}
	}
	return false
}

func row(cols []col, cells ...string) string {
	var b strings.Builder
	first := true
	for i, c := range cols {
		if c.w <= 0 {
			continue
		}
		if !first {
			b.WriteString("  ")
		}
		first = false
		if c.right {
			b.WriteString(text.PadLeft(cells[i], c.w))
		} else {
			b.WriteString(text.PadRight(cells[i], c.w))
		}
	}
	return b.String()
}

func header(cols []col) string {
	cells := make([]string, len(cols))
	for i, c := range cols {
		cells[i] = c.title
	}
	return row(cols, cells...)
}

// ---- screens ----

// View renders the body: a list, or a subscription's transactions, with a
// form or the setup link over it when one is open.
func (m *Model) View() string {
	var body string
	if m.detail != nil {
		body = m.detailView()
	} else {
		body = m.listView()
	}
	var panel string
	switch {
	case m.form != nil:
		panel = m.form.View(m.c.Styles, m.spin.View(), m.width)
	case m.setup != nil:
		panel = m.setupView()
	default:
		return text.Clip(body, m.width, m.height)
	}
	return text.Clip(text.Overlay(body, panel, m.width), m.width, m.height)
}

// titleLine puts the refresh state at the right of a title.
func (m *Model) titleLine(title string) string {
	st := m.c.Styles
	var right string
	switch {
	case m.anyLoading():
		right = m.spin.View() + st.Faint.Render(" loading…")
	case !m.refreshed.IsZero():
		right = st.Faint.Render("updated " + when.Clock(m.c.Now(), m.refreshed))
	}
	gap := m.width - lipgloss.Width(title) - lipgloss.Width(right)
	if gap < 2 {
		return text.Truncate(title, m.width)
	}
	return title + strings.Repeat(" ", gap) + right
}

// tabsLine is the title with the three lists, each after its key; the one
// in front is in brackets (not colour alone).
func (m *Model) tabsLine() string {
	st := m.c.Styles
	parts := []string{st.Title.Render("Subscriptions") + st.Faint.Render(" ·")}
	keys := [...]string{"p", "c", "s"}
	for t := tab(0); t < tabCount; t++ {
		if t == m.tab {
			parts = append(parts, st.Key.Render(keys[t])+" "+st.Bold.Render("["+t.String()+"]"))
		} else {
			parts = append(parts, st.Key.Render(keys[t])+" "+st.Faint.Render(" "+t.String()+" "))
		}
	}
	return m.titleLine(strings.Join(parts, " "))
}

// filterLine is the filter box (or its hint) on the left and how much of
// the list is loaded on the right.
func filterLine[T any](m *Model, l *list[T], noun string) string {
	st := m.c.Styles
	left := st.Faint.Render("/ filter")
	if l.filtering || l.query != "" {
		l.filter.SetWidth(max(min(m.width/3, 40), 10))
		left = l.filter.View() + st.Faint.Render(fmt.Sprintf("  %d match", len(l.match)))
	}
	if l.err != "" && l.loaded { // before the first load the body says it
		left += st.Warning.Render("  " + common.SymWarn + " refresh failed: " + l.err)
	}
	n := len(l.rows)
	var right string
	switch {
	case l.loading && n == 0:
		right = "loading…"
	case l.next != 0 && l.count > 0:
		right = fmt.Sprintf("%d of %d %s loaded", n, l.count, noun)
	case l.next != 0:
		right = fmt.Sprintf("%d %s loaded · more as you scroll", n, noun)
	case n == 1:
		right = "1 " + strings.TrimSuffix(noun, "s")
	default:
		right = fmt.Sprintf("%d %s", n, noun)
	}
	lw := lipgloss.Width(left)
	if gap := m.width - lw - text.Width(right); gap >= 2 {
		return left + strings.Repeat(" ", gap) + st.Faint.Render(right)
	}
	return text.Truncate(left, m.width)
}

// table draws a list's visible rows only, so a list of 10,000 loaded rows
// costs what 20 do. cells gives a row's cells; paintCell, when not nil,
// colours one cell (after padding, so widths stay exact).
func table[T any](m *Model, l *list[T], cols []col, cells func(T) []string, paintCell func(T) (int, text.Paint)) string {
	p := m.paints()
	var b strings.Builder
	b.WriteString(p.hdr.Render("  " + header(cols)))
	rows := m.rows()
	l.ensureVisible(rows)
	end := min(l.offset+rows, l.shown())
	for i := l.offset; i < end; i++ {
		r := l.at(i)
		cs := cells(r)
		b.WriteByte('\n')
		if i == l.cursor {
			b.WriteString(p.sel.Render("▸ " + row(cols, cs...)))
			continue
		}
		if paintCell != nil {
			if j, pt := paintCell(r); cols[j].w > 0 {
				if cols[j].right {
					cs[j] = pt.Render(text.PadLeft(cs[j], cols[j].w)) + p.row.Resume()
				} else {
					cs[j] = pt.Render(text.PadRight(cs[j], cols[j].w)) + p.row.Resume()
				}
			}
		}
		b.WriteString(p.row.Render("  " + row(cols, cs...)))
	}
	return b.String()
}

// empty says why a list shows no rows.
func empty[T any](m *Model, l *list[T], none string) string {
	st := m.c.Styles
	switch {
	case l.shown() > 0 || (l.loading && !l.loaded):
		return ""
	case !l.loaded && l.err != "":
		return st.Failed.Render(common.SymFailed+" could not load (r tries again): ") + l.err
	case l.query != "":
		return st.Faint.Render("nothing loaded matches; esc clears the filter")
	}
	return st.Faint.Render(none)
}

func (m *Model) listView() string {
	var b strings.Builder
	b.WriteString(m.tabsLine())
	b.WriteByte('\n')
	var tbl, none string
	switch m.tab {
	case tabPlans:
		b.WriteString(filterLine(m, m.plans, "plans"))
		tbl, none = m.plansTable(), empty(m, m.plans, "No plans yet."+m.createHint("a plan"))
	case tabCustomers:
		b.WriteString(filterLine(m, m.custs, "customers"))
		tbl, none = m.customersTable(), empty(m, m.custs, "No subscription customers yet."+m.createHint("one"))
	default:
		b.WriteString(filterLine(m, m.subs, "subscriptions"))
		tbl, none = m.subsTable(), empty(m, m.subs, "No subscriptions yet."+m.createHint("one"))
	}
	b.WriteByte('\n')
	b.WriteString(tbl)
	if none != "" {
		b.WriteString("\n  " + none)
	}
	return b.String()
}

func (m *Model) createHint(what string) string {
	if !m.c.Can(common.PermAdmin) {
		return ""
	}
	return " Press n to create " + what + "."
}

func (m *Model) plansTable() string {
	amtW := 12
	for _, p := range m.plans.rows {
		amtW = max(amtW, len(p.Amount.Format(p.Currency)))
	}
	cols := fit([]col{
		{title: "NAME", flex: 1, min: 10},
		{title: "AMOUNT", w: amtW, right: true},
		{title: "FREQUENCY", w: 15},
		{title: "BILLING CYCLES", w: 15},
		{title: "ID", w: 10, min: -1},
	}, m.width)
	return table(m, m.plans, cols, func(p client.Plan) []string {
		return []string{p.Name, p.Amount.Format(p.Currency), frequency(p), cycles(p), p.ID}
	}, nil)
}

func (m *Model) customersTable() string {
	cols := fit([]col{
		{title: "NAME", flex: 2, min: 10},
		{title: "EMAIL", flex: 3, min: 12},
		{title: "REFERENCE", w: 12, min: -1},
		{title: "ID", w: 10, min: -1},
	}, m.width)
	return table(m, m.custs, cols, func(c client.SubscriptionCustomer) []string {
		return []string{customerName(c), c.Email, c.Reference, c.ID}
	}, nil)
}

func (m *Model) subsTable() string {
	cols := fit([]col{
		{title: "ID", w: 10},
		{title: "STATUS", w: 11},
		{title: "CUSTOMER", flex: 1, min: 10},
		{title: "PLAN", flex: 1, min: 10},
		{title: "START", w: len(when.DateLayout)},
		{title: "NEXT BILLING", w: 12, min: -1},
	}, m.width)
	p := m.paints()
	return table(m, m.subs, cols, func(s client.Subscription) []string {
		return []string{s.ID, statusText(s.Status), m.customerOf(s), m.planOf(s), when.Day(s.StartDate), text.OrDash(when.Day(s.NextBilling))}
	}, func(s client.Subscription) (int, text.Paint) { return 1, p.status(s.Status) })
}

// detailView is a subscription's summary and its transactions.
func (m *Model) detailView() string {
	st := m.c.Styles
	d := m.detail
	sb := d.sub(m)
	var b strings.Builder
	title := st.Faint.Render("Subscriptions › ") + st.Title.Render(sb.ID) +
		st.Faint.Render(" · "+m.customerOf(sb)+" · "+m.planOf(sb))
	b.WriteString(m.titleLine(title))
	b.WriteByte('\n')
	p := m.paints()
	sum := p.status(sb.Status).Render(statusText(sb.Status)) +
		fmt.Sprintf(" · started %s · %d cycle%s charged · next %s", text.OrDash(when.Day(sb.StartDate)), sb.CyclesDone, text.Plural(sb.CyclesDone, "", "s"), text.OrDash(when.Day(sb.NextBilling)))
	if m.unsubbing == sb.ID {
		sum += " · " + m.spin.View() + " unsubscribing…"
	}
	b.WriteString(text.Truncate(sum, m.width))
	b.WriteByte('\n')
	if sb.Status == client.SubscriptionPending && sb.SetupURL != "" {
		b.WriteString(text.Truncate(st.Faint.Render("setup link (y copies): ")+sb.SetupURL, m.width))
	} else {
		b.WriteString(st.Faint.Render(" "))
	}
	b.WriteByte('\n')
	b.WriteString(filterLine(m, d.txs, "transactions"))
	b.WriteByte('\n')
	amtW := 12
	for _, t := range d.txs.rows {
		amtW = max(amtW, len(t.Value.Format(t.Currency)))
	}
	cols := fit([]col{
		{title: "DATE", w: len(when.DayTimeLayout)},
		{title: "AMOUNT", w: amtW, right: true},
		{title: "STATUS", w: 12},
		{title: "INVOICE", w: 10, min: -1},
		{title: "NARRATIVE", flex: 1, min: 8},
	}, m.width)
	now := m.c.Now()
	b.WriteString(table(m, d.txs, cols, func(t client.WalletTransaction) []string {
		inv := ""
		if t.Invoice != nil {
			inv = t.Invoice.ID
		}
		return []string{when.DayTime(now, t.CreatedAt), t.Value.Format(t.Currency), txStatus(t.Status), inv, t.Narrative}
	}, nil))
	if none := empty(m, d.txs, "No transactions yet: the first is charged once the subscription is ACTIVE and its start date has come."); none != "" {
		b.WriteString("\n  " + none)
	}
	return b.String()
}

// setupView shows a new subscription's setup link, whole (wrapped), so it
// can be read out or copied by hand when OSC 52 is not available.
func (m *Model) setupView() string {
	st := m.c.Styles
	s := m.setup.sub
	w := min(m.width, 76)
	inner := max(w-4, 20)
	p := m.paints()
	lines := []string{
		st.Title.Render("Subscription " + s.ID + " created"),
		"",
		"Status     " + p.status(s.Status).Render(statusText(s.Status)),
		"Customer   " + text.Truncate(m.customerOf(s), inner-11),
		"Plan       " + text.Truncate(m.planOf(s), inner-11),
		"Starts     " + text.OrDash(when.Day(s.StartDate)),
		"",
		"The customer must open this link to add their card:",
	}
	for _, l := range text.Wrap(s.SetupURL, inner) {
		lines = append(lines, st.Bold.Render(l))
	}
	lines = append(lines, "")
	if m.setup.copied {
		lines = append(lines, st.OK.Render(common.SymOK+" copied")+st.Faint.Render(" · y copy again · esc close"))
	} else {
		lines = append(lines, st.Faint.Render("y copy link · esc close"))
	}
	return st.FocusedBox.Width(w).Render(strings.Join(lines, "\n"))
}

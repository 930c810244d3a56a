package subscriptions

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	uitable "github.com/malipo/malipo/ui/components/table"
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

// ---- screens ----

// View renders the body: a list, or a subscription's transactions, with a
// form or the setup link over it when one is open.
func (m *Model) View() string {
	body := m.listView()
	if m.detail != nil {
		body = m.detailView()
	}
	return text.Framed(body, m.panel(), m.width, m.height)
}

// panel is what shows over the body: the form or the setup link.
func (m *Model) panel() string {
	switch {
	case m.form != nil:
		return m.form.View(m.c.Styles, m.spin.View(), m.width)
	case m.setup != nil:
		return m.setupView()
	}
	return ""
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
	gap := m.width - text.Width(title) - text.Width(right)
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
	left := l.filter.View(min(m.width/3, 40), l.shown())
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

// drawTable draws a list's visible rows only, through the shared table, so a
// list of 10,000 loaded rows costs what 20 do. cells gives a row's cells;
// paintCell, when not nil, colours one cell.
func drawTable[T any](m *Model, l *list[T], cols []uitable.Column, cells func(T) []string, paintCell func(T) (int, text.Paint)) string {
	l.tbl.SetColumns(cols)
	l.tbl.SetSize(m.width, m.rows())
	return l.tbl.View(func(i int, r *uitable.Row) {
		row := l.rows[i]
		r.Add(cells(row)...)
		if paintCell != nil {
			r.PaintCell(paintCell(row))
		}
	})
}

// empty says why a list shows no rows.
func empty[T any](m *Model, l *list[T], none string) string {
	st := m.c.Styles
	switch {
	case l.shown() > 0 || (l.loading && !l.loaded):
		return ""
	case !l.loaded && l.err != "":
		return st.Failed.Render(common.SymFailed+" could not load (r tries again): ") + l.err
	case l.hasQuery():
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

// Column widths from what IntaSend sends (docs/intasend-api.md, subscriptions): ids
// are 7 characters (LERG5RK), a plan's name at most 32. A customer's name
// is first and last name; 40 cells show nearly every one, 48 nearly every
// email. Capping the
// names keeps a wide terminal's rows together instead of spreading a
// 14-character name over 54 cells, and the ids' spare cells go to names
// on a narrow one.
const (
	idWidth         = 7
	planNameMax     = 32
	customerNameMax = 40
	emailMax        = 48
)

func (m *Model) plansTable() string {
	amtW := 12
	for _, p := range m.plans.rows {
		amtW = max(amtW, len(p.Amount.Format(p.Currency)))
	}
	cols := []uitable.Column{
		{Title: "NAME", Flex: 1, Min: 10, Max: planNameMax},
		{Title: "AMOUNT", Min: amtW, Align: uitable.Right},
		{Title: "FREQUENCY", Min: 15},
		{Title: "BILLING CYCLES", Min: 15},
		{Title: "ID", Min: idWidth, Drop: 1},
	}
	return drawTable(m, m.plans, cols, func(p client.Plan) []string {
		return []string{p.Name, p.Amount.Format(p.Currency), frequency(p), cycles(p), p.ID}
	}, nil)
}

func (m *Model) customersTable() string {
	cols := []uitable.Column{
		{Title: "NAME", Flex: 2, Min: 10, Max: customerNameMax},
		{Title: "EMAIL", Flex: 3, Min: 12, Max: emailMax},
		{Title: "REFERENCE", Min: 12, Drop: 1},
		{Title: "ID", Min: idWidth, Drop: 2},
	}
	return drawTable(m, m.custs, cols, func(c client.SubscriptionCustomer) []string {
		return []string{customerName(c), c.Email, c.Reference, c.ID}
	}, nil)
}

func (m *Model) subsTable() string {
	cols := []uitable.Column{
		{Title: "ID", Min: idWidth},
		{Title: "STATUS", Min: 11},
		{Title: "CUSTOMER", Flex: 1, Min: 10, Max: customerNameMax},
		{Title: "PLAN", Flex: 1, Min: 10, Max: planNameMax},
		{Title: "START", Min: len(when.DateLayout)},
		{Title: "NEXT BILLING", Min: 12, Drop: 1},
	}
	p := m.paints()
	return drawTable(m, m.subs, cols, func(s client.Subscription) []string {
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
	cols := []uitable.Column{
		{Title: "DATE", Min: len(when.DayTimeLayout)},
		{Title: "AMOUNT", Min: amtW, Align: uitable.Right},
		{Title: "STATUS", Min: 12},
		{Title: "INVOICE", Min: 10, Drop: 1},
		{Title: "NARRATIVE", Flex: 1, Min: 8},
	}
	now := m.c.Now()
	b.WriteString(drawTable(m, d.txs, cols, func(t client.WalletTransaction) []string {
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

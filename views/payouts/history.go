package payouts

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	uiform "github.com/malipo/malipo/ui/components/form"
	"github.com/malipo/malipo/ui/components/table"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

// The batch history (issues 11 §3 and 13): every batch this profile
// initiated or approved, from the journal and the statuses recorded in it
// (the open batch's polls and the needs-attention sweep), newest first,
// with the "/" filter over state, rail, date, initiator and approvers;
// enter opens the batch's rows (a status read), E exports the list.

type historyList struct {
	items  []payout.Entry
	states []string // payout.FinalState of each, computed on load
	hay    []string // lower-cased row text for the filter
	tbl    table.Model
	filter table.FilterBox
}

func (h *historyList) init(c *common.Common, km KeyMap) {
	in := uiform.NewInput(c.Styles, "/ ", "state, rail, date (2026-11-22), initiator, approver, id", 60)
	h.filter = table.NewFilterBox(c, in, km.FilterBox)
	h.tbl = table.New(c, historyColumns(), table.WithKeys(km.Nav), table.WithGap(1))
}

// set takes the journal's batches; the filter's text and the states are
// worked out here, once per load, so a frame draws only visible rows.
func (h *historyList) set(es []payout.Entry, now time.Time) {
	h.items = es
	h.states = make([]string, len(es))
	h.hay = make([]string, len(es))
	for i, e := range es {
		h.states[i] = payout.FinalState(e)
		h.hay[i] = strings.ToLower(strings.Join([]string{h.states[i], string(e.Rail), e.InitiatedAt.In(now.Location()).Format("2006-01-02"),
			when.DayTime(now, e.InitiatedAt), e.Initiator, strings.Join(e.Approvers(), " "), e.TrackingID, e.FileID,
			e.StatusCode}, " ")) // not IntaSend's words: BE111 reads "Cancelled"
	}
	h.apply()
}

func (h *historyList) apply() {
	h.tbl.SetTotal(len(h.items))
	h.tbl.FilterWords(h.hay, h.filter.Query())
}

// shown are the batches the filter lets through, in order (the export).
func (h *historyList) shown() []payout.Entry {
	out := make([]payout.Entry, h.tbl.Len())
	for i := range out {
		out[i] = h.items[h.tbl.Index(i)]
	}
	return out
}

func historyColumns() []table.Column {
	return []table.Column{
		{Title: "WHEN", Min: 12},
		{Title: "TRACKING ID", Min: 8, Flex: 3, Max: 36},
		{Title: "RAIL", Min: 9, Drop: 2},
		{Title: "ROWS", Min: 5, Align: table.Right, Drop: 1},
		{Title: "TOTAL", Min: 16, Align: table.Right},
		{Title: "INITIATOR", Min: 8, Flex: 1, Max: 20, Drop: 3},
		{Title: "APPROVERS", Min: 9, Flex: 1, Max: 30},
		{Title: "STATE", Min: 21, Flex: 2},
	}
}

func (m *Model) showHistory() tea.Cmd {
	m.screen = scrHistory
	return m.loadBook()
}

// histFixed: title, count or filter line, header, hint.
const histFixed = 4

func (m *Model) historyView() string {
	st := m.c.Styles
	h := &m.hist
	var b strings.Builder
	b.WriteString(m.titleLine("Batch history"))
	b.WriteByte('\n')
	if len(h.items) == 0 {
		b.WriteString(st.Faint.Render(text.Truncate("No batch yet: batches initiated or approved here show up with their outcome. esc goes back.", m.width)))
		return b.String()
	}
	count := h.tbl.Count("batch", "batches")
	if h.filter.Focused() || h.filter.Query() != "" {
		b.WriteString(text.Truncate(h.filter.View(m.width-30, h.tbl.Len())+st.Faint.Render("  "+count), m.width))
	} else {
		b.WriteString(st.Faint.Render(text.Truncate(count+" · / filters by state, rail, date, initiator", m.width)))
	}
	b.WriteByte('\n')
	t := &h.tbl
	t.SetSize(m.width, max(m.height-histFixed, 1))
	now := m.c.Now()
	b.WriteString(t.View(func(i int, r *table.Row) {
		e := h.items[i]
		r.Add(when.DayTime(now, e.InitiatedAt), text.OrDash(e.TrackingID), string(e.Rail), fmtInt(e.Count),
			e.Total.Format(orKES(e.Currency)), e.Initiator, text.OrDash(strings.Join(e.Approvers(), ", ")), h.states[i])
	}))
	b.WriteByte('\n')
	b.WriteString(st.Faint.Render(text.Truncate("enter opens its rows · E exports this list as CSV · ! needs attention · esc back", m.width)))
	return b.String()
}

func (m *Model) historyKeys(k tea.KeyPressMsg) tea.Cmd {
	h := &m.hist
	km := m.keys
	if h.filter.Focused() {
		return m.historyFilterKeys(k)
	}
	if _, ok := h.tbl.Update(k); ok {
		return nil
	}
	switch {
	case key.Matches(k, km.Open):
		if i, ok := h.tbl.Current(); ok {
			return m.openFrom(scrHistory, h.items[i].TrackingID)
		}
	case key.Matches(k, km.HistFilter):
		return h.filter.Focus()
	case key.Matches(k, km.Export):
		return m.exportPrompt()
	case key.Matches(k, km.Attention):
		return m.showAttention()
	case key.Matches(k, km.Back):
		if h.filter.Clear() {
			h.apply()
			return nil
		}
		m.screen = scrCompose
	}
	return nil
}

// historyFilterKeys edits the filter (keys and pastes): rows narrow as
// one types.
func (m *Model) historyFilterKeys(msg tea.Msg) tea.Cmd {
	cmd, ev := m.hist.filter.Update(msg)
	if ev == table.FilterChanged || ev == table.FilterCleared {
		m.hist.apply()
	}
	return cmd
}

package collections

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/components/daterange"
	"github.com/malipo/malipo/ui/components/export"
	"github.com/malipo/malipo/ui/components/text"
)

// The date range (d) and the CSV export (E) of the payments list, through
// the shared components: the range joins the query and the state filter
// when the table's rows are chosen, so the screen, the count and the file
// agree.

// overlay takes the keys and pastes of the export's file form or the date
// range's form while one is open, and the export's results at any time;
// handled is false for everything else.
func (m *Model) overlay(msg tea.Msg) (tea.Cmd, bool) {
	if cmd, ok := m.exp.Update(msg); ok {
		return cmd, true
	}
	if m.picker == nil {
		return nil, false
	}
	switch msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg:
	default:
		return nil, false
	}
	ev, cmd := m.picker.Update(msg)
	switch ev {
	case daterange.Applied:
		m.setRange(m.picker.Range())
		return tea.Batch(cmd, m.searchOlder()), true
	case daterange.Cancelled:
		m.picker = nil
	}
	return cmd, true
}

// setRange applies r (zero: all dates) and closes the form.
func (m *Model) setRange(r daterange.Range) {
	m.rng, m.picker = r, nil
	m.older.err = "" // a new range may try a failed page again
	m.applyFilter()
	m.setCursor(0)
}

// overlayOpen says whether one of this file's forms takes the keys.
func (m *Model) overlayOpen() bool { return m.exp.Open() || m.picker != nil }

// overlayView is the open form, "" when none is.
func (m *Model) overlayView() string {
	if m.exp.Open() {
		return m.exp.View(m.width)
	}
	if m.picker != nil {
		return m.picker.View(m.width)
	}
	return ""
}

// dateKeys are d and E on the list.
func (m *Model) dateKeys(k tea.KeyPressMsg) (tea.Cmd, bool) {
	switch {
	case key.Matches(k, m.keys.DateRange):
		var cmd tea.Cmd
		m.picker, cmd = daterange.NewPicker(m.c, m.rng, "payments")
		return cmd, true
	case key.Matches(k, m.keys.Export):
		return m.exportPayments(), true
	}
	return nil, false
}

// matchInRange narrows the query-and-state filter's rows (all rows when
// there is none) to the range, keeping their order.
func (m *Model) matchInRange() []int {
	keep := m.ranged[:0]
	if m.view.all {
		for i, r := range m.st.rows {
			if m.rng.Contains(r.at) {
				keep = append(keep, i)
			}
		}
	} else {
		for _, i := range m.view.idx {
			if m.rng.Contains(m.st.rows[i].at) {
				keep = append(keep, i)
			}
		}
	}
	m.ranged = keep
	return keep
}

// rangeKey tells the table the range is part of the filter, so a new
// range puts the cursor on its first row.
func (m *Model) rangeKey() string { return m.rng.From.String() + m.rng.To.String() }

// rangeWantsOlder says whether older feed pages may still hold payments
// of the range: the feed comes newest first, so until a payment from
// before its first day is loaded, the next page may. Reading on keeps the
// range, its count and its export whole.
func (m *Model) rangeWantsOlder() bool {
	n := len(m.st.rows)
	if m.rng.From.IsZero() || m.older.next == 0 || n == 0 {
		return false
	}
	return !m.st.rows[n-1].at.Before(m.rng.From)
}

// rangeText is the range for the count line ("" for all dates).
func (m *Model) rangeText() string {
	if m.rng.IsZero() {
		return ""
	}
	return m.rng.Label(m.c.Now())
}

// exportPayments opens the CSV export of the payments shown: the query,
// the state and the date range applied, every row loaded.
func (m *Model) exportPayments() tea.Cmd {
	if !m.keys.Export.Enabled() {
		return nil
	}
	now := m.c.Now()
	header := []string{export.TimeTitle("Time", now), "Invoice", "Customer", "Method", "Amount", "Currency",
		"Charges", "Net", "api_ref", "State", "Failed reason", "Transaction"}
	tbl := export.Rows(now, header, &m.tbl, func(i int, r *export.Record) {
		p := m.st.rows[i]
		inv := p.inv
		r.Time(p.at)
		r.Text(inv.ID, inv.Account, method(inv.Provider))
		r.Money(inv.Value)
		r.Text(currencyOf(inv))
		if inv.State == client.InvoiceComplete { // known once complete (see money)
			r.Money(inv.Charges)
			r.Money(inv.NetAmount)
		} else {
			r.Text("", "")
		}
		r.Text(inv.APIRef, inv.State, text.FailedReason(inv), p.txID)
	})
	return m.exp.Start(export.Spec{Action: "collection.export", One: "payment", Many: "payments",
		Name: "collections-" + now.Format("2006-01-02"), Range: m.rangeText(), Table: tbl})
}

func currencyOf(inv client.Invoice) string {
	if inv.Currency == "" {
		return "KES"
	}
	return inv.Currency
}

package wallets

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/components/daterange"
	"github.com/malipo/malipo/ui/components/export"
	"github.com/malipo/malipo/ui/components/listnav"
)

// The statement's date range (d) and CSV export (E): both go through the
// shared components, and both see the same rows the table shows.

// overlay takes the keys and pastes of the export's file form or the date
// range's form while one is open, and the export's own results at any
// time; handled is false for everything else.
func (m *Model) overlay(msg tea.Msg) (tea.Cmd, bool) {
	if cmd, ok := m.exp.Update(msg); ok {
		return cmd, true
	}
	d := m.detail
	if d == nil || d.picker == nil {
		return nil, false
	}
	switch msg.(type) {
	case tea.KeyPressMsg, tea.PasteMsg:
	default:
		return nil, false
	}
	ev, cmd := d.picker.Update(msg)
	switch ev {
	case daterange.Applied:
		d.rng, d.picker = d.picker.Range(), nil
		keep := d.currentID()
		d.applyFilter()
		d.find(keep)
		return tea.Batch(cmd, m.maybeLoadMore()), true
	case daterange.Cancelled:
		d.picker = nil
	}
	return cmd, true
}

// overlayView is the open form over the statement, "" when none is.
func (m *Model) overlayView() string {
	switch {
	case m.exp.Open():
		return m.exp.View(m.width)
	case m.detail != nil && m.detail.picker != nil:
		return m.detail.picker.View(m.width)
	}
	return ""
}

// overlayOpen says whether a form of this file takes the keys.
func (m *Model) overlayOpen() bool {
	return m.exp.Open() || (m.detail != nil && m.detail.picker != nil)
}

// statementKeys are d and E on an open wallet.
func (m *Model) statementKeys(k tea.KeyPressMsg) (tea.Cmd, bool) {
	d := m.detail
	switch {
	case key.Matches(k, m.keys.DateRange):
		var cmd tea.Cmd
		d.picker, cmd = daterange.NewPicker(m.c, d.rng, "statement of "+d.wallet.Label)
		return cmd, true
	case key.Matches(k, m.keys.Export):
		return m.exportStatement(), true
	}
	return nil, false
}

// applyFilter tells the table the rows the filter and the date range let
// through: every word of the query in the row's text, and its time in
// the range, over the rows loaded (maybeLoadMore fetches more).
func (d *detail) applyFilter() {
	d.tbl.SetTotal(len(d.rows))
	q := d.filter.Query()
	if d.rng.IsZero() {
		d.tbl.FilterWords(d.hay, q)
		return
	}
	match := listnav.Match(d.match[:0], d.hay, q)
	keep := match[:0]
	for _, i := range match {
		if d.rng.Contains(d.rows[i].CreatedAt) {
			keep = append(keep, i)
		}
	}
	d.match = keep
	// The range is part of the query, so a new range puts the cursor on
	// its first row.
	d.tbl.SetMatch(keep, q+"\x00"+d.rng.From.String()+d.rng.To.String())
}

// rangeWantsMore says whether pages older than those loaded may still
// hold rows of the range: the statement comes newest first, so until a
// row from before its first day has arrived, the next page may. Loading
// on keeps the range, its count and its export whole.
func (d *detail) rangeWantsMore() bool {
	if d.rng.From.IsZero() || len(d.rows) == 0 {
		return false
	}
	return !d.rows[len(d.rows)-1].CreatedAt.Before(d.rng.From)
}

// rangeLabel is the active range for the filter line, "" for none.
func (m *Model) rangeLabel() string {
	if m.detail == nil || m.detail.rng.IsZero() {
		return ""
	}
	return m.detail.rng.Label(m.now())
}

// exportStatement opens the CSV export of the statement lines shown: the
// filter and the date range applied, every loaded page.
func (m *Model) exportStatement() tea.Cmd {
	d := m.detail
	if d == nil || !m.keys.Export.Enabled() {
		return nil
	}
	now := m.now()
	header := []string{export.TimeTitle("Time", now), "Type", "Amount", "Currency", "Running balance", "Status", "Narrative", "Id"}
	tbl := export.Rows(now, header, &d.tbl, func(i int, r *export.Record) {
		tx := d.rows[i]
		r.Time(tx.CreatedAt)
		r.Text(tx.TransType)
		r.Money(tx.Value)
		r.Text(tx.Currency)
		r.Money(tx.RunningBalance)
		r.Text(tx.Status, tx.Narrative, tx.ID)
	})
	name := "statement-" + safeName(d.wallet.ID) + "-" + now.Format("2006-01-02")
	return m.exp.Start(export.Spec{Action: "wallet.export", One: "statement line", Many: "statement lines",
		Name: name, Range: d.rng.Label(now), Table: tbl})
}

// safeName keeps what a file name in the user's folder may hold.
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return '-'
	}, s)
}

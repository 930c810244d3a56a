package payouts

import (
	"fmt"
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
	"github.com/malipo/malipo/ui/components/when"
)

// saver writes the draft to the journal after every change, one write at a
// time: a change during a write marks the draft dirty and the latest state
// is written when the write returns. Writes never overlap, so an older
// snapshot can never land after a newer one.
type saver struct {
	inFlight bool
	dirty    bool
	at       time.Time
	err      string
	discard  string // a draft dropped during the write in flight: discard it again after
}

type savedMsg struct {
	at  time.Time
	err error
}

// snapshot copies the draft so the write can run off the UI goroutine
// while editing goes on. Rows are values; the strings they hold are
// immutable, so a shallow copy of the slice is enough.
func snapshot(d *payout.Draft) *payout.Draft {
	cp := *d
	cp.Rows = slices.Clone(d.Rows)
	return &cp
}

func (m *Model) saveDraft() tea.Cmd {
	j := m.opts.journal
	if j == nil || m.comp.initiated {
		return nil
	}
	if m.save.inFlight {
		m.save.dirty = true
		return nil
	}
	m.save.inFlight, m.save.dirty = true, false
	d := snapshot(m.comp.d)
	now := m.c.Now
	return tea.Batch(func() tea.Msg {
		err := j.SaveDraft(d)
		return savedMsg{at: now(), err: err}
	}, m.startSpin())
}

func (m *Model) onSaved(msg savedMsg) tea.Cmd {
	m.save.inFlight = false
	if msg.err != nil {
		m.save.err = msg.err.Error()
	} else {
		m.save.err, m.save.at = "", msg.at
	}
	var again tea.Cmd
	if id, j := m.save.discard, m.opts.journal; id != "" && j != nil {
		m.save.discard = ""
		again = func() tea.Msg { _ = j.DiscardDraft(id); return nil }
	}
	if m.save.dirty {
		return tea.Batch(again, m.saveDraft())
	}
	if again != nil {
		return again
	}
	if j := m.opts.journal; j != nil && m.comp.initiated {
		// A save that raced the initiate may have put the draft back after
		// the journal removed it: it is a batch now, not a draft.
		id := m.comp.d.ID
		return func() tea.Msg { _ = j.DiscardDraft(id); return nil }
	}
	return nil
}

// ---- resuming a draft after a crash ----

type resumeOffer struct {
	drafts []*payout.Draft // newest first
}

type draftsMsg struct {
	drafts []*payout.Draft
	err    error
}

func (m *Model) loadDrafts() tea.Cmd {
	j := m.opts.journal
	if j == nil {
		return nil
	}
	return func() tea.Msg {
		ds, err := j.Drafts()
		return draftsMsg{drafts: ds, err: err}
	}
}

func (m *Model) onDrafts(msg draftsMsg) tea.Cmd {
	if msg.err != nil {
		return common.Error("Could not read the payout journal", msg.err)
	}
	var ds []*payout.Draft
	for _, d := range msg.drafts {
		if d != nil && len(d.Rows) > 0 && d.ID != m.comp.d.ID {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return nil
	}
	slices.SortStableFunc(ds, func(a, b *payout.Draft) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
	m.resume = &resumeOffer{drafts: ds}
	return nil
}

func (m *Model) resumeKeys(k tea.KeyPressMsg) tea.Cmd {
	r := m.resume
	switch {
	case key.Matches(k, m.keys.Resume):
		d := r.drafts[0]
		m.resume = nil
		if len(m.comp.d.Rows) > 0 {
			// Never lose what is on screen: it stays in the journal.
			m.message = "The draft you were editing stays in the journal"
		}
		m.comp.reset(d)
		m.comp.revalidate(m.banks)
		m.comp.setCursor(0, m.composeRows())
		m.screen = scrCompose
		m.message = fmt.Sprintf("Resumed the draft of %s %s rows", fmtInt(len(d.Rows)), d.Rail)
		return nil
	case key.Matches(k, m.keys.NotNow):
		r.drafts = r.drafts[1:]
		if len(r.drafts) == 0 {
			m.resume = nil
		}
	}
	return nil
}

func (m *Model) resumeView() string {
	st := m.c.Styles
	d := m.resume.drafts[0]
	saved := when.Recent(m.c.Now(), d.UpdatedAt)
	count, sum := d.Totals()
	cur := d.Currency
	if cur == "" {
		cur = "KES"
	}
	lines := []string{
		st.Title.Render("Unfinished payout draft"),
		"",
		fmt.Sprintf("Resume draft of %s %s %s from %s?", fmtInt(count), d.Rail, text.Plural(count, "row", "rows"), saved),
		st.Faint.Render(fmt.Sprintf("total %s · wallet %s", sum.Format(cur), text.OrDash(d.WalletID))),
	}
	if more := len(m.resume.drafts) - 1; more > 0 {
		lines = append(lines, st.Faint.Render(fmt.Sprintf("(%d more unfinished %s after this one)", more, text.Plural(more, "draft", "drafts"))))
	}
	lines = append(lines, "", st.Key.Render("enter")+st.Faint.Render(" resume · ")+st.Key.Render("esc")+st.Faint.Render(" not now (it stays saved)"))
	return st.FocusedBox.Width(min(m.width, 72)).Render(joinLines(lines))
}

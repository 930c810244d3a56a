package subscriptions

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// A subscription created here is followed while it is PENDING, so the
// screen shows the moment the customer finishes setup without anyone
// pressing r. One request at a time; the next is scheduled only when the
// previous answer arrives; errors back off; it pauses while the view is
// hidden and gives up after watchFor (the customer may take days).
const (
	watchEvery = 10 * time.Second
	watchMax   = 5 * time.Minute
	watchFor   = 30 * time.Minute
)

type watch struct {
	id       string
	gen      int
	inFlight bool
	failures int
	since    time.Time
}

type (
	watchTickMsg struct{ gen int }
	watchMsg     struct {
		gen int
		s   *client.Subscription
		err error
	}
)

// follow starts following subscription id.
func (m *Model) follow(id string) tea.Cmd {
	m.seq++
	m.watch = &watch{id: id, gen: m.seq, since: m.c.Now()}
	return m.armWatch()
}

func (m *Model) armWatch() tea.Cmd {
	w := m.watch
	if w == nil || !m.shown {
		return nil
	}
	return m.sched(common.Backoff(watchEvery, watchMax, w.failures), watchTickMsg{gen: w.gen})
}

// SetShown pauses following while the view is hidden and catches up when
// it comes back.
func (m *Model) SetShown(shown bool) tea.Cmd {
	if shown == m.shown {
		return nil
	}
	m.shown = shown
	w := m.watch
	if w == nil {
		return nil
	}
	m.seq++
	w.gen = m.seq // drops the pending timer
	if !shown || w.inFlight {
		return nil
	}
	return m.onWatchTick(watchTickMsg{gen: w.gen})
}

func (m *Model) onWatchTick(msg watchTickMsg) tea.Cmd {
	w := m.watch
	if w == nil || w.gen != msg.gen || w.inFlight || !m.shown {
		return nil
	}
	if m.c.Now().Sub(w.since) > watchFor {
		m.watch = nil
		return nil
	}
	w.inFlight = true
	c, id, gen := m.c.Client, w.id, w.gen
	base := m.c.Context()
	return func() tea.Msg {
		cx, cancel := common.Bounded(base)
		defer cancel()
		s, err := c.GetSubscription(cx, id)
		return watchMsg{gen: gen, s: s, err: err}
	}
}

func (m *Model) onWatch(msg watchMsg) tea.Cmd {
	w := m.watch
	now := m.c.Now()
	if w == nil {
		return text.Health(msg.err, now)
	}
	w.inFlight = false
	if msg.gen != w.gen {
		// Hidden and shown again while this was in flight: the answer is
		// still news, but the timer belongs to the newer generation.
		if msg.err == nil {
			m.subs.put(*msg.s)
			m.syncSetup()
		}
		return tea.Batch(text.Health(msg.err, now), m.armWatch())
	}
	if msg.err != nil {
		w.failures++
		return tea.Batch(text.Health(msg.err, now), m.armWatch())
	}
	w.failures = 0
	m.subs.put(*msg.s)
	m.syncSetup()
	if msg.s.Status == client.SubscriptionPending {
		return tea.Batch(text.Health(nil, now), m.armWatch())
	}
	m.watch = nil
	kind := common.ToastSuccess
	if msg.s.Status != client.SubscriptionActive {
		kind = common.ToastWarn
	}
	return tea.Batch(text.Health(nil, now), m.reload(false),
		common.Toast(kind, fmt.Sprintf("%s Subscription %s is now %s", symbolOf(msg.s.Status), msg.s.ID, msg.s.Status)))
}

func symbolOf(status string) string {
	sym, _, _ := strings.Cut(statusText(status), " ")
	return sym
}

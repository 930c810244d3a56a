package app

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
)

// attention is what the views said needs a person (common.AttentionMsg),
// per view, for the status bar's badge.
type attention struct {
	count map[int]int
	open  map[int]tea.Msg
}

func (a *attention) set(view int, msg common.AttentionMsg) {
	if a.count == nil {
		a.count, a.open = map[int]int{}, map[int]tea.Msg{}
	}
	a.count[view], a.open[view] = msg.Count, msg.Open
}

func (a *attention) total() int {
	n := 0
	for _, c := range a.count {
		n += c
	}
	return n
}

// attentionText is the badge: a symbol and words, so it reads without
// colour; short (a narrow terminal) keeps the symbol and the count.
func (m *Model) attentionText(short bool) string {
	n := m.attention.total()
	if n == 0 || m.onboarding {
		return ""
	}
	if short {
		return m.c.Styles.Warning.Render(fmt.Sprintf("⚠ %d", n))
	}
	return m.c.Styles.Warning.Render(fmt.Sprintf("⚠ %d need attention", n))
}

// alarm is the last common.AlarmMsg and the view that sent it (the one
// pulse on Wallets): the status bar shows it on every tab.
type alarm struct {
	view int
	msg  common.AlarmMsg
}

// alarmText is the alarm's badge: the pulse's symbol and words, in bold
// (with NO_COLOR that is what sets it apart); short, its narrow form.
func (m *Model) alarmText(short bool) string {
	a := m.alarm.msg
	if a.Text == "" || m.onboarding || a.Unreachable && m.health.known && !m.health.ok {
		return ""
	}
	style := m.c.Styles.Failed.Bold(true)
	if short && a.Short != "" {
		return style.Render(a.Short)
	}
	return style.Render(a.Text)
}

// clickStatus answers a click on the status bar: what needs attention
// first (it waits on a person), else the alarm's view.
func (m *Model) clickStatus() tea.Cmd {
	if m.attention.total() > 0 {
		return m.clickAttention()
	}
	if m.alarm.msg.Text != "" {
		return m.switchTo(m.alarm.view)
	}
	return nil
}

// clickAttention opens the first view with something to look at, as the
// palette's "Needs attention" does.
func (m *Model) clickAttention() tea.Cmd {
	for i := range m.views {
		if m.attention.count[i] > 0 {
			cmd := m.switchTo(i)
			return tea.Batch(cmd, m.updateView(i, m.attention.open[i]))
		}
	}
	return nil
}

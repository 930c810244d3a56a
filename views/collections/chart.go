package collections

import (
	"fmt"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/components/text"
)

// blocks are the eighths of a cell a bar can fill.
var blocks = []rune(" ▁▂▃▄▅▆▇█")

// chartView draws the last chartHours hours' gross COMPLETE collections:
// one line of small bars on short screens, h lines of taller bars with an
// hour axis on tall ones.
func (m *Model) chartView(h int) string {
	st := m.c.Styles
	sm := &m.sum
	var peak client.Amount
	peakAt := -1
	for i, v := range sm.hours {
		if v > peak {
			peak, peakAt = v, i
		}
	}
	hourLabel := func(i int) string {
		return sm.hour.Add(-time.Duration(chartHours-1-i) * time.Hour).Format("15h")
	}
	peakText := "no payments in the last 12 h"
	if peakAt >= 0 {
		peakText = fmt.Sprintf("peak %s %s", hourLabel(peakAt), peak.Format("KES"))
	}
	if h < 3 {
		var b strings.Builder
		for i := range sm.hours {
			b.WriteString(strings.Repeat(string(level(sm.hours[i], peak, 8)), 2))
		}
		line := st.Label.Render("Last 12 h ") + st.OK.Render(b.String()) + st.Faint.Render(" "+peakText)
		return text.Truncate(line, m.width)
	}
	rows := h - 2 // a title line and the axis
	const barW = 4
	lines := make([]string, 0, h)
	lines = append(lines, st.Label.Render("Last 12 hours, gross paid per hour")+st.Faint.Render(" · "+peakText))
	for r := rows - 1; r >= 0; r-- {
		var b strings.Builder
		for i := range sm.hours {
			eighths := int(level8(sm.hours[i], peak, rows*8)) - r*8
			c := blocks[min(max(eighths, 0), 8)]
			b.WriteString(strings.Repeat(string(c), barW-1) + " ")
		}
		lines = append(lines, "  "+st.OK.Render(b.String()))
	}
	var axis strings.Builder
	for i := range sm.hours {
		axis.WriteString(text.PadRight(hourLabel(i), barW))
	}
	lines = append(lines, "  "+st.Faint.Render(axis.String()))
	for i, l := range lines {
		lines[i] = text.Truncate(l, m.width)
	}
	return strings.Join(lines, "\n")
}

// level8 scales v against peak to 0..steps, rounding up so any payment
// shows at least a sliver.
func level8(v, peak client.Amount, steps int) int64 {
	if v <= 0 || peak <= 0 {
		return 0
	}
	return (int64(v)*int64(steps) + int64(peak) - 1) / int64(peak)
}

// level is the one-cell bar for v.
func level(v, peak client.Amount, steps int) rune {
	if v <= 0 {
		return '·'
	}
	return blocks[min(level8(v, peak, steps), 8)]
}

package app

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/text"
)

// View renders the console. The shell is always full-window (alt-screen);
// the mouse is captured unless Options.NoMouse (--no-mouse) asked not to.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.WindowTitle = "malipo"
	if m.c.Mode != "" {
		v.WindowTitle += " · " + string(m.c.Mode)
	}
	if !m.opts.NoMouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	return v
}

// Render is the frame as a string, exactly width×height cells (tests and
// benchmarks read it without a terminal).
func (m *Model) Render() string {
	if m.width == 0 || m.height == 0 {
		return ""
	}
	s := m.c.Styles
	if m.tooSmall() {
		msg := fmt.Sprintf("malipo needs at least %dx%d (now %dx%d)", MinWidth, MinHeight, m.width, m.height)
		return lipgloss.Place(m.width, m.height, lipgloss.Center, lipgloss.Center,
			s.Warning.Render(ansi.Wordwrap(msg, m.width, " ")))
	}
	w, h := m.bodySize()
	body := m.body(w, h)
	rule := m.chrome.rule.get(strconv.Itoa(m.width)+strconv.FormatBool(s.IsDark), func() string { return s.Faint.Render(strings.Repeat("─", m.width)) })
	frame := strings.Join([]string{m.header(), rule, body, m.footer(), m.statusBar()}, "\n")
	if !m.hasOverlay() {
		return frame
	}
	return m.overlays(frame)
}

// body is the active view (or the onboarding screen) cut and padded to
// exactly w×h, so a view that draws too much never pushes the status bar
// off screen.
func (m *Model) body(w, h int) string {
	var content string
	switch {
	case m.onboarding:
		content = m.onboardingView(w, h)
	case len(m.views) > 0:
		content = m.views[m.active].View()
	}
	return fit(content, w, h)
}

// fit truncates or pads s to exactly w×h cells.
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lw := text.Width(l)
		switch {
		case lw > w:
			lines[i] = ansi.Truncate(l, w, "")
		case lw < w:
			lines[i] = l + strings.Repeat(" ", w-lw)
		}
	}
	blank := strings.Repeat(" ", w)
	for len(lines) < h {
		lines = append(lines, blank)
	}
	return strings.Join(lines, "\n")
}

// tabLabels are the header's tab texts: numbered when the screen is wide
// enough, so the 1…7 keys explain themselves.
func (m *Model) tabLabels() []string {
	titles := make([]string, len(m.views))
	for i, v := range m.views {
		titles[i] = v.Title()
	}
	if m.onboarding {
		titles = nil
	}
	numbered := make([]string, len(titles))
	width := text.Width(brandText) + 3
	for i, t := range titles {
		numbered[i] = fmt.Sprintf("%d %s", i+1, t)
		width += text.Width(numbered[i]) + m.c.Styles.Tab.GetHorizontalFrameSize()
	}
	if width <= m.width {
		return numbered
	}
	return titles
}

const brandText = "malipo"

// tabSpans are the x ranges of the header's tabs (for mouse clicks).
func (m *Model) tabSpans() [][2]int {
	s := m.c.Styles
	x := lipgloss.Width(m.brand()) + 1
	var spans [][2]int
	for i, l := range m.tabLabels() {
		st := s.Tab
		if i == m.active {
			st = s.ActiveTab
		}
		w := lipgloss.Width(st.Render(l))
		spans = append(spans, [2]int{x, x + w})
		x += w
	}
	return spans
}

func (m *Model) brand() string {
	return m.c.Styles.Header.Render(m.c.Styles.Brand.Render(brandText))
}

// header is the brand and the tabs. The active tab is bold and underlined
// (and coloured), so it shows without colour too.
func (m *Model) header() string {
	return m.chrome.header.get(m.headerKey(), m.drawHeader)
}

func (m *Model) drawHeader() string {
	s := m.c.Styles
	parts := []string{m.brand(), " "}
	for i, l := range m.tabLabels() {
		if i == m.active {
			parts = append(parts, s.ActiveTab.Render(l))
		} else {
			parts = append(parts, s.Tab.Render(l))
		}
	}
	if m.onboarding {
		parts = append(parts, s.Faint.Render("welcome"))
	}
	return fit(strings.Join(parts, ""), m.width, 1)
}

// footer is the short help: the shell's keys always show on the right (so
// "? help" never falls off), the active view's fill the rest from the left.
// While a toast lives it has the line to itself.
func (m *Model) footer() string {
	var left, right []key.Binding
	switch {
	case m.confirm != nil:
		left = flatten(m.confirm.keys.FullHelp())
	case m.palette != nil:
		left = flatten(m.palette.keys.FullHelp())
	case m.showHelp:
		left = []key.Binding{closeHelpKey()}
		if _, h := m.helpBox(); len(m.helpLines()) > h {
			left = append(left, m.helpKeys.Down, m.helpKeys.PageDown, m.helpKeys.Up, m.helpKeys.PageUp)
		}
	case m.onboarding:
		k := defaultOnboardingKeyMap()
		left = []key.Binding{k.Demo, k.Quit}
	case len(m.views) > 0 && m.views[m.active].Capturing():
		left = m.views[m.active].ShortHelp()
		right = m.keys.typingHelp()
	default:
		if m.errPanel != nil {
			left = append(left, errorDismissKey())
		}
		if len(m.views) > 0 {
			left = append(left, m.permitted(m.views[m.active].ShortHelp())...)
		}
		right = m.keys.ShortHelp()
	}
	if len(m.toasts) > 0 && m.confirm == nil && m.palette == nil {
		// The newest toast takes the hint line for a few seconds: it covers
		// nothing on screen and gets the whole width to say its piece.
		return fit(" "+ansi.Truncate(toastLine(m.c.Styles, m.toasts[len(m.toasts)-1]), m.width-2, "…"), m.width, 1)
	}
	r := m.chrome.hintsRight.get(m.hintsKey(right, m.width), func() string { return shortHelp(m.c.Styles, right, m.width) })
	lw := m.width - text.Width(r) - 4
	l := m.chrome.hintsLeft.get(m.hintsKey(left, lw), func() string { return shortHelp(m.c.Styles, left, lw) })
	gap := max(1, m.width-text.Width(l)-text.Width(r)-2)
	return fit(" "+l+strings.Repeat(" ", gap)+r, m.width, 1)
}

// shortHelp renders bindings on one line, dropping those that do not fit
// whole and ending with "…" when any were dropped. (bubbles' help adds an
// item anyway when even the ellipsis would not fit, which overflows.)
func shortHelp(s *common.Styles, bindings []key.Binding, width int) string {
	sep := s.Faint.Render(" • ")
	var b strings.Builder
	used := 0
	for _, kb := range bindings {
		if !kb.Enabled() || kb.Help().Key == "" {
			continue
		}
		item := s.Key.Render(kb.Help().Key) + " " + s.KeyDesc.Render(kb.Help().Desc)
		if used > 0 {
			item = sep + item
		}
		w := text.Width(item)
		if used+w > width {
			if used > 0 && used+2 <= width {
				b.WriteString(s.Faint.Render(" …"))
			}
			break
		}
		b.WriteString(item)
		used += w
	}
	return b.String()
}

func flatten(groups [][]key.Binding) []key.Binding {
	var out []key.Binding
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// statusBar: environment badge, profile and SSH user on the left;
// connection health and last refresh on the right. Health is a word and a
// symbol, never colour alone.
func (m *Model) statusBar() string {
	s := m.c.Styles
	left := " " + s.StatusKey.Render(m.c.Profile)
	if m.c.Mode != "" {
		left = s.Badge(m.c.Mode) + left
	}
	if m.c.User != "" {
		who := m.c.User
		if m.c.Role != "" {
			who += " (" + m.c.Role + ")"
		}
		left += s.StatusText.Render(" · ") + s.StatusKey.Render(who)
	}
	right := m.statusRight(false)
	lw, rw := text.Width(left), text.Width(right)
	if lw+rw+2 > m.width {
		// Short of room (80 columns with badges showing): the badges keep
		// their symbols and the refresh age goes, before the mode and
		// profile are cut.
		right = m.statusRight(true)
		rw = text.Width(right)
	}
	if lw+rw+2 > m.width {
		left = ansi.Truncate(left, max(0, m.width-rw-2), "…")
		lw = text.Width(left)
	}
	gap := max(1, m.width-lw-rw-1)
	return fit(left+strings.Repeat(" ", gap)+right, m.width, 1)
}

// statusRight puts the store-down, alarm and attention badges before
// health; short is their narrow form.
func (m *Model) statusRight(short bool) string {
	s := m.c.Styles
	right := m.healthText(short)
	if a := m.attentionText(short); a != "" {
		right = a + s.StatusText.Render(" · ") + right
	}
	if a := m.alarmText(short); a != "" {
		right = a + s.StatusText.Render(" · ") + right
	}
	if m.storeDown {
		text := common.StoreDownText
		if short {
			text = "store down"
		}
		right = s.Failed.Render(common.SymFailed+" "+text) + s.StatusText.Render(" · ") + right
	}
	return right
}

// healthText is the connection's state; short leaves out when it was last
// refreshed.
func (m *Model) healthText(short bool) string {
	s := m.c.Styles
	if m.onboarding {
		return s.StatusText.Render("no keys stored")
	}
	h := m.health
	switch {
	case !h.known:
		return s.Pending.Render(common.SymPending + " connecting")
	case h.ok && short:
		return s.OK.Render(common.SymLive + " connected")
	case h.ok:
		return s.OK.Render(common.SymLive+" connected") + s.StatusText.Render(" · updated "+ageText(m.c.Now(), h.lastOK, freshFor))
	case h.lastOK.IsZero() || short:
		return s.Failed.Render(common.SymFailed + " offline")
	}
	return s.Failed.Render(common.SymFailed+" offline") + s.StatusText.Render(" · last ok "+ageText(m.c.Now(), h.lastOK, freshness(false)))
}

func (m *Model) hasOverlay() bool {
	return m.errPanel != nil || m.confirm != nil || m.palette != nil || m.showHelp
}

// overlays draws, over the frame, the error panel (bottom of the body), then
// at most one modal (confirm, palette, help).
func (m *Model) overlays(frame string) string {
	s := m.c.Styles
	if m.errPanel != nil {
		p := m.errorView(m.width - 2)
		frame = place(frame, p, 1, max(headerRows, m.height-footerRows-lipgloss.Height(p)), m.width)
	}
	switch {
	case m.confirm != nil:
		frame = overlay(frame, m.confirm.view(s, m.width), m.width, m.height)
	case m.palette != nil:
		_, h := m.bodySize()
		frame = place(frame, m.palette.view(s, m.width, h), max(0, (m.width-min(64, m.width-4))/2), headerRows+1, m.width)
	case m.showHelp:
		// Over the body only: the header and the footer's hints stay.
		frame = place(frame, m.helpView(), 1, headerRows, m.width)
	}
	return frame
}

// errorView is the dismissible error panel, at most w wide.
func (m *Model) errorView(w int) string {
	s := m.c.Styles
	inner := w - s.DangerBox.GetHorizontalFrameSize()
	lines := []string{
		s.Failed.Bold(true).Render(common.SymFailed + " " + m.errPanel.title),
		s.Text.Width(inner).Render(m.errPanel.message),
	}
	for _, f := range m.errPanel.fields {
		lines = append(lines, s.Text.Width(inner).Render("• "+f))
	}
	if d := m.errPanel.detail; d != "" {
		lines = append(lines, s.Faint.Width(inner).Render("detail: "+d))
	}
	lines = append(lines, s.Faint.Render("esc dismiss"))
	return s.DangerBox.Padding(0, 1).Width(w).Render(strings.Join(lines, "\n"))
}

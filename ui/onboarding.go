package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// onboardingKey handles the "no keys yet" screen: d starts the demo right
// here, q quits. Nothing else is bound, so nothing can surprise.
func (m *Model) onboardingKey(msg tea.KeyPressMsg) tea.Cmd {
	k := defaultOnboardingKeyMap()
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Demo):
		if m.demoStarting {
			return nil
		}
		m.errPanel = nil
		m.demoStarting = true
		return m.startDemo()
	case key.Matches(msg, errorDismissKey()):
		m.errPanel = nil
	}
	return nil
}

// onboardingView explains the two ways in: the demo now, or storing keys
// with `malipo login` (the file backend on servers without a keyring).
func (m *Model) onboardingView(w, h int) string {
	s := m.c.Styles
	profile := m.c.Profile
	if profile == "" {
		profile = "default"
	}
	cmd := func(c, what string) string {
		return "  " + s.Key.Render(padRight(c, 30)) + s.Text.Render(what)
	}
	lines := []string{
		s.Title.Render("Welcome to malipo"),
		"",
		s.Text.Render("No IntaSend keys are stored for profile \"" + profile + "\" yet."),
		"",
		s.Bold.Render("Try it now"),
		cmd("d", "start the demo here: a simulated account with"),
		"  " + padRight("", 30) + s.Text.Render("live payments; nothing is stored"),
		"",
		s.Bold.Render("Use your IntaSend account"),
		cmd("malipo login", "store your sandbox or live keys"),
		"  " + padRight("", 30) + s.Text.Render("in the OS keyring, then run malipo"),
		cmd("malipo login --backend file", "on a server without a keyring:"),
		"  " + padRight("", 30) + s.Text.Render("an encrypted file instead"),
		"",
		s.Faint.Render("Keys are on your IntaSend dashboard under Settings → API Keys."),
	}
	if m.demoStarting {
		lines[5] = "  " + s.Pending.Render(padRight("d", 30)+"starting the demo…")
	}
	if m.c.Profile != "" && m.c.Profile != "default" {
		lines = append(lines, s.Faint.Render("Add --profile "+profile+" to store keys for this profile."))
	}
	box := s.Box.Padding(1, 3).Render(strings.Join(lines, "\n"))
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, box)
}

func padRight(s string, n int) string {
	if len(s) >= n {
		return s + " "
	}
	return s + strings.Repeat(" ", n-len(s))
}

package app

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/malipo/malipo/demo"
	"github.com/malipo/malipo/ui/common"
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
	login := "malipo login"
	if profile != "default" {
		login += " --profile " + profile
	}
	indent := "      "
	demo := s.Text.Render("start the demo here: a simulated account with")
	if m.demoStarting {
		demo = s.Pending.Render(common.SymPending + " starting the demo")
	}
	lines := []string{
		s.Title.Render("Welcome to malipo"),
		"",
		s.Text.Render("No IntaSend keys are stored for profile \"" + profile + "\" yet."),
		"",
		s.Bold.Render("Try it now"),
		"  " + s.Key.Render("d") + "   " + demo,
		indent + s.Text.Render("live payments; nothing is stored"),
		"",
		s.Bold.Render("Use your IntaSend account"),
		"  " + s.Key.Render(login),
		indent + s.Text.Render("store your sandbox or live keys in the OS keyring"),
		"  " + s.Key.Render(login+" --backend file"),
		indent + s.Text.Render("on a server without a keyring: an encrypted file"),
		"",
		s.Faint.Render("Your keys are on the IntaSend dashboard under API Keys."),
	}
	box := s.Box.Padding(1, 2).Render(strings.Join(lines, "\n"))
	return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, box)
}

// demoStartedMsg is the answer to the onboarding screen's d.
type demoStartedMsg struct {
	demo *demo.Backend
	err  error
}

// startDemo starts the demo backend off the event loop.
func (m *Model) startDemo() tea.Cmd {
	start := m.opts.StartDemo
	return func() tea.Msg {
		d, err := start()
		return demoStartedMsg{demo: d, err: err}
	}
}

// demoStarted swaps the onboarding screen for the console on the demo.
func (m *Model) demoStarted(msg demoStartedMsg) tea.Cmd {
	m.demoStarting = false
	if msg.err != nil {
		m.showError(common.ErrorMsg{Title: "Could not start the demo", Err: msg.err})
		return nil
	}
	if !m.onboarding {
		_ = msg.demo.Close() // a second d raced the first: keep one demo
		return nil
	}
	m.demo = msg.demo
	m.c.Client = msg.demo.Client
	m.c.Now = msg.demo.Now
	m.c.Mode = common.ModeDemo
	m.c.Profile = "demo"
	m.onboarding = false
	m.setViews(m.opts.Views(m.c))
	return tea.Batch(m.initViews(), m.addToast(common.ToastMsg{Kind: common.ToastInfo, Text: "Demo started: nothing is stored"}))
}

package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/malipo/malipo/ui/common"
)

// placeholder stands in for a view whose issue is not done yet. It says
// plainly what the screen will do and shows no made-up data: a merchant
// must never mistake it for their account.
type placeholder struct {
	c             *common.Common
	title, issue  string
	what          []string
	width, height int
}

func newPlaceholder(c *common.Common, title, issue string, what ...string) *placeholder {
	return &placeholder{c: c, title: title, issue: issue, what: what}
}

// Placeholders for the views other issues build. Each says what the
// screen will do; replace its line in defaultViews when the view exists.
func collectionsPlaceholder(c *common.Common) common.View {
	return newPlaceholder(c, "Collections", "#5",
		"Live table of incoming payments (M-Pesa, card) as they arrive,",
		"with state, charges and net; today's totals; request a payment",
		"by STK push or a checkout link.")
}

func payoutsPlaceholder(c *common.Common) common.View {
	return newPlaceholder(c, "Payouts", "#6",
		"Compose payout batches by hand or from CSV, preview IntaSend's",
		"charges, approve with a typed confirmation and track every row.")
}

func refundsPlaceholder(c *common.Common) common.View {
	return newPlaceholder(c, "Refunds", "#5",
		"Find a payment by invoice id, refund all or part of it and",
		"follow the refund's status.")
}

func subscriptionsPlaceholder(c *common.Common) common.View {
	return newPlaceholder(c, "Subscriptions", "#5",
		"Plans, subscription customers and subscriptions: create,",
		"follow and cancel them.")
}

func banksPlaceholder(c *common.Common) common.View {
	return newPlaceholder(c, "Banks", "#5",
		"Kenyan bank codes for PesaLink payouts, with a fuzzy filter.")
}

func (p *placeholder) Init() tea.Cmd                         { return nil }
func (p *placeholder) Update(tea.Msg) (common.View, tea.Cmd) { return p, nil }
func (p *placeholder) SetSize(w, h int)                      { p.width, p.height = w, h }
func (p *placeholder) Title() string                         { return p.title }
func (p *placeholder) ShortHelp() []key.Binding              { return nil }
func (p *placeholder) FullHelp() [][]key.Binding             { return nil }
func (p *placeholder) Capturing() bool                       { return false }
func (p *placeholder) Actions() []common.Action              { return nil }

func (p *placeholder) View() string {
	s := p.c.Styles
	var b strings.Builder
	b.WriteString(s.Title.Render(p.title) + "\n\n")
	for _, l := range p.what {
		b.WriteString(s.Text.Render(l) + "\n")
	}
	b.WriteString("\n" + s.Faint.Render("Not built yet: coming in issue "+p.issue+"."))
	box := s.Box.Render(b.String())
	return lipgloss.Place(p.width, p.height, lipgloss.Center, lipgloss.Center, box)
}

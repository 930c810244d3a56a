package common

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles is the one theme of the console. Every colour comes from here, so
// light/dark adaptation and NO_COLOR are decided in one place. NO_COLOR and
// --no-color are honoured by Bubble Tea's colour profile (the renderer drops
// colours while keeping bold and reverse), so styles here must never carry
// meaning by colour alone: pair each status colour with a word or a symbol.
type Styles struct {
	IsDark bool

	// Palette, chosen for the background.
	Fg, Muted, Subtle, Accent, AccentFg, Success, Warn, Danger, Info, Border color.Color

	App        lipgloss.Style
	Header     lipgloss.Style
	Brand      lipgloss.Style
	Tab        lipgloss.Style
	ActiveTab  lipgloss.Style
	StatusBar  lipgloss.Style
	StatusKey  lipgloss.Style
	StatusText lipgloss.Style

	BadgeDemo    lipgloss.Style
	BadgeSandbox lipgloss.Style
	BadgeLive    lipgloss.Style

	Title    lipgloss.Style
	Subtitle lipgloss.Style
	Text     lipgloss.Style
	Faint    lipgloss.Style
	Bold     lipgloss.Style
	Key      lipgloss.Style // a key name in help text
	KeyDesc  lipgloss.Style

	TableHeader lipgloss.Style
	Row         lipgloss.Style
	SelectedRow lipgloss.Style
	NewRow      lipgloss.Style

	MoneyIn  lipgloss.Style // credits: also shown with a leading "+"
	MoneyOut lipgloss.Style // debits: also shown with a leading "−"

	OK      lipgloss.Style // with "✔"
	Pending lipgloss.Style // with "…" or "●"
	Failed  lipgloss.Style // with "✖"
	Warning lipgloss.Style // with "!"

	Box         lipgloss.Style // a bordered panel
	FocusedBox  lipgloss.Style
	Dialog      lipgloss.Style
	DangerBox   lipgloss.Style
	Button      lipgloss.Style
	ButtonFocus lipgloss.Style
	Input       lipgloss.Style
	InputFocus  lipgloss.Style
	Label       lipgloss.Style
	FieldError  lipgloss.Style

	ToastInfo    lipgloss.Style
	ToastSuccess lipgloss.Style
	ToastWarn    lipgloss.Style
	ToastError   lipgloss.Style
}

// Status symbols: status is never colour alone.
const (
	SymOK      = "✔"
	SymFailed  = "✖"
	SymPending = "…"
	SymLive    = "●"
	SymWarn    = "!"
	SymNew     = "★"
)

// SymCancelled marks what was called off rather than failed (a payout
// batch cancelled before approval): nothing went wrong, nothing moved.
const SymCancelled = "⊘"

// NewStyles builds the theme for a dark or light background.
func NewStyles(isDark bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	s := &Styles{
		IsDark:   isDark,
		Fg:       ld(lipgloss.Color("#1F2328"), lipgloss.Color("#E6E6E6")),
		Muted:    ld(lipgloss.Color("#57606A"), lipgloss.Color("#9AA0A6")),
		Subtle:   ld(lipgloss.Color("#D0D7DE"), lipgloss.Color("#3A3F45")),
		Accent:   ld(lipgloss.Color("#0B7A3E"), lipgloss.Color("#3DDC84")), // M-Pesa-ish green
		AccentFg: ld(lipgloss.Color("#FFFFFF"), lipgloss.Color("#0B1A10")),
		Success:  ld(lipgloss.Color("#1A7F37"), lipgloss.Color("#56D364")),
		Warn:     ld(lipgloss.Color("#9A6700"), lipgloss.Color("#E3B341")),
		Danger:   ld(lipgloss.Color("#CF222E"), lipgloss.Color("#FF7B72")),
		Info:     ld(lipgloss.Color("#0969DA"), lipgloss.Color("#79C0FF")),
		Border:   ld(lipgloss.Color("#8C959F"), lipgloss.Color("#545D68")),
	}
	base := lipgloss.NewStyle().Foreground(s.Fg)
	s.App = lipgloss.NewStyle()
	s.Header = lipgloss.NewStyle().Padding(0, 1)
	s.Brand = lipgloss.NewStyle().Bold(true).Foreground(s.Accent)
	s.Tab = lipgloss.NewStyle().Foreground(s.Muted).Padding(0, 1)
	s.ActiveTab = lipgloss.NewStyle().Bold(true).Underline(true).Foreground(s.Accent).Padding(0, 1)
	s.StatusBar = lipgloss.NewStyle().Foreground(s.Muted)
	s.StatusKey = lipgloss.NewStyle().Bold(true).Foreground(s.Fg)
	s.StatusText = lipgloss.NewStyle().Foreground(s.Muted)

	badge := lipgloss.NewStyle().Bold(true).Padding(0, 1)
	s.BadgeDemo = badge.Foreground(lipgloss.Color("#FFFFFF")).Background(lipgloss.Color("#8250DF"))
	s.BadgeSandbox = badge.Foreground(lipgloss.Color("#000000")).Background(lipgloss.Color("#E3B341"))
	s.BadgeLive = badge.Foreground(lipgloss.Color("#FFFFFF")).Background(lipgloss.Color("#CF222E"))

	s.Title = lipgloss.NewStyle().Bold(true).Foreground(s.Fg)
	s.Subtitle = lipgloss.NewStyle().Foreground(s.Muted)
	s.Text = base
	s.Faint = lipgloss.NewStyle().Foreground(s.Muted)
	s.Bold = base.Bold(true)
	s.Key = lipgloss.NewStyle().Bold(true).Foreground(s.Accent)
	s.KeyDesc = lipgloss.NewStyle().Foreground(s.Muted)

	s.TableHeader = lipgloss.NewStyle().Bold(true).Foreground(s.Muted)
	s.Row = base
	s.SelectedRow = lipgloss.NewStyle().Bold(true).Reverse(true)
	s.NewRow = lipgloss.NewStyle().Bold(true).Foreground(s.Info)

	s.MoneyIn = lipgloss.NewStyle().Foreground(s.Success)
	s.MoneyOut = lipgloss.NewStyle().Foreground(s.Danger)
	s.OK = lipgloss.NewStyle().Foreground(s.Success)
	s.Pending = lipgloss.NewStyle().Foreground(s.Warn)
	s.Failed = lipgloss.NewStyle().Foreground(s.Danger)
	s.Warning = lipgloss.NewStyle().Foreground(s.Warn)

	s.Box = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(s.Border).Padding(0, 1)
	s.FocusedBox = s.Box.BorderForeground(s.Accent)
	s.Dialog = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(s.Accent).Padding(1, 2)
	s.DangerBox = lipgloss.NewStyle().Border(lipgloss.ThickBorder()).BorderForeground(s.Danger).Padding(1, 2)
	s.Button = lipgloss.NewStyle().Padding(0, 2).Foreground(s.Fg).Background(s.Subtle)
	s.ButtonFocus = lipgloss.NewStyle().Padding(0, 2).Bold(true).Foreground(s.AccentFg).Background(s.Accent).Reverse(false)
	s.Input = lipgloss.NewStyle().Border(lipgloss.NormalBorder(), false, false, true, false).BorderForeground(s.Border)
	s.InputFocus = s.Input.BorderForeground(s.Accent)
	s.Label = lipgloss.NewStyle().Foreground(s.Muted)
	s.FieldError = lipgloss.NewStyle().Foreground(s.Danger)

	toast := lipgloss.NewStyle().Padding(0, 1).Bold(true)
	s.ToastInfo = toast.Foreground(s.Info)
	s.ToastSuccess = toast.Foreground(s.Success)
	s.ToastWarn = toast.Foreground(s.Warn)
	s.ToastError = toast.Foreground(s.Danger)
	return s
}

// Badge renders the environment badge; the word itself carries the meaning.
func (s *Styles) Badge(m Mode) string {
	switch m {
	case ModeLive:
		return s.BadgeLive.Render(string(m))
	case ModeDemo:
		return s.BadgeDemo.Render(string(m))
	}
	return s.BadgeSandbox.Render(string(ModeSandbox))
}

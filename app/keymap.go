package app

import (
	"charm.land/bubbles/v2/key"
)

// KeyMap is the shell's one keymap (docs/design.md §8). Help, the `?` overlay, the
// palette's key hints and docs/keys.md are all generated from it, so a key
// changed here changes everywhere.
type KeyMap struct {
	NextTab   key.Binding
	PrevTab   key.Binding
	GoTo      []key.Binding // 1…7: one per tab, in tab order
	Help      key.Binding
	Palette   key.Binding
	Back      key.Binding
	Refresh   key.Binding
	Copy      key.Binding
	Quit      key.Binding
	ForceQuit key.Binding
}

// DefaultKeyMap returns the keys of docs/design.md §8. A function, not a global, so
// no session can change another's bindings.
func DefaultKeyMap() KeyMap {
	k := KeyMap{
		NextTab:   key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next view")),
		PrevTab:   key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous view")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Palette:   key.NewBinding(key.WithKeys(":", "ctrl+p"), key.WithHelp(":", "commands")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back / clear")),
		Refresh:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Copy:      key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy id (view's y first)")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit (twice: at once)")),
	}
	for i, name := range tabNames() {
		d := string(rune('1' + i))
		k.GoTo = append(k.GoTo, key.NewBinding(key.WithKeys(d), key.WithHelp(d, "go to "+name)))
	}
	return k
}

// tabNames are the views in tab order; the GoTo help text uses them before
// the views exist (onboarding, docs).
func tabNames() [7]string {
	return [...]string{"Wallets", "Collections", "Payouts", "Refunds", "Subscriptions", "Banks", "Recon"}
}

// goToHelp is the single help entry that stands for all of GoTo.
func (k KeyMap) goToHelp() key.Binding {
	return key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7"), key.WithHelp("1…7", "go to view"))
}

// ShortHelp is the shell's part of the footer.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.Palette, k.Quit}
}

// typingHelp is the shell's part of the footer while a field takes text:
// only the chords still work.
func (k KeyMap) typingHelp() []key.Binding {
	p := k.Palette
	p.SetHelp("ctrl+p", "commands")
	return []key.Binding{p, k.ForceQuit}
}

// FullHelp is the shell's part of the `?` overlay: navigation, then actions.
func (k KeyMap) FullHelp() [][]key.Binding {
	palette := k.Palette
	palette.SetHelp(":/ctrl+p", "command palette")
	return [][]key.Binding{
		{k.NextTab, k.PrevTab, k.goToHelp(), k.Back},
		{palette, k.Refresh, k.Copy, k.Help, k.Quit, k.ForceQuit},
	}
}

// PaletteKeyMap are the keys inside the command palette.
type PaletteKeyMap struct {
	Up, Down, Run, Close key.Binding
}

// DefaultPaletteKeyMap returns the palette's keys. Letters are not bound:
// they go to the filter.
func DefaultPaletteKeyMap() PaletteKeyMap {
	return PaletteKeyMap{
		Up:    key.NewBinding(key.WithKeys("up", "ctrl+k", "ctrl+p"), key.WithHelp("↑/ctrl+k", "previous")),
		Down:  key.NewBinding(key.WithKeys("down", "ctrl+j", "ctrl+n"), key.WithHelp("↓/ctrl+j", "next")),
		Run:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run")),
		Close: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close")),
	}
}

// FullHelp lists the palette's keys for help and docs.
func (k PaletteKeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.Run, k.Close}}
}

// ConfirmKeyMap are the keys inside the confirmation dialog. Confirm is
// never the default: enter only confirms after the user moved to it.
type ConfirmKeyMap struct {
	Next, Prev, Choose, Cancel key.Binding
}

// DefaultConfirmKeyMap returns the dialog's keys.
func DefaultConfirmKeyMap() ConfirmKeyMap {
	return ConfirmKeyMap{
		Next:   key.NewBinding(key.WithKeys("tab", "right"), key.WithHelp("tab/→", "next button")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab", "left"), key.WithHelp("shift+tab/←", "previous button")),
		Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "press the focused button")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// FullHelp lists the dialog's keys for help and docs.
func (k ConfirmKeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Next, k.Prev, k.Choose, k.Cancel}}
}

// errorDismissKey dismisses the error panel.
func errorDismissKey() key.Binding {
	return key.NewBinding(key.WithKeys("esc", "enter"), key.WithHelp("esc/enter", "dismiss the error"))
}

// closeHelpKey is the footer hint while the help overlay is open.
func closeHelpKey() key.Binding {
	return key.NewBinding(key.WithKeys("?", "esc"), key.WithHelp("?/esc", "close help"))
}

// onboardingKeyMap are the keys on the "no keys yet" screen.
type onboardingKeyMap struct {
	Demo, Quit key.Binding
}

func defaultOnboardingKeyMap() onboardingKeyMap {
	return onboardingKeyMap{
		Demo: key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "start the demo here")),
		Quit: key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
	}
}

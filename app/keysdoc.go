package app

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/malipo/malipo/ui/common"
)

//go:generate go test -run TestKeysDoc -update .

// KeysMarkdown renders docs/keys.md from the keymaps: the shell's, the
// palette's, the dialog's, the welcome screen's and every view's FullHelp.
// The doc is never written by hand; TestKeysDoc fails when it drifts.
func KeysMarkdown() string {
	var b strings.Builder
	b.WriteString("# Keys\n\n")
	b.WriteString("Generated from the keymaps in `app/` and `views/`; do not edit. Regenerate with\n")
	b.WriteString("`go generate ./app` (or `go test ./app -run TestKeysDoc -update`).\n\n")
	b.WriteString("Single-letter keys are off while a field or filter takes text; `ctrl+c` quits from\n")
	b.WriteString("anywhere (asking first, as `q` does, when work would be lost or left waiting; a\n")
	b.WriteString("second `ctrl+c` quits at once) and `ctrl+p` always opens the command palette.\n")
	b.WriteString("Actions your role may not perform are not offered in the palette.\n\n")
	b.WriteString("`y` copies the id under the cursor (invoice, tracking id, chargeback, wallet) to your\n")
	b.WriteString("own clipboard with OSC 52, over SSH too. Where a view binds `y` itself, the view's\n")
	b.WriteString("binding wins: on a payout batch it copies the results CSV, on a subscription waiting\n")
	b.WriteString("to be set up its setup link. The mouse clicks tabs, rows (a second click opens) and dialog buttons,\n")
	b.WriteString("and the wheel scrolls; `--no-mouse` turns it off.\n\n")
	b.WriteString("`E` exports the list shown to CSV: every row the filter and date range let through,\n")
	b.WriteString("not only the screen; locally to a path, over SSH into your folder (fetch it with scp).\n")
	b.WriteString("`d` sets a date range (`2026-12-01`, `today`, `yesterday`, `7d`) on a wallet's statement\n")
	b.WriteString("and on Collections.\n")

	c := &common.Common{Styles: common.NewStyles(true)}
	views := (Options{}).defaultViews(c)
	var pickers []string
	for _, v := range views {
		if d, ok := v.(common.DigitTaker); ok && d.TakesDigits() {
			pickers = append(pickers, v.Title())
		}
	}
	b.WriteString("\nDigits are text, not tab switches, while a filter box or field has the cursor")
	if len(pickers) > 0 {
		fmt.Fprintf(&b, ", and always\nin a picker, whose list filters as you type (%s); leave it with `tab`", strings.Join(pickers, ", "))
	}
	b.WriteString(".\n")

	k := DefaultKeyMap()
	global := []key.Binding{k.NextTab, k.PrevTab}
	global = append(global, k.GoTo...)
	global = append(global, k.Help, k.Palette, k.Back, k.Refresh, k.Copy, k.Quit, k.ForceQuit)
	section(&b, "Everywhere", global)
	section(&b, "Command palette", flatten(DefaultPaletteKeyMap().FullHelp()))
	section(&b, "Confirmation dialog (starts on Cancel)", flatten(DefaultConfirmKeyMap().FullHelp()))
	section(&b, "Help overlay (`?`)", append(flatten(DefaultHelpKeyMap().FullHelp()), closeHelpKey()))
	section(&b, "Error panel", []key.Binding{errorDismissKey()})
	ob := defaultOnboardingKeyMap()
	section(&b, "Welcome screen (no keys stored yet)", []key.Binding{ob.Demo, ob.Quit})

	for _, v := range views {
		if bs := flatten(v.FullHelp()); len(bs) > 0 {
			section(&b, "View: "+v.Title(), bs)
		}
	}
	return b.String()
}

// section writes one table: every key a binding answers to, and its help.
func section(b *strings.Builder, title string, bs []key.Binding) {
	fmt.Fprintf(b, "\n## %s\n\n| keys | does |\n|---|---|\n", title)
	seen := map[string]bool{}
	for _, kb := range bs {
		keys := kb.Keys()
		id := strings.Join(keys, ",") + "|" + kb.Help().Desc
		if len(keys) == 0 || seen[id] {
			continue
		}
		seen[id] = true
		quoted := make([]string, len(keys))
		for i, k := range keys {
			quoted[i] = "`" + strings.ReplaceAll(k, "|", `\|`) + "`"
		}
		fmt.Fprintf(b, "| %s | %s |\n", strings.Join(quoted, " "), kb.Help().Desc)
	}
}

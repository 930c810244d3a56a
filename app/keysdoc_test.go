package app

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aymanbagabas/go-udiff"
)

// keysDocPath is docs/keys.md from this package's directory.
var keysDocPath = filepath.Join("..", "docs", "keys.md")

// updating reports whether -update was given (the flag belongs to the
// golden package teatest uses; we share it rather than define a second).
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// TestKeysDoc fails when docs/keys.md no longer matches the keymaps, so the
// documentation cannot drift from the code (lazygit's cheatsheet check).
func TestKeysDoc(t *testing.T) {
	want := KeysMarkdown()
	if updating() {
		if err := os.WriteFile(keysDocPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(keysDocPath)
	if err != nil {
		t.Fatalf("%v (run `go generate ./app`)", err)
	}
	if string(got) != want {
		t.Fatalf("docs/keys.md is out of date; run `go generate ./app`:\n%s", udiff.Unified("docs/keys.md", "keymap", string(got), want))
	}
}

func TestKeysDocCoversEveryGlobalKey(t *testing.T) {
	doc := KeysMarkdown()
	k := DefaultKeyMap()
	for _, b := range append(k.GoTo, k.NextTab, k.PrevTab, k.Help, k.Palette, k.Back, k.Refresh, k.Quit, k.ForceQuit) {
		for _, key := range b.Keys() {
			if !strings.Contains(doc, "`"+key+"`") {
				t.Errorf("docs/keys.md lacks %q", key)
			}
		}
	}
	if !strings.Contains(doc, "## View: Wallets") {
		t.Error("docs/keys.md lacks the wallets view's keys")
	}
}

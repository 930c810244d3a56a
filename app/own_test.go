package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

type dataMsg struct{ n int }

// TestOwn: a view's results come back tagged with the view, through
// batches (nested too), while quit passes untouched for the runtime.
func TestOwn(t *testing.T) {
	data := func(n int) tea.Cmd { return func() tea.Msg { return dataMsg{n} } }
	tests := []struct {
		name string
		cmd  tea.Cmd
		want []tea.Msg // after unpacking batches
	}{
		{"plain", data(1), []tea.Msg{ownedMsg{2, dataMsg{1}}}},
		{"batch", tea.Batch(data(1), data(2)), []tea.Msg{ownedMsg{2, dataMsg{1}}, ownedMsg{2, dataMsg{2}}}},
		{"nested", tea.Batch(tea.Batch(data(1), data(2)), data(3)), []tea.Msg{ownedMsg{2, dataMsg{1}}, ownedMsg{2, dataMsg{2}}, ownedMsg{2, dataMsg{3}}}},
		{"quit passes", tea.Quit, []tea.Msg{tea.QuitMsg{}}},
		{"clipboard is a shell request", common.Clipboard("x"), []tea.Msg{ownedMsg{2, common.ClipboardMsg{Text: "x"}}}},
		{"nil result", func() tea.Msg { return nil }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []tea.Msg
			var run func(tea.Cmd)
			run = func(c tea.Cmd) {
				if c == nil {
					return
				}
				msg := c()
				if b, ok := msg.(tea.BatchMsg); ok {
					for _, c := range b {
						run(c)
					}
					return
				}
				if msg != nil {
					got = append(got, msg)
				}
			}
			run(own(2, tt.cmd))
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("msg %d = %#v, want %#v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestClipboardReachesTheTerminal: a view's clipboard request, tagged as
// the view's, is served by the shell with Bubble Tea's own command.
func TestClipboardReachesTheTerminal(t *testing.T) {
	m, _ := newRecShell(t, "")
	_, cmd := m.Update(ownedMsg{view: 2, msg: common.ClipboardMsg{Text: "68"}})
	if cmd == nil {
		t.Fatal("no command for the clipboard request")
	}
	want := tea.SetClipboard("68")()
	if got := cmd(); got != want {
		t.Fatalf("clipboard command gave %#v, want %#v", got, want)
	}
	if _, ok := tuitest.Cmds(cmd()); ok {
		t.Fatal("clipboard request came back as a batch")
	}
}

// routeless are Bubble Tea's commands whose messages have unexported types
// the runtime alone recognises: wrapped by own they would reach a view
// instead of the terminal. Views ask the shell instead (common.Clipboard)
// or, for a sequence, chain their own typed messages. Extend the list when
// Bubble Tea adds such a command.
var routeless = map[string]string{
	"Sequence": "chain typed messages", "SetClipboard": "common.Clipboard",
	"SetPrimaryClipboard": "common.Clipboard", "ReadClipboard": "", "ReadPrimaryClipboard": "",
	"Println": "", "Printf": "", "Exec": "", "ExecProcess": "", "Raw": "", "ClearScreen": "",
	"RequestWindowSize": "", "RequestCursorPosition": "", "RequestBackgroundColor": "",
	"RequestForegroundColor": "", "RequestCursorColor": "", "RequestCapability": "",
	"RequestTerminalVersion": "", "RequestProgramStatusSupport": "",
}

// TestViewsMakeOnlyRoutableCommands reads the screens' and components'
// sources: none may use a Bubble Tea command the shell cannot route.
func TestViewsMakeOnlyRoutableCommands(t *testing.T) {
	fset := token.NewFileSet()
	for _, root := range []string{"../views", "../ui/components", "../ui/common"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			checkRoutable(t, fset, f)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func checkRoutable(t *testing.T, fset *token.FileSet, f *ast.File) {
	t.Helper()
	local := ""
	for _, im := range f.Imports {
		if p, _ := strconv.Unquote(im.Path.Value); p == "charm.land/bubbletea/v2" {
			local = "tea"
			if im.Name != nil {
				local = im.Name.Name
			}
		}
	}
	if local == "" {
		return
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if x, ok := sel.X.(*ast.Ident); ok && x.Name == local {
			if instead, bad := routeless[sel.Sel.Name]; bad {
				t.Errorf("%s: tea.%s cannot be routed to the view by the shell; %s", fset.Position(sel.Pos()), sel.Sel.Name, instead)
			}
		}
		return true
	})
}

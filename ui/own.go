package ui

import (
	"reflect"

	tea "charm.land/bubbletea/v2"
)

// ownedMsg is a message produced by a command one view returned. The shell
// wraps every view's commands so that their results find their way back to
// that view even while it is hidden (design §8), and so the shell knows which
// view asked for a confirmation.
type ownedMsg struct {
	view int
	msg  tea.Msg
}

// shellOwner marks commands and confirmations that belong to the shell.
const shellOwner = -1

var (
	cmdType    = reflect.TypeFor[tea.Cmd]()
	teaPkgPath = reflect.TypeFor[tea.QuitMsg]().PkgPath()
)

// own wraps cmd so that its message comes back tagged with view i.
func own(i int, cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	return func() tea.Msg { return ownMsg(i, cmd()) }
}

// ownMsg tags msg for view i. Bubble Tea's own messages are left alone so
// the runtime still sees them: batches and sequences (whose commands are
// wrapped in turn, keeping the batch's own type, even the unexported
// sequence type), quit, window-size requests, clipboard and the like.
func ownMsg(i int, msg tea.Msg) tea.Msg {
	if msg == nil {
		return nil
	}
	rv := reflect.ValueOf(msg)
	if rv.Kind() == reflect.Slice && rv.Type().Elem() == cmdType {
		out := reflect.MakeSlice(rv.Type(), rv.Len(), rv.Len())
		for j := range rv.Len() {
			c, _ := rv.Index(j).Interface().(tea.Cmd)
			out.Index(j).Set(reflect.ValueOf(own(i, c)))
		}
		return out.Interface()
	}
	t := rv.Type()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.PkgPath() == teaPkgPath {
		return msg
	}
	return ownedMsg{view: i, msg: msg}
}

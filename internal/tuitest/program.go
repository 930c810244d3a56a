package tuitest

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Probe asks a model running in a real tea.Program (teatest) for the text
// on screen. The test's host model answers it in Update, on the program's
// goroutine: the only race-free way to look at a running model, as the
// output stream holds only the cells that changed.
type Probe chan string

// Sender is what WaitScreen needs of a running program
// (*teatest.TestModel has it).
type Sender interface{ Send(tea.Msg) }

// WaitScreen probes the program until its screen contains want and returns
// that screen; after 10 s it fails the test with the last screen seen.
func WaitScreen(t testing.TB, p Sender, want string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		ch := make(Probe, 1)
		p.Send(ch)
		select {
		case last = <-ch:
			if strings.Contains(last, want) {
				return last
			}
		case <-time.After(time.Second):
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%q never appeared; last screen:\n%s", want, last)
	return ""
}

package sshd

import (
	"context"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/ui/common"
)

// waitingView is a tab whose one request waits until its context ends,
// the way a slow IntaSend call would, and reports why it stopped.
type waitingView struct {
	c       *common.Common
	started chan struct{}
	ended   chan error
}

func (v *waitingView) Init() tea.Cmd {
	cx, started, ended := v.c.Context(), v.started, v.ended
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(cx, time.Minute)
		defer cancel()
		close(started)
		<-ctx.Done()
		ended <- context.Cause(ctx)
		return nil
	}
}

func (v *waitingView) Update(tea.Msg) (common.View, tea.Cmd) { return v, nil }
func (v *waitingView) View() string                          { return "waiting for IntaSend" }
func (v *waitingView) SetSize(int, int)                      {}
func (v *waitingView) Title() string                         { return "Waiting" }
func (v *waitingView) ShortHelp() []key.Binding              { return nil }
func (v *waitingView) FullHelp() [][]key.Binding             { return nil }
func (v *waitingView) Capturing() bool                       { return false }
func (v *waitingView) Actions() []common.Action              { return nil }

// TestLogoutCancelsRequests: a request in flight when the user logs out
// (here, when the connection drops) is cancelled with the session, not
// left to run until its own timeout.
func TestLogoutCancelsRequests(t *testing.T) {
	for _, how := range []struct {
		name string
		end  func(*term)
	}{
		{"quit", func(tm *term) { tm.send("q") }},
		{"connection dropped", func(tm *term) { tm.close() }},
	} {
		t.Run(how.name, func(t *testing.T) {
			u := newUser(t, "wanjiru", "viewer")
			v := &waitingView{started: make(chan struct{}), ended: make(chan error, 1)}
			ts := startServer(t, []testUser{u}, func(c *Config) {
				c.Views = func(cm *common.Common) []common.View { v.c = cm; return []common.View{v} }
			})
			tm := ts.login(t, u)
			select {
			case <-v.started:
			case <-time.After(10 * time.Second):
				t.Fatal("the view's request never started")
			}
			how.end(tm)
			select {
			case err := <-v.ended:
				if err != context.Canceled {
					t.Errorf("the request ended with %v, want the session's cancellation", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the request outlived the session")
			}
		})
	}
}

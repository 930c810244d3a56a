package common

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

type fired struct{}

// TestTickStopsWithTheSession: a timer fires as tea.Tick's does while the
// session lives, and gives up (no message, no goroutine left waiting) as
// soon as the session ends, however long the timer.
func TestTickStopsWithTheSession(t *testing.T) {
	for _, c := range []struct {
		name   string
		d      time.Duration
		cancel bool
		want   tea.Msg
	}{
		{"fires while the session lives", time.Millisecond, false, fired{}},
		{"gives up when the session ends", time.Hour, true, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			cm := &Common{Ctx: ctx}
			cmd := cm.After(c.d, fired{})
			got := make(chan tea.Msg, 1)
			go func() { got <- cmd() }()
			if c.cancel {
				cancel()
			}
			select {
			case msg := <-got:
				if msg != c.want {
					t.Errorf("msg = %#v, want %#v", msg, c.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the timer's command did not return")
			}
		})
	}
}

func TestContextDefaultsToBackground(t *testing.T) {
	var nilCommon *Common
	for _, c := range []*Common{nilCommon, {}} {
		if c.Context() != context.Background() {
			t.Errorf("%#v: Context() is not Background", c)
		}
	}
}

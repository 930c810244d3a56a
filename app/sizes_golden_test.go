package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

// TestSizesGolden draws every tab of the real console (views -> client ->
// simulator on a fixed clock) at the three sizes the design targets, each
// also as a NO_COLOR terminal gets it (escapes kept: bold, reverse and
// underline are what is left to tell states apart). Each frame must fill
// the terminal exactly. `go test ./app -run SizesGolden -update` rewrites
// testdata/sizes-*.golden after a deliberate change; read them after.
func TestSizesGolden(t *testing.T) {
	// What each tab shows once its data has loaded.
	tabs := []struct {
		key, name string
		want      []string
	}{
		{"1", "wallets", []string{"Total", "in ▲", "updated 09:30:00"}},
		{"2", "collections", []string{"COMPLETE", "updated 09:30:00"}},
		{"3", "payouts", []string{"Payouts", "available KES"}},
		{"4", "refunds", []string{"Refunds", "refunds loaded"}},
		{"5", "subscriptions", []string{"Plans", "7 subscriptions"}},
		{"6", "banks", []string{"Equity Bank"}},
	}
	for _, size := range [][2]int{{80, 24}, {120, 40}, {160, 50}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("%dx%d", w, h), func(t *testing.T) {
			r := newRunner(t, w, h)
			for _, tab := range tabs {
				_, cmd := r.m.Update(keyMsg(tab.key))
				r.spawn(cmd)
				frame := r.settle(tab.want...)
				plain := ansi.Strip(frame)
				checkFrame(t, plain, w, h)
				name := fmt.Sprintf("sizes-%s_%dx%d", tab.name, w, h)
				tuitest.Golden(t, name, tuitest.Strip(frame))
				tuitest.Golden(t, name+"-nocolor", tuitest.NoColor(t, frame))
			}
		})
	}
}

// runner runs the console's commands as Bubble Tea would, concurrently,
// feeding their messages back one at a time on the test's goroutine, for
// as long as the test lasts: a reply that lands after one tab's screen was
// taken still reaches its view. Timers are real (Common.After) and end
// with the test's context.
type runner struct {
	t    *testing.T
	m    *Model
	ctx  context.Context
	msgs chan tea.Msg
}

// newRunner is the console over a seeded simulator at w×h, started.
func newRunner(t *testing.T, w, h int) *runner {
	t.Helper()
	_, cl := newSim(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := &common.Common{Client: cl, Profile: "default", Mode: common.ModeSandbox, Ctx: ctx,
		Now: func() time.Time { return fixedNow }}
	r := &runner{t: t, m: New(c, Options{}), ctx: ctx, msgs: make(chan tea.Msg, 256)}
	r.m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	r.spawn(r.m.Init())
	return r
}

func (r *runner) spawn(c tea.Cmd) {
	if c == nil {
		return
	}
	go func() {
		msg := c()
		if cmds, ok := tuitest.Cmds(msg); ok {
			for _, c := range cmds {
				r.spawn(c)
			}
			return
		}
		select {
		case r.msgs <- msg:
		case <-r.ctx.Done():
		}
	}()
}

// spinners are the frames of the console's spinner (spinner.MiniDot).
const spinners = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

// settle delivers messages until the frame holds every one of want and
// nothing is under way (no spinner, no "refreshing"), and returns that
// frame. The bound is generous: the machine may be slow, the screen may
// not be different.
func (r *runner) settle(want ...string) string {
	r.t.Helper()
	settled := func(frame string) bool {
		if strings.ContainsAny(frame, spinners) || strings.Contains(frame, "refreshing") {
			return false
		}
		for _, w := range want {
			if !strings.Contains(frame, w) {
				return false
			}
		}
		return true
	}
	deadline := time.After(60 * time.Second)
	for {
		if frame := r.m.Render(); settled(ansi.Strip(frame)) {
			return frame
		}
		select {
		case msg := <-r.msgs:
			if msg == nil {
				continue
			}
			if _, quit := msg.(tea.QuitMsg); quit {
				r.t.Fatal("the console quit")
			}
			_, next := r.m.Update(msg)
			r.spawn(next)
		case <-deadline:
			r.t.Fatalf("screen not settled with %q after 60 s:\n%s", want, ansi.Strip(r.m.Render()))
		}
	}
}

package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/internal/tuitest"
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
		{"1", "wallets", []string{"Total", "in ▲", "updated 09:30:00", "Payouts today"}},
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

// spinners are the frames of the console's spinner (spinner.MiniDot).
const spinners = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

// settle delivers messages until the frame holds every one of want and
// nothing is under way (no spinner, no "refreshing"), and returns that
// frame. The bound is generous: the machine may be slow, the screen may
// not be different.
func (r *runner) settle(want ...string) string {
	r.tb.Helper()
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
	var frame string
	r.until(60*time.Second, func() bool {
		frame = r.m.Render()
		return settled(ansi.Strip(frame))
	})
	return frame
}

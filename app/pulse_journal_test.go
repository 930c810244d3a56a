package app

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
)

// TestPulseReadsTheJournal: Options.Journal reaches the pulse on Wallets
// as it reaches Payouts, so the pulse shows the float left after waiting
// batches; without a journal it shows the wallet's figures only.
func TestPulseReadsTheJournal(t *testing.T) {
	for _, withJournal := range []bool{true, false} {
		_, cl := newSim(t)
		var o Options
		if withJournal {
			j, err := payout.OpenJournal(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { j.Close() })
			o.Journal = j
		}
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		c := &common.Common{Client: cl, Profile: "default", Mode: common.ModeSandbox, Ctx: ctx,
			Now: func() time.Time { return fixedNow }}
		r := &runner{tb: t, m: New(c, o), ctx: ctx, msgs: make(chan tea.Msg, 256)}
		r.m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		r.spawn(r.m.Init())
		if withJournal {
			r.settle("Float left", "no batch waiting approval")
		} else {
			if frame := r.settle("Payouts today", "clearing or held"); strings.Contains(frame, "Float left") {
				t.Error("a float after batches without a journal")
			}
		}
	}
}

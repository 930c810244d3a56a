package wallets

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/views/pulse"
)

// TestPulseOnWallets: Wallets starts the pulse with its first load and
// keeps it running while hidden (the status bar's alarm is its point on
// the other tabs); a collection webhook brings its next read forward,
// hidden too; when most recent payments fail the alarm reaches the shell
// and the strip's banner is on screen, between the balances and the chart.
func TestPulseOnWallets(t *testing.T) {
	f := small(t)
	d := newDriver(t, f.common(), 80, 20).init()
	tuitest.MustContain(t, d.View(), "Pulse", "Payouts today", "Last 14 days")
	d.Run(d.m.SetShown(false))

	for i := range 12 {
		phone := []string{"254700000001", "254700000002", "254700000004"}[i%3]
		if _, err := f.Client.STKPush(f.Ctx, client.STKPushRequest{Phone: client.Phone(phone), Amount: client.Units(100)}); err != nil {
			t.Fatal(err)
		}
	}
	f.Advance(2 * time.Minute)
	d.Feed(common.WebhookMsg{Type: "collection", Object: "ANY", State: "FAILED"})
	d.Feed(common.WebhookMsg{Type: "collection", Object: "ANY", State: "FAILED"})
	if n := d.Fire(pulse.Soon()); n != 1 {
		t.Fatalf("%d pulse reads for two webhooks, want 1", n)
	}
	a, _ := d.Last(reflect.TypeFor[common.AlarmMsg]()).(common.AlarmMsg)
	if !strings.HasPrefix(a.Text, "▼ ") {
		t.Fatalf("alarm %+v while hidden", a)
	}
	d.Run(d.m.SetShown(true))
	view := d.View()
	tuitest.MustContain(t, view, "Something is wrong", "Total KES")
	if strings.Index(view, "Total KES") > strings.Index(view, "Something is wrong") ||
		strings.Index(view, "Something is wrong") > strings.Index(view, "Last 14 days") {
		t.Errorf("the pulse is not between the balances and the chart:\n%s", view)
	}
	tuitest.CheckBox(t, view, 80, 20)
}

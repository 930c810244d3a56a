package app

import (
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/bankpicker"
	"github.com/malipo/malipo/views/banks"
	"github.com/malipo/malipo/views/collections"
	"github.com/malipo/malipo/views/payouts"
	"github.com/malipo/malipo/views/pulse"
	reconview "github.com/malipo/malipo/views/reconcile"
	"github.com/malipo/malipo/views/refunds"
	"github.com/malipo/malipo/views/subscriptions"
	"github.com/malipo/malipo/views/wallets"
)

// defaultViews are the console's tabs in order (docs/design.md §8; the 1…7 keys
// and docs/keys.md follow this order). The Banks tab and the payout
// composer's bank picker share one bank list per session. The demo keeps
// everything in memory: no bank cache file, no payout journal.
func (o Options) defaultViews(c *common.Common) []common.View {
	var cacheOpts []bankpicker.CacheOption
	if c.Mode == common.ModeDemo {
		cacheOpts = append(cacheOpts, bankpicker.WithPath(""))
	}
	if c.Now != nil {
		cacheOpts = append(cacheOpts, bankpicker.WithClock(c.Now))
	}
	bankCache := bankpicker.NewCache(cacheOpts...)
	payoutOpts := []payouts.Option{payouts.WithBankCache(bankCache)}
	var pulseOpts []pulse.Option
	if o.Journal != nil {
		payoutOpts = append(payoutOpts, payouts.WithJournal(o.Journal))
		// The pulse (on Wallets) reads the same journal, through a
		// read-only interface, for the batches in flight and waiting
		// (IntaSend cannot list them).
		pulseOpts = append(pulseOpts, pulse.WithBatches(o.Journal))
	}
	if o.DeviceID != "" {
		payoutOpts = append(payoutOpts, payouts.WithDeviceID(o.DeviceID))
	}
	if o.Policy != nil {
		payoutOpts = append(payoutOpts, payouts.WithPolicy(o.Policy))
	}
	return []common.View{
		wallets.New(c, pulseOpts...),
		collections.New(c),
		payouts.New(c, payoutOpts...),
		refunds.New(c),
		subscriptions.New(c),
		banks.NewWithCache(c, bankCache),
		reconview.New(c),
	}
}

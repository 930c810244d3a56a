package ui

import (
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/views/wallets"
)

// defaultViews are the console's tabs in order (design §8; the 1…6 keys
// and docs/keys.md follow this order). A view whose issue is not done yet
// is a placeholder that says what it will be: swap its line for the view's
// constructor when the view lands.
func defaultViews(c *common.Common) []common.View {
	return []common.View{
		wallets.New(c),
		collectionsPlaceholder(c),
		payoutsPlaceholder(c),
		refundsPlaceholder(c),
		subscriptionsPlaceholder(c),
		banksPlaceholder(c),
	}
}

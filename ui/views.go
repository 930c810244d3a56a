package ui

import "github.com/malipo/malipo/ui/common"

// defaultViews are the console's tabs in order (design §8). Views whose
// issue is not done yet are placeholders that say what they will be.
func defaultViews(c *common.Common) []common.View {
	wallets := newPlaceholder(c, "Wallets", "#4",
		"Every wallet with its balances and totals per currency, a 14-day",
		"chart of money in and out, transactions, transfers and top-ups.")
	return append([]common.View{wallets}, defaultPlaceholders(c)...)
}

package ui

import (
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/views/wallets"
)

// defaultViews are the console's tabs in order (design §8). Views whose
// issue is not done yet are placeholders that say what they will be.
func defaultViews(c *common.Common) []common.View {
	return append([]common.View{wallets.New(c)}, defaultPlaceholders(c)...)
}

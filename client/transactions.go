package client

import (
	"context"
	"net/url"
)

// TransactionFilter narrows GET transactions/ (docs/intasend-api.md §2.7). Empty fields
// are not sent.
type TransactionFilter struct {
	TransType string // SALE, PAYOUT, CHARGE, …
	Status    string // AVAILABLE, CLEARING, …
	Currency  string
	WalletID  string
	StartDate string // YYYY-MM-DD
	EndDate   string // YYYY-MM-DD
	Page      int
}

func (f TransactionFilter) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{
		"trans_type": f.TransType, "status": f.Status, "currency": f.Currency, "wallet_id": f.WalletID,
		"start_date": f.StartDate, "end_date": f.EndDate,
	} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return pageQuery(q, f.Page)
}

// Transactions returns one page of the account's wallet transactions, across
// wallets unless the filter names one.
func (c *Client) Transactions(ctx context.Context, f TransactionFilter) (*Page[WalletTransaction], error) {
	return decodeInto[Page[WalletTransaction]](ctx, c, call{method: "GET", path: "transactions/", query: f.query(), safe: true})
}

// GetTransaction returns one wallet transaction by id.
func (c *Client) GetTransaction(ctx context.Context, id string) (*WalletTransaction, error) {
	seg, err := pathSeg("transaction id", id)
	if err != nil {
		return nil, err
	}
	return decodeInto[WalletTransaction](ctx, c, call{method: "GET", path: "transactions/" + seg + "/", safe: true})
}

package client

import (
	"context"
	"net/url"
)

// CustomerFilter narrows GET customers/. Empty fields are not sent.
type CustomerFilter struct {
	FirstName, LastName, PhoneNumber, Email, Country string
	Page                                             int
}

func (f CustomerFilter) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{
		"first_name": f.FirstName, "last_name": f.LastName, "phone_number": f.PhoneNumber,
		"email": f.Email, "country": f.Country,
	} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return pageQuery(q, f.Page)
}

// ListCustomers returns one page of the people who have paid the account.
func (c *Client) ListCustomers(ctx context.Context, f CustomerFilter) (*Page[Customer], error) {
	return decodeInto[Page[Customer]](ctx, c, call{method: "GET", path: "customers/", query: f.query(), safe: true})
}

// GetCustomer returns one payment customer.
func (c *Client) GetCustomer(ctx context.Context, id string) (*Customer, error) {
	seg, err := pathSeg("customer id", id)
	if err != nil {
		return nil, err
	}
	return decodeInto[Customer](ctx, c, call{method: "GET", path: "customers/" + seg + "/", safe: true})
}

// CustomerTransactions returns one page of a payment customer's invoices,
// newest first.
func (c *Client) CustomerTransactions(ctx context.Context, id string, page int) (*Page[Invoice], error) {
	seg, err := pathSeg("customer id", id)
	if err != nil {
		return nil, err
	}
	return memoPage(ctx, c, call{method: "GET", path: "customers/" + seg + "/transactions/", query: pageQuery(nil, page), safe: true}, cloneInvoices)
}

package client

import (
	"context"
	"encoding/json"
)

// Bank is a PesaLink destination bank (docs/intasend-api.md §2.5). Codes are strings.
type Bank struct {
	Name string `json:"bank_name"`
	Code string `json:"bank_code"`
}

// UnmarshalJSON accepts codes sent as numbers.
func (b *Bank) UnmarshalJSON(data []byte) error {
	var v struct {
		Name FlexString `json:"bank_name"`
		Code FlexString `json:"bank_code"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	b.Name, b.Code = string(v.Name), string(v.Code)
	return nil
}

// BankCodes lists Kenyan banks for PESALINK payouts. IntaSend serves it
// without a Bearer token (the publishable key goes along in a header if
// the client has one). Safe and retried.
func (c *Client) BankCodes(ctx context.Context) ([]Bank, error) {
	// Page decodes the documented bare array as well as a paginated envelope.
	var p Page[Bank]
	if err := c.do(ctx, call{method: "GET", path: "send-money/bank-codes/ke/", auth: authNone, safe: true}, &p); err != nil {
		return nil, err
	}
	return p.Results, nil
}

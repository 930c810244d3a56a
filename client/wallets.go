package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Wallet types (docs/intasend-api.md §2.6): every account has one SETTLEMENT wallet;
// WORKING wallets are sub-accounts created through the API.
const (
	WalletSettlement = "SETTLEMENT"
	WalletWorking    = "WORKING"
)

// Wallet is an IntaSend wallet. AvailableBalance is what can be spent now;
// CurrentBalance also counts money still clearing or held for payouts.
type Wallet struct {
	ID               string    `json:"wallet_id"`
	Label            string    `json:"label"`
	CanDisburse      bool      `json:"can_disburse"`
	Currency         string    `json:"currency"`
	Type             string    `json:"wallet_type"`
	CurrentBalance   Amount    `json:"current_balance"`
	AvailableBalance Amount    `json:"available_balance"`
	CreatedAt        time.Time `json:"created_at"`
	UpdatedAt        time.Time `json:"updated_at"`
}

// UnmarshalJSON accepts the old integer "id" too (GB samples), and ids sent
// as numbers.
func (w *Wallet) UnmarshalJSON(b []byte) error {
	type plain Wallet
	var v struct {
		plain
		ID    FlexString `json:"wallet_id"`
		OldID FlexString `json:"id"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*w = Wallet(v.plain)
	w.ID = string(v.ID)
	if w.ID == "" {
		w.ID = string(v.OldID)
	}
	return nil
}

// ListWallets returns one page of the account's wallets (page 1 is the first).
func (c *Client) ListWallets(ctx context.Context, page int) (*Page[Wallet], error) {
	var p Page[Wallet]
	err := c.do(ctx, call{method: "GET", path: "wallets/", query: pageQuery(nil, page), safe: true}, &p)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// AllWallets follows every page of ListWallets.
func (c *Client) AllWallets(ctx context.Context) ([]Wallet, error) {
	return collectPages(ctx, func(ctx context.Context, page int) (*Page[Wallet], error) {
		return c.ListWallets(ctx, page)
	})
}

// GetWallet returns one wallet by id.
func (c *Client) GetWallet(ctx context.Context, id string) (*Wallet, error) {
	seg, err := pathSeg("wallet id", id)
	if err != nil {
		return nil, err
	}
	return decodeInto[Wallet](ctx, c, call{method: "GET", path: "wallets/" + seg + "/", safe: true})
}

// CreateWalletRequest makes a WORKING wallet (the only type the API creates).
type CreateWalletRequest struct {
	Label       string // required, ≤40, letters, digits, '-', '_' and spaces
	Currency    string // KES when empty
	CanDisburse bool   // whether payouts may be sent from it
}

// CreateWallet creates a WORKING wallet. Not retried: a repeat would make a
// second wallet.
func (c *Client) CreateWallet(ctx context.Context, r CreateWalletRequest) (*Wallet, error) {
	if strings.TrimSpace(r.Label) == "" {
		return nil, errors.New("create wallet: a label is required")
	}
	body := struct {
		WalletType  string `json:"wallet_type"`
		Currency    string `json:"currency"`
		Label       string `json:"label"`
		CanDisburse bool   `json:"can_disburse"`
	}{WalletWorking, orKES(r.Currency), r.Label, r.CanDisburse}
	return decodeInto[Wallet](ctx, c, call{method: "POST", path: "wallets/", body: body})
}

// WalletTransaction is one line of a wallet statement. Value is signed:
// money in is positive.
type WalletTransaction struct {
	ID             string    `json:"transaction_id"`
	Invoice        *Invoice  `json:"invoice"`
	Currency       string    `json:"currency"`
	Value          Amount    `json:"value"`
	RunningBalance Amount    `json:"running_balance"`
	Narrative      string    `json:"narrative"`
	TransType      string    `json:"trans_type"` // SALE|ADJUSTMENT|PAYOUT|CHARGE|AIRTIME|DEPOSIT|EXCHANGE|UNMARKED
	Status         string    `json:"status"`     // AVAILABLE|CLEARING|ON-HOLD|CANCELLED|CHARGEBACK-PENDING|REFUNDED|ADJUSTMENT
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// WalletTransactions returns one page of a wallet's statement.
func (c *Client) WalletTransactions(ctx context.Context, walletID string, page int) (*Page[WalletTransaction], error) {
	seg, err := pathSeg("wallet id", walletID)
	if err != nil {
		return nil, err
	}
	return transactionsPage(ctx, c, call{method: "GET", path: "wallets/" + seg + "/transactions/", query: pageQuery(nil, page), safe: true})
}

// IntraTransferRequest moves money from one of the account's wallets to another.
type IntraTransferRequest struct {
	ToWalletID string `json:"wallet_id"`
	Amount     Amount `json:"amount"`
	Narrative  string `json:"narrative"` // required by IntaSend; no < > % ; $
}

// IntraTransferResult is both wallets after the transfer.
type IntraTransferResult struct {
	Origin      Wallet `json:"origin"`
	Destination Wallet `json:"destination"`
}

// UnmarshalJSON accepts {origin, destination} (GB, RS) and the single wallet
// OAS documents (taken as the origin).
func (r *IntraTransferResult) UnmarshalJSON(b []byte) error {
	var v struct {
		Origin      *Wallet `json:"origin"`
		Destination *Wallet `json:"destination"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v.Origin == nil && v.Destination == nil {
		*r = IntraTransferResult{}
		return json.Unmarshal(b, &r.Origin)
	}
	if v.Origin != nil {
		r.Origin = *v.Origin
	}
	if v.Destination != nil {
		r.Destination = *v.Destination
	}
	return nil
}

// IntraTransfer moves money between two wallets of the account. It moves
// money, so it is never retried: after an ambiguous failure (IsAmbiguous),
// look at both wallets' statements before trying again.
func (c *Client) IntraTransfer(ctx context.Context, fromWalletID string, r IntraTransferRequest) (*IntraTransferResult, error) {
	seg, err := pathSeg("wallet id", fromWalletID)
	if err != nil {
		return nil, err
	}
	if r.ToWalletID == "" {
		return nil, errors.New("intra transfer: no destination wallet")
	}
	if r.Amount <= 0 {
		return nil, fmt.Errorf("intra transfer: amount must be positive, got %s", r.Amount)
	}
	return decodeInto[IntraTransferResult](ctx, c, call{method: "POST", path: "wallets/" + seg + "/intra_transfer/", body: r})
}

// ---- helpers shared by the API areas ----

// pathSeg escapes an id for use as one path segment and refuses ids that
// would change the path's meaning.
func pathSeg(what, id string) (string, error) {
	id = strings.TrimSpace(id)
	if id == "" || id == "." || id == ".." {
		return "", fmt.Errorf("intasend: %s is empty or invalid", what)
	}
	return url.PathEscape(id), nil
}

// pageQuery adds ?page=N for pages after the first.
func pageQuery(q url.Values, page int) url.Values {
	if page > 1 {
		if q == nil {
			q = url.Values{}
		}
		q.Set("page", strconv.Itoa(page))
	}
	return q
}

// maxPages bounds collectPages against a server that never stops paging.
const maxPages = 10_000

// collectPages fetches pages 1, 2, … until a page has no next link.
func collectPages[T any](ctx context.Context, fetch func(context.Context, int) (*Page[T], error)) ([]T, error) {
	var all []T
	for page := 1; page <= maxPages; page++ {
		p, err := fetch(ctx, page)
		if err != nil {
			return all, err
		}
		all = append(all, p.Results...)
		if !p.HasNext() || len(p.Results) == 0 {
			return all, nil
		}
	}
	return all, fmt.Errorf("intasend: more than %d pages", maxPages)
}

func orKES(cur string) string {
	if cur == "" {
		return "KES"
	}
	return cur
}

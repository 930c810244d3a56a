package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Plan billing units (frequency_unit).
const (
	Daily   = "D"
	Weekly  = "W"
	Monthly = "M"
	Yearly  = "Y"
)

// Subscription statuses (OAS).
const (
	SubscriptionPending   = "PENDING"
	SubscriptionActive    = "ACTIVE"
	SubscriptionCanceled  = "CANCELED"
	SubscriptionCompleted = "COMPLETED"
	SubscriptionFailed    = "FAILED"
)

// Plan is a subscription plan: Amount every Frequency FrequencyUnit.
type Plan struct {
	ID            string    `json:"plan_id"`
	Name          string    `json:"name"`
	Frequency     int       `json:"frequency"`
	FrequencyUnit string    `json:"frequency_unit"`
	BillingCycles int       `json:"billing_cycles"`
	Currency      string    `json:"currency"`
	Amount        Amount    `json:"amount"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// PlanRequest creates a plan.
type PlanRequest struct {
	Name          string `json:"name"` // ≤32
	Frequency     int    `json:"frequency"`
	FrequencyUnit string `json:"frequency_unit"` // D, W, M, Y
	BillingCycles int    `json:"billing_cycles,omitempty"`
	Currency      string `json:"currency"`
	Amount        Amount `json:"amount"`
}

// SubscriptionCustomer is a subscriber (distinct from payment customers).
type SubscriptionCustomer struct {
	ID        string    `json:"customer_id"`
	Email     string    `json:"email"`
	FirstName string    `json:"first_name"`
	LastName  string    `json:"last_name"`
	Reference string    `json:"reference"`
	Address   string    `json:"address"`
	City      string    `json:"city"`
	State     string    `json:"state"`
	Zipcode   string    `json:"zipcode"`
	Country   string    `json:"country"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SubscriptionCustomerRequest creates a subscriber.
type SubscriptionCustomerRequest struct {
	Email     string `json:"email"`
	FirstName string `json:"first_name,omitempty"`
	LastName  string `json:"last_name"` // required
	Reference string `json:"reference,omitempty"`
	Address   string `json:"address,omitempty"`
	City      string `json:"city,omitempty"`
	State     string `json:"state,omitempty"`
	Zipcode   string `json:"zipcode,omitempty"`
	Country   string `json:"country,omitempty"`
}

// Subscription binds a customer to a plan. The customer pays through SetupURL.
type Subscription struct {
	ID            string                `json:"subscription_id"`
	CustomerID    string                `json:"-"`
	PlanID        string                `json:"-"`
	Customer      *SubscriptionCustomer `json:"-"`
	Plan          *Plan                 `json:"-"`
	StartDate     string                `json:"start_date"` // YYYY-MM-DD
	Reference     string                `json:"reference"`
	RedirectURL   string                `json:"redirect_url"`
	Status        string                `json:"status"`
	SetupURL      string                `json:"setup_url"`
	PaymentMethod string                `json:"payment_method"`
	CyclesDone    int                   `json:"billing_cycles_completed"`
	NextBilling   string                `json:"next_billing_date"`
	CreatedAt     time.Time             `json:"created_at"`
	UpdatedAt     time.Time             `json:"updated_at"`
}

// UnmarshalJSON accepts customer and plan as nested objects or as ids, under
// either "customer"/"plan" or "customer_id"/"plan_id".
func (s *Subscription) UnmarshalJSON(data []byte) error {
	type plain Subscription
	var v struct {
		plain
		Customer   json.RawMessage `json:"customer"`
		CustomerID json.RawMessage `json:"customer_id"`
		Plan       json.RawMessage `json:"plan"`
		PlanID     json.RawMessage `json:"plan_id"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*s = Subscription(v.plain)
	var err error
	if s.Customer, s.CustomerID, err = objectOrID[SubscriptionCustomer](v.Customer, v.CustomerID, func(c *SubscriptionCustomer) string { return c.ID }); err != nil {
		return err
	}
	s.Plan, s.PlanID, err = objectOrID[Plan](v.Plan, v.PlanID, func(p *Plan) string { return p.ID })
	return err
}

// objectOrID decodes a field IntaSend may send nested or as an id.
func objectOrID[T any](obj, id json.RawMessage, idOf func(*T) string) (*T, string, error) {
	var out *T
	var ident string
	for _, raw := range []json.RawMessage{obj, id} {
		raw = bytes.TrimSpace(raw)
		switch {
		case len(raw) == 0 || string(raw) == "null":
		case raw[0] == '{':
			out = new(T)
			if err := json.Unmarshal(raw, out); err != nil {
				return nil, "", err
			}
			if ident == "" {
				ident = idOf(out)
			}
		default:
			var f FlexString
			if err := json.Unmarshal(raw, &f); err != nil {
				return nil, "", err
			}
			if ident == "" {
				ident = string(f)
			}
		}
	}
	return out, ident, nil
}

// SubscriptionRequest subscribes a customer to a plan.
type SubscriptionRequest struct {
	CustomerID  string `json:"customer_id"`
	PlanID      string `json:"plan_id"`
	StartDate   string `json:"start_date,omitempty"` // YYYY-MM-DD; today when empty
	Reference   string `json:"reference,omitempty"`
	RedirectURL string `json:"redirect_url,omitempty"`
}

// CreatePlan creates a subscription plan. Not retried.
func (c *Client) CreatePlan(ctx context.Context, r PlanRequest) (*Plan, error) {
	if r.Name == "" || r.Frequency <= 0 || r.FrequencyUnit == "" || r.Amount <= 0 {
		return nil, errors.New("create plan: name, a positive frequency, a frequency unit and a positive amount are required")
	}
	r.Currency = orKES(r.Currency)
	return postOne[Plan](ctx, c, "subscriptions-plans/", r)
}

// ListPlans returns one page of plans.
func (c *Client) ListPlans(ctx context.Context, page int) (*Page[Plan], error) {
	return getPage[Plan](ctx, c, "subscriptions-plans/", page)
}

// GetPlan returns one plan.
func (c *Client) GetPlan(ctx context.Context, id string) (*Plan, error) {
	return getOne[Plan](ctx, c, "subscriptions-plans/", "plan id", id)
}

// CreateSubscriptionCustomer creates a subscriber. Not retried.
func (c *Client) CreateSubscriptionCustomer(ctx context.Context, r SubscriptionCustomerRequest) (*SubscriptionCustomer, error) {
	if r.LastName == "" {
		return nil, errors.New("create subscription customer: last name is required")
	}
	return postOne[SubscriptionCustomer](ctx, c, "subscriptions-customers/", r)
}

// ListSubscriptionCustomers returns one page of subscribers.
func (c *Client) ListSubscriptionCustomers(ctx context.Context, page int) (*Page[SubscriptionCustomer], error) {
	return getPage[SubscriptionCustomer](ctx, c, "subscriptions-customers/", page)
}

// GetSubscriptionCustomer returns one subscriber.
func (c *Client) GetSubscriptionCustomer(ctx context.Context, id string) (*SubscriptionCustomer, error) {
	return getOne[SubscriptionCustomer](ctx, c, "subscriptions-customers/", "customer id", id)
}

// CreateSubscription subscribes a customer to a plan. Not retried.
func (c *Client) CreateSubscription(ctx context.Context, r SubscriptionRequest) (*Subscription, error) {
	if r.CustomerID == "" || r.PlanID == "" {
		return nil, errors.New("create subscription: customer id and plan id are required")
	}
	return postOne[Subscription](ctx, c, "subscriptions/", r)
}

// ListSubscriptions returns one page of subscriptions.
func (c *Client) ListSubscriptions(ctx context.Context, page int) (*Page[Subscription], error) {
	return getPage[Subscription](ctx, c, "subscriptions/", page)
}

// GetSubscription returns one subscription.
func (c *Client) GetSubscription(ctx context.Context, id string) (*Subscription, error) {
	return getOne[Subscription](ctx, c, "subscriptions/", "subscription id", id)
}

// Unsubscribe cancels a subscription. Not retried; read it back after an
// ambiguous failure.
func (c *Client) Unsubscribe(ctx context.Context, id string) (*Subscription, error) {
	seg, err := pathSeg("subscription id", id)
	if err != nil {
		return nil, err
	}
	return postOne[Subscription](ctx, c, "subscriptions/"+seg+"/unsubscribe/", struct{}{})
}

// SubscriptionTransactions returns one page of a subscription's payments.
func (c *Client) SubscriptionTransactions(ctx context.Context, id string, page int) (*Page[WalletTransaction], error) {
	seg, err := pathSeg("subscription id", id)
	if err != nil {
		return nil, err
	}
	return transactionsPage(ctx, c, call{method: "GET", path: "subscriptions/" + seg + "/transactions/", query: pageQuery(nil, page), safe: true})
}

// ---- small generic helpers for the simpler areas ----

// postOne sends a create or an action once (never retried).
func postOne[T any](ctx context.Context, c *Client, path string, body any) (*T, error) {
	return decodeInto[T](ctx, c, call{method: "POST", path: path, body: body})
}

func getPage[T any](ctx context.Context, c *Client, path string, page int) (*Page[T], error) {
	return decodeInto[Page[T]](ctx, c, call{method: "GET", path: path, query: pageQuery(nil, page), safe: true})
}

func getOne[T any](ctx context.Context, c *Client, prefix, what, id string) (*T, error) {
	seg, err := pathSeg(what, id)
	if err != nil {
		return nil, err
	}
	return decodeInto[T](ctx, c, call{method: "GET", path: prefix + seg + "/", safe: true})
}

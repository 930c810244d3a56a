package client_test

import (
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
)

func TestContractRefunds(t *testing.T) {
	e := newEnv(t, sim.Options{})
	r, err := e.c.STKPush(e.ctx, client.STKPushRequest{Phone: sandboxPhone, Amount: client.Units(1000), APIRef: "order-9"})
	if err != nil {
		t.Fatal(err)
	}
	inv := r.Invoice.ID
	// Not refundable while PENDING.
	_, err = e.c.CreateRefund(e.ctx, client.RefundRequest{InvoiceID: inv, Amount: client.Units(10), Reason: client.ReasonOther})
	wantAPIError(t, err, 400, "invoice")
	e.advance(15 * time.Second)
	e.advance(2 * time.Minute)
	before := e.settlement()

	ref, err := e.c.CreateRefund(e.ctx, client.RefundRequest{InvoiceID: inv, Amount: client.Units(400), Reason: client.ReasonDuplicate, ReasonDetails: "charged twice"})
	if err != nil {
		t.Fatal(err)
	}
	if ref.ID == "" || ref.Status != client.RefundPending || ref.Amount != client.Units(400) || ref.Invoice == nil || ref.Invoice.ID != inv ||
		ref.Transaction == nil || ref.Reason != client.ReasonDuplicate || ref.ReasonDetails != "charged twice" {
		t.Fatalf("refund %+v", ref)
	}
	// More than what is left of the invoice is refused.
	_, err = e.c.CreateRefund(e.ctx, client.RefundRequest{InvoiceID: inv, Amount: client.Units(601), Reason: client.ReasonOther})
	wantAPIError(t, err, 400, "amount")
	_, err = e.c.CreateRefund(e.ctx, client.RefundRequest{InvoiceID: inv, Amount: client.Units(1), Reason: "UNAVAIBLE"})
	wantAPIError(t, err, 400, "reason")
	_, err = e.c.CreateRefund(e.ctx, client.RefundRequest{InvoiceID: "NOPE999", Amount: client.Units(1), Reason: client.ReasonOther})
	wantAPIError(t, err, 400, "invoice")

	e.advance(time.Hour)
	got, err := e.c.GetRefund(e.ctx, ref.ID)
	if err != nil || got.Status != client.RefundCompleted {
		t.Fatalf("after an hour: %+v, %v", got, err)
	}
	after := e.settlement()
	if moved := before.AvailableBalance - after.AvailableBalance; moved != client.Units(400) {
		t.Fatalf("refund moved %s, want 400.00", moved)
	}
	list, err := e.c.ListRefunds(e.ctx, 1)
	if err != nil || list.Count != 1 || list.Results[0].ID != ref.ID {
		t.Fatalf("ListRefunds = %+v, %v", list, err)
	}
	if _, err := e.c.GetRefund(e.ctx, "NOPE999"); !client.IsNotFound(err) {
		t.Fatalf("unknown refund: %v", err)
	}
	// A disputed refund gives the hold back.
	ref2, err := e.c.CreateRefund(e.ctx, client.RefundRequest{InvoiceID: inv, Amount: client.Units(100), Reason: client.ReasonOther})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.srv.DisputeChargeback(ref2.ID); err != nil {
		t.Fatal(err)
	}
	got2, err := e.c.GetRefund(e.ctx, ref2.ID)
	if err != nil || got2.Status != client.RefundDisputed {
		t.Fatalf("disputed: %+v, %v", got2, err)
	}
	if s := e.settlement(); s.AvailableBalance != after.AvailableBalance {
		t.Fatalf("disputed refund moved money: %s → %s", after.AvailableBalance, s.AvailableBalance)
	}
	// The customer's invoices.
	cs, err := e.c.ListCustomers(e.ctx, client.CustomerFilter{PhoneNumber: sandboxPhone})
	if err != nil || len(cs.Results) != 1 {
		t.Fatalf("customers: %+v, %v", cs, err)
	}
	invs, err := e.c.CustomerTransactions(e.ctx, cs.Results[0].ID, 1)
	if err != nil || invs.Count != 1 || invs.Results[0].ID != inv {
		t.Fatalf("customer invoices: %+v, %v", invs, err)
	}
}

func TestContractSubscriptions(t *testing.T) {
	e := newEnv(t, sim.Options{})
	p, err := e.c.CreatePlan(e.ctx, client.PlanRequest{Name: "Gold", Frequency: 1, FrequencyUnit: client.Monthly, BillingCycles: 12, Currency: "KES", Amount: client.Units(500)})
	if err != nil {
		t.Fatal(err)
	}
	if p.ID == "" || p.Amount != client.Units(500) || p.FrequencyUnit != "M" || p.BillingCycles != 12 {
		t.Fatalf("plan %+v", p)
	}
	_, err = e.c.CreatePlan(e.ctx, client.PlanRequest{Name: "Bad", Frequency: 1, FrequencyUnit: "Q", Amount: client.Units(5)})
	wantAPIError(t, err, 400, "frequency_unit")
	cu, err := e.c.CreateSubscriptionCustomer(e.ctx, client.SubscriptionCustomerRequest{Email: "jane@example.com", FirstName: "Jane", LastName: "Doe", Country: "KE"})
	if err != nil || cu.ID == "" || cu.Email != "jane@example.com" {
		t.Fatalf("customer %+v, %v", cu, err)
	}
	_, err = e.c.CreateSubscriptionCustomer(e.ctx, client.SubscriptionCustomerRequest{Email: "nope", FirstName: "J", LastName: "D"})
	wantAPIError(t, err, 400, "email")

	sub, err := e.c.CreateSubscription(e.ctx, client.SubscriptionRequest{CustomerID: cu.ID, PlanID: p.ID, Reference: "gold-jane"})
	if err != nil {
		t.Fatal(err)
	}
	if sub.ID == "" || sub.Status != client.SubscriptionPending || sub.SetupURL == "" || sub.CustomerID != cu.ID || sub.PlanID != p.ID ||
		sub.Plan == nil || sub.Plan.Name != "Gold" || sub.Customer == nil || sub.Customer.LastName != "Doe" {
		t.Fatalf("subscription %+v", sub)
	}
	_, err = e.c.CreateSubscription(e.ctx, client.SubscriptionRequest{CustomerID: cu.ID, PlanID: "NOPE999"})
	wantAPIError(t, err, 400, "plan_id")
	_, err = e.c.CreateSubscription(e.ctx, client.SubscriptionRequest{CustomerID: cu.ID, PlanID: p.ID, StartDate: "2020-01-01"})
	wantAPIError(t, err, 400, "start_date")

	e.advance(time.Minute)
	got, err := e.c.GetSubscription(e.ctx, sub.ID)
	if err != nil || got.Status != client.SubscriptionActive {
		t.Fatalf("after setup: %+v, %v", got, err)
	}
	e.advance(24 * time.Hour)
	txs, err := e.c.SubscriptionTransactions(e.ctx, sub.ID, 1)
	if err != nil || txs.Count < 1 || txs.Results[0].Value != client.Units(500) {
		t.Fatalf("subscription charges: %+v, %v", txs, err)
	}
	un, err := e.c.Unsubscribe(e.ctx, sub.ID)
	if err != nil || un.Status != client.SubscriptionCanceled {
		t.Fatalf("unsubscribe: %+v, %v", un, err)
	}
	_, err = e.c.Unsubscribe(e.ctx, sub.ID)
	wantAPIError(t, err, 400, "")

	for name, check := range map[string]func() (int, error){
		"plans":     func() (int, error) { l, err := e.c.ListPlans(e.ctx, 1); return countOf(l, err) },
		"customers": func() (int, error) { l, err := e.c.ListSubscriptionCustomers(e.ctx, 1); return countOf(l, err) },
		"subs":      func() (int, error) { l, err := e.c.ListSubscriptions(e.ctx, 1); return countOf(l, err) },
	} {
		if n, err := check(); err != nil || n != 1 {
			t.Errorf("list %s: %d, %v", name, n, err)
		}
	}
	if gp, err := e.c.GetPlan(e.ctx, p.ID); err != nil || gp.ID != p.ID {
		t.Errorf("GetPlan: %+v, %v", gp, err)
	}
	if gc, err := e.c.GetSubscriptionCustomer(e.ctx, cu.ID); err != nil || gc.ID != cu.ID {
		t.Errorf("GetSubscriptionCustomer: %+v, %v", gc, err)
	}
	if _, err := e.c.GetSubscription(e.ctx, "NOPE999"); !client.IsNotFound(err) {
		t.Errorf("unknown subscription: %v", err)
	}
}

func countOf[T any](p *client.Page[T], err error) (int, error) {
	if err != nil {
		return 0, err
	}
	return p.Count, nil
}

func TestContractPaymentLinks(t *testing.T) {
	e := newEnv(t, sim.Options{})
	l, err := e.c.CreatePaymentLink(e.ctx, client.PaymentLinkRequest{Title: "School fees", Amount: client.Units(2500), UsageLimit: 3, RedirectURL: "https://school.example.com/thanks"})
	if err != nil {
		t.Fatal(err)
	}
	if l.ID == "" || l.Amount != client.Units(2500) || !l.IsActive || l.UsageLimit != 3 || l.URL == "" || l.Currency != "KES" {
		t.Fatalf("link %+v", l)
	}
	if !strings.Contains(l.URL, l.ID) {
		t.Errorf("url %q does not name the link", l.URL)
	}
	free, err := e.c.CreatePaymentLink(e.ctx, client.PaymentLinkRequest{Title: "Donations"})
	if err != nil || free.Amount != 0 {
		t.Fatalf("open-amount link: %+v, %v", free, err)
	}
	if _, err := e.c.CreatePaymentLink(e.ctx, client.PaymentLinkRequest{Title: "Cents", Amount: client.MustAmount("10.50")}); err == nil {
		t.Fatal("a fractional amount was sent; IntaSend takes whole units for links")
	}
	_, err = e.c.CreatePaymentLink(e.ctx, client.PaymentLinkRequest{Title: "bad <title>"})
	wantAPIError(t, err, 400, "title")

	up, err := e.c.UpdatePaymentLink(e.ctx, l.ID, client.PaymentLinkRequest{Title: "School fees term 2", Amount: client.Units(3000), Inactive: true})
	if err != nil || up.Title != "School fees term 2" || up.Amount != client.Units(3000) || up.IsActive {
		t.Fatalf("update: %+v, %v", up, err)
	}
	got, err := e.c.GetPaymentLink(e.ctx, l.ID)
	if err != nil || got.Title != up.Title {
		t.Fatalf("get: %+v, %v", got, err)
	}
	list, err := e.c.ListPaymentLinks(e.ctx, 1)
	if err != nil || list.Count != 2 {
		t.Fatalf("list: %+v, %v", list, err)
	}
	if _, err := e.c.GetPaymentLink(e.ctx, "00000000-0000-0000-0000-000000000000"); !client.IsNotFound(err) {
		t.Fatalf("unknown link: %v", err)
	}
}

// TestContractSeededAccount walks every list the seeded demo account has,
// page by page, and reads each item back: whatever the simulator's demo
// data holds decodes, and the balances add up.
func TestContractSeededAccount(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: true, Rand: 7, FailureRate: 0.1})
	wallets, err := e.c.AllWallets(e.ctx)
	if err != nil || len(wallets) < 4 {
		t.Fatalf("wallets: %d, %v", len(wallets), err)
	}
	for _, w := range wallets {
		var sum client.Amount
		var lines int
		for page := 1; ; page++ {
			p, err := e.c.WalletTransactions(e.ctx, w.ID, page)
			if err != nil {
				t.Fatalf("wallet %s page %d: %v", w.ID, page, err)
			}
			for _, l := range p.Results {
				sum += l.Value
				lines++
				if l.ID == "" || l.TransType == "" || l.CreatedAt.IsZero() {
					t.Fatalf("line %+v", l)
				}
			}
			if !p.HasNext() {
				break
			}
		}
		// A statement adds up to the wallet's current balance.
		if sum != w.CurrentBalance {
			t.Errorf("wallet %s (%s): %d lines sum to %s, current balance %s", w.ID, w.Label, lines, sum, w.CurrentBalance)
		}
	}
	var txCount int
	for page := 1; ; page++ {
		p, err := e.c.Transactions(e.ctx, client.TransactionFilter{Page: page})
		if err != nil {
			t.Fatalf("transactions page %d: %v", page, err)
		}
		txCount += len(p.Results)
		if !p.HasNext() {
			if txCount != p.Count {
				t.Errorf("walked %d transactions, count says %d", txCount, p.Count)
			}
			break
		}
	}
	refunds, err := e.c.ListRefunds(e.ctx, 1)
	if err != nil || refunds.Count < 4 {
		t.Fatalf("refunds: %+v, %v", refunds, err)
	}
	for _, r := range refunds.Results {
		if r.Invoice == nil || r.Invoice.ID == "" || r.Amount <= 0 {
			t.Errorf("refund %+v", r)
		}
	}
	subs, err := e.c.ListSubscriptions(e.ctx, 1)
	if err != nil || subs.Count == 0 {
		t.Fatalf("subscriptions: %v", err)
	}
	states := map[string]bool{}
	for _, s := range subs.Results {
		states[s.Status] = true
		if s.Plan == nil || s.CustomerID == "" {
			t.Errorf("subscription %+v", s)
		}
	}
	if !states[client.SubscriptionActive] || !states[client.SubscriptionCanceled] {
		t.Errorf("subscription states %v", states)
	}
	links, err := e.c.ListPaymentLinks(e.ctx, 1)
	if err != nil || links.Count < 2 {
		t.Fatalf("links: %+v, %v", links, err)
	}
	cs, err := e.c.ListCustomers(e.ctx, client.CustomerFilter{})
	if err != nil || cs.Count < 10 {
		t.Fatalf("customers: %v", err)
	}
	plans, err := e.c.ListPlans(e.ctx, 1)
	if err != nil || plans.Count == 0 {
		t.Fatalf("plans: %v", err)
	}
}

package client_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
)

func TestContractRefunds(t *testing.T) {
	e := newEnv(t, sim.Options{})
	r, err := e.c.STKPush(e.ctx, client.STKPushRequest{Phone: sandboxPhone, Amount: client.Units(1000), APIRef: "order-9"})
	testcheck.Must(t, "STKPush", err)
	inv := r.Invoice.ID
	// Not refundable while PENDING.
	_, err = e.c.CreateRefund(e.ctx, client.RefundRequest{InvoiceID: inv, Amount: client.Units(10), Reason: client.ReasonOther})
	wantAPIError(t, err, 400, "invoice")
	e.advance(15 * time.Second)
	e.advance(2 * time.Minute)
	before := e.settlement()

	ref, err := e.c.CreateRefund(e.ctx, client.RefundRequest{InvoiceID: inv, Amount: client.Units(400), Reason: client.ReasonDuplicate, ReasonDetails: "charged twice"})
	testcheck.Must(t, "CreateRefund", err)
	testcheck.Expect(t, "refund", ref, testcheck.C("an id", ref.ID != ""), testcheck.C("PENDING", ref.Status == client.RefundPending),
		testcheck.C("amount 400", ref.Amount == client.Units(400)), testcheck.C("an invoice", ref.Invoice != nil),
		testcheck.C("a transaction", ref.Transaction != nil), testcheck.C("reason DUPLICATE", ref.Reason == client.ReasonDuplicate),
		testcheck.C("reason details", ref.ReasonDetails == "charged twice"))
	testcheck.Expect(t, "refund invoice", ref.Invoice, testcheck.C("the invoice refunded", ref.Invoice.ID == inv))
	refused := []struct {
		name string
		req  client.RefundRequest
		attr string
	}{
		// More than what is left of the invoice is refused.
		{"more than is left", client.RefundRequest{InvoiceID: inv, Amount: client.Units(601), Reason: client.ReasonOther}, "amount"},
		{"unknown reason", client.RefundRequest{InvoiceID: inv, Amount: client.Units(1), Reason: "UNAVAIBLE"}, "reason"},
		{"unknown invoice", client.RefundRequest{InvoiceID: "NOPE999", Amount: client.Units(1), Reason: client.ReasonOther}, "invoice"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.c.CreateRefund(e.ctx, tt.req)
			wantAPIError(t, err, 400, tt.attr)
		})
	}

	e.advance(time.Hour)
	after := checkRefundCompleted(t, e, ref.ID, before)
	checkDisputedRefund(t, e, inv, after)
	checkCustomerInvoices(t, e, inv)
}

// checkRefundCompleted: an hour on, the KES 400 refund is complete, has
// left the wallet and is the one refund listed. It returns the wallet.
func checkRefundCompleted(t *testing.T, e *env, id string, before client.Wallet) client.Wallet {
	t.Helper()
	got, err := e.c.GetRefund(e.ctx, id)
	testcheck.Must(t, "after an hour", err)
	testcheck.Expect(t, "after an hour", got, testcheck.C("COMPLETED", got.Status == client.RefundCompleted))
	after := e.settlement()
	moved := before.AvailableBalance - after.AvailableBalance
	testcheck.Expect(t, "refund moved", moved, testcheck.C("400.00", moved == client.Units(400)))
	list, err := e.c.ListRefunds(e.ctx, 1)
	testcheck.Must(t, "ListRefunds", err)
	testcheck.Expect(t, "ListRefunds", list, testcheck.C("count 1", list.Count == 1), testcheck.C("one result", len(list.Results) == 1))
	testcheck.Expect(t, "ListRefunds", list.Results[0], testcheck.C("the refund", list.Results[0].ID == id))
	_, err = e.c.GetRefund(e.ctx, "NOPE999")
	testcheck.Expect(t, "unknown refund", err, testcheck.C("not found", client.IsNotFound(err)))
	return after
}

// checkDisputedRefund: a disputed refund gives the hold back.
func checkDisputedRefund(t *testing.T, e *env, inv string, after client.Wallet) {
	t.Helper()
	ref2, err := e.c.CreateRefund(e.ctx, client.RefundRequest{InvoiceID: inv, Amount: client.Units(100), Reason: client.ReasonOther})
	testcheck.Must(t, "CreateRefund", err)
	testcheck.Must(t, "DisputeChargeback", e.srv.DisputeChargeback(ref2.ID))
	got2, err := e.c.GetRefund(e.ctx, ref2.ID)
	testcheck.Must(t, "disputed", err)
	testcheck.Expect(t, "disputed", got2, testcheck.C("DISPUTED", got2.Status == client.RefundDisputed))
	s := e.settlement()
	testcheck.Expect(t, "disputed refund moved money from "+after.AvailableBalance.String(), s.AvailableBalance,
		testcheck.C("no money moved", s.AvailableBalance == after.AvailableBalance))
}

// checkCustomerInvoices: the sandbox customer's one invoice is inv.
func checkCustomerInvoices(t *testing.T, e *env, inv string) {
	t.Helper()
	cs, err := e.c.ListCustomers(e.ctx, client.CustomerFilter{PhoneNumber: sandboxPhone})
	testcheck.Must(t, "customers", err)
	testcheck.Expect(t, "customers", cs, testcheck.C("one result", len(cs.Results) == 1))
	invs, err := e.c.CustomerTransactions(e.ctx, cs.Results[0].ID, 1)
	testcheck.Must(t, "customer invoices", err)
	testcheck.Expect(t, "customer invoices", invs, testcheck.C("count 1", invs.Count == 1), testcheck.C("one result", len(invs.Results) == 1))
	testcheck.Expect(t, "customer invoices", invs.Results[0], testcheck.C("the invoice", invs.Results[0].ID == inv))
}

func TestContractSubscriptions(t *testing.T) {
	e := newEnv(t, sim.Options{})
	p, err := e.c.CreatePlan(e.ctx, client.PlanRequest{Name: "Gold", Frequency: 1, FrequencyUnit: client.Monthly, BillingCycles: 12, Currency: "KES", Amount: client.Units(500)})
	testcheck.Must(t, "CreatePlan", err)
	testcheck.Expect(t, "plan", p, testcheck.C("an id", p.ID != ""), testcheck.C("amount 500", p.Amount == client.Units(500)),
		testcheck.C("unit M", p.FrequencyUnit == "M"), testcheck.C("12 cycles", p.BillingCycles == 12))
	cu, err := e.c.CreateSubscriptionCustomer(e.ctx, client.SubscriptionCustomerRequest{Email: "jane@example.com", FirstName: "Jane", LastName: "Doe", Country: "KE"})
	testcheck.Must(t, "customer", err)
	testcheck.Expect(t, "customer", cu, testcheck.C("an id", cu.ID != ""), testcheck.C("the email", cu.Email == "jane@example.com"))
	sub, err := e.c.CreateSubscription(e.ctx, client.SubscriptionRequest{CustomerID: cu.ID, PlanID: p.ID, Reference: "gold-jane"})
	testcheck.Must(t, "CreateSubscription", err)
	testcheck.Expect(t, "subscription", sub, testcheck.C("an id", sub.ID != ""), testcheck.C("PENDING", sub.Status == client.SubscriptionPending),
		testcheck.C("a setup url", sub.SetupURL != ""), testcheck.C("the customer id", sub.CustomerID == cu.ID), testcheck.C("the plan id", sub.PlanID == p.ID),
		testcheck.C("a plan", sub.Plan != nil), testcheck.C("a customer", sub.Customer != nil))
	testcheck.Expect(t, "subscription", sub, testcheck.C("plan Gold", sub.Plan.Name == "Gold"), testcheck.C("customer Doe", sub.Customer.LastName == "Doe"))

	refused := []struct {
		name, attr string
		call       func() error
	}{
		{"plan frequency unit", "frequency_unit", func() error {
			_, err := e.c.CreatePlan(e.ctx, client.PlanRequest{Name: "Bad", Frequency: 1, FrequencyUnit: "Q", Amount: client.Units(5)})
			return err
		}},
		{"customer email", "email", func() error {
			_, err := e.c.CreateSubscriptionCustomer(e.ctx, client.SubscriptionCustomerRequest{Email: "nope", FirstName: "J", LastName: "D"})
			return err
		}},
		{"unknown plan", "plan_id", func() error {
			_, err := e.c.CreateSubscription(e.ctx, client.SubscriptionRequest{CustomerID: cu.ID, PlanID: "NOPE999"})
			return err
		}},
		{"past start date", "start_date", func() error {
			_, err := e.c.CreateSubscription(e.ctx, client.SubscriptionRequest{CustomerID: cu.ID, PlanID: p.ID, StartDate: "2020-01-01"})
			return err
		}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) { wantAPIError(t, tt.call(), 400, tt.attr) })
	}
	checkSubscriptionRuns(t, e, sub.ID)
	checkSubscriptionReads(t, e, p.ID, cu.ID)
}

// checkSubscriptionRuns: the subscription goes active, is charged the
// plan's KES 500, and unsubscribes once.
func checkSubscriptionRuns(t *testing.T, e *env, id string) {
	t.Helper()
	e.advance(time.Minute)
	got, err := e.c.GetSubscription(e.ctx, id)
	testcheck.Must(t, "after setup", err)
	testcheck.Expect(t, "after setup", got, testcheck.C("ACTIVE", got.Status == client.SubscriptionActive))
	e.advance(24 * time.Hour)
	txs, err := e.c.SubscriptionTransactions(e.ctx, id, 1)
	testcheck.Must(t, "subscription charges", err)
	testcheck.Expect(t, "subscription charges", txs, testcheck.C("at least one", txs.Count >= 1), testcheck.C("a result", len(txs.Results) >= 1))
	testcheck.Expect(t, "subscription charges", txs.Results[0], testcheck.C("KES 500", txs.Results[0].Value == client.Units(500)))
	un, err := e.c.Unsubscribe(e.ctx, id)
	testcheck.Must(t, "unsubscribe", err)
	testcheck.Expect(t, "unsubscribe", un, testcheck.C("CANCELED", un.Status == client.SubscriptionCanceled))
	_, err = e.c.Unsubscribe(e.ctx, id)
	wantAPIError(t, err, 400, "")
}

// checkSubscriptionReads: each list holds the one item made, and reads by
// id find it.
func checkSubscriptionReads(t *testing.T, e *env, planID, customerID string) {
	t.Helper()
	lists := []struct {
		name  string
		count func() (int, error)
	}{
		{"plans", func() (int, error) { l, err := e.c.ListPlans(e.ctx, 1); return countOf(l, err) }},
		{"customers", func() (int, error) { l, err := e.c.ListSubscriptionCustomers(e.ctx, 1); return countOf(l, err) }},
		{"subs", func() (int, error) { l, err := e.c.ListSubscriptions(e.ctx, 1); return countOf(l, err) }},
	}
	for _, l := range lists {
		n, err := l.count()
		testcheck.Check(t, "list "+l.name, fmt.Sprintf("%d, %v", n, err), testcheck.C("no error", err == nil), testcheck.C("one item", n == 1))
	}
	gp, err := e.c.GetPlan(e.ctx, planID)
	testcheck.Check(t, "GetPlan", fmt.Sprintf("%+v, %v", gp, err), testcheck.C("no error", err == nil), testcheck.C("same id", err == nil && gp.ID == planID))
	gc, err := e.c.GetSubscriptionCustomer(e.ctx, customerID)
	testcheck.Check(t, "GetSubscriptionCustomer", fmt.Sprintf("%+v, %v", gc, err), testcheck.C("no error", err == nil), testcheck.C("same id", err == nil && gc.ID == customerID))
	_, err = e.c.GetSubscription(e.ctx, "NOPE999")
	testcheck.Check(t, "unknown subscription", err, testcheck.C("not found", client.IsNotFound(err)))
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
	testcheck.Must(t, "CreatePaymentLink", err)
	testcheck.Expect(t, "link", l, testcheck.C("an id", l.ID != ""), testcheck.C("amount 2500", l.Amount == client.Units(2500)), testcheck.C("active", l.IsActive),
		testcheck.C("usage limit 3", l.UsageLimit == 3), testcheck.C("a url", l.URL != ""), testcheck.C("KES", l.Currency == "KES"))
	testcheck.Check(t, "url", l.URL, testcheck.C("names the link", strings.Contains(l.URL, l.ID)))
	free, err := e.c.CreatePaymentLink(e.ctx, client.PaymentLinkRequest{Title: "Donations"})
	testcheck.Must(t, "open-amount link", err)
	testcheck.Expect(t, "open-amount link", free, testcheck.C("amount 0", free.Amount == 0))
	_, err = e.c.CreatePaymentLink(e.ctx, client.PaymentLinkRequest{Title: "Cents", Amount: client.MustAmount("10.50")})
	testcheck.Expect(t, "a fractional amount (IntaSend takes whole units for links)", err, testcheck.C("refused", err != nil))
	_, err = e.c.CreatePaymentLink(e.ctx, client.PaymentLinkRequest{Title: "bad <title>"})
	wantAPIError(t, err, 400, "title")

	up, err := e.c.UpdatePaymentLink(e.ctx, l.ID, client.PaymentLinkRequest{Title: "School fees term 2", Amount: client.Units(3000), Inactive: true})
	testcheck.Must(t, "update", err)
	testcheck.Expect(t, "update", up, testcheck.C("new title", up.Title == "School fees term 2"), testcheck.C("amount 3000", up.Amount == client.Units(3000)),
		testcheck.C("inactive", !up.IsActive))
	got, err := e.c.GetPaymentLink(e.ctx, l.ID)
	testcheck.Must(t, "get", err)
	testcheck.Expect(t, "get", got, testcheck.C("the new title", got.Title == up.Title))
	list, err := e.c.ListPaymentLinks(e.ctx, 1)
	testcheck.Must(t, "list", err)
	testcheck.Expect(t, "list", list, testcheck.C("count 2", list.Count == 2))
	_, err = e.c.GetPaymentLink(e.ctx, "00000000-0000-0000-0000-000000000000")
	testcheck.Expect(t, "unknown link", err, testcheck.C("not found", client.IsNotFound(err)))
}

// TestContractSeededAccount walks every list the seeded demo account has,
// page by page, and reads each item back: whatever the simulator's demo
// data holds decodes, and the balances add up.
func TestContractSeededAccount(t *testing.T) {
	e := newEnv(t, sim.Options{Seed: true, Rand: 7, FailureRate: 0.1})
	wallets, err := e.c.AllWallets(e.ctx)
	testcheck.Must(t, "wallets", err)
	testcheck.Expect(t, "wallets", len(wallets), testcheck.C("at least 4", len(wallets) >= 4))
	for _, w := range wallets {
		sum, lines := walkStatement(t, e, w.ID)
		// A statement adds up to the wallet's current balance.
		testcheck.Check(t, fmt.Sprintf("wallet %s (%s): %d lines sum to %s", w.ID, w.Label, lines, sum), w.CurrentBalance,
			testcheck.C("the current balance", sum == w.CurrentBalance))
	}
	walked, count := walkTransactions(t, e)
	testcheck.Check(t, fmt.Sprintf("walked %d transactions", walked), count, testcheck.C("the count", walked == count))
	checkSeededRefunds(t, e)
	checkSeededSubscriptions(t, e)
	minimum := []struct {
		name  string
		min   int
		count func() (int, error)
	}{
		{"links", 2, func() (int, error) { l, err := e.c.ListPaymentLinks(e.ctx, 1); return countOf(l, err) }},
		{"customers", 10, func() (int, error) {
			l, err := e.c.ListCustomers(e.ctx, client.CustomerFilter{})
			return countOf(l, err)
		}},
		{"plans", 1, func() (int, error) { l, err := e.c.ListPlans(e.ctx, 1); return countOf(l, err) }},
	}
	for _, m := range minimum {
		n, err := m.count()
		testcheck.Must(t, m.name, err)
		testcheck.Expect(t, m.name, n, testcheck.C(fmt.Sprintf("at least %d", m.min), n >= m.min))
	}
}

// walkStatement reads a wallet's statement page by page, checking each
// line decodes whole, and returns the lines' sum and number.
func walkStatement(t *testing.T, e *env, walletID string) (sum client.Amount, lines int) {
	t.Helper()
	for page := 1; ; page++ {
		p, err := e.c.WalletTransactions(e.ctx, walletID, page)
		testcheck.Must(t, fmt.Sprintf("wallet %s page %d", walletID, page), err)
		for _, l := range p.Results {
			sum += l.Value
			lines++
			testcheck.Expect(t, "line", l, testcheck.C("an id", l.ID != ""), testcheck.C("a type", l.TransType != ""), testcheck.C("created_at", !l.CreatedAt.IsZero()))
		}
		if !p.HasNext() {
			return sum, lines
		}
	}
}

// walkTransactions reads every transactions page and returns how many it
// found and what the last page's count said.
func walkTransactions(t *testing.T, e *env) (walked, count int) {
	t.Helper()
	for page := 1; ; page++ {
		p, err := e.c.Transactions(e.ctx, client.TransactionFilter{Page: page})
		testcheck.Must(t, fmt.Sprintf("transactions page %d", page), err)
		walked += len(p.Results)
		if !p.HasNext() {
			return walked, p.Count
		}
	}
}

// checkSeededRefunds: the demo holds at least four refunds, each of an
// invoice and a positive amount.
func checkSeededRefunds(t *testing.T, e *env) {
	t.Helper()
	refunds, err := e.c.ListRefunds(e.ctx, 1)
	testcheck.Must(t, "refunds", err)
	testcheck.Expect(t, "refunds", refunds, testcheck.C("at least 4", refunds.Count >= 4))
	for _, r := range refunds.Results {
		testcheck.Check(t, "refund", r, testcheck.C("an invoice", r.Invoice != nil), testcheck.C("an invoice id", r.Invoice != nil && r.Invoice.ID != ""),
			testcheck.C("a positive amount", r.Amount > 0))
	}
}

// checkSeededSubscriptions: the demo holds active and cancelled
// subscriptions, each with a plan and a customer.
func checkSeededSubscriptions(t *testing.T, e *env) {
	t.Helper()
	subs, err := e.c.ListSubscriptions(e.ctx, 1)
	testcheck.Must(t, "subscriptions", err)
	testcheck.Expect(t, "subscriptions", subs.Count, testcheck.C("some", subs.Count != 0))
	states := map[string]bool{}
	for _, s := range subs.Results {
		states[s.Status] = true
		testcheck.Check(t, "subscription", s, testcheck.C("a plan", s.Plan != nil), testcheck.C("a customer id", s.CustomerID != ""))
	}
	testcheck.Check(t, "subscription states", states, testcheck.C("an ACTIVE one", states[client.SubscriptionActive]),
		testcheck.C("a CANCELED one", states[client.SubscriptionCanceled]))
}

package client_test

// Contract tests: the client against the simulator over real loopback HTTP.
// The simulator runs on a ManualClock, so every state machine is stepped,
// never slept on.

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
)

// sandboxPhone is IntaSend's sandbox test number: the simulator always
// completes collections from it and payouts to it.
const sandboxPhone = "254708374149"

type env struct {
	t     testing.TB
	ctx   context.Context
	srv   *sim.Server
	clock *sim.ManualClock
	url   string
	c     *client.Client
}

// newEnv starts a simulator (no random failures unless opts says so) behind
// httptest and a client pointed at it.
func newEnv(t testing.TB, opts sim.Options, copts ...client.Option) *env {
	t.Helper()
	clock := sim.NewManualClock(time.Date(2025, 10, 27, 7, 44, 23, 0, time.UTC))
	opts.Clock = clock
	if opts.FailureRate == 0 {
		opts.FailureRate = -1
	}
	srv := sim.New(opts)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	copts = append([]client.Option{client.WithBaseURL(ts.URL), client.WithRetry(fastRetry)}, copts...)
	c, err := client.New(testPub, testSecret, copts...)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: context.Background(), srv: srv, clock: clock, url: ts.URL, c: c}
}

// advance moves simulated time on and runs what fell due.
func (e *env) advance(d time.Duration) {
	e.clock.Advance(d)
	e.srv.Advance()
}

// fund collects amount into the settlement wallet by STK push and lets it
// clear; it returns the net amount credited.
func (e *env) fund(amount client.Amount) client.Amount {
	e.t.Helper()
	r, err := e.c.STKPush(e.ctx, client.STKPushRequest{Phone: sandboxPhone, Amount: amount, APIRef: "float"})
	if err != nil {
		e.t.Fatalf("fund: %v", err)
	}
	e.advance(15 * time.Second)
	e.advance(2 * time.Minute) // clearing
	st, err := e.c.PaymentStatus(e.ctx, r.Invoice.ID)
	if err != nil || st.Invoice.State != client.InvoiceComplete {
		e.t.Fatalf("fund: status %+v, %v", st, err)
	}
	return st.Invoice.NetAmount
}

func (e *env) settlement() client.Wallet {
	e.t.Helper()
	ws, err := e.c.AllWallets(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, w := range ws {
		if w.Type == client.WalletSettlement && w.Currency == "KES" {
			return w
		}
	}
	e.t.Fatal("no KES settlement wallet")
	return client.Wallet{}
}

// wantAPIError asserts err is an *APIError with status and, if given, attr.
func wantAPIError(t *testing.T, err error, status int, attr string) *client.APIError {
	t.Helper()
	var ae *client.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v (%T), want *APIError %d", err, err, status)
	}
	if ae.Status != status {
		t.Fatalf("status %d (%s), want %d", ae.Status, ae.Message(), status)
	}
	if attr != "" && ae.Attr() != attr {
		t.Fatalf("attr %q (%s), want %q", ae.Attr(), ae.Message(), attr)
	}
	if ae.Detail == "" {
		t.Fatalf("no detail in %s", ae.Body)
	}
	return ae
}

func TestContractAuth(t *testing.T) {
	e := newEnv(t, sim.Options{SecretKey: testSecret, PublishableKey: testPub})
	if _, err := e.c.ListWallets(e.ctx, 1); err != nil {
		t.Fatalf("pinned keys refused: %v", err)
	}
	other := func(pub, sec string) *client.Client {
		c, err := client.New(pub, sec, client.WithBaseURL(e.url), client.WithRetry(fastRetry))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name string
		call func() error
	}{
		{"wrong secret key", func() error {
			_, err := other(testPub, "ISSecretKey_test_00000000-0000-0000-0000-000000000000").ListWallets(e.ctx, 1)
			return err
		}},
		{"wrong publishable key", func() error {
			_, err := other("ISPubKey_test_00000000-0000-0000-0000-000000000000", testSecret).PaymentStatus(e.ctx, "NR5XKGY")
			return err
		}},
		{"wrong publishable key, checkout", func() error {
			_, err := other("ISPubKey_test_00000000-0000-0000-0000-000000000000", "").Checkout(e.ctx, client.CheckoutRequest{Amount: client.Units(10)})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !client.IsUnauthorized(err) {
				t.Fatalf("err = %v, want 401", err)
			}
			wantAPIError(t, err, 401, "")
			if strings.Contains(err.Error(), "0000-000000000000") || strings.Contains(err.Error(), "5d1e-4a3e") {
				t.Fatalf("error leaks a key: %v", err)
			}
		})
	}
	// Bank codes need no key at all.
	banks, err := other("", "ISSecretKey_test_00000000-0000-0000-0000-000000000000").BankCodes(e.ctx)
	if err != nil || len(banks) == 0 {
		t.Fatalf("bank codes without a valid key: %v", err)
	}
}

func TestContractWallets(t *testing.T) {
	e := newEnv(t, sim.Options{})
	first, err := e.c.ListWallets(e.ctx, 1)
	testcheck.Must(t, "ListWallets", err)
	testcheck.Expect(t, "a new account has one settlement wallet", first,
		testcheck.C("count 1", first.Count == 1), testcheck.C("one result", len(first.Results) == 1))
	testcheck.Expect(t, "a new account has one settlement wallet", first.Results[0],
		testcheck.C("settlement type", first.Results[0].Type == client.WalletSettlement), testcheck.C("an id", first.Results[0].ID != ""))
	w, err := e.c.CreateWallet(e.ctx, client.CreateWalletRequest{Label: "ops float", CanDisburse: true})
	testcheck.Must(t, "CreateWallet", err)
	testcheck.Expect(t, "created", w,
		testcheck.C("working type", w.Type == client.WalletWorking), testcheck.C("label ops float", w.Label == "ops float"),
		testcheck.C("can disburse", w.CanDisburse), testcheck.C("KES", w.Currency == "KES"), testcheck.C("created_at", !w.CreatedAt.IsZero()))
	got, err := e.c.GetWallet(e.ctx, w.ID)
	testcheck.Must(t, "GetWallet", err)
	testcheck.Expect(t, "GetWallet", got, testcheck.C("same id", got.ID == w.ID), testcheck.C("zero balance", got.AvailableBalance == 0))
	_, err = e.c.GetWallet(e.ctx, "NOPE999")
	testcheck.Expect(t, "unknown wallet", err, testcheck.C("not found", client.IsNotFound(err)))

	refused := []struct {
		name string
		req  client.CreateWalletRequest
		attr string
	}{
		{"bad label", client.CreateWalletRequest{Label: "bad<label>"}, "label"},
		{"unknown currency", client.CreateWalletRequest{Label: "euro", Currency: "XYZ"}, "currency"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.c.CreateWallet(e.ctx, tt.req)
			wantAPIError(t, err, 400, tt.attr)
		})
	}
	checkWalletPages(t, e)
}

// checkWalletPages adds 150 wallets to the two an account has, so the list
// spills onto a second page, and walks the pages.
func checkWalletPages(t *testing.T, e *env) {
	t.Helper()
	for i := range 150 {
		_, err := e.c.CreateWallet(e.ctx, client.CreateWalletRequest{Label: "w" + string(rune('a'+i%26))})
		testcheck.Must(t, "CreateWallet", err)
	}
	p1, err := e.c.ListWallets(e.ctx, 1)
	testcheck.Must(t, "page 1", err)
	testcheck.Expect(t, "page 1", p1, testcheck.C("a next page", p1.HasNext()), testcheck.C("no previous", p1.Previous == ""), testcheck.C("count 152", p1.Count == 152))
	p2, err := e.c.ListWallets(e.ctx, 2)
	testcheck.Must(t, "page 2", err)
	testcheck.Expect(t, "page 2", p2, testcheck.C("no next page", !p2.HasNext()), testcheck.C("a previous", p2.Previous != ""),
		testcheck.C("152 results over both pages", len(p1.Results)+len(p2.Results) == 152))
	all, err := e.c.AllWallets(e.ctx)
	testcheck.Must(t, "AllWallets", err)
	testcheck.Expect(t, "AllWallets", len(all), testcheck.C("152 wallets", len(all) == 152))
	_, err = e.c.ListWallets(e.ctx, 99)
	testcheck.Expect(t, "page 99", err, testcheck.C("DRF's 404 Invalid page", client.IsNotFound(err)))
}

func TestContractSTKPush(t *testing.T) {
	e := newEnv(t, sim.Options{})
	before := e.settlement()
	r, err := e.c.STKPush(e.ctx, client.STKPushRequest{Phone: "0708 374 149", Amount: client.Units(1000), APIRef: "order-42", Name: "Jane Doe", Email: "jane@example.com", Narrative: "Order 42"})
	testcheck.Must(t, "STKPush", err)
	inv := r.Invoice
	testcheck.Expect(t, "stk push answer", r,
		testcheck.C("an invoice id", inv.ID != ""), testcheck.C("PENDING", inv.State == client.InvoicePending),
		testcheck.C("value 1000", inv.Value == client.Units(1000)), testcheck.C("account normalised", inv.Account == sandboxPhone),
		testcheck.C("api_ref echoed", inv.APIRef == "order-42"), testcheck.C("an id", r.ID != ""))
	testcheck.Expect(t, "customer", r.Customer, testcheck.C("phone normalised", r.Customer.PhoneNumber == sandboxPhone))
	states := pollInvoiceStates(t, e, inv.ID, 4, 3*time.Second)
	st, err := e.c.PaymentStatus(e.ctx, inv.ID)
	testcheck.Must(t, "PaymentStatus", err)
	testcheck.Expect(t, fmt.Sprintf("after 12 s (states %v)", states), st.Invoice,
		testcheck.C("COMPLETE", st.Invoice.State == client.InvoiceComplete), testcheck.C("final", st.Invoice.Final()), testcheck.C("a meta id", st.Meta.ID != ""))
	testcheck.Expect(t, "states", states, testcheck.C("PENDING first", states[0] == client.InvoicePending),
		testcheck.C("PROCESSING on the way", strings.Contains(strings.Join(states, " "), client.InvoiceProcessing)))
	testcheck.Expect(t, "charges", st.Invoice, testcheck.C("charges + net = value", st.Invoice.Charges+st.Invoice.NetAmount == st.Invoice.Value),
		testcheck.C("charges > 0", st.Invoice.Charges > 0), testcheck.C("an M-Pesa reference", st.Invoice.MpesaReference != ""))
	// Clearing: the money is current now, available after clearing.
	mid := e.settlement()
	testcheck.Expect(t, "while clearing", mid, testcheck.C("current up by net", mid.CurrentBalance-before.CurrentBalance == st.Invoice.NetAmount),
		testcheck.C("available unchanged", mid.AvailableBalance == before.AvailableBalance))
	e.advance(2 * time.Minute)
	after := e.settlement()
	testcheck.Expect(t, "available moved", after.AvailableBalance-before.AvailableBalance,
		testcheck.C("by the net amount "+st.Invoice.NetAmount.String(), after.AvailableBalance-before.AvailableBalance == st.Invoice.NetAmount))
	checkSaleStatement(t, e, after.ID, st.Invoice)
	checkCustomersFromCollections(t, e)
}

// pollInvoiceStates reads an invoice's status n times, step apart, and
// returns the distinct states in the order seen.
func pollInvoiceStates(t *testing.T, e *env, id string, n int, step time.Duration) []string {
	t.Helper()
	states := []string{}
	for range n {
		st, err := e.c.PaymentStatus(e.ctx, id)
		testcheck.Must(t, "PaymentStatus", err)
		if k := len(states); k == 0 || states[k-1] != st.Invoice.State {
			states = append(states, st.Invoice.State)
		}
		e.advance(step)
	}
	return states
}

// checkSaleStatement finds a cleared collection's sale and charge in the
// wallet's statement and in the transactions list.
func checkSaleStatement(t *testing.T, e *env, walletID string, inv client.Invoice) {
	t.Helper()
	lines, err := e.c.WalletTransactions(e.ctx, walletID, 1)
	testcheck.Must(t, "WalletTransactions", err)
	var sale, charge client.Amount
	for _, l := range lines.Results {
		switch l.TransType {
		case "SALE":
			sale += l.Value
		case "CHARGE":
			charge += l.Value
		}
		testcheck.Check(t, "line "+l.ID+" after clearing", l.Status, testcheck.C("AVAILABLE", l.Status == "AVAILABLE"))
	}
	testcheck.Expect(t, "statement", fmt.Sprintf("sale %s charge %s", sale, charge),
		testcheck.C("sale = value", sale == inv.Value), testcheck.C("-charge = charges", -charge == inv.Charges))
	sales, err := e.c.Transactions(e.ctx, client.TransactionFilter{TransType: "SALE", WalletID: walletID, StartDate: "2025-10-27", EndDate: "2025-10-27"})
	testcheck.Must(t, "Transactions(SALE)", err)
	testcheck.Expect(t, "Transactions(SALE)", sales, testcheck.C("count 1", sales.Count == 1), testcheck.C("one result", len(sales.Results) == 1))
	testcheck.Expect(t, "Transactions(SALE)", sales.Results[0], testcheck.C("the invoice's value", sales.Results[0].Value == inv.Value))
	one, err := e.c.GetTransaction(e.ctx, sales.Results[0].ID)
	testcheck.Must(t, "GetTransaction", err)
	testcheck.Expect(t, "GetTransaction", one, testcheck.C("same id", one.ID == sales.Results[0].ID))
	_, err = e.c.Transactions(e.ctx, client.TransactionFilter{StartDate: "27/10/2025"})
	testcheck.Expect(t, "a bad date", err, testcheck.C("refused", err != nil))
	wantAPIError(t, err, 400, "start_date")
}

// checkCustomersFromCollections: the one collection made one customer.
func checkCustomersFromCollections(t *testing.T, e *env) {
	t.Helper()
	cs, err := e.c.ListCustomers(e.ctx, client.CustomerFilter{})
	testcheck.Must(t, "ListCustomers", err)
	testcheck.Expect(t, "ListCustomers", cs, testcheck.C("count 1", cs.Count == 1), testcheck.C("one result", len(cs.Results) == 1))
	testcheck.Expect(t, "ListCustomers", cs.Results[0], testcheck.C("the sandbox phone", cs.Results[0].PhoneNumber == sandboxPhone))
	cu, err := e.c.GetCustomer(e.ctx, cs.Results[0].ID)
	testcheck.Must(t, "GetCustomer", err)
	testcheck.Expect(t, "GetCustomer", cu, testcheck.C("same id", cu.ID == cs.Results[0].ID))
	_, err = e.c.GetCustomer(e.ctx, "NOPE999")
	testcheck.Expect(t, "unknown customer", err, testcheck.C("not found", client.IsNotFound(err)))
}

func TestContractSTKPushFailures(t *testing.T) {
	e := newEnv(t, sim.Options{})
	r, err := e.c.STKPush(e.ctx, client.STKPushRequest{Phone: "0700000001", Amount: client.Units(50)})
	if err != nil {
		t.Fatal(err)
	}
	e.advance(15 * time.Second)
	st, err := e.c.PaymentStatus(e.ctx, r.Invoice.ID)
	if err != nil || st.Invoice.State != client.InvoiceFailed || st.Invoice.FailedReason == "" || st.Invoice.FailedCode != "1" {
		t.Fatalf("insufficient-funds phone: %+v, %v", st, err)
	}
	tests := []struct {
		name string
		req  client.STKPushRequest
		attr string
	}{
		{"over the M-Pesa limit", client.STKPushRequest{Phone: sandboxPhone, Amount: client.Units(150_001)}, "amount"},
		{"not KES", client.STKPushRequest{Phone: sandboxPhone, Amount: client.Units(5), Currency: "USD"}, "currency"},
		{"bad api_ref", client.STKPushRequest{Phone: sandboxPhone, Amount: client.Units(5), APIRef: "a<b>"}, "api_ref"},
		{"unknown wallet", client.STKPushRequest{Phone: sandboxPhone, Amount: client.Units(5), WalletID: "NOPE999"}, "wallet_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.c.STKPush(e.ctx, tt.req)
			wantAPIError(t, err, 400, tt.attr)
		})
	}
	_, err = e.c.PaymentStatus(e.ctx, "NOPE999")
	if !client.IsNotFound(err) {
		t.Fatalf("unknown invoice: %v", err)
	}
}

func TestContractCheckout(t *testing.T) {
	e := newEnv(t, sim.Options{})
	co, err := e.c.Checkout(e.ctx, client.CheckoutRequest{Amount: client.MustAmount("250.50"), Email: "jane@example.com",
		FirstName: "Jane", LastName: "Doe", APIRef: "cart-7", RedirectURL: "https://shop.example.com/done"})
	testcheck.Must(t, "Checkout", err)
	testcheck.Expect(t, "checkout", co, testcheck.C("an id", co.ID != ""), testcheck.C("an http url", strings.HasPrefix(co.URL, "http")),
		testcheck.C("a signature", co.Signature != ""), testcheck.C("not paid", !co.Paid), testcheck.C("amount 250.50", co.Amount == client.MustAmount("250.50")))
	d, err := e.c.CheckoutDetails(e.ctx, co.ID, co.Signature)
	testcheck.Must(t, "details before paying", err)
	testcheck.Expect(t, "details before paying", d, testcheck.C("not paid", !d.Paid), testcheck.C("api_ref cart-7", d.APIRef == "cart-7"))
	invID, err := e.srv.PayCheckout(co.ID)
	testcheck.Must(t, "PayCheckout", err)
	e.advance(15 * time.Second)
	d, err = e.c.CheckoutDetails(e.ctx, co.ID, co.Signature)
	testcheck.Must(t, "details after paying", err)
	testcheck.Expect(t, "details after paying", d, testcheck.C("paid", d.Paid))
	st, err := e.c.PaymentStatus(e.ctx, invID)
	testcheck.Must(t, "checkout invoice", err)
	testcheck.Expect(t, "checkout invoice", st, testcheck.C("COMPLETE", st.Invoice.State == client.InvoiceComplete))
	_, err = e.c.CheckoutDetails(e.ctx, co.ID, "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.forged")
	testcheck.Expect(t, "a forged signature", err, testcheck.C("refused", err != nil))
	_, err = e.c.Checkout(e.ctx, client.CheckoutRequest{Amount: client.Units(10), Email: "not-an-email"})
	wantAPIError(t, err, 400, "email")
}

func TestContractIntraTransfer(t *testing.T) {
	e := newEnv(t, sim.Options{})
	net := e.fund(client.Units(2000))
	from := e.settlement()
	to, err := e.c.CreateWallet(e.ctx, client.CreateWalletRequest{Label: "payroll", CanDisburse: true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.c.IntraTransfer(e.ctx, from.ID, client.IntraTransferRequest{ToWalletID: to.ID, Amount: client.MustAmount("500.25"), Narrative: "payroll float"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Origin.ID != from.ID || res.Destination.ID != to.ID ||
		res.Origin.AvailableBalance != net-client.MustAmount("500.25") || res.Destination.AvailableBalance != client.MustAmount("500.25") {
		t.Fatalf("transfer result %+v", res)
	}
	_, err = e.c.IntraTransfer(e.ctx, from.ID, client.IntraTransferRequest{ToWalletID: to.ID, Amount: client.Units(1_000_000), Narrative: "too much"})
	ae := wantAPIError(t, err, 400, "amount")
	if ae.Code() != "insufficient_balance" {
		t.Fatalf("code %q", ae.Code())
	}
	_, err = e.c.IntraTransfer(e.ctx, from.ID, client.IntraTransferRequest{ToWalletID: "NOPE999", Amount: client.Units(1), Narrative: "x"})
	wantAPIError(t, err, 400, "wallet_id")
	_, err = e.c.IntraTransfer(e.ctx, "NOPE999", client.IntraTransferRequest{ToWalletID: to.ID, Amount: client.Units(1), Narrative: "x"})
	if !client.IsNotFound(err) {
		t.Fatalf("unknown origin: %v", err)
	}
}

func TestContractBanks(t *testing.T) {
	e := newEnv(t, sim.Options{})
	banks, err := e.c.BankCodes(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	byCode := map[string]string{}
	for _, b := range banks {
		byCode[b.Code] = b.Name
	}
	if len(banks) < 20 || byCode["1"] == "" || byCode["68"] == "" {
		t.Fatalf("%d banks; want IntaSend's list with KCB (1) and Equity (68): %v", len(banks), byCode)
	}
}

// payoutItems is n B2C payments of KES 100 each to the sandbox number.
func payoutItems(n int) []client.PayoutItem {
	items := make([]client.PayoutItem, n)
	for i := range items {
		items[i] = client.PayoutItem{Name: "Jane Doe", Account: sandboxPhone, Amount: client.Units(100), Narrative: "salary"}
	}
	return items
}

func TestContractPayoutLifecycle(t *testing.T) {
	e := newEnv(t, sim.Options{})
	e.fund(client.Units(10_000))
	before := e.settlement()

	b, err := e.c.InitiatePayout(e.ctx, client.InitiateRequest{Provider: client.MPesaB2C,
		BatchReference: "payroll-oct", Transactions: append(payoutItems(2),
			client.PayoutItem{Name: "Fails", Account: sim.MagicFailAccount, Amount: client.Units(300), Narrative: "bonus"})})
	testcheck.Must(t, "InitiatePayout", err)
	checkInitiateAnswer(t, b)
	// Nothing moves before approval.
	e.advance(time.Minute)
	s := e.settlement()
	testcheck.Expect(t, "before approval", s, testcheck.C("no money moved from "+before.AvailableBalance.String(), s.AvailableBalance == before.AvailableBalance))

	ap, err := e.c.ApprovePayout(e.ctx, b)
	testcheck.Must(t, "ApprovePayout", err)
	testcheck.Expect(t, "approve answer", ap, testcheck.C("approved", ap.Approved()), testcheck.C("nonce spent", ap.Nonce == ""))
	_, err = e.c.ApprovePayout(e.ctx, b)
	ae := wantAPIError(t, err, 400, "")
	testcheck.Expect(t, "second approve", ae.Code(), testcheck.C("code already_approved", ae.Code() == "already_approved"))
	n := e.srv.Counters().Approved[b.TrackingID]
	testcheck.Expect(t, "approvals", n, testcheck.C("exactly one", n == 1))

	codes := pollBatchCodes(t, e, b.TrackingID, 12, time.Second)
	st, err := e.c.PayoutStatus(e.ctx, b.TrackingID)
	testcheck.Must(t, "PayoutStatus", err)
	testcheck.Expect(t, fmt.Sprintf("batch went %v", codes), st.StatusCode, testcheck.C("COMPLETED", st.StatusCode == client.BatchCompleted),
		testcheck.C("final", st.Final()), testcheck.C("QUEUED first", codes[0] == client.BatchQueued))
	ok, failed := countPayoutOutcomes(t, st.Transactions)
	testcheck.Expect(t, "outcomes", fmt.Sprintf("paid %d (%s), failed %d (%s)", ok, st.PaidAmount, failed, st.FailedAmount),
		testcheck.C("2 paid", ok == 2), testcheck.C("1 failed", failed == 1),
		testcheck.C("paid 200", st.PaidAmount == client.Units(200)), testcheck.C("failed 300", st.FailedAmount == client.Units(300)))
	// The wallet moved by exactly what was paid plus its charges.
	after := e.settlement()
	moved := before.AvailableBalance - after.AvailableBalance
	testcheck.Expect(t, "wallet moved "+moved.String(), after, testcheck.C("paid + charges", moved == st.PaidAmount+st.ActualCharges),
		testcheck.C("nothing still held", after.CurrentBalance == after.AvailableBalance))
	payouts, err := e.c.Transactions(e.ctx, client.TransactionFilter{TransType: "PAYOUT"})
	testcheck.Must(t, "PAYOUT lines", err)
	testcheck.Expect(t, "PAYOUT lines", payouts, testcheck.C("2 lines", payouts.Count == 2))
}

// checkInitiateAnswer checks a fresh three-item batch of KES 500 waiting
// for approval.
func checkInitiateAnswer(t *testing.T, b *client.Batch) {
	t.Helper()
	testcheck.Expect(t, "initiate answer", b,
		testcheck.C("waiting approval", b.StatusCode == client.BatchWaitingApproval), testcheck.C("WaitingApproval()", b.WaitingApproval()),
		testcheck.C("a nonce", b.Nonce != ""), testcheck.C("a nonce of at most 6", len(b.Nonce) <= 6),
		testcheck.C("a tracking id", b.TrackingID != ""), testcheck.C("a file id", b.FileID != ""),
		testcheck.C("total 500", b.TotalAmount == client.Units(500)), testcheck.C("3 transactions", b.TransactionsCount == 3),
		testcheck.C("reference payroll-oct", b.BatchReference == "payroll-oct"), testcheck.C("a wallet", b.Wallet != nil), testcheck.C("raw kept", len(b.Raw) != 0))
	testcheck.Expect(t, "estimate", b, testcheck.C("estimate = total + charges", b.TotalAmountEstimate == b.TotalAmount+b.ChargeEstimate),
		testcheck.C("charges > 0", b.ChargeEstimate > 0))
	for _, tx := range b.Transactions {
		testcheck.Expect(t, "new transaction", tx, testcheck.C("TP101", tx.StatusCode == "TP101"), testcheck.C("a request reference", tx.RequestReferenceID != ""))
	}
}

// pollBatchCodes reads a batch's status n times, step apart, and returns
// the distinct status codes in the order seen.
func pollBatchCodes(t *testing.T, e *env, trackingID string, n int, step time.Duration) []string {
	t.Helper()
	codes := []string{}
	for range n {
		st, err := e.c.PayoutStatus(e.ctx, trackingID)
		testcheck.Must(t, "PayoutStatus", err)
		if k := len(codes); k == 0 || codes[k-1] != st.StatusCode {
			codes = append(codes, st.StatusCode)
		}
		e.advance(step)
	}
	return codes
}

// countPayoutOutcomes counts paid (TS100) and failed (TF106) transactions,
// checking each carries what its outcome needs.
func countPayoutOutcomes(t *testing.T, txs []client.PayoutResult) (ok, failed int) {
	t.Helper()
	for _, tx := range txs {
		switch tx.StatusCode {
		case "TS100":
			ok++
			testcheck.Check(t, "paid transaction", tx, testcheck.C("a provider reference", tx.ProviderReference != ""), testcheck.C("a transaction id", tx.TransactionID != ""))
		case "TF106":
			failed++
			testcheck.Check(t, "failed transaction", tx, testcheck.C("a reason", tx.StatusDescription != ""))
		}
	}
	return ok, failed
}

func TestContractPayoutCancelAndErrors(t *testing.T) {
	e := newEnv(t, sim.Options{})
	b, err := e.c.InitiatePayout(e.ctx, client.InitiateRequest{Provider: client.MPesaB2C, Transactions: payoutItems(1)})
	if err != nil {
		t.Fatal(err)
	}
	c, err := e.c.CancelPayout(e.ctx, b.FileID)
	if err != nil || c.StatusCode != client.BatchEnded || !c.Final() {
		t.Fatalf("cancel = %+v, %v", c, err)
	}
	_, err = e.c.ApprovePayout(e.ctx, b)
	if ae := wantAPIError(t, err, 400, ""); ae.Code() != "batch_cancelled" {
		t.Fatalf("approve after cancel: %v", err)
	}
	_, err = e.c.ApproveOnce(e.ctx, b)
	wantAPIError(t, err, 400, "")
	_, err = e.c.CancelPayout(e.ctx, b.FileID)
	wantAPIError(t, err, 400, "")
	if _, err := e.c.CancelPayout(e.ctx, "NOPE999"); !client.IsNotFound(err) {
		t.Fatalf("cancel unknown: %v", err)
	}
	if _, err := e.c.PayoutStatus(e.ctx, "00000000-0000-0000-0000-000000000000"); !client.IsNotFound(err) {
		t.Fatalf("status unknown: %v", err)
	}

	// requires_approval NO: the batch runs at once and approve is refused.
	e.fund(client.Units(1000))
	nb, err := e.c.InitiatePayout(e.ctx, client.InitiateRequest{Provider: client.MPesaB2C, SkipApproval: true, Transactions: payoutItems(1)})
	if err != nil || nb.WaitingApproval() {
		t.Fatalf("no-approval batch: %+v, %v", nb, err)
	}
	if _, err := e.c.ApprovePayout(e.ctx, nb); err == nil {
		t.Fatal("approve of a batch that needs none was accepted")
	}

	tests := []struct {
		name string
		req  client.InitiateRequest
		attr string
	}{
		{"bad account", client.InitiateRequest{Provider: client.MPesaB2C, Transactions: []client.PayoutItem{{Name: "x", Account: "07abc", Amount: client.Units(100)}}}, "transactions.0.account"},
		{"zero amount", client.InitiateRequest{Provider: client.MPesaB2C, Transactions: []client.PayoutItem{{Name: "x", Account: sandboxPhone}}}, "transactions.0.amount"},
		{"paybill lower-case", client.InitiateRequest{Provider: client.MPesaB2B, Transactions: []client.PayoutItem{{Name: "KPLC", Account: "888880", AccountType: "Paybill", AccountReference: "123", Amount: client.Units(100), Narrative: "bill"}}}, "transactions.0.account_type"},
		{"pesalink without bank", client.InitiateRequest{Provider: client.PesaLink, Transactions: []client.PayoutItem{{Name: "x", Account: "1234567890", Amount: client.Units(500), Narrative: "rent"}}}, "transactions.0.bank_code"},
		{"bad currency", client.InitiateRequest{Provider: client.MPesaB2C, Currency: "XYZ", Transactions: payoutItems(1)}, "currency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.c.InitiatePayout(e.ctx, tt.req)
			wantAPIError(t, err, 400, tt.attr)
		})
	}
	// Other rails initiate with their own fields.
	rails := []client.InitiateRequest{
		{Provider: client.MPesaB2B, Transactions: []client.PayoutItem{{Name: "KPLC", Account: "888880", AccountType: client.PayBill, AccountReference: "1234567", Amount: client.Units(500), Narrative: "power"}}},
		{Provider: client.PesaLink, Transactions: []client.PayoutItem{{Name: "Jane Doe", Account: "1234567890", BankCode: "1", Amount: client.Units(500), Narrative: "rent"}}},
		{Provider: client.Airtime, Transactions: []client.PayoutItem{{Account: "254712345678", Amount: client.Units(50), Narrative: "airtime"}}},
		{Provider: client.IntaSendP2P, Transactions: []client.PayoutItem{{Name: "Jane", Account: "254712345678", Amount: client.Units(50), Narrative: "p2p"}}},
	}
	for _, r := range rails {
		if b, err := e.c.InitiatePayout(e.ctx, r); err != nil || b.StatusCode != client.BatchWaitingApproval {
			t.Errorf("%s: %+v, %v", r.Provider, b, err)
		}
	}
}

func TestContractSignedApproval(t *testing.T) {
	keyPEM, err := os.ReadFile("testdata/device-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	key, err := client.ParsePrivateKeyPEM(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, sim.Options{Devices: map[string]*rsa.PublicKey{"DEV1": &key.PublicKey}}, client.WithSigner(client.NewRSASigner(key)))
	e.fund(client.Units(1000))
	unsigned, err := client.New(testPub, testSecret, client.WithBaseURL(e.url))
	if err != nil {
		t.Fatal(err)
	}

	b, err := e.c.InitiatePayout(e.ctx, client.InitiateRequest{Provider: client.MPesaB2C, DeviceID: "DEV1", Transactions: payoutItems(1)})
	if err != nil {
		t.Fatal(err)
	}
	if b.DeviceID != "DEV1" {
		t.Fatalf("device_id echoed as %q", b.DeviceID)
	}
	// Unsigned (the nonce as is) is refused for a device batch.
	_, err = unsigned.ApprovePayout(e.ctx, b)
	wantAPIError(t, err, 400, "nonce")
	// Signed by the device key: accepted, once.
	ap, err := e.c.ApproveOnce(e.ctx, b)
	if err != nil || !ap.Approved() {
		t.Fatalf("signed approve: %+v, %v", ap, err)
	}
	if n := e.srv.Counters().Approved[b.TrackingID]; n != 1 {
		t.Fatalf("approved %d times", n)
	}
	// An unknown device is refused at initiate with IntaSend's {"details"} shape.
	_, err = e.c.InitiatePayout(e.ctx, client.InitiateRequest{Provider: client.MPesaB2C, DeviceID: "DEV9", Transactions: payoutItems(1)})
	if ae := wantAPIError(t, err, 400, ""); !strings.Contains(strings.ToLower(ae.Detail), "device") {
		t.Fatalf("unknown device: %v", err)
	}
}

// A batch approved elsewhere cannot be approved again through ApproveOnce
// either: the status shows it approved and ApproveOnce reports that without
// a second approval.
func TestContractApproveOnceAlreadyApproved(t *testing.T) {
	e := newEnv(t, sim.Options{})
	e.fund(client.Units(1000))
	b, err := e.c.InitiatePayout(e.ctx, client.InitiateRequest{Provider: client.MPesaB2C, Transactions: payoutItems(1)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.c.ApproveOnce(e.ctx, b); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.ApproveOnce(e.ctx, b)
	if ae := wantAPIError(t, err, 400, ""); ae.Code() != "already_approved" {
		t.Fatalf("second ApproveOnce: %v", err)
	}
	if n := e.srv.Counters().Approved[b.TrackingID]; n != 1 {
		t.Fatalf("approved %d times", n)
	}
}

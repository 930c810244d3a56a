package client_test

// Contract tests: the client against the simulator over real loopback HTTP.
// The simulator runs on a ManualClock, so every state machine is stepped,
// never slept on.

import (
	"context"
	"crypto/rsa"
	"errors"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
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
	if err != nil {
		t.Fatal(err)
	}
	if first.Count != 1 || len(first.Results) != 1 || first.Results[0].Type != client.WalletSettlement || first.Results[0].ID == "" {
		t.Fatalf("a new account has one settlement wallet, got %+v", first)
	}
	w, err := e.c.CreateWallet(e.ctx, client.CreateWalletRequest{Label: "ops float", CanDisburse: true})
	if err != nil {
		t.Fatal(err)
	}
	if w.Type != client.WalletWorking || w.Label != "ops float" || !w.CanDisburse || w.Currency != "KES" || w.CreatedAt.IsZero() {
		t.Fatalf("created %+v", w)
	}
	got, err := e.c.GetWallet(e.ctx, w.ID)
	if err != nil || got.ID != w.ID || got.AvailableBalance != 0 {
		t.Fatalf("GetWallet = %+v, %v", got, err)
	}
	_, err = e.c.GetWallet(e.ctx, "NOPE999")
	if !client.IsNotFound(err) {
		t.Fatalf("unknown wallet: %v", err)
	}
	_, err = e.c.CreateWallet(e.ctx, client.CreateWalletRequest{Label: "bad<label>"})
	wantAPIError(t, err, 400, "label")
	_, err = e.c.CreateWallet(e.ctx, client.CreateWalletRequest{Label: "euro", Currency: "XYZ"})
	wantAPIError(t, err, 400, "currency")

	// Pagination: 150 more wallets spill onto a second page.
	for i := range 150 {
		if _, err := e.c.CreateWallet(e.ctx, client.CreateWalletRequest{Label: "w" + string(rune('a'+i%26))}); err != nil {
			t.Fatal(err)
		}
	}
	p1, err := e.c.ListWallets(e.ctx, 1)
	if err != nil || !p1.HasNext() || p1.Previous != "" || p1.Count != 152 {
		t.Fatalf("page 1: count %d next %q, %v", p1.Count, p1.Next, err)
	}
	p2, err := e.c.ListWallets(e.ctx, 2)
	if err != nil || p2.HasNext() || p2.Previous == "" || len(p1.Results)+len(p2.Results) != 152 {
		t.Fatalf("page 2: %d results, next %q prev %q, %v", len(p2.Results), p2.Next, p2.Previous, err)
	}
	all, err := e.c.AllWallets(e.ctx)
	if err != nil || len(all) != 152 {
		t.Fatalf("AllWallets: %d, %v", len(all), err)
	}
	_, err = e.c.ListWallets(e.ctx, 99)
	if !client.IsNotFound(err) {
		t.Fatalf("page 99: %v, want DRF's 404 Invalid page", err)
	}
}

func TestContractSTKPush(t *testing.T) {
	e := newEnv(t, sim.Options{})
	before := e.settlement()
	r, err := e.c.STKPush(e.ctx, client.STKPushRequest{Phone: "0708 374 149", Amount: client.Units(1000), APIRef: "order-42", Name: "Jane Doe", Email: "jane@example.com", Narrative: "Order 42"})
	if err != nil {
		t.Fatal(err)
	}
	inv := r.Invoice
	if inv.ID == "" || inv.State != client.InvoicePending || inv.Value != client.Units(1000) || inv.Account != sandboxPhone || inv.APIRef != "order-42" || r.ID == "" {
		t.Fatalf("stk push answer %+v", r)
	}
	if r.Customer.PhoneNumber != sandboxPhone {
		t.Fatalf("customer %+v", r.Customer)
	}
	states := []string{}
	for range 4 {
		st, err := e.c.PaymentStatus(e.ctx, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(states); n == 0 || states[n-1] != st.Invoice.State {
			states = append(states, st.Invoice.State)
		}
		e.advance(3 * time.Second)
	}
	st, err := e.c.PaymentStatus(e.ctx, inv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Invoice.State != client.InvoiceComplete || !st.Invoice.Final() || st.Meta.ID == "" {
		t.Fatalf("after 12 s: %+v (states %v)", st.Invoice, states)
	}
	if states[0] != client.InvoicePending || !strings.Contains(strings.Join(states, " "), client.InvoiceProcessing) {
		t.Fatalf("states went %v, want PENDING → PROCESSING → COMPLETE", states)
	}
	if st.Invoice.Charges+st.Invoice.NetAmount != st.Invoice.Value || st.Invoice.Charges <= 0 || st.Invoice.MpesaReference == "" {
		t.Fatalf("charges %s + net %s != value %s", st.Invoice.Charges, st.Invoice.NetAmount, st.Invoice.Value)
	}
	// Clearing: the money is current now, available after clearing.
	mid := e.settlement()
	if mid.CurrentBalance-before.CurrentBalance != st.Invoice.NetAmount || mid.AvailableBalance != before.AvailableBalance {
		t.Fatalf("while clearing: %+v", mid)
	}
	e.advance(2 * time.Minute)
	after := e.settlement()
	if after.AvailableBalance-before.AvailableBalance != st.Invoice.NetAmount {
		t.Fatalf("available moved %s, want net %s", after.AvailableBalance-before.AvailableBalance, st.Invoice.NetAmount)
	}

	// The sale and its charge are in the statements.
	lines, err := e.c.WalletTransactions(e.ctx, after.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	var sale, charge client.Amount
	for _, l := range lines.Results {
		switch l.TransType {
		case "SALE":
			sale += l.Value
		case "CHARGE":
			charge += l.Value
		}
		if l.Status != "AVAILABLE" {
			t.Errorf("line %s still %s after clearing", l.ID, l.Status)
		}
	}
	if sale != st.Invoice.Value || -charge != st.Invoice.Charges {
		t.Fatalf("statement: sale %s charge %s", sale, charge)
	}
	sales, err := e.c.Transactions(e.ctx, client.TransactionFilter{TransType: "SALE", WalletID: after.ID, StartDate: "2025-10-27", EndDate: "2025-10-27"})
	if err != nil || sales.Count != 1 || sales.Results[0].Value != st.Invoice.Value {
		t.Fatalf("Transactions(SALE) = %+v, %v", sales, err)
	}
	one, err := e.c.GetTransaction(e.ctx, sales.Results[0].ID)
	if err != nil || one.ID != sales.Results[0].ID {
		t.Fatalf("GetTransaction = %+v, %v", one, err)
	}
	if _, err := e.c.Transactions(e.ctx, client.TransactionFilter{StartDate: "27/10/2025"}); err == nil {
		t.Fatal("a bad date was accepted")
	} else {
		wantAPIError(t, err, 400, "start_date")
	}

	// Customers come from collections.
	cs, err := e.c.ListCustomers(e.ctx, client.CustomerFilter{})
	if err != nil || cs.Count != 1 || cs.Results[0].PhoneNumber != sandboxPhone {
		t.Fatalf("ListCustomers = %+v, %v", cs, err)
	}
	cu, err := e.c.GetCustomer(e.ctx, cs.Results[0].ID)
	if err != nil || cu.ID != cs.Results[0].ID {
		t.Fatalf("GetCustomer = %+v, %v", cu, err)
	}
	if _, err := e.c.GetCustomer(e.ctx, "NOPE999"); !client.IsNotFound(err) {
		t.Fatalf("unknown customer: %v", err)
	}
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
	if err != nil {
		t.Fatal(err)
	}
	if co.ID == "" || !strings.HasPrefix(co.URL, "http") || co.Signature == "" || co.Paid || co.Amount != client.MustAmount("250.50") {
		t.Fatalf("checkout %+v", co)
	}
	d, err := e.c.CheckoutDetails(e.ctx, co.ID, co.Signature)
	if err != nil || d.Paid || d.APIRef != "cart-7" {
		t.Fatalf("details before paying: %+v, %v", d, err)
	}
	invID, err := e.srv.PayCheckout(co.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.advance(15 * time.Second)
	d, err = e.c.CheckoutDetails(e.ctx, co.ID, co.Signature)
	if err != nil || !d.Paid {
		t.Fatalf("details after paying: %+v, %v", d, err)
	}
	st, err := e.c.PaymentStatus(e.ctx, invID)
	if err != nil || st.Invoice.State != client.InvoiceComplete {
		t.Fatalf("checkout invoice: %+v, %v", st, err)
	}
	_, err = e.c.CheckoutDetails(e.ctx, co.ID, "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.forged")
	if err == nil {
		t.Fatal("a forged signature was accepted")
	}
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
	if err != nil {
		t.Fatal(err)
	}
	if b.StatusCode != client.BatchWaitingApproval || !b.WaitingApproval() || b.Nonce == "" || len(b.Nonce) > 6 || b.TrackingID == "" || b.FileID == "" ||
		b.TotalAmount != client.Units(500) || b.TransactionsCount != 3 || b.BatchReference != "payroll-oct" || b.Wallet == nil || len(b.Raw) == 0 {
		t.Fatalf("initiate answer %+v", b)
	}
	if b.TotalAmountEstimate != b.TotalAmount+b.ChargeEstimate || b.ChargeEstimate <= 0 {
		t.Fatalf("estimate %s total %s charges %s", b.TotalAmountEstimate, b.TotalAmount, b.ChargeEstimate)
	}
	for _, tx := range b.Transactions {
		if tx.StatusCode != "TP101" || tx.RequestReferenceID == "" {
			t.Fatalf("new transaction %+v", tx)
		}
	}
	// Nothing moves before approval.
	e.advance(time.Minute)
	if s := e.settlement(); s.AvailableBalance != before.AvailableBalance {
		t.Fatalf("money moved before approval: %s → %s", before.AvailableBalance, s.AvailableBalance)
	}

	ap, err := e.c.ApprovePayout(e.ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if !ap.Approved() || ap.Nonce != "" {
		t.Fatalf("approve answer %s %q nonce %q", ap.StatusCode, ap.Status, ap.Nonce)
	}
	_, err = e.c.ApprovePayout(e.ctx, b)
	ae := wantAPIError(t, err, 400, "")
	if ae.Code() != "already_approved" {
		t.Fatalf("second approve: code %q", ae.Code())
	}
	if n := e.srv.Counters().Approved[b.TrackingID]; n != 1 {
		t.Fatalf("approved %d times", n)
	}

	codes := []string{}
	for range 12 {
		st, err := e.c.PayoutStatus(e.ctx, b.TrackingID)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(codes); n == 0 || codes[n-1] != st.StatusCode {
			codes = append(codes, st.StatusCode)
		}
		e.advance(time.Second)
	}
	st, err := e.c.PayoutStatus(e.ctx, b.TrackingID)
	if err != nil {
		t.Fatal(err)
	}
	if st.StatusCode != client.BatchCompleted || !st.Final() || codes[0] != client.BatchQueued {
		t.Fatalf("batch went %v, ended %s", codes, st.StatusCode)
	}
	var ok, failed int
	for _, tx := range st.Transactions {
		switch tx.StatusCode {
		case "TS100":
			ok++
			if tx.ProviderReference == "" || tx.TransactionID == "" {
				t.Errorf("paid transaction without references: %+v", tx)
			}
		case "TF106":
			failed++
			if tx.StatusDescription == "" {
				t.Errorf("failed transaction without a reason: %+v", tx)
			}
		}
	}
	if ok != 2 || failed != 1 || st.PaidAmount != client.Units(200) || st.FailedAmount != client.Units(300) {
		t.Fatalf("paid %d (%s), failed %d (%s)", ok, st.PaidAmount, failed, st.FailedAmount)
	}
	// The wallet moved by exactly what was paid plus its charges.
	after := e.settlement()
	if moved := before.AvailableBalance - after.AvailableBalance; moved != st.PaidAmount+st.ActualCharges {
		t.Fatalf("wallet moved %s, want paid %s + charges %s", moved, st.PaidAmount, st.ActualCharges)
	}
	if after.CurrentBalance != after.AvailableBalance {
		t.Fatalf("money still held: current %s available %s", after.CurrentBalance, after.AvailableBalance)
	}
	payouts, err := e.c.Transactions(e.ctx, client.TransactionFilter{TransType: "PAYOUT"})
	if err != nil || payouts.Count != 2 {
		t.Fatalf("PAYOUT lines: %+v, %v", payouts, err)
	}
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

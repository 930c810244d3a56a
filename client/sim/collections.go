package sim

// Collections (docs/intasend-api.md §2.2): POST payment/mpesa-stk-push/ (Bearer),
// POST payment/status/, POST checkout/ and POST checkout/details/
// (publishable key only).
//
// How a collection behaves in the simulator:
//
//   - Every invoice goes PENDING → PROCESSING after Timing.STKProcessing, then
//     COMPLETE or FAILED after a further Timing.STKFinal (both jittered ±25%,
//     measured from the previous state).
//   - Outcome: Options.FailureRate of payments fail (default 10%; negative:
//     none), with M-Pesa's own reasons: "Request cancelled by user" (1032),
//     "The balance is insufficient for the transaction" (1), "DS timeout user
//     cannot be reached" (1037), "The initiator information is invalid" (2001,
//     wrong PIN); cards fail with ISO 8583 reasons (05, 51, 54).
//   - Magic phone numbers make outcomes deterministic whatever FailureRate is:
//     254708374149 (IntaSend's sandbox test number) always succeeds;
//     254700000001 always fails with insufficient funds (1), 254700000002 with
//     cancelled by user (1032), 254700000003 with a timeout (1037),
//     254700000004 with a wrong PIN (2001).
//   - Limits: M-Pesa STK push takes KES only, at least KES 1 and at most
//     KES 150,000 per transaction (IntaSend's published M-Pesa limit).
//   - On COMPLETE the fee is charged (M-Pesa 3%, card 3.5%, in cents, rounded
//     half up). BUSINESS-PAYS: net_amount = value − charges. CUSTOMER-PAYS
//     (checkout tariffs): value = amount + charges, net_amount = amount. The
//     wallet (wallet_id, else the currency's SETTLEMENT wallet) gets a SALE
//     line for value and a CHARGE line for −charges, both CLEARING; they
//     become AVAILABLE (and the invoice's clearing_status too) after
//     clearingDelay of simulator time.
//   - Checkouts are paid by a simulated customer: in tests call
//     Server.PayCheckout(id); with Options.Generator on, every checkout is
//     paid on its own about 2×Timing.Generator after it was created. A paid
//     checkout reports paid=true from checkout/details/.
//   - Customers are created implicitly (one per phone number, else email).

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
)

// clearingDelay is how long a collection stays CLEARING before it can be spent.
const clearingDelay = time.Minute

// stkMax is M-Pesa's per-transaction collection limit (docs/intasend-api.md §5 Limits).
var stkMax = client.Units(150_000)

// methods is the OAS payment method / provider enum.
var methods = []string{"M-PESA", "CARD-PAYMENT", "BITCOIN", "BANK-ACH", "COOP_B2B"}

var tariffs = []string{"BUSINESS-PAYS", "CUSTOMER-PAYS"}

var reCheckoutPhone = regexp.MustCompile(`^[0-9_+ -]+$`)

type collState struct {
	invoices  map[string]*invoice
	invOrder  []*invoice
	checkouts map[string]*checkout
	coOrder   []*checkout
	customers map[string]*customer
	custOrder []*customer
}

func (st *collState) init() {
	st.invoices = map[string]*invoice{}
	st.checkouts = map[string]*checkout{}
	st.customers = map[string]*customer{}
}

// invoice is one collection attempt.
type invoice struct {
	ID, PaymentID                string // PaymentID: the uuid of the STK push / payment ("id", "meta.id")
	State, Provider, Currency    string
	Account, APIRef, Narrative   string
	Host, Tariff, ClearingStatus string
	MpesaReference               string
	FailedReason, FailedCode     string
	Base                         client.Amount // what the merchant asked for
	Value, Charges, NetAmount    client.Amount
	Refunded                     client.Amount // chargebacks not cancelled or disputed
	WalletID                     string        // the wallet credited ("" until then: wallet_id or settlement)
	CustomerID, CheckoutID       string
	SubscriptionID               string
	RetryCount                   int
	Events                       []InvoiceEvent // every state change, for webhooks (scenarios.go)
	SaleTx                       *walletTx
	CreatedAt, UpdatedAt         time.Time
}

// failure is how an invoice failed.
type failure struct{ reason, code string }

var mpesaFailures = []failure{
	{"Request cancelled by user", "1032"},
	{"The balance is insufficient for the transaction", "1"},
	{"DS timeout user cannot be reached", "1037"},
	{"The initiator information is invalid", "2001"},
}

var cardFailures = []failure{
	{"Do not honour", "05"},
	{"Insufficient funds", "51"},
	{"Expired card", "54"},
}

// magicPhones fix an M-Pesa payment's outcome (nil: success) so tests and
// demos are deterministic.
var magicPhones = map[string]*failure{
	"254708374149": nil,
	"254700000001": &mpesaFailures[1],
	"254700000002": &mpesaFailures[0],
	"254700000003": &mpesaFailures[2],
	"254700000004": &mpesaFailures[3],
}

// collectFee is IntaSend's published collection fee: 3% M-Pesa, 3.5% card,
// in cents rounded half up.
func collectFee(provider string, a client.Amount) client.Amount {
	bps := int64(300)
	if provider == "CARD-PAYMENT" {
		bps = 350
	}
	return client.Amount((int64(a)*bps + 5000) / 10000)
}

// ---- invoices ----

type invoiceSpec struct {
	provider, currency, account, apiRef, narrative, host, tariff string
	amount                                                       client.Amount
	walletID                                                     string
	cust                                                         *customer
	checkoutID, subscriptionID                                   string
}

func (s *Server) newInvoice(sp invoiceSpec, at time.Time) *invoice {
	inv := &invoice{
		ID: s.newID(7), PaymentID: s.newUUID(), State: "PENDING", Provider: sp.provider,
		Currency: sp.currency, Account: sp.account, APIRef: sp.apiRef, Narrative: sp.narrative,
		Host: sp.host, Tariff: sp.tariff, ClearingStatus: "PENDING",
		Base: sp.amount, Value: sp.amount, WalletID: sp.walletID,
		CheckoutID: sp.checkoutID, SubscriptionID: sp.subscriptionID,
		CreatedAt: at, UpdatedAt: at,
	}
	if inv.Tariff == "" {
		inv.Tariff = "BUSINESS-PAYS"
	}
	if inv.Tariff == "CUSTOMER-PAYS" {
		inv.Value += collectFee(inv.Provider, inv.Base)
	}
	inv.NetAmount = inv.Value
	if inv.Host == "" {
		inv.Host = s.defaultHost()
	}
	if sp.cust != nil {
		inv.CustomerID = sp.cust.ID
	}
	s.coll.invoices[inv.ID] = inv
	s.coll.invOrder = append(s.coll.invOrder, inv)
	s.invoiceEvent(inv, at)
	return inv
}

// defaultHost is the host recorded on invoices made without a request.
func (s *Server) defaultHost() string {
	if b, err := url.Parse(s.opts.BaseURL); err == nil && b.Host != "" {
		return b.Scheme + "://" + b.Host
	}
	return "https://sandbox.intasend.com"
}

// runInvoice schedules inv's state machine from time from.
func (s *Server) runInvoice(inv *invoice, from time.Time) {
	if s.runScenario(inv, from) {
		return
	}
	s.at(from.Add(s.jitter(s.opts.Timing.STKProcessing)), func(at time.Time) {
		if inv.State != "PENDING" {
			return
		}
		inv.State, inv.UpdatedAt = "PROCESSING", at
		s.invoiceEvent(inv, at)
		s.at(at.Add(s.jitter(s.opts.Timing.STKFinal)), func(at time.Time) {
			if inv.State == "PROCESSING" {
				s.settleInvoice(inv, s.outcome(inv), at, true)
			}
		})
	})
}

// outcome decides how a payment ends: magic numbers first, then FailureRate.
func (s *Server) outcome(inv *invoice) *failure {
	if f, ok := magicPhones[inv.Account]; ok && inv.Provider == "M-PESA" {
		return f
	}
	if s.opts.FailureRate > 0 && s.rng.Float64() < s.opts.FailureRate {
		list := mpesaFailures
		if inv.Provider != "M-PESA" {
			list = cardFailures
		}
		f := list[s.rng.IntN(len(list))]
		return &f
	}
	return nil
}

// settleInvoice ends inv: FAILED with f, or COMPLETE with the wallet
// credited (clearing, or at once for seeded history).
func (s *Server) settleInvoice(inv *invoice, f *failure, at time.Time, clearing bool) {
	inv.UpdatedAt = at
	defer s.invoiceEvent(inv, at)
	if f != nil {
		inv.State, inv.FailedReason, inv.FailedCode, inv.ClearingStatus = "FAILED", f.reason, f.code, ""
		return
	}
	inv.State = "COMPLETE"
	inv.Charges = inv.Value - inv.Base
	if inv.Tariff != "CUSTOMER-PAYS" {
		inv.Charges = collectFee(inv.Provider, inv.Base)
	}
	inv.NetAmount = inv.Value - inv.Charges
	if inv.Provider == "M-PESA" {
		inv.MpesaReference = s.newID(10)
	}
	w := s.wallets[inv.WalletID]
	if w == nil {
		w = s.settlementFor(inv.Currency, at)
	}
	inv.WalletID = w.ID
	sale := fmt.Sprintf("%s payment from %s", inv.Provider, inv.Account)
	if inv.Narrative != "" {
		sale += " - " + inv.Narrative
	}
	fee := "Collection charges for invoice " + inv.ID
	if clearing {
		inv.SaleTx = s.creditClearing(w, inv.Value, "SALE", sale, inv.ID, clearingDelay, at)
		if inv.Charges > 0 {
			s.creditClearing(w, -inv.Charges, "CHARGE", fee, inv.ID, clearingDelay, at)
		}
		inv.ClearingStatus = "CLEARING"
		s.at(at.Add(clearingDelay), func(time.Time) { inv.ClearingStatus = "AVAILABLE" })
	} else {
		inv.SaleTx, _ = s.post(w, inv.Value, "SALE", "AVAILABLE", sale, inv.ID, at)
		if inv.Charges > 0 {
			_, _ = s.post(w, -inv.Charges, "CHARGE", "AVAILABLE", fee, inv.ID, at)
		}
		inv.ClearingStatus = "AVAILABLE"
	}
	if co := s.coll.checkouts[inv.CheckoutID]; co != nil {
		co.Paid, co.UpdatedAt = true, at
	}
}

// settlementFor finds (or opens) the SETTLEMENT wallet for a currency.
func (s *Server) settlementFor(currency string, at time.Time) *wallet {
	if w := s.settlementWallet(currency); w != nil {
		return w
	}
	return s.addWallet("default", currency, "SETTLEMENT", true, at)
}

// ---- customers ----

type customer struct {
	ID, Phone, Email, FirstName, LastName string
	Country, Zipcode, Provider            string
	CreatedAt, UpdatedAt                  time.Time
}

// customerFor finds the customer by phone (else email) or creates one.
func (s *Server) customerFor(phone, email, first, last, provider string, at time.Time) *customer {
	for _, c := range s.coll.custOrder {
		if (phone != "" && c.Phone == phone) || (phone == "" && email != "" && strings.EqualFold(c.Email, email)) {
			if c.Email == "" && email != "" {
				c.Email, c.UpdatedAt = email, at
			}
			if c.FirstName == "" && first != "" {
				c.FirstName, c.LastName, c.UpdatedAt = first, last, at
			}
			return c
		}
	}
	c := &customer{ID: s.newID(7), Phone: phone, Email: email, FirstName: first, LastName: last,
		Country: "KE", Provider: provider, CreatedAt: at, UpdatedAt: at}
	s.coll.customers[c.ID] = c
	s.coll.custOrder = append(s.coll.custOrder, c)
	return c
}

// splitName turns "Jane Wanjiru Doe" into ("Jane", "Wanjiru Doe").
func splitName(name string) (string, string) {
	first, last, _ := strings.Cut(strings.TrimSpace(name), " ")
	return first, strings.TrimSpace(last)
}

// ---- JSON views ----

type invoiceJSON struct {
	ID             string        `json:"id"`
	InvoiceID      string        `json:"invoice_id"`
	State          string        `json:"state"`
	Provider       string        `json:"provider"`
	Charges        client.Amount `json:"charges"`
	NetAmount      client.Amount `json:"net_amount"`
	Currency       string        `json:"currency"`
	Value          client.Amount `json:"value"`
	Account        string        `json:"account"`
	APIRef         *string       `json:"api_ref"`
	ClearingStatus *string       `json:"clearing_status"`
	MpesaReference *string       `json:"mpesa_reference"`
	Host           string        `json:"host"`
	RetryCount     int           `json:"retry_count"`
	FailedReason   *string       `json:"failed_reason"`
	FailedCode     *string       `json:"failed_code"`
	FailedCodeLink string        `json:"failed_code_link"`
	CreatedAt      string        `json:"created_at"`
	UpdatedAt      string        `json:"updated_at"`
}

func (s *Server) invoiceView(inv *invoice) invoiceJSON {
	var sl strSlab
	return invoiceJSON{
		ID: inv.ID, InvoiceID: inv.ID, State: inv.State, Provider: inv.Provider,
		Charges: inv.Charges, NetAmount: inv.NetAmount, Currency: inv.Currency, Value: inv.Value,
		Account: inv.Account, APIRef: sl.ptr(inv.APIRef), ClearingStatus: sl.ptr(inv.ClearingStatus),
		MpesaReference: sl.ptr(inv.MpesaReference), Host: inv.Host, RetryCount: inv.RetryCount,
		FailedReason: sl.ptr(inv.FailedReason), FailedCode: sl.ptr(inv.FailedCode),
		FailedCodeLink: "https://intasend.com/troubleshooting",
		CreatedAt:      ts(inv.CreatedAt), UpdatedAt: ts(inv.UpdatedAt),
	}
}

type customerJSON struct {
	CustomerID  string  `json:"customer_id"`
	PhoneNumber *string `json:"phone_number"`
	Email       *string `json:"email"`
	FirstName   *string `json:"first_name"`
	LastName    *string `json:"last_name"`
	Country     *string `json:"country"`
	Zipcode     *string `json:"zipcode"`
	Provider    *string `json:"provider"`
	CreatedAt   string  `json:"created_at"`
	UpdatedAt   string  `json:"updated_at"`
}

func customerView(c *customer) *customerJSON {
	if c == nil {
		return nil
	}
	var sl strSlab
	return &customerJSON{
		CustomerID: c.ID, PhoneNumber: sl.ptr(c.Phone), Email: sl.ptr(c.Email),
		FirstName: sl.ptr(c.FirstName), LastName: sl.ptr(c.LastName), Country: sl.ptr(c.Country),
		Zipcode: sl.ptr(c.Zipcode), Provider: sl.ptr(c.Provider),
		CreatedAt: ts(c.CreatedAt), UpdatedAt: ts(c.UpdatedAt),
	}
}

// ---- handlers ----

func (s *Server) routesCollections() {
	s.handle("POST", "payment/mpesa-stk-push/", authSecret, s.stkPush)
	// Optional here: paymentStatus itself wants the publishable key or a
	// checkout's checkout_id + signature (see checkoutProof).
	s.handle("POST", "payment/status/", authOptional, s.paymentStatus)
	s.handle("POST", "checkout/", authPublic, s.createCheckout)
	s.handle("POST", "checkout/details/", authPublic, s.checkoutDetails)
}

// checkPhone validates a Kenyan mobile number for M-Pesa.
func (k *checks) phone(attr, raw string) (client.Phone, bool) {
	if strings.TrimSpace(raw) == "" {
		k.required(attr)
		return "", false
	}
	p, err := client.ParsePhone(raw)
	if err != nil {
		msg := err.Error()
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		k.add(attr, "invalid", "Enter a valid Kenyan mobile number such as 254712345678: "+msg+".")
		return "", false
	}
	return p, true
}

// email checks an optional e-mail address loosely, as Django's validator would.
func (k *checks) email(attr, v string, maxLen int) {
	if v == "" || !k.text(attr, v, false, maxLen, nil) {
		return
	}
	local, domain, ok := strings.Cut(v, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.ContainsAny(v, " <>") {
		k.add(attr, "invalid", "Enter a valid email address.")
	}
}

// walletFor checks an optional wallet_id against the payment's currency.
func (k *checks) walletFor(s *Server, attr, id, currency string) string {
	if id == "" {
		return ""
	}
	w := s.wallets[id]
	switch {
	case w == nil:
		k.add(attr, "does_not_exist", fmt.Sprintf("Wallet %q does not exist.", id))
	case currency != "" && w.Currency != currency:
		k.add(attr, "invalid", fmt.Sprintf("Wallet %s holds %s; this payment is in %s.", w.ID, w.Currency, currency))
	default:
		return w.ID
	}
	return ""
}

type stkJSON struct {
	ID              string        `json:"id"`
	Invoice         invoiceJSON   `json:"invoice"`
	Customer        *customerJSON `json:"customer"`
	PaymentLink     *string       `json:"payment_link"`
	CustomerComment *string       `json:"customer_comment"`
	Refundable      bool          `json:"refundable"`
	CreatedAt       string        `json:"created_at"`
	UpdatedAt       string        `json:"updated_at"`
}

// stkPush takes what the PY/NODE/PHP SDKs send: amount and phone_number as
// numbers or strings, public_key and method (ignored) in the body.
func (s *Server) stkPush(c *reqCtx) {
	var b struct {
		Amount    client.FlexString `json:"amount"`
		Phone     client.FlexString `json:"phone_number"`
		APIRef    client.FlexString `json:"api_ref"`
		Narrative client.FlexString `json:"narrative"`
		Name      client.FlexString `json:"name"`
		Email     client.FlexString `json:"email"`
		WalletID  client.FlexString `json:"wallet_id"`
		Currency  client.FlexString `json:"currency"`
		Host      client.FlexString `json:"host"`
	}
	if !c.decode(&b) {
		return
	}
	s.lock()
	defer s.mu.Unlock()
	var k checks
	amount, ok := k.amount("amount", b.Amount, true)
	switch {
	case !ok:
	case amount < client.Units(1):
		k.add("amount", "min_value", "Ensure this value is greater than or equal to 1.")
	case amount > stkMax:
		k.add("amount", "max_value", "Ensure this value is less than or equal to 150000: M-Pesa collects at most KES 150,000 per transaction.")
	}
	phone, _ := k.phone("phone_number", string(b.Phone))
	currency := strings.ToUpper(strings.TrimSpace(string(b.Currency)))
	if currency == "" {
		currency = "KES"
	}
	if k.choice("currency", currency, true, currencies...) && currency != "KES" {
		k.add("currency", "invalid", "M-Pesa STK push collects KES only.")
	}
	apiRef := strings.TrimSpace(string(b.APIRef))
	k.text("api_ref", apiRef, false, 140, reSafeRef)
	email := strings.TrimSpace(string(b.Email))
	k.email("email", email, 254)
	narrative := strings.TrimSpace(string(b.Narrative))
	k.text("narrative", narrative, false, 255, nil)
	walletID := k.walletFor(s, "wallet_id", strings.TrimSpace(string(b.WalletID)), currency)
	if k.reply(c) {
		return
	}
	now := s.clock.Now()
	first, last := splitName(string(b.Name))
	cust := s.customerFor(string(phone), email, first, last, "M-PESA", now)
	host := strings.TrimSpace(string(b.Host))
	if host == "" {
		host = c.hostURL()
	}
	inv := s.newInvoice(invoiceSpec{provider: "M-PESA", currency: currency, account: string(phone), apiRef: apiRef,
		narrative: narrative, host: host, amount: amount, walletID: walletID, cust: cust}, now)
	s.runInvoice(inv, now)
	c.json(http.StatusOK, s.stkView(inv))
}

func (s *Server) stkView(inv *invoice) stkJSON {
	return stkJSON{
		ID: inv.PaymentID, Invoice: s.invoiceView(inv), Customer: customerView(s.coll.customers[inv.CustomerID]),
		Refundable: inv.State == "COMPLETE" && inv.Refunded < inv.Value,
		CreatedAt:  ts(inv.CreatedAt), UpdatedAt: ts(inv.UpdatedAt),
	}
}

type metaJSON struct {
	ID              string        `json:"id"`
	Customer        *customerJSON `json:"customer"`
	PaymentLink     *string       `json:"payment_link"`
	CustomerComment *string       `json:"customer_comment"`
	CreatedAt       string        `json:"created_at"`
	UpdatedAt       string        `json:"updated_at"`
}

// paymentStatus answers {invoice, meta}. Body {invoice_id} with the
// publishable key (PY/NODE/PHP add public_key), or {invoice_id, checkout_id,
// signature} for a checkout's payment (PY status(checkout_id, signature),
// PHP Checkout::check_status), which checkoutProof verifies.
// paymentStatusBody is the body of payment/status/, the most polled route.
type paymentStatusBody struct {
	InvoiceID  client.FlexString `json:"invoice_id"`
	CheckoutID client.FlexString `json:"checkout_id"`
	Signature  client.FlexString `json:"signature"`
}

func (b *paymentStatusBody) decodeFlat(kvs []flatKV) {
	for _, f := range []struct {
		name string
		dst  *client.FlexString
	}{{"invoice_id", &b.InvoiceID}, {"checkout_id", &b.CheckoutID}, {"signature", &b.Signature}} {
		if v, ok := flatField(kvs, f.name); ok {
			*f.dst = client.FlexString(v)
		}
	}
}

func (s *Server) paymentStatus(c *reqCtx) {
	var b paymentStatusBody
	if !c.decode(&b) {
		return
	}
	id := strings.TrimSpace(string(b.InvoiceID))
	if id == "" {
		c.invalid("invoice_id", "required", "This field is required.")
		return
	}
	coID, sig := strings.TrimSpace(string(b.CheckoutID)), strings.TrimSpace(string(b.Signature))
	if coID == "" && sig == "" && c.publicKey() == "" {
		c.detail(http.StatusUnauthorized, "Authentication credentials were not provided.")
		return
	}
	proof := coID != "" || sig != ""
	inv, cust, gen, ok := s.paymentSnapshot(c, id, proof, coID, sig)
	if !ok {
		return
	}
	// Views are built from the copies, with the state lock released.
	v := paymentStatusJSON{
		Invoice: s.invoiceView(&inv),
		Meta: metaJSON{
			ID: inv.PaymentID, Customer: customerView(cust),
			CreatedAt: ts(inv.CreatedAt), UpdatedAt: ts(inv.UpdatedAt),
		},
	}
	if proof {
		c.json(http.StatusOK, v)
		return
	}
	c.answerCached(s.answers.payments, gen, id, v)
}

// paymentSnapshot copies the invoice id names and its customer (nil when
// none) under the state lock, after checking a checkout's proof if given,
// with the state generation it saw. A poll without a proof (the SDKs'
// status call, polled until the payment settles) is answered from the
// answer cache (answercache.go) while no state has changed. When it
// reports false it has answered.
func (s *Server) paymentSnapshot(c *reqCtx, id string, proof bool, coID, sig string) (invoice, *customer, uint64, bool) {
	s.lock()
	gen := s.mu.gen
	if e := s.answers.payments.get(gen, id); !proof && e != nil {
		s.mu.unlockUnchanged()
		c.json(http.StatusOK, e)
		return invoice{}, nil, 0, false
	}
	inv := s.coll.invoices[id]
	if inv == nil {
		s.mu.unlockUnchanged()
		c.notFound()
		return invoice{}, nil, 0, false
	}
	if proof && !s.checkoutProof(c, inv, coID, sig) {
		s.mu.Unlock()
		return invoice{}, nil, 0, false
	}
	var cust *customer
	if cu := s.coll.customers[inv.CustomerID]; cu != nil {
		cp := *cu
		cust = &cp
	}
	cp := *inv
	if proof {
		s.mu.Unlock() // a checkout's proof is checked rarely: take no chance
	} else {
		s.mu.unlockUnchanged()
	}
	return cp, cust, gen, true
}

// paymentStatusJSON is payment/status/'s answer: a typed value, not a map,
// so building it allocates little and encoding it needs no key sorting.
type paymentStatusJSON struct {
	Invoice invoiceJSON `json:"invoice"`
	Meta    metaJSON    `json:"meta"`
}

// ---- checkout ----

type checkout struct {
	ID, URL, Signature, Version                        string
	FirstName, LastName, Phone, Email, Country         string
	Address, City, State, Zipcode                      string
	APIRef, Comment, Method, CallbackURL, RedirectURL  string
	Host, WalletID, Currency                           string
	MobileTariff, CardTariff, BitcoinTariff, ACHTariff string
	Amount                                             client.Amount
	IsMobile, Paid                                     bool
	InvoiceID                                          string // the latest payment attempt
	CreatedAt, UpdatedAt                               time.Time
}

type checkoutJSON struct {
	ID            string        `json:"id"`
	URL           string        `json:"url"`
	Signature     string        `json:"signature"`
	FirstName     *string       `json:"first_name"`
	LastName      *string       `json:"last_name"`
	PhoneNumber   *string       `json:"phone_number"`
	Email         *string       `json:"email"`
	Country       *string       `json:"country"`
	Address       *string       `json:"address"`
	City          *string       `json:"city"`
	State         *string       `json:"state"`
	Zipcode       *string       `json:"zipcode"`
	APIRef        *string       `json:"api_ref"`
	WalletID      *string       `json:"wallet_id"`
	Method        *string       `json:"method"`
	Amount        client.Amount `json:"amount"`
	Currency      string        `json:"currency"`
	MobileTariff  string        `json:"mobile_tarrif"`
	CardTariff    string        `json:"card_tarrif"`
	BitcoinTariff string        `json:"bitcoin_tarrif"`
	ACHTariff     string        `json:"ach_tarrif"`
	CallbackURL   *string       `json:"callback_url"`
	RedirectURL   *string       `json:"redirect_url"`
	Comment       *string       `json:"comment"`
	Host          *string       `json:"host"`
	IsMobile      bool          `json:"is_mobile"`
	Version       string        `json:"version"`
	Paid          bool          `json:"paid"`
	CreatedAt     string        `json:"created_at"`
	UpdatedAt     string        `json:"updated_at"`
}

func checkoutView(co *checkout) checkoutJSON {
	return checkoutJSON{
		ID: co.ID, URL: co.URL, Signature: co.Signature,
		FirstName: strPtr(co.FirstName), LastName: strPtr(co.LastName), PhoneNumber: strPtr(co.Phone),
		Email: strPtr(co.Email), Country: strPtr(co.Country), Address: strPtr(co.Address), City: strPtr(co.City),
		State: strPtr(co.State), Zipcode: strPtr(co.Zipcode), APIRef: strPtr(co.APIRef),
		WalletID: strPtr(co.WalletID), Method: strPtr(co.Method), Amount: co.Amount, Currency: co.Currency,
		MobileTariff: co.MobileTariff, CardTariff: co.CardTariff, BitcoinTariff: co.BitcoinTariff, ACHTariff: co.ACHTariff,
		CallbackURL: strPtr(co.CallbackURL), RedirectURL: strPtr(co.RedirectURL), Comment: strPtr(co.Comment),
		Host: strPtr(co.Host), IsMobile: co.IsMobile, Version: co.Version, Paid: co.Paid,
		CreatedAt: ts(co.CreatedAt), UpdatedAt: ts(co.UpdatedAt),
	}
}

// uri checks an optional absolute http(s) URL.
func (k *checks) uri(attr, v string, maxLen int) {
	if v == "" || !k.text(attr, v, false, maxLen, nil) {
		return
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		k.add(attr, "invalid", "Enter a valid URL.")
	}
}

// createCheckout validates with OAS CheckoutCreate's limits and answers 201.
// checkoutBody is what POST checkout/ reads.
type checkoutBody struct {
	FirstName                       client.FlexString `json:"first_name"`
	LastName                        client.FlexString `json:"last_name"`
	Email, Country                  client.FlexString
	Address, City, State, Zipcode   client.FlexString
	Comment, Host, Method, Currency client.FlexString
	Version                         client.FlexString
	Phone                           client.FlexString `json:"phone_number"`
	APIRef                          client.FlexString `json:"api_ref"`
	WalletID                        client.FlexString `json:"wallet_id"`
	CallbackURL                     client.FlexString `json:"callback_url"`
	RedirectURL                     client.FlexString `json:"redirect_url"`
	Amount                          client.FlexString `json:"amount"`
	MobileTariff                    client.FlexString `json:"mobile_tarrif"`
	CardTariff                      client.FlexString `json:"card_tarrif"`
	BitcoinTariff                   client.FlexString `json:"bitcoin_tarrif"`
	ACHTariff                       client.FlexString `json:"ach_tarrif"`
	IsMobile                        flexBool          `json:"is_mobile"`
}

func (s *Server) createCheckout(c *reqCtx) {
	var b checkoutBody
	if !c.decode(&b) {
		return
	}
	tr := func(v client.FlexString) string { return strings.TrimSpace(string(v)) }
	co := &checkout{
		FirstName: tr(b.FirstName), LastName: tr(b.LastName), Phone: tr(b.Phone), Email: tr(b.Email),
		Country: tr(b.Country), Address: tr(b.Address), City: tr(b.City), State: tr(b.State), Zipcode: tr(b.Zipcode),
		APIRef: tr(b.APIRef), Comment: tr(b.Comment), Method: strings.ToUpper(tr(b.Method)),
		CallbackURL: tr(b.CallbackURL), RedirectURL: tr(b.RedirectURL), Host: tr(b.Host),
		Currency: strings.ToUpper(tr(b.Currency)), Version: tr(b.Version),
		MobileTariff: tr(b.MobileTariff), CardTariff: tr(b.CardTariff),
		BitcoinTariff: tr(b.BitcoinTariff), ACHTariff: tr(b.ACHTariff), IsMobile: b.IsMobile.V,
	}
	s.lock()
	defer s.mu.Unlock()
	k := s.checkCheckout(co, &b)
	if k.reply(c) {
		return
	}
	s.storeCheckout(c, co)
}

// checkCheckout validates co (filled from b) as IntaSend does, filling in
// the defaults; it reads wallets, so call it with s.mu held.
func (s *Server) checkCheckout(co *checkout, b *checkoutBody) *checks {
	tr := func(v client.FlexString) string { return strings.TrimSpace(string(v)) }
	k := &checks{}
	k.text("first_name", co.FirstName, false, 45, reSafeRef)
	k.text("last_name", co.LastName, false, 45, reSafeRef)
	k.text("phone_number", co.Phone, false, 30, reCheckoutPhone)
	k.email("email", co.Email, 254)
	k.text("country", co.Country, false, 2, nil)
	k.text("api_ref", co.APIRef, false, 70, reSafeRef)
	k.choice("method", co.Method, false, methods...)
	k.uri("host", co.Host, 400)
	k.uri("redirect_url", co.RedirectURL, 400)
	k.uri("callback_url", co.CallbackURL, 400)
	if co.Currency == "" {
		co.Currency = "KES"
	}
	k.choice("currency", co.Currency, true, currencies...)
	for _, t := range []struct {
		attr string
		v    *string
	}{{"mobile_tarrif", &co.MobileTariff}, {"card_tarrif", &co.CardTariff}, {"bitcoin_tarrif", &co.BitcoinTariff}, {"ach_tarrif", &co.ACHTariff}} {
		if *t.v == "" {
			*t.v = "BUSINESS-PAYS"
		}
		k.choice(t.attr, *t.v, false, tariffs...)
	}
	if b.IsMobile.Bad {
		k.add("is_mobile", "invalid", "Must be a valid boolean.")
	}
	if amount, ok := k.amount("amount", b.Amount, true); ok && k.positive("amount", amount) {
		co.Amount = amount
		if co.Method == "M-PESA" && co.Currency == "KES" && amount > stkMax {
			k.add("amount", "max_value", "Ensure this value is less than or equal to 150000: M-Pesa collects at most KES 150,000 per transaction.")
		}
	}
	if id := tr(b.WalletID); id != "" {
		if k.text("wallet_id", id, false, 10, nil) {
			co.WalletID = k.walletFor(s, "wallet_id", id, co.Currency)
		}
	}
	return k
}

// storeCheckout keeps a checked checkout and answers with it. Call with
// s.mu held.
func (s *Server) storeCheckout(c *reqCtx, co *checkout) {
	now := s.clock.Now()
	co.ID = s.newUUID()
	co.URL = c.hostURL() + "/checkout/" + co.ID + "/express/"
	co.Signature = checkoutSignature(co.ID, now)
	if co.Version == "" {
		co.Version = "3.0.0"
	}
	co.CreatedAt, co.UpdatedAt = now, now
	s.coll.checkouts[co.ID] = co
	s.coll.coOrder = append(s.coll.coOrder, co)
	if s.opts.Generator {
		s.after(s.jitter(2*s.opts.Timing.Generator), func(at time.Time) {
			if !s.pageOpened(co.ID) { // a customer on the page pays it themselves
				_, _ = s.payCheckout(co, at)
			}
		})
	}
	c.json(http.StatusCreated, checkoutView(co))
}

// checkoutSignature makes a JWT (HS256) naming the checkout, shaped like
// IntaSend's "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9…".
func checkoutSignature(id string, at time.Time) string {
	enc := base64.RawURLEncoding
	head := enc.EncodeToString([]byte(`{"typ":"JWT","alg":"HS256"}`))
	body := enc.EncodeToString(fmt.Appendf(nil, `{"checkout_id":%q,"iat":%d}`, id, at.Unix()))
	mac := hmac.New(sha256.New, []byte(checkoutKey))
	mac.Write([]byte(head + "." + body))
	return head + "." + body + "." + enc.EncodeToString(mac.Sum(nil))
}

func (s *Server) checkoutDetails(c *reqCtx) {
	var b struct {
		CheckoutID client.FlexString `json:"checkout_id"`
		Signature  client.FlexString `json:"signature"`
	}
	if !c.decode(&b) {
		return
	}
	var k checks
	id := strings.TrimSpace(string(b.CheckoutID))
	sig := strings.TrimSpace(string(b.Signature))
	k.text("checkout_id", id, true, 0, nil)
	k.text("signature", sig, true, 0, nil)
	if k.reply(c) {
		return
	}
	s.lock()
	defer s.mu.Unlock()
	co := s.coll.checkouts[id]
	if co == nil {
		c.notFound()
		return
	}
	if !hmac.Equal([]byte(sig), []byte(co.Signature)) {
		c.invalid("signature", "invalid", "The signature does not match this checkout.")
		return
	}
	c.json(http.StatusOK, checkoutView(co))
}

var errCheckout = errors.New("checkout cannot be paid")

// payCheckout starts a simulated customer's payment of co at time at.
func (s *Server) payCheckout(co *checkout, at time.Time) (string, error) {
	if co.Paid {
		return "", fmt.Errorf("%w: checkout %s is already paid", errCheckout, co.ID)
	}
	if prev := s.coll.invoices[co.InvoiceID]; prev != nil && (prev.State == "PENDING" || prev.State == "PROCESSING") {
		return "", fmt.Errorf("%w: payment %s is in progress", errCheckout, prev.ID)
	}
	provider, account := co.Method, co.Email
	phone, perr := client.ParsePhone(co.Phone)
	if provider == "" || (provider != "M-PESA" && provider != "CARD-PAYMENT") {
		provider = "CARD-PAYMENT"
		if perr == nil {
			provider = "M-PESA"
		}
	}
	tariff := co.CardTariff
	if provider == "M-PESA" {
		if perr != nil {
			phone = client.Phone(s.randomPhone())
		}
		account, tariff = string(phone), co.MobileTariff
	} else if account == "" {
		account = "customer@example.com"
	}
	cust := s.customerFor(string(phone), co.Email, co.FirstName, co.LastName, provider, at)
	inv := s.newInvoice(invoiceSpec{provider: provider, currency: co.Currency, account: account, apiRef: co.APIRef,
		narrative: co.Comment, host: co.Host, tariff: tariff, amount: co.Amount, walletID: co.WalletID,
		cust: cust, checkoutID: co.ID}, at)
	co.InvoiceID, co.UpdatedAt = inv.ID, at
	s.runInvoice(inv, at)
	return inv.ID, nil
}

// ---- Go API ----

// PayCheckout plays the customer paying checkout id (M-Pesa when the
// checkout has a Kenyan phone number or method M-PESA, else card) and
// returns the new invoice's id; the invoice then runs the usual state
// machine on the clock. It fails for unknown, paid or in-progress checkouts.
func (s *Server) PayCheckout(id string) (string, error) {
	s.lock()
	defer s.mu.Unlock()
	co := s.coll.checkouts[id]
	if co == nil {
		return "", fmt.Errorf("%w: no checkout %s", errCheckout, id)
	}
	return s.payCheckout(co, s.clock.Now())
}

// InvoiceInfo is an invoice as tests see it through the Go API.
type InvoiceInfo struct {
	ID, State, Provider, Currency, Account, APIRef string
	WalletID, CustomerID, CheckoutID               string
	MpesaReference, FailedReason, FailedCode       string
	ClearingStatus                                 string
	Value, Charges, NetAmount, Refunded            client.Amount
	RetryCount                                     int
	Events                                         []InvoiceEvent
	CreatedAt, UpdatedAt                           time.Time
}

func invoiceInfo(inv *invoice) InvoiceInfo {
	return InvoiceInfo{
		ID: inv.ID, State: inv.State, Provider: inv.Provider, Currency: inv.Currency, Account: inv.Account,
		APIRef: inv.APIRef, WalletID: inv.WalletID, CustomerID: inv.CustomerID, CheckoutID: inv.CheckoutID,
		MpesaReference: inv.MpesaReference, FailedReason: inv.FailedReason, FailedCode: inv.FailedCode,
		ClearingStatus: inv.ClearingStatus, Value: inv.Value, Charges: inv.Charges, NetAmount: inv.NetAmount,
		Refunded: inv.Refunded, RetryCount: inv.RetryCount, Events: append([]InvoiceEvent(nil), inv.Events...),
		CreatedAt: inv.CreatedAt, UpdatedAt: inv.UpdatedAt,
	}
}

// Invoice returns one invoice, brought up to the clock's now.
func (s *Server) Invoice(id string) (InvoiceInfo, bool) {
	s.lock()
	defer s.mu.Unlock()
	inv := s.coll.invoices[id]
	if inv == nil {
		return InvoiceInfo{}, false
	}
	return invoiceInfo(inv), true
}

// Invoices lists every invoice in creation order.
func (s *Server) Invoices() []InvoiceInfo {
	s.lock()
	defer s.mu.Unlock()
	out := make([]InvoiceInfo, 0, len(s.coll.invOrder))
	for _, inv := range s.coll.invOrder {
		out = append(out, invoiceInfo(inv))
	}
	return out
}

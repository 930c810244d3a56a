package sim

// Endpoints the official SDKs or the OpenAPI description call that the
// first simulator lacked (issue 12 §3). They live here, in their own file,
// so the route table in routes.go gains one line:
//
//   - POST payment/get_amount_estimate/ (the Python SDK's collect.get_quote)
//   - POST customers/ (the Python SDK's customers.create)
//   - PUT subscriptions-plans/{id}/, PUT subscriptions-customers/{id}/
//   - POST wallets/{id}/exchange/ (exchange.go)
//   - GET/POST mpesa-paybill-accounts/, GET mpesa-paybill-accounts/{id}/ (paybill.go)

import (
	"net/http"
	"strings"

	"github.com/malipo/malipo/client"
)

func (s *Server) routesExtras() {
	s.handle("POST", "payment/get_amount_estimate/", authSecret, s.amountEstimate)
	s.handle("POST", "customers/", authSecret, s.createCustomer)
	s.handle("PUT", "subscriptions-plans/{id}/", authSecret, s.updatePlan)
	s.handle("PUT", "subscriptions-customers/{id}/", authSecret, s.updateSubCustomer)
	s.handle("POST", "wallets/{id}/exchange/", authSecret, s.exchange)
	s.handle("GET", "mpesa-paybill-accounts/", authSecret, s.listPaybills)
	s.handle("POST", "mpesa-paybill-accounts/", authSecret, s.createPaybill)
	s.handle("GET", "mpesa-paybill-accounts/{id}/", authSecret, s.getPaybill)
}

// quoteJSON answers get_amount_estimate. IntaSend documents no response
// shape (the endpoint is not in the OAS), so the simulator answers with the
// invoice's own money fields, which is what a quote is for: value is what
// the customer pays, charges IntaSend's fee, net_amount what the merchant
// keeps. BUSINESS-PAYS: value = amount, net = amount − charges.
// CUSTOMER-PAYS: value = amount + charges, net = amount.
type quoteJSON struct {
	Method    string        `json:"method"`
	Currency  string        `json:"currency"`
	Tariff    string        `json:"tarrif"`
	Amount    client.Amount `json:"amount"`
	Charges   client.Amount `json:"charges"`
	Value     client.Amount `json:"value"`
	NetAmount client.Amount `json:"net_amount"`
}

// amountEstimate takes the Python SDK's body {public_key, currency, method,
// tarrif, amount}; method and tarrif as IntaSend spells them.
func (s *Server) amountEstimate(c *reqCtx) {
	var b struct {
		Currency client.FlexString `json:"currency"`
		Method   client.FlexString `json:"method"`
		Tariff   client.FlexString `json:"tarrif"`
		Amount   client.FlexString `json:"amount"`
	}
	if !c.decode(&b) {
		return
	}
	q := quoteJSON{
		Method:   strings.ToUpper(strings.TrimSpace(string(b.Method))),
		Currency: strings.ToUpper(strings.TrimSpace(string(b.Currency))),
		Tariff:   strings.ToUpper(strings.TrimSpace(string(b.Tariff))),
	}
	if q.Currency == "" {
		q.Currency = "KES"
	}
	if q.Tariff == "" {
		q.Tariff = "BUSINESS-PAYS"
	}
	var k checks
	k.choice("method", q.Method, true, methods...)
	k.choice("currency", q.Currency, true, currencies...)
	k.choice("tarrif", q.Tariff, true, tariffs...)
	if a, ok := k.amount("amount", b.Amount, true); ok && k.positive("amount", a) {
		q.Amount = a
	}
	if k.reply(c) {
		return
	}
	fee := "CARD-PAYMENT"
	if q.Method == "M-PESA" {
		fee = "M-PESA"
	}
	q.Charges = collectFee(fee, q.Amount)
	q.Value, q.NetAmount = q.Amount, q.Amount-q.Charges
	if q.Tariff == "CUSTOMER-PAYS" {
		q.Value, q.NetAmount = q.Amount+q.Charges, q.Amount
	}
	c.json(http.StatusOK, q)
}

// createCustomer takes the Python SDK's customers.create body: email plus
// any of first_name, last_name, phone_number, country, zipcode. An existing
// customer with that phone (else e-mail) is answered 400, as a unique
// constraint would be, so a caller never gets two records for one payer.
func (s *Server) createCustomer(c *reqCtx) {
	var b struct {
		Email, Country, Zipcode client.FlexString
		FirstName               client.FlexString `json:"first_name"`
		LastName                client.FlexString `json:"last_name"`
		Phone                   client.FlexString `json:"phone_number"`
	}
	if !c.decode(&b) {
		return
	}
	tr := func(v client.FlexString) string { return strings.TrimSpace(string(v)) }
	email, first, last := tr(b.Email), tr(b.FirstName), tr(b.LastName)
	var k checks
	if email == "" {
		k.required("email")
	}
	k.email("email", email, 254)
	k.text("first_name", first, false, 45, reSafeRef)
	k.text("last_name", last, false, 45, reSafeRef)
	k.text("country", tr(b.Country), false, 2, nil)
	k.text("zipcode", tr(b.Zipcode), false, 10, nil)
	var phone client.Phone
	if tr(b.Phone) != "" {
		phone, _ = k.phone("phone_number", tr(b.Phone))
	}
	s.lock()
	defer s.mu.Unlock()
	if k.reply(c) || s.customerExists(c, string(phone), email) {
		return
	}
	now := s.clock.Now()
	cu := s.customerFor(string(phone), email, first, last, "", now)
	if country := strings.ToUpper(tr(b.Country)); country != "" {
		cu.Country = country
	}
	cu.Zipcode = tr(b.Zipcode)
	c.json(http.StatusCreated, customerView(cu))
}

// customerExists answers 400 when a customer already has that phone or
// e-mail address.
func (s *Server) customerExists(c *reqCtx, phone, email string) bool {
	for _, cu := range s.coll.custOrder {
		switch {
		case phone != "" && cu.Phone == phone:
			c.invalid("phone_number", "unique", "A customer with this phone number already exists: "+cu.ID+".")
			return true
		case email != "" && strings.EqualFold(cu.Email, email):
			c.invalid("email", "unique", "A customer with this email already exists: "+cu.ID+".")
			return true
		}
	}
	return false
}

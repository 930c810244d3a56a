package sim

// The pay form both pages share, and how a page's payment runs.
//
// Test cards (any future expiry, any 3- or 4-digit CVC):
//
//	4242 4242 4242 4242  succeeds
//	4000 0000 0000 3063  FAILED: 3-D Secure authentication failed (3DS)
//	4000 0000 0000 0002  FAILED: declined, "Do not honour" (05)
//	4000 0000 0000 9995  FAILED: "Insufficient funds" (51)
//
// Any other number that passes the Luhn check follows Options.FailureRate,
// as other phone numbers do. M-Pesa takes any Kenyan mobile number; the
// magic phone numbers of collections.go and scenarios.go apply.

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
)

// threeDSFailure is how a card fails its 3-D Secure check. IntaSend
// documents no code for it; "3DS" is the simulator's.
var threeDSFailure = failure{"3-D Secure authentication failed", "3DS"}

// magicCards fix a card payment's outcome (nil: success).
var magicCards = map[string]*failure{
	"4242424242424242": nil,
	"4000000000003063": &threeDSFailure,
	"4000000000000002": &cardFailures[0],
	"4000000000009995": &cardFailures[1],
}

// payView is the pay form (pay.html).
type payView struct {
	Heading, Merchant   string // what is paid for (checkout comment, link title); to whom
	Amount, Ref         string // "KES 1,234.50" ("" when the customer chooses); api_ref
	Currency            string
	AskAmount           bool
	AmountValue         string // what the customer typed
	Action, Token       string
	MPesa, Card         bool   // the methods offered
	MPesaNote, CardNote string // the fee added when the customer pays it
	Phone               string
	Errors              map[string]string // by field: amount_mpesa, amount_card, phone, card_number, card_exp, card_cvc, method
	Failed, ReturnURL   string            // the last attempt's failure; back to the shop
}

// offer decides the methods: M-Pesa for KES up to its per-transaction
// limit unless the checkout asked for card; card unless it asked for M-Pesa
// (or when M-Pesa cannot take the payment). CUSTOMER-PAYS tariffs show the
// total with IntaSend's fee.
func (v *payView) offer(method, currency string, amount client.Amount, mobileTariff, cardTariff string) {
	v.MPesa = currency == "KES" && method != "CARD-PAYMENT" && amount <= stkMax
	v.Card = method != "M-PESA" || !v.MPesa
	v.MPesaNote = feeNote("M-PESA", currency, amount, mobileTariff)
	v.CardNote = feeNote("CARD-PAYMENT", currency, amount, cardTariff)
}

func feeNote(provider, currency string, amount client.Amount, tariff string) string {
	if amount <= 0 || tariff != "CUSTOMER-PAYS" {
		return ""
	}
	fee := collectFee(provider, amount)
	return "You pay " + (amount + fee).Format(currency) + ", including a fee of " + fee.Format(currency) + "."
}

// payInput is a valid form.
type payInput struct {
	card    bool
	phone   client.Phone
	outcome *failure // card: the magic card's outcome
	magic   bool     // card: outcome is fixed
	amount  client.Amount
}

// read validates the posted form against what v offers; fixed is the
// amount due (zero: the customer's own amount). On errors it fills
// v.Errors and keeps what the customer typed, except card details.
func (v *payView) read(form url.Values, fixed client.Amount, now time.Time) (payInput, bool) {
	v.Errors = map[string]string{}
	in := payInput{amount: fixed}
	method := form.Get("method")
	if v.AskAmount {
		v.AmountValue = strings.TrimSpace(form.Get("amount"))
		in.amount = v.readAmount(method)
	}
	switch {
	case method == "mpesa" && v.MPesa:
		in.phone = v.readPhone(form.Get("phone"), in.amount)
	case method == "card" && v.Card:
		in.card = true
		in.outcome, in.magic = v.readCard(form, now)
	default:
		v.Errors["method"] = "Choose how to pay."
	}
	return in, len(v.Errors) == 0
}

// readAmount reads a customer's own amount (a payment link without one).
func (v *payView) readAmount(method string) client.Amount {
	a, err := client.ParseAmount(strings.ReplaceAll(v.AmountValue, ",", ""))
	switch {
	case v.AmountValue == "":
		v.Errors["amount_"+method] = "Enter the amount to pay."
	case err != nil || a < client.Units(1):
		v.Errors["amount_"+method] = "Enter an amount of at least 1.00, such as 250 or 1500.50."
	default:
		return a
	}
	return 0
}

func (v *payView) readPhone(raw string, amount client.Amount) client.Phone {
	v.Phone = strings.TrimSpace(raw)
	if amount > stkMax {
		v.Errors["amount_mpesa"] = "M-Pesa takes at most KES 150,000.00 in one payment: pay by card."
	}
	if v.Phone == "" {
		v.Errors["phone"] = "Enter the M-Pesa phone number to send the prompt to."
		return ""
	}
	p, err := client.ParsePhone(v.Phone)
	if err != nil {
		v.Errors["phone"] = "Enter a Kenyan mobile number such as 0712 345 678."
		return ""
	}
	return p
}

// readCard checks the card fields; it returns the magic card's outcome.
func (v *payView) readCard(form url.Values, now time.Time) (*failure, bool) {
	number := strings.NewReplacer(" ", "", "-", "").Replace(form.Get("card_number"))
	if !luhn(number) {
		v.Errors["card_number"] = "Enter the 12 to 19 digits of a valid card number."
	}
	if msg := checkExpiry(form.Get("card_exp"), now); msg != "" {
		v.Errors["card_exp"] = msg
	}
	if cvc := strings.TrimSpace(form.Get("card_cvc")); !allDigits(cvc) || len(cvc) < 3 || len(cvc) > 4 {
		v.Errors["card_cvc"] = "Enter the 3 or 4 digits on the back of the card."
	}
	f, magic := magicCards[number]
	return f, magic
}

// checkExpiry wants MM/YY (or MM/YYYY) no earlier than now's month.
func checkExpiry(raw string, now time.Time) string {
	m, y, ok := strings.Cut(strings.ReplaceAll(raw, " ", ""), "/")
	month, err1 := strconv.Atoi(m)
	year, err2 := strconv.Atoi(y)
	switch {
	case !ok || err1 != nil || err2 != nil || month < 1 || month > 12 || (len(y) != 2 && len(y) != 4):
		return "Enter the expiry date as MM/YY, such as 12/34."
	case len(y) == 2:
		year += 2000
	}
	if year*12+month < now.Year()*12+int(now.Month()) {
		return "This card has expired."
	}
	return ""
}

// luhn is the card number checksum (ISO/IEC 7812).
func luhn(n string) bool {
	if len(n) < 12 || len(n) > 19 || !allDigits(n) {
		return false
	}
	sum := 0
	for i := range len(n) {
		d := int(n[len(n)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// pagePay starts the customer's payment of co, as payCheckout does for the
// simulated customer but with the method and number the customer chose.
// Call with s.mu held.
func (s *Server) pagePay(co *checkout, in payInput, at time.Time) *invoice {
	provider, account, tariff, phone := "M-PESA", string(in.phone), co.MobileTariff, string(in.phone)
	if in.card {
		provider, account, tariff, phone = "CARD-PAYMENT", co.Email, co.CardTariff, ""
		if account == "" {
			account = "customer@example.com"
		}
	}
	cust := s.customerFor(phone, co.Email, co.FirstName, co.LastName, provider, at)
	inv := s.newInvoice(invoiceSpec{provider: provider, currency: co.Currency, account: account, apiRef: co.APIRef,
		narrative: co.Comment, host: co.Host, tariff: tariff, amount: co.Amount, walletID: co.WalletID,
		cust: cust, checkoutID: co.ID}, at)
	co.InvoiceID, co.UpdatedAt = inv.ID, at
	if in.card {
		s.runCard(inv, in.outcome, in.magic, at)
	} else {
		s.runInvoice(inv, at)
	}
	return inv
}

// runCard is a card payment's state machine, on an STK push's timings:
// PENDING → PROCESSING (the bank's 3-D Secure check) → COMPLETE | FAILED.
// A magic card fixes the outcome; any other follows FailureRate.
func (s *Server) runCard(inv *invoice, f *failure, magic bool, from time.Time) {
	t := s.opts.Timing
	s.at(from.Add(s.jitter(t.STKProcessing)), func(at time.Time) {
		if inv.State != "PENDING" {
			return
		}
		s.setState(inv, "PROCESSING", at)
		s.at(at.Add(s.jitter(t.STKFinal)), func(at time.Time) {
			if inv.State != "PROCESSING" {
				return
			}
			if !magic {
				f = s.outcome(inv)
			}
			s.settleInvoice(inv, f, at, true)
		})
	})
}

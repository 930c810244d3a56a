package sim

// The checkout page, /checkout/{id}/express/ (a checkout's url).
//
//	GET                  the pay form; with ?invoice=<the latest attempt>:
//	                     that attempt (waiting, paid, or failed with the form again)
//	POST                 start a payment (M-Pesa or card), 303 to ?invoice=<new>
//	GET status/?invoice= {"state","done","message"} for the waiting page's script
//
// Unknown checkouts answer 404; paid ones (visited again) and expired ones
// 410; a post with a wrong token 403.

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/malipo/malipo/client"
)

func checkoutPath(id string) string { return "/checkout/" + url.PathEscape(id) + "/express/" }

func (s *Server) checkoutPage(w http.ResponseWriter, r *http.Request) {
	s.lock()
	p := s.checkoutPageLocked(r.PathValue("id"), r.URL.Query().Get("invoice"))
	s.mu.Unlock()
	writePage(w, p)
}

// checkoutPageLocked picks what the page shows. Call with s.mu held.
func (s *Server) checkoutPageLocked(id, invoiceID string) page {
	co := s.coll.checkouts[id]
	if co == nil {
		return checkoutNotFound()
	}
	s.pages.opened[co.ID] = true
	inv := s.coll.invoices[co.InvoiceID]
	shown := inv != nil && inv.ID == invoiceID // the attempt this customer started
	switch {
	case shown && inFlight(inv):
		return s.waitPage(co, inv)
	case shown && inv.State == "COMPLETE":
		return s.donePage(co, inv)
	}
	if p, closed := s.checkoutClosed(co); closed {
		return p
	}
	v := s.checkoutForm(co)
	if shown {
		v.Failed, v.ReturnURL = failedReason(inv), returnURL(co, inv)
	}
	return page{status: http.StatusOK, tmpl: "pay", data: v}
}

// checkoutClosed answers for a checkout that cannot take a new payment:
// one in flight (see its page), paid, or expired.
func (s *Server) checkoutClosed(co *checkout) (page, bool) {
	inv := s.coll.invoices[co.InvoiceID]
	switch {
	case inv != nil && inFlight(inv):
		return seeOther(checkoutPath(co.ID) + "?invoice=" + url.QueryEscape(inv.ID)), true
	case co.Paid:
		v := goneView{Heading: "Already paid", Message: "This checkout has already been paid. Nothing more is due."}
		if inv != nil {
			v.ReturnURL = returnURL(co, inv)
		}
		return page{status: http.StatusGone, tmpl: "gone", data: v}, true
	case s.clock.Now().Sub(co.CreatedAt) > checkoutTTL:
		return gone(http.StatusGone, "Checkout expired",
			"This checkout has expired: it can be paid for a day after the shop made it. Go back to the shop and start again."), true
	}
	return page{}, false
}

func checkoutNotFound() page {
	return gone(http.StatusNotFound, "Checkout not found",
		"There is no checkout at this address. Check the link the shop gave you.")
}

func staleForm() page {
	return gone(http.StatusForbidden, "Form out of date",
		"This form is out of date or was not made by this page. Go back, reload the page and pay again.")
}

// checkoutForm is the pay form for co.
func (s *Server) checkoutForm(co *checkout) payView {
	v := payView{
		Heading: co.Comment, Merchant: s.businessName(), Amount: co.Amount.Format(co.Currency), Ref: co.APIRef,
		Currency: co.Currency, Action: checkoutPath(co.ID), Token: s.formToken("checkout", co.ID),
	}
	if p, err := client.ParsePhone(co.Phone); err == nil {
		v.Phone = string(p)
	}
	v.offer(co.Method, co.Currency, co.Amount, co.MobileTariff, co.CardTariff)
	return v
}

func (s *Server) checkoutPay(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		writePage(w, gone(http.StatusBadRequest, "Bad request", "The form could not be read."))
		return
	}
	s.lock()
	p := s.checkoutPayLocked(r.PathValue("id"), r.PostForm)
	s.mu.Unlock()
	writePage(w, p)
}

// checkoutPayLocked starts the payment the form asks for. Call with s.mu held.
func (s *Server) checkoutPayLocked(id string, form url.Values) page {
	co := s.coll.checkouts[id]
	if co == nil {
		return checkoutNotFound()
	}
	if !s.tokenOK("checkout", co.ID, form.Get("token")) {
		return staleForm()
	}
	if p, closed := s.checkoutClosed(co); closed {
		return p
	}
	s.pages.opened[co.ID] = true
	v := s.checkoutForm(co)
	now := s.clock.Now()
	in, ok := v.read(form, co.Amount, now)
	if !ok {
		return page{status: http.StatusBadRequest, tmpl: "pay", data: v}
	}
	inv := s.pagePay(co, in, now)
	return seeOther(checkoutPath(co.ID) + "?invoice=" + url.QueryEscape(inv.ID))
}

// statusJSON is what the waiting page's script polls.
type statusJSON struct {
	State   string `json:"state"`
	Done    bool   `json:"done"`
	Message string `json:"message"`
}

// checkoutStatus answers one attempt's state; only attempts made through
// this checkout are visible here.
func (s *Server) checkoutStatus(w http.ResponseWriter, r *http.Request) {
	s.lock()
	co := s.coll.checkouts[r.PathValue("id")]
	inv := s.coll.invoices[r.URL.Query().Get("invoice")]
	found := co != nil && inv != nil && inv.CheckoutID == co.ID
	var st statusJSON
	if found {
		st = statusJSON{State: inv.State, Done: !inFlight(inv), Message: stateMessage(inv)}
	}
	s.mu.Unlock()
	pageHeaders(w.Header())
	w.Header().Set("Cache-Control", "no-store")
	if !found {
		writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not found."})
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// waitView is the waiting page (wait.html).
type waitView struct {
	Heading, Merchant, Amount, Message string
	StatusURL, NextURL                 string
}

func (s *Server) waitPage(co *checkout, inv *invoice) page {
	next := checkoutPath(co.ID) + "?invoice=" + url.QueryEscape(inv.ID)
	return page{status: http.StatusOK, tmpl: "wait", data: waitView{
		Heading: co.Comment, Merchant: s.businessName(), Amount: inv.Value.Format(inv.Currency),
		Message: stateMessage(inv), NextURL: next,
		StatusURL: checkoutPath(co.ID) + "status/?invoice=" + url.QueryEscape(inv.ID),
	}}
}

// doneView is the success page (done.html).
type doneView struct {
	Heading, Merchant, Amount, Provider string
	Invoice, Receipt, ReturnURL         string
	Delay                               int
}

// donePage shows the payment and, with a redirect_url, sends the customer
// back to the shop after redirectDelay seconds (a Refresh header, so it
// works without JavaScript) with IntaSend's parameters.
func (s *Server) donePage(co *checkout, inv *invoice) page {
	v := doneView{
		Heading: co.Comment, Merchant: s.businessName(), Amount: inv.Value.Format(inv.Currency),
		Provider: providerLabel(inv.Provider), Invoice: inv.ID, Receipt: inv.MpesaReference,
		ReturnURL: returnURL(co, inv), Delay: redirectDelay,
	}
	p := page{status: http.StatusOK, tmpl: "done", data: v}
	if v.ReturnURL != "" {
		p.refresh = fmt.Sprintf("%d; url=%s", redirectDelay, v.ReturnURL)
	}
	return p
}

// returnURL is co's redirect_url with what IntaSend adds after a payment
// (docs/intasend-api.md §2.2): tracking_id (the invoice id), signature and checkout_id,
// which the shop checks with payment/status/. The url's own query is kept.
// "" without a redirect_url.
func returnURL(co *checkout, inv *invoice) string {
	u, err := url.Parse(co.RedirectURL)
	if co.RedirectURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	q := u.Query()
	q.Set("tracking_id", inv.ID)
	q.Set("signature", co.Signature)
	q.Set("checkout_id", co.ID)
	u.RawQuery = q.Encode()
	return u.String()
}

// inFlight reports whether an attempt may still change.
func inFlight(inv *invoice) bool {
	switch inv.State {
	case "PENDING", "PROCESSING", "RETRY":
		return true
	}
	return false
}

// failedReason says why an attempt ended without payment, without a full
// stop, as M-Pesa's own reasons are written.
func failedReason(inv *invoice) string {
	switch {
	case inv.FailedReason != "":
		return inv.FailedReason
	case inv.State == "CANCELED":
		return "The payment was cancelled"
	case inv.State == "PARTIAL":
		return "Only part of the amount was paid (" + inv.NetAmount.Format(inv.Currency) + ")"
	}
	return "The payment did not go through (" + strings.ToLower(inv.State) + ")"
}

// stateMessage tells the waiting customer what is happening.
func stateMessage(inv *invoice) string {
	card := inv.Provider == "CARD-PAYMENT"
	switch {
	case inv.State == "PENDING" && card:
		return "Contacting your bank…"
	case inv.State == "PENDING":
		return "Sending an M-Pesa prompt to your phone…"
	case inv.State == "PROCESSING" && card:
		return "Waiting for your bank's 3-D Secure check…"
	case inv.State == "PROCESSING":
		return "Check your phone and enter your M-Pesa PIN to pay."
	case inv.State == "RETRY":
		return "M-Pesa asked to try again: a new prompt is on its way."
	case inv.State == "COMPLETE":
		return "Payment received."
	}
	return "Payment failed: " + failedReason(inv) + "."
}

func providerLabel(p string) string {
	if p == "CARD-PAYMENT" {
		return "card"
	}
	return "M-Pesa"
}

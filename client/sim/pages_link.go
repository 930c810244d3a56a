package sim

// The payment link page, /pay/{id}/ (a payment link's url). It shows the
// link's title and amount (or asks for one when the link has none) and the
// same pay form as a checkout. Paying makes a checkout for that amount, with
// the link's tariffs and redirect_url and the title as its comment, and
// continues on that checkout's page, so the customer returns to the shop
// with the same parameters as from a checkout. Unknown links answer 404;
// inactive links, and links whose usage_limit of paid uses is reached, 410.

import (
	"net/http"
	"net/url"
	"time"

	"github.com/malipo/malipo/client"
)

func linkPath(id string) string { return "/pay/" + url.PathEscape(id) + "/" }

func (s *Server) linkPage(w http.ResponseWriter, r *http.Request) {
	s.lock()
	l := s.links.byID[r.PathValue("id")]
	p, closed := s.linkClosed(l)
	if !closed {
		p = page{status: http.StatusOK, tmpl: "pay", data: s.linkForm(l)}
	}
	s.mu.Unlock()
	writePage(w, p)
}

// linkClosed answers for a link that cannot be paid. Call with s.mu held.
func (s *Server) linkClosed(l *payLink) (page, bool) {
	switch {
	case l == nil:
		return gone(http.StatusNotFound, "Payment link not found",
			"There is no payment link at this address. Check the link you were given."), true
	case !l.IsActive:
		return gone(http.StatusGone, "Payment link closed",
			"This payment link has been switched off by the business. Ask them for a new one."), true
	case l.UsageLimit > 0 && s.linkUses(l) >= l.UsageLimit:
		return gone(http.StatusGone, "Payment link used up",
			"This payment link has been paid as many times as the business allows."), true
	}
	return page{}, false
}

// linkUses counts the link's paid uses.
func (s *Server) linkUses(l *payLink) int64 {
	var n int64
	for _, co := range s.pages.linkCheckouts[l.ID] {
		if co.Paid {
			n++
		}
	}
	return n
}

func (s *Server) linkForm(l *payLink) payView {
	amount := client.Units(l.Amount) // links carry whole units
	v := payView{Heading: l.Title, Merchant: s.businessName(), Currency: l.Currency, Action: linkPath(l.ID),
		Token: s.formToken("link", l.ID)}
	if amount > 0 {
		v.Amount = amount.Format(l.Currency)
	} else {
		v.AskAmount = true
	}
	v.offer("", l.Currency, amount, l.MobileTariff, l.CardTariff)
	return v
}

func (s *Server) linkPay(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
	if err := r.ParseForm(); err != nil {
		writePage(w, gone(http.StatusBadRequest, "Bad request", "The form could not be read."))
		return
	}
	host := (&reqCtx{s: s, r: r}).hostURL()
	s.lock()
	p := s.linkPayLocked(r.PathValue("id"), r.PostForm, host)
	s.mu.Unlock()
	writePage(w, p)
}

// linkPayLocked checks the form, makes the link's checkout and starts the
// payment. Call with s.mu held.
func (s *Server) linkPayLocked(id string, form url.Values, host string) page {
	l := s.links.byID[id]
	if p, closed := s.linkClosed(l); closed {
		return p
	}
	if !s.tokenOK("link", l.ID, form.Get("token")) {
		return staleForm()
	}
	v := s.linkForm(l)
	now := s.clock.Now()
	in, ok := v.read(form, client.Units(l.Amount), now)
	if !ok {
		return page{status: http.StatusBadRequest, tmpl: "pay", data: v}
	}
	co := s.linkCheckout(l, in.amount, host, now)
	inv := s.pagePay(co, in, now)
	return seeOther(checkoutPath(co.ID) + "?invoice=" + url.QueryEscape(inv.ID))
}

// linkCheckout makes the checkout one payment of l goes through.
func (s *Server) linkCheckout(l *payLink, amount client.Amount, host string, now time.Time) *checkout {
	co := &checkout{
		ID: s.newUUID(), Amount: amount, Currency: l.Currency, Comment: l.Title, RedirectURL: l.RedirectURL,
		MobileTariff: l.MobileTariff, CardTariff: l.CardTariff, BitcoinTariff: "BUSINESS-PAYS", ACHTariff: "BUSINESS-PAYS",
		Version: "3.0.0", CreatedAt: now, UpdatedAt: now,
	}
	co.URL = host + checkoutPath(co.ID)
	co.Signature = checkoutSignature(co.ID, now)
	s.coll.checkouts[co.ID] = co
	s.coll.coOrder = append(s.coll.coOrder, co)
	s.pages.opened[co.ID] = true
	s.pages.linkCheckouts[l.ID] = append(s.pages.linkCheckouts[l.ID], co)
	return co
}

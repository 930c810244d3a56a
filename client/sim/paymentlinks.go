package sim

// Payment links (docs/intasend-api.md §2.3): GET/POST paymentlinks/,
// GET/PUT paymentlinks/{id}/. Their url is absolute (<host>/pay/<id>/), as
// IntaSend's dashboard shows it; customers pay there (pages_link.go).

import (
	"net/http"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
)

type linkState struct {
	byID  map[string]*payLink
	order []*payLink
}

func (st *linkState) init() { st.byID = map[string]*payLink{} }

type payLink struct {
	ID, Title, Currency, RedirectURL string
	MobileTariff, CardTariff         string
	Amount, UsageLimit               int64
	IsActive                         bool
	URL, QRCode                      string
	CreatedAt, UpdatedAt             time.Time
}

type payLinkJSON struct {
	ID           string  `json:"id"`
	Title        string  `json:"title"`
	Currency     string  `json:"currency"`
	Amount       int64   `json:"amount"`
	UsageLimit   int64   `json:"usage_limit"`
	MobileTariff string  `json:"mobile_tarrif"`
	CardTariff   string  `json:"card_tarrif"`
	IsActive     bool    `json:"is_active"`
	RedirectURL  *string `json:"redirect_url"`
	URL          string  `json:"url"`
	QRCodeFile   string  `json:"qrcode_file"`
	CreatedAt    string  `json:"created_at"`
	UpdatedAt    string  `json:"updated_at"`
}

func payLinkView(l *payLink) payLinkJSON {
	return payLinkJSON{
		ID: l.ID, Title: l.Title, Currency: l.Currency, Amount: l.Amount, UsageLimit: l.UsageLimit,
		MobileTariff: l.MobileTariff, CardTariff: l.CardTariff, IsActive: l.IsActive,
		RedirectURL: strPtr(l.RedirectURL), URL: l.URL, QRCodeFile: l.QRCode,
		CreatedAt: ts(l.CreatedAt), UpdatedAt: ts(l.UpdatedAt),
	}
}

func (s *Server) routesPaymentLinks() {
	s.handle("GET", "paymentlinks/", authSecret, s.listPayLinks)
	s.handle("POST", "paymentlinks/", authSecret, s.createPayLink)
	s.handle("GET", "paymentlinks/{id}/", authSecret, s.getPayLink)
	s.handle("PUT", "paymentlinks/{id}/", authSecret, s.updatePayLink)
}

// payLinkBody is what PY/PHP send (extra keys are ignored).
type payLinkBody struct {
	Title        client.FlexString `json:"title"`
	Currency     client.FlexString `json:"currency"`
	Amount       flexInt           `json:"amount"`
	UsageLimit   flexInt           `json:"usage_limit"`
	MobileTariff client.FlexString `json:"mobile_tarrif"`
	CardTariff   client.FlexString `json:"card_tarrif"`
	IsActive     flexBool          `json:"is_active"`
	RedirectURL  client.FlexString `json:"redirect_url"`
}

// apply validates b and writes it into l; it answers the 400 itself.
func (b *payLinkBody) apply(c *reqCtx, l *payLink) bool {
	var k checks
	title := strings.TrimSpace(string(b.Title))
	k.text("title", title, true, 140, reSafeRef)
	currency := strings.ToUpper(strings.TrimSpace(string(b.Currency)))
	if currency == "" {
		currency = "KES"
	}
	k.choice("currency", currency, true, currencies...)
	if b.Amount.Set {
		k.integer("amount", b.Amount, false, 0)
	}
	if b.UsageLimit.Set {
		k.integer("usage_limit", b.UsageLimit, false, 0)
	}
	mobile, card := strings.TrimSpace(string(b.MobileTariff)), strings.TrimSpace(string(b.CardTariff))
	if mobile == "" {
		mobile = "BUSINESS-PAYS"
	}
	if card == "" {
		card = "BUSINESS-PAYS"
	}
	k.choice("mobile_tarrif", mobile, false, tariffs...)
	k.choice("card_tarrif", card, false, tariffs...)
	if b.IsActive.Bad {
		k.add("is_active", "invalid", "Must be a valid boolean.")
	}
	redirect := strings.TrimSpace(string(b.RedirectURL))
	k.uri("redirect_url", redirect, 400)
	if k.reply(c) {
		return false
	}
	l.Title, l.Currency, l.Amount, l.UsageLimit = title, currency, b.Amount.V, b.UsageLimit.V
	l.MobileTariff, l.CardTariff, l.RedirectURL = mobile, card, redirect
	l.IsActive = !b.IsActive.Set || b.IsActive.V
	return true
}

func (s *Server) createPayLink(c *reqCtx) {
	var b payLinkBody
	if !c.decode(&b) {
		return
	}
	s.lock()
	defer s.mu.Unlock()
	l := &payLink{}
	if !b.apply(c, l) {
		return
	}
	now := s.clock.Now()
	l.ID = s.newUUID()
	l.URL = c.hostURL() + "/pay/" + l.ID + "/"
	l.QRCode = c.hostURL() + "/media/qrcodes/" + l.ID + ".png"
	l.CreatedAt, l.UpdatedAt = now, now
	s.links.byID[l.ID] = l
	s.links.order = append(s.links.order, l)
	c.json(http.StatusCreated, payLinkView(l))
}

func (s *Server) listPayLinks(c *reqCtx) {
	s.lock()
	defer s.mu.Unlock()
	out := make([]payLinkJSON, 0, len(s.links.order))
	for i := len(s.links.order) - 1; i >= 0; i-- {
		out = append(out, payLinkView(s.links.order[i]))
	}
	paginate(c, out)
}

func (s *Server) getPayLink(c *reqCtx) { getByID(s, c, s.links.byID, payLinkView) }

// updatePayLink is a full update (PUT): title is required again.
func (s *Server) updatePayLink(c *reqCtx) {
	var b payLinkBody
	if !c.decode(&b) {
		return
	}
	s.lock()
	defer s.mu.Unlock()
	l := s.links.byID[c.r.PathValue("id")]
	if l == nil {
		c.notFound()
		return
	}
	next := *l
	if !b.apply(c, &next) {
		return
	}
	next.UpdatedAt = s.clock.Now()
	*l = next
	c.json(http.StatusOK, payLinkView(l))
}

package sim

// Wallets (docs/intasend-api.md §2.6): GET/POST wallets/, GET wallets/{id}/,
// GET wallets/{id}/transactions/, POST wallets/{id}/intra_transfer/.
// This file also holds the validation helpers the other sim-A areas share.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/malipo/malipo/client"
)

// currencies is the OAS currency enum.
var currencies = []string{"KES", "USD", "EUR", "GBP"}

// reSafeRef is OAS's pattern for labels, names, api_ref and titles.
var reSafeRef = regexp.MustCompile(`^[a-zA-Z0-9_ -]+$`)

// reNarrative is OAS's pattern for the intra-transfer narrative.
var reNarrative = regexp.MustCompile(`^[^<>%;$]+$`)

// ---- validation ----

// checks collects field errors so one 400 reports every bad field, as DRF
// does. Details follow DRF's default messages.
type checks struct{ items []ErrorItem }

func (k *checks) add(attr, code, detail string) {
	k.items = append(k.items, ErrorItem{Code: code, Detail: detail, Attr: strPtr(attr)})
}

// reply answers the 400 when anything failed; it reports whether it did.
func (k *checks) reply(c *reqCtx) bool {
	if len(k.items) == 0 {
		return false
	}
	c.invalidAll(k.items)
	return true
}

func (k *checks) required(attr string) {
	k.add(attr, "required", "This field is required.")
}

// text checks a string field: presence, length in characters and pattern.
// It reports whether the value is present and valid.
func (k *checks) text(attr, v string, required bool, maxLen int, re *regexp.Regexp) bool {
	if v == "" {
		if required {
			k.required(attr)
		}
		return false
	}
	if maxLen > 0 && utf8.RuneCountInString(v) > maxLen {
		k.add(attr, "max_length", fmt.Sprintf("Ensure this field has no more than %d characters.", maxLen))
		return false
	}
	if re != nil && !re.MatchString(v) {
		hint := "Enter a valid value."
		switch re {
		case reSafeRef:
			hint = "Enter a valid value: only letters, digits, spaces, '-' and '_' are allowed."
		case reNarrative:
			hint = "Enter a valid value: the characters < > % ; $ are not allowed."
		}
		k.add(attr, "invalid", hint)
		return false
	}
	return true
}

// choice checks an enum field.
func (k *checks) choice(attr, v string, required bool, opts ...string) bool {
	if v == "" {
		if required {
			k.required(attr)
		}
		return false
	}
	if !slices.Contains(opts, v) {
		k.add(attr, "invalid_choice", fmt.Sprintf("%q is not a valid choice.", v))
		return false
	}
	return true
}

// amount parses a decimal sent as a JSON number or string. It reports
// whether a valid value was present.
func (k *checks) amount(attr string, raw client.FlexString, required bool) (client.Amount, bool) {
	v := strings.TrimSpace(string(raw))
	if v == "" {
		if required {
			k.required(attr)
		}
		return 0, false
	}
	a, err := client.ParseAmount(v)
	if err != nil {
		if strings.Contains(err.Error(), "decimal places") {
			k.add(attr, "max_decimal_places", "Ensure that there are no more than 2 decimal places.")
		} else {
			k.add(attr, "invalid", "A valid number is required.")
		}
		return 0, false
	}
	return a, true
}

// positive checks a parsed amount is above zero.
func (k *checks) positive(attr string, a client.Amount) bool {
	if a <= 0 {
		k.add(attr, "min_value", "Ensure this value is greater than 0.")
		return false
	}
	return true
}

// flexBool decodes true/false, "true"/"false"/"YES"/"NO" and 1/0 without
// failing the whole body; Bad says the value was none of those.
type flexBool struct {
	Set, V, Bad bool
}

func (b *flexBool) UnmarshalJSON(data []byte) error {
	v := strings.ToLower(strings.Trim(string(bytes.TrimSpace(data)), `"`))
	*b = flexBool{Set: true}
	switch v {
	case "null", "":
		b.Set = false
	case "true", "yes", "1":
		b.V = true
	case "false", "no", "0":
	default:
		b.Bad = true
	}
	return nil
}

// flexInt decodes an integer sent as a number or a string without failing
// the whole body; Bad says it was not an integer.
type flexInt struct {
	Set, Bad bool
	V        int64
}

func (n *flexInt) UnmarshalJSON(data []byte) error {
	v := strings.TrimSpace(string(data))
	*n = flexInt{Set: true}
	if v == "null" {
		n.Set = false
		return nil
	}
	if strings.HasPrefix(v, `"`) {
		var s string
		if json.Unmarshal(data, &s) != nil {
			n.Bad = true
			return nil
		}
		v = strings.TrimSpace(s)
		if v == "" {
			n.Set = false
			return nil
		}
	}
	i, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		n.Bad = true
	}
	n.V = i
	return nil
}

// integer checks a flexInt: presence, type and minimum.
func (k *checks) integer(attr string, n flexInt, required bool, minV int64) bool {
	switch {
	case !n.Set:
		if required {
			k.required(attr)
		}
		return false
	case n.Bad:
		k.add(attr, "invalid", "A valid integer is required.")
		return false
	case n.V < minV:
		k.add(attr, "min_value", fmt.Sprintf("Ensure this value is greater than or equal to %d.", minV))
		return false
	}
	return true
}

// parseDay reads a YYYY-MM-DD date in Nairobi time.
func parseDay(v string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", v, nairobi)
	return t, err == nil
}

// ---- JSON views ----

// walletJSON is a wallet as IntaSend sends it (amounts as decimal strings).
type walletJSON struct {
	WalletID         string        `json:"wallet_id"`
	Label            string        `json:"label"`
	CanDisburse      bool          `json:"can_disburse"`
	Currency         string        `json:"currency"`
	WalletType       string        `json:"wallet_type"`
	CurrentBalance   client.Amount `json:"current_balance"`
	AvailableBalance client.Amount `json:"available_balance"`
	UpdatedAt        string        `json:"updated_at"`
	CreatedAt        string        `json:"created_at"`
}

func walletView(w *wallet) walletJSON {
	return walletJSON{
		WalletID: w.ID, Label: w.Label, CanDisburse: w.CanDisburse, Currency: w.Currency,
		WalletType: w.Type, CurrentBalance: w.Current, AvailableBalance: w.Available,
		UpdatedAt: ts(w.UpdatedAt), CreatedAt: ts(w.CreatedAt),
	}
}

// txJSON is a wallet transaction (statement line).
type txJSON struct {
	TransactionID  string        `json:"transaction_id"`
	Invoice        *invoiceJSON  `json:"invoice"`
	Currency       string        `json:"currency"`
	Value          client.Amount `json:"value"`
	RunningBalance client.Amount `json:"running_balance"`
	Narrative      string        `json:"narrative"`
	TransType      string        `json:"trans_type"`
	Status         string        `json:"status"`
	CreatedAt      string        `json:"created_at"`
	UpdatedAt      string        `json:"updated_at"`
}

// txView renders t with the invoice behind it, if it has one.
func (s *Server) txView(t *walletTx) txJSON {
	out := txJSON{
		TransactionID: t.ID, Currency: t.Currency, Value: t.Value, RunningBalance: t.RunningBalance,
		Narrative: t.Narrative, TransType: t.TransType, Status: t.Status,
		CreatedAt: ts(t.CreatedAt), UpdatedAt: ts(t.UpdatedAt),
	}
	if inv := s.coll.invoices[t.InvoiceID]; inv != nil {
		v := s.invoiceView(inv)
		out.Invoice = &v
	}
	return out
}

// newestFirst renders statement lines newest first (ties: later-written first).
func (s *Server) newestFirst(lines []*walletTx, keep func(*walletTx) bool) []txJSON {
	out := make([]txJSON, 0, len(lines))
	for i := len(lines) - 1; i >= 0; i-- {
		if keep == nil || keep(lines[i]) {
			out = append(out, s.txView(lines[i]))
		}
	}
	slices.SortStableFunc(out, func(a, b txJSON) int { return strings.Compare(b.CreatedAt, a.CreatedAt) })
	return out
}

// ---- handlers ----

func (s *Server) routesWallets() {
	s.handle("GET", "wallets/", authSecret, s.listWallets)
	s.handle("POST", "wallets/", authSecret, s.createWallet)
	s.handle("GET", "wallets/{id}/", authSecret, s.getWallet)
	s.handle("GET", "wallets/{id}/transactions/", authSecret, s.walletTransactions)
	s.handle("POST", "wallets/{id}/intra_transfer/", authSecret, s.intraTransfer)
}

// listWallets filters as OAS WalletsList does: record_id, label,
// wallet_type, currency, can_disburse.
// It is a hot route (every console refresh asks), so it holds the state
// lock only to copy the wallets: filtering, views and encoding run on the
// copies with the lock released.
// The list without a query, the one consoles poll, is answered from the
// answer cache (answercache.go) while no state has changed.
func (s *Server) listWallets(c *reqCtx) {
	plain := c.r.URL.RawQuery == ""
	s.lock()
	gen := s.mu.gen
	if e := s.answers.wallets.get(gen, ""); plain && e != nil {
		s.mu.unlockUnchanged()
		c.json(http.StatusOK, e)
		return
	}
	ws := make([]wallet, len(s.walletOrder))
	for i, id := range s.walletOrder {
		ws[i] = *s.wallets[id]
	}
	s.mu.unlockUnchanged()
	q := c.query()
	out := make([]walletJSON, 0, len(ws))
	for i := range ws {
		if walletMatches(q, &ws[i]) {
			out = append(out, walletView(&ws[i]))
		}
	}
	page, ok := pageOf(c, out)
	switch {
	case !ok:
	case plain && page.Next == nil && page.Previous == nil: // no links: nothing from the request
		c.answerCached(s.answers.wallets, gen, "", page)
	default:
		c.json(http.StatusOK, page)
	}
}

// walletMatches applies listWallets' query filters.
func walletMatches(q url.Values, w *wallet) bool {
	if v := q.Get("record_id"); v != "" && v != w.ID {
		return false
	}
	if v := q.Get("label"); v != "" && !strings.EqualFold(v, w.Label) {
		return false
	}
	if v := q.Get("wallet_type"); v != "" && !strings.EqualFold(v, w.Type) {
		return false
	}
	if v := q.Get("currency"); v != "" && !strings.EqualFold(v, w.Currency) {
		return false
	}
	if v := q.Get("can_disburse"); v != "" {
		if b, err := strconv.ParseBool(strings.ToLower(v)); err == nil && b != w.CanDisburse {
			return false
		}
	}
	return true
}

func (s *Server) createWallet(c *reqCtx) {
	var b struct {
		Label       client.FlexString `json:"label"`
		Currency    string            `json:"currency"`
		WalletType  string            `json:"wallet_type"`
		CanDisburse flexBool          `json:"can_disburse"`
	}
	if !c.decode(&b) {
		return
	}
	var k checks
	label := strings.TrimSpace(string(b.Label))
	k.text("label", label, true, 40, reSafeRef)
	k.choice("currency", b.Currency, true, currencies...)
	switch b.WalletType {
	case "", "WORKING":
	case "SETTLEMENT":
		k.add("wallet_type", "invalid", "Only WORKING wallets can be created: every account has exactly one SETTLEMENT wallet.")
	default:
		k.add("wallet_type", "invalid_choice", fmt.Sprintf("%q is not a valid choice.", b.WalletType))
	}
	if b.CanDisburse.Bad {
		k.add("can_disburse", "invalid", "Must be a valid boolean.")
	}
	if k.reply(c) {
		return
	}
	s.lock()
	defer s.mu.Unlock()
	w := s.addWallet(label, b.Currency, "WORKING", b.CanDisburse.V, s.clock.Now())
	c.json(http.StatusCreated, walletView(w))
}

func (s *Server) getWallet(c *reqCtx) { getByID(s, c, s.wallets, walletView) }

// walletTransactions lists one wallet's statement, newest first.
func (s *Server) walletTransactions(c *reqCtx) {
	s.lock()
	defer s.mu.Unlock()
	w := s.wallets[c.r.PathValue("id")]
	if w == nil {
		c.notFound()
		return
	}
	paginate(c, s.newestFirst(w.Tx, nil))
}

// intraTransfer moves money between two wallets of the same currency; both
// sides post an ADJUSTMENT line at once (no clearing).
func (s *Server) intraTransfer(c *reqCtx) {
	var b struct {
		WalletID  client.FlexString `json:"wallet_id"`
		Amount    client.FlexString `json:"amount"`
		Narrative string            `json:"narrative"`
	}
	if !c.decode(&b) {
		return
	}
	s.lock()
	defer s.mu.Unlock()
	origin := s.wallets[c.r.PathValue("id")]
	if origin == nil {
		c.notFound()
		return
	}
	var k checks
	destID := strings.TrimSpace(string(b.WalletID))
	dest := s.wallets[destID]
	switch {
	case destID == "":
		k.required("wallet_id")
	case dest == nil:
		k.add("wallet_id", "does_not_exist", fmt.Sprintf("Wallet %q does not exist.", destID))
	case dest == origin:
		k.add("wallet_id", "invalid", "The destination wallet must differ from the origin wallet.")
	case dest.Currency != origin.Currency:
		k.add("wallet_id", "invalid", fmt.Sprintf("Currency mismatch: origin wallet %s holds %s, destination wallet %s holds %s.",
			origin.ID, origin.Currency, dest.ID, dest.Currency))
	}
	amount, ok := k.amount("amount", b.Amount, true)
	if ok {
		k.positive("amount", amount)
	}
	k.text("narrative", strings.TrimSpace(b.Narrative), true, 255, reNarrative)
	if k.reply(c) {
		return
	}
	if origin.Available < amount {
		c.invalid("amount", "insufficient_balance", fmt.Sprintf(
			"Insufficient balance in wallet %s: %s available, %s requested.",
			origin.ID, origin.Available.Format(origin.Currency), amount.Format(origin.Currency)))
		return
	}
	now := s.clock.Now()
	narrative := strings.TrimSpace(b.Narrative)
	if _, err := s.post(origin, -amount, "ADJUSTMENT", "AVAILABLE", narrative, "", now); err != nil {
		c.invalid("amount", "insufficient_balance", err.Error())
		return
	}
	_, _ = s.post(dest, amount, "ADJUSTMENT", "AVAILABLE", narrative, "", now) // a credit cannot fail
	c.json(http.StatusOK, map[string]walletJSON{"origin": walletView(origin), "destination": walletView(dest)})
}

// ---- Go API ----

// WalletInfo is a wallet as tests and the demo see it through the Go API.
type WalletInfo struct {
	ID, Label, Type, Currency string
	CanDisburse               bool
	Current, Available        client.Amount
}

func walletInfo(w *wallet) WalletInfo {
	return WalletInfo{ID: w.ID, Label: w.Label, Type: w.Type, Currency: w.Currency,
		CanDisburse: w.CanDisburse, Current: w.Current, Available: w.Available}
}

// Wallets lists every wallet in creation order (the KES settlement wallet first).
func (s *Server) Wallets() []WalletInfo {
	s.lock()
	defer s.mu.Unlock()
	out := make([]WalletInfo, 0, len(s.walletOrder))
	for _, id := range s.walletOrder {
		out = append(out, walletInfo(s.wallets[id]))
	}
	return out
}

// Wallet returns one wallet.
func (s *Server) Wallet(id string) (WalletInfo, bool) {
	s.lock()
	defer s.mu.Unlock()
	w := s.wallets[id]
	if w == nil {
		return WalletInfo{}, false
	}
	return walletInfo(w), true
}

// SettlementWalletID is the id of the KES SETTLEMENT wallet, where
// collections land unless a wallet_id says otherwise.
func (s *Server) SettlementWalletID() string {
	s.lock()
	defer s.mu.Unlock()
	return s.settlementWallet("KES").ID
}

package sim

// POST wallets/{id}/exchange/ (OAS wallets_exchange): body {currency,
// amount, action ∈ QUOTE|EXCHANGE} → 200 {rate, fxe_amount, status,
// currency, narrative}.
//
// Decisions where the OAS is silent:
//   - amount is in the wallet's currency; currency is the one to buy.
//     fxe_amount is what amount buys, in cents rounded half up; rate is
//     units of currency per unit of the wallet's, 6 decimal places.
//   - The simulator's rates are fixed (below), so tests can compute them.
//   - QUOTE moves nothing (status "QUOTE"). EXCHANGE debits the wallet and
//     credits the SETTLEMENT wallet of the bought currency (opened if need
//     be), both as EXCHANGE lines, at once (status "COMPLETE"). It needs the
//     amount available; else 400 insufficient_balance, as intra_transfer.

import (
	"fmt"
	"math/big"
	"net/http"
	"strings"

	"github.com/malipo/malipo/client"
)

// kesPer is the simulator's fixed rate table: KES cents per unit (100
// cents) of each currency, i.e. KES per unit × 100.
var kesPer = map[string]int64{"KES": 100, "USD": 12_900, "EUR": 14_000, "GBP": 16_400}

// convert returns what a (in cents of from) buys in cents of to, rounded
// half up, in exact integer arithmetic.
func convert(a client.Amount, from, to string) client.Amount {
	num := new(big.Int).Mul(big.NewInt(int64(a)), big.NewInt(kesPer[from]))
	den := big.NewInt(kesPer[to])
	num.Mul(num, big.NewInt(2)).Add(num, den)
	return client.Amount(num.Quo(num, den.Mul(den, big.NewInt(2))).Int64())
}

// rateText is units of to per unit of from with six decimals.
func rateText(from, to string) string {
	micro := (kesPer[from]*1_000_000*2 + kesPer[to]) / (kesPer[to] * 2)
	return fmt.Sprintf("%d.%06d", micro/1_000_000, micro%1_000_000)
}

type exchangeJSON struct {
	Rate      string        `json:"rate"`
	FxeAmount client.Amount `json:"fxe_amount"`
	Status    string        `json:"status"`
	Currency  string        `json:"currency"`
	Narrative string        `json:"narrative"`
}

func (s *Server) exchange(c *reqCtx) {
	var b struct {
		Currency client.FlexString `json:"currency"`
		Amount   client.FlexString `json:"amount"`
		Action   client.FlexString `json:"action"`
	}
	if !c.decode(&b) {
		return
	}
	s.lock()
	defer s.mu.Unlock()
	w := s.wallets[c.r.PathValue("id")]
	if w == nil {
		c.notFound()
		return
	}
	to := strings.ToUpper(strings.TrimSpace(string(b.Currency)))
	action := strings.ToUpper(strings.TrimSpace(string(b.Action)))
	var k checks
	if k.choice("currency", to, true, currencies...) && to == w.Currency {
		k.add("currency", "invalid", fmt.Sprintf("Wallet %s already holds %s; choose another currency.", w.ID, to))
	}
	k.choice("action", action, true, "QUOTE", "EXCHANGE")
	amount, ok := k.amount("amount", b.Amount, true)
	if ok {
		k.positive("amount", amount)
	}
	if k.reply(c) {
		return
	}
	fxe := convert(amount, w.Currency, to)
	out := exchangeJSON{Rate: rateText(w.Currency, to), FxeAmount: fxe, Status: "QUOTE", Currency: to,
		Narrative: fmt.Sprintf("Exchange %s to %s", amount.Format(w.Currency), fxe.Format(to))}
	if action == "EXCHANGE" {
		if !s.doExchange(c, w, amount, to, fxe, out.Narrative) {
			return
		}
		out.Status = "COMPLETE"
	}
	c.json(http.StatusOK, out)
}

// doExchange moves the money, or answers 400 when the wallet cannot cover it.
func (s *Server) doExchange(c *reqCtx, w *wallet, amount client.Amount, to string, fxe client.Amount, narrative string) bool {
	now := s.clock.Now()
	if fxe <= 0 {
		c.invalid("amount", "min_value", "The amount is too small to buy any "+to+".")
		return false
	}
	if _, err := s.post(w, -amount, "EXCHANGE", "AVAILABLE", narrative, "", now); err != nil {
		c.invalid("amount", "insufficient_balance", fmt.Sprintf("Insufficient balance in wallet %s: %s available, %s requested.",
			w.ID, w.Available.Format(w.Currency), amount.Format(w.Currency)))
		return false
	}
	_, _ = s.post(s.settlementFor(to, now), fxe, "EXCHANGE", "AVAILABLE", narrative, "", now) // a credit cannot fail
	return true
}

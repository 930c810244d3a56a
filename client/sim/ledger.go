package sim

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/malipo/malipo/client"
)

// store holds all simulated state. Each API area keeps its state in its own
// type, defined in its own file; the ledger (wallets and their
// transactions) is shared by every area that moves money.
type store struct {
	wallets     map[string]*wallet
	walletOrder []string    // creation order, for listing
	allTx       []*walletTx // every wallet transaction, oldest first (GET transactions/)
	txByID      map[string]*walletTx
	coll        collState   // collections.go: invoices, checkouts
	pay         payState    // payouts.go: send-money batches
	refunds     refundState // chargebacks.go
	subs        subState    // subscriptions.go
	links       linkState   // paymentlinks.go
	banks       []bank      // banks.go
	usedIDs     map[string]bool

	paybills []*paybillAccount // paybill.go; id = index+1
}

func (st *store) init() {
	st.wallets = map[string]*wallet{}
	st.txByID = map[string]*walletTx{}
	st.usedIDs = map[string]bool{}
	st.coll.init()
	st.pay.init()
	st.refunds.init()
	st.subs.init()
	st.links.init()
	st.banks = defaultBanks()
}

// wallet is an IntaSend wallet. Available is what can be spent now; Current
// also counts money held for payouts in flight and collections still clearing.
type wallet struct {
	ID          string
	Label       string
	Currency    string
	Type        string // SETTLEMENT | WORKING
	CanDisburse bool
	Current     client.Amount
	Available   client.Amount
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Tx          []*walletTx // oldest first
}

// walletTx is one line of a wallet's statement.
type walletTx struct {
	ID             string
	WalletID       string
	InvoiceID      string // the invoice behind a SALE or a refund, if any
	Currency       string
	Value          client.Amount // signed: money in is positive
	RunningBalance client.Amount
	Narrative      string
	TransType      string // SALE|ADJUSTMENT|PAYOUT|CHARGE|AIRTIME|DEPOSIT|EXCHANGE|UNMARKED
	Status         string // AVAILABLE|CLEARING|ON-HOLD|CANCELLED|CHARGEBACK-PENDING|REFUNDED|ADJUSTMENT
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

var errInsufficient = errors.New("insufficient balance")

// ensureSettlementWallet gives every account its one SETTLEMENT wallet.
func (s *Server) ensureSettlementWallet() *wallet {
	if w := s.settlementWallet("KES"); w != nil {
		return w
	}
	now := s.clock.Now()
	return s.addWallet("default", "KES", "SETTLEMENT", true, now)
}

// settlementWallet finds the SETTLEMENT wallet for a currency.
func (s *Server) settlementWallet(currency string) *wallet {
	for _, id := range s.walletOrder {
		if w := s.wallets[id]; w.Type == "SETTLEMENT" && w.Currency == currency {
			return w
		}
	}
	return nil
}

func (s *Server) addWallet(label, currency, typ string, canDisburse bool, at time.Time) *wallet {
	w := &wallet{
		ID: s.newID(7), Label: label, Currency: currency, Type: typ, CanDisburse: canDisburse,
		CreatedAt: at, UpdatedAt: at,
	}
	s.wallets[w.ID] = w
	s.walletOrder = append(s.walletOrder, w.ID)
	return w
}

// post records a movement of value on w (positive in, negative out) and
// moves both balances. It refuses to take Available below zero.
func (s *Server) post(w *wallet, value client.Amount, transType, status, narrative, invoiceID string, at time.Time) (*walletTx, error) {
	if value < 0 && w.Available+value < 0 {
		return nil, fmt.Errorf("%w: %s available, %s needed", errInsufficient, w.Available.Format(w.Currency), (-value).Format(w.Currency))
	}
	w.Current += value
	w.Available += value
	return s.record(w, value, transType, status, narrative, invoiceID, at), nil
}

// record appends a statement line without touching Available: used when the
// money was already held (see hold) or for CLEARING credits.
func (s *Server) record(w *wallet, value client.Amount, transType, status, narrative, invoiceID string, at time.Time) *walletTx {
	w.UpdatedAt = at
	t := &walletTx{
		ID: s.newID(7), WalletID: w.ID, InvoiceID: invoiceID, Currency: w.Currency,
		Value: value, RunningBalance: w.Current, Narrative: narrative,
		TransType: transType, Status: status, CreatedAt: at, UpdatedAt: at,
	}
	w.Tx = append(w.Tx, t)
	s.allTx = append(s.allTx, t)
	s.txByID[t.ID] = t
	return t
}

// hold reserves amount from Available (a payout in flight, a pending refund).
func (s *Server) hold(w *wallet, amount client.Amount, at time.Time) error {
	if w.Available < amount {
		return fmt.Errorf("%w: %s available, %s needed", errInsufficient, w.Available.Format(w.Currency), amount.Format(w.Currency))
	}
	w.Available -= amount
	w.UpdatedAt = at
	return nil
}

// release returns a held amount to Available.
func (s *Server) release(w *wallet, amount client.Amount, at time.Time) {
	w.Available += amount
	w.UpdatedAt = at
}

// settleHeld turns held money into a debit: Current drops by amount and a
// statement line is written; Available already dropped at hold time.
func (s *Server) settleHeld(w *wallet, amount client.Amount, transType, narrative, invoiceID string, at time.Time) *walletTx {
	w.Current -= amount
	return s.record(w, -amount, transType, "AVAILABLE", narrative, invoiceID, at)
}

// creditClearing adds money to Current now and to Available after delay,
// as a card or M-Pesa sale clears.
func (s *Server) creditClearing(w *wallet, value client.Amount, transType, narrative, invoiceID string, delay time.Duration, at time.Time) *walletTx {
	w.Current += value
	t := s.record(w, value, transType, "CLEARING", narrative, invoiceID, at)
	s.at(at.Add(delay), func(done time.Time) {
		w.Available += value
		w.UpdatedAt = done
		t.Status = "AVAILABLE"
		t.UpdatedAt = done
	})
	return t
}

// ---- ids ----

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// newID makes an id in IntaSend's style: n upper-case alphanumerics
// (invoice NR5XKGY, wallet ZQMMOQO), unique within this simulator.
func (s *Server) newID(n int) string {
	for {
		b := make([]byte, n)
		for i := range b {
			b[i] = idAlphabet[s.rng.IntN(len(idAlphabet))]
		}
		id := string(b)
		if !s.usedIDs[id] {
			s.usedIDs[id] = true
			return id
		}
	}
}

// newUUID makes a random (version 4) UUID from the simulator's seeded source.
func (s *Server) newUUID() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(s.rng.UintN(256))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newNonce makes an approval nonce: six lower-case alphanumerics ("1aiw02").
func (s *Server) newNonce() string {
	const alpha = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 6)
	for i := range b {
		b[i] = alpha[s.rng.IntN(len(alpha))]
	}
	return string(b)
}

// tsLayout is how IntaSend writes times: 2025-10-27T10:44:23.852593+03:00.
const tsLayout = "2006-01-02T15:04:05.000000-07:00"

// ts formats a time as IntaSend does (tsLayout, in Nairobi time). Every
// view carries two or more, so the digits are written by hand: time.Format
// interprets its layout on each call and was a tenth of a status answer's CPU.
//
// A status poll shows the same few times on every call, so the strings
// are also memoised in tsMemo, a small direct-mapped cache: a hit costs
// no allocation (a view carries up to six times).
func ts(t time.Time) string {
	sec, nsec := t.Unix(), int32(t.Nanosecond())
	// A multiplicative hash: times a second or a microsecond apart land
	// in different slots.
	h := (uint64(sec)*0x9E3779B97F4A7C15 ^ uint64(nsec)*0xBF58476D1CE4E5B9) >> 55
	slot := &tsMemo[h]
	if e := slot.Load(); e != nil && e.sec == sec && e.nsec == nsec {
		return e.s
	}
	var buf [len(tsLayout)]byte
	s := string(appendTS(buf[:0], t))
	slot.Store(&tsEntry{sec: sec, nsec: nsec, s: s})
	return s
}

// tsEntry is one memoised ts: the instant (zone and monotonic reading do
// not change the text, which is always in Nairobi time) and its text.
type tsEntry struct {
	sec  int64
	nsec int32
	s    string
}

// tsMemo is ts's cache. It holds only what a pure function computed, so
// sharing it between simulators is safe; atomics make it safe to race on.
var tsMemo [1 << 9]atomic.Pointer[tsEntry] // indexed by a hash's top 9 bits

func appendTS(dst []byte, t time.Time) []byte {
	t = t.In(nairobi)
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return t.AppendFormat(dst, tsLayout)
	}
	h, mi, sec := t.Clock()
	dst = appendDigits(dst, y, 4)
	dst = appendDigits(append(dst, '-'), int(mo), 2)
	dst = appendDigits(append(dst, '-'), d, 2)
	dst = appendDigits(append(dst, 'T'), h, 2)
	dst = appendDigits(append(dst, ':'), mi, 2)
	dst = appendDigits(append(dst, ':'), sec, 2)
	dst = appendDigits(append(dst, '.'), t.Nanosecond()/1000, 6)
	return append(dst, "+03:00"...) // nairobi is a fixed zone
}

// appendDigits appends v (≥ 0) zero-padded to width digits.
func appendDigits(dst []byte, v, width int) []byte {
	for i := width - 1; i >= 0; i-- {
		dst = append(dst, 0)
	}
	for i := len(dst) - 1; i >= len(dst)-width; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
	return dst
}

// nairobi is EAT (UTC+3, no daylight saving), fixed so no tzdata is needed.
var nairobi = time.FixedZone("EAT", 3*60*60)

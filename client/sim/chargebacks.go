package sim

// Chargebacks, i.e. refunds (docs/intasend-api.md §2.8): POST chargebacks/,
// GET chargebacks/, GET chargebacks/{id}/.
//
// Behaviour:
//   - Body {invoice, amount, reason, reason_details}. reason must be one of
//     OAS's "Unavailable service", "Delayed delivery", "Wrong service",
//     "Duplicate payment", "Other". The Node SDK example's 'UNAVAIBLE' is
//     refused like any other value outside the enum.
//   - The invoice must exist and be COMPLETE; amount > 0; the refunds of an
//     invoice that are not CANCELLED or DISPUTED cannot add up to more than
//     its value (400 stating the refundable remainder).
//   - The amount is held on the wallet the invoice credited (400 when that
//     wallet's available balance cannot cover it, e.g. the sale is still
//     clearing), the SALE line turns CHARGEBACK-PENDING, and the chargeback
//     is PENDING. After Timing.Chargeback it is COMPLETED: the wallet is
//     debited (an ADJUSTMENT line) and the SALE line becomes REFUNDED once
//     the invoice is refunded in full (AVAILABLE again otherwise).
//   - Magic amounts (issue 12 §5): a refund whose cents are .71 is
//     CANCELLED after Timing.Chargeback (the hold is released and the
//     amount is refundable again); .72 is OVERDUE then (still held, the
//     SALE line still CHARGEBACK-PENDING) and COMPLETED overdueDelay later.
//   - Server.DisputeChargeback(id) makes a PENDING chargeback DISPUTED
//     instead (the hold is released), for tests and demos.

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
)

// Magic refund cents and how long an OVERDUE refund stays so.
const (
	magicRefundCancelled = 71
	magicRefundOverdue   = 72
	overdueDelay         = time.Hour
)

var refundReasons = []string{"Unavailable service", "Delayed delivery", "Wrong service", "Duplicate payment", "Other"}

type refundState struct {
	byID  map[string]*chargeback
	order []*chargeback
}

func (st *refundState) init() { st.byID = map[string]*chargeback{} }

type chargeback struct {
	ID, SessionID, InvoiceID, WalletID string
	Reason, ReasonDetails, Status      string
	Resolution                         string
	Amount                             client.Amount
	CreatedAt, UpdatedAt               time.Time
}

type chargebackJSON struct {
	ChargebackID  string        `json:"chargeback_id"`
	SessionID     string        `json:"session_id"`
	Transaction   *txJSON       `json:"transaction"`
	Invoice       *invoiceJSON  `json:"invoice"`
	Amount        client.Amount `json:"amount"`
	Reason        string        `json:"reason"`
	ReasonDetails *string       `json:"reason_details"`
	Status        string        `json:"status"`
	Resolution    *string       `json:"resolution"`
	StaffCreated  bool          `json:"staff_created"`
	CreatedAt     string        `json:"created_at"`
	UpdatedAt     string        `json:"updated_at"`
}

func (s *Server) chargebackView(cb *chargeback) chargebackJSON {
	out := chargebackJSON{
		ChargebackID: cb.ID, SessionID: cb.SessionID, Amount: cb.Amount, Reason: cb.Reason,
		ReasonDetails: strPtr(cb.ReasonDetails), Status: cb.Status, Resolution: strPtr(cb.Resolution),
		CreatedAt: ts(cb.CreatedAt), UpdatedAt: ts(cb.UpdatedAt),
	}
	if inv := s.coll.invoices[cb.InvoiceID]; inv != nil {
		v := s.invoiceView(inv)
		out.Invoice = &v
		if inv.SaleTx != nil {
			t := s.txView(inv.SaleTx)
			out.Transaction = &t
		}
	}
	return out
}

func (s *Server) routesChargebacks() {
	s.handle("POST", "chargebacks/", authSecret, s.createChargeback)
	s.handle("GET", "chargebacks/", authSecret, s.listChargebacks)
	s.handle("GET", "chargebacks/{id}/", authSecret, s.getChargeback)
}

func (s *Server) createChargeback(c *reqCtx) {
	var b struct {
		Invoice       client.FlexString `json:"invoice"`
		InvoiceID     client.FlexString `json:"invoice_id"`
		Amount        client.FlexString `json:"amount"`
		Reason        client.FlexString `json:"reason"`
		ReasonDetails client.FlexString `json:"reason_details"`
	}
	if !c.decode(&b) {
		return
	}
	s.lock()
	defer s.mu.Unlock()
	var k checks
	id := strings.TrimSpace(string(b.Invoice))
	if id == "" {
		id = strings.TrimSpace(string(b.InvoiceID))
	}
	inv := s.coll.invoices[id]
	switch {
	case id == "":
		k.required("invoice")
	case inv == nil:
		k.add("invoice", "does_not_exist", fmt.Sprintf("Invalid pk %q - object does not exist.", id))
	case inv.State != "COMPLETE":
		k.add("invoice", "invalid", fmt.Sprintf("Only COMPLETE invoices can be refunded; invoice %s is %s.", inv.ID, inv.State))
	}
	amount, ok := k.amount("amount", b.Amount, true)
	if ok && k.positive("amount", amount) && inv != nil && inv.State == "COMPLETE" && inv.Refunded+amount > inv.Value {
		k.add("amount", "invalid", fmt.Sprintf(
			"Refunds cannot exceed the invoice value: invoice %s is %s and %s is already refunded or pending, so at most %s can be refunded.",
			inv.ID, inv.Value.Format(inv.Currency), inv.Refunded.Format(inv.Currency), (inv.Value-inv.Refunded).Format(inv.Currency)))
	}
	k.choice("reason", strings.TrimSpace(string(b.Reason)), true, refundReasons...)
	k.text("reason_details", strings.TrimSpace(string(b.ReasonDetails)), false, 255, nil)
	if k.reply(c) {
		return
	}
	cb, err := s.newChargeback(inv, amount, strings.TrimSpace(string(b.Reason)), strings.TrimSpace(string(b.ReasonDetails)), s.clock.Now())
	if err != nil {
		c.invalid("amount", "insufficient_balance", err.Error())
		return
	}
	s.after(s.jitter(s.opts.Timing.Chargeback), func(at time.Time) { s.resolveChargeback(cb, at) })
	c.json(http.StatusCreated, s.chargebackView(cb))
}

// newChargeback holds the amount on the credited wallet and records a
// PENDING chargeback. The caller schedules its completion.
func (s *Server) newChargeback(inv *invoice, amount client.Amount, reason, details string, at time.Time) (*chargeback, error) {
	w := s.wallets[inv.WalletID]
	if w == nil {
		return nil, fmt.Errorf("invoice %s credited no wallet", inv.ID)
	}
	if err := s.hold(w, amount, at); err != nil {
		return nil, fmt.Errorf("wallet %s cannot cover the refund (%v); money still clearing becomes available within %s", w.ID, err, clearingDelay)
	}
	cb := &chargeback{ID: s.newID(7), SessionID: s.newUUID(), InvoiceID: inv.ID, WalletID: w.ID,
		Reason: reason, ReasonDetails: details, Status: "PENDING", Amount: amount, CreatedAt: at, UpdatedAt: at}
	inv.Refunded += amount
	if inv.SaleTx != nil {
		inv.SaleTx.Status, inv.SaleTx.UpdatedAt = "CHARGEBACK-PENDING", at
	}
	s.refunds.byID[cb.ID] = cb
	s.refunds.order = append(s.refunds.order, cb)
	return cb, nil
}

// resolveChargeback ends a PENDING refund as its amount's cents say:
// CANCELLED, OVERDUE (completed later) or, usually, COMPLETED.
func (s *Server) resolveChargeback(cb *chargeback, at time.Time) {
	if cb.Status != "PENDING" {
		return
	}
	switch cb.Amount % 100 {
	case magicRefundCancelled:
		s.endChargeback(cb, "CANCELLED", "Cancelled by IntaSend: the refund was not processed; nothing was paid", at)
	case magicRefundOverdue:
		cb.Status, cb.Resolution, cb.UpdatedAt = "OVERDUE", "Overdue: not processed in time; still being processed", at
		s.at(at.Add(overdueDelay), func(at time.Time) { s.completeChargeback(cb, at) })
	default:
		s.completeChargeback(cb, at)
	}
}

// completeChargeback pays a PENDING or OVERDUE refund out of the held money.
func (s *Server) completeChargeback(cb *chargeback, at time.Time) {
	if cb.Status != "PENDING" && cb.Status != "OVERDUE" {
		return
	}
	inv := s.coll.invoices[cb.InvoiceID]
	w := s.wallets[cb.WalletID]
	s.settleHeld(w, cb.Amount, "ADJUSTMENT", fmt.Sprintf("Refund of invoice %s (chargeback %s)", inv.ID, cb.ID), inv.ID, at)
	cb.Status, cb.Resolution, cb.UpdatedAt = "COMPLETED", "Refunded to customer", at
	s.refreshSaleStatus(inv, at)
}

// disputeChargeback ends a PENDING refund without paying it.
func (s *Server) disputeChargeback(cb *chargeback, at time.Time) {
	s.endChargeback(cb, "DISPUTED", "Disputed by merchant: evidence of service provided", at)
}

// endChargeback ends a refund unpaid (DISPUTED or CANCELLED): the hold goes
// back to the wallet and the amount is refundable again.
func (s *Server) endChargeback(cb *chargeback, status, resolution string, at time.Time) {
	inv := s.coll.invoices[cb.InvoiceID]
	s.release(s.wallets[cb.WalletID], cb.Amount, at)
	inv.Refunded -= cb.Amount
	cb.Status, cb.Resolution, cb.UpdatedAt = status, resolution, at
	s.refreshSaleStatus(inv, at)
}

// refreshSaleStatus sets the SALE line's status from the invoice's refunds.
func (s *Server) refreshSaleStatus(inv *invoice, at time.Time) {
	if inv.SaleTx == nil {
		return
	}
	status := "AVAILABLE"
	refunded := client.Amount(0)
	for _, cb := range s.refunds.order {
		if cb.InvoiceID != inv.ID {
			continue
		}
		switch cb.Status {
		case "PENDING", "OVERDUE":
			status = "CHARGEBACK-PENDING"
		case "COMPLETED":
			refunded += cb.Amount
		}
	}
	if status != "CHARGEBACK-PENDING" && refunded >= inv.Value {
		status = "REFUNDED"
	}
	inv.SaleTx.Status, inv.SaleTx.UpdatedAt = status, at
}

func (s *Server) listChargebacks(c *reqCtx) {
	s.lock()
	defer s.mu.Unlock()
	out := make([]chargebackJSON, 0, len(s.refunds.order))
	for i := len(s.refunds.order) - 1; i >= 0; i-- {
		out = append(out, s.chargebackView(s.refunds.order[i]))
	}
	paginate(c, out)
}

func (s *Server) getChargeback(c *reqCtx) { getByID(s, c, s.refunds.byID, s.chargebackView) }

// ---- Go API ----

// RefundInfo is a chargeback as tests see it through the Go API.
type RefundInfo struct {
	ID, InvoiceID, WalletID, Reason, Status string
	Amount                                  client.Amount
	CreatedAt, UpdatedAt                    time.Time
}

// Refunds lists every chargeback in creation order.
func (s *Server) Refunds() []RefundInfo {
	s.lock()
	defer s.mu.Unlock()
	out := make([]RefundInfo, 0, len(s.refunds.order))
	for _, cb := range s.refunds.order {
		out = append(out, RefundInfo{ID: cb.ID, InvoiceID: cb.InvoiceID, WalletID: cb.WalletID, Reason: cb.Reason,
			Status: cb.Status, Amount: cb.Amount, CreatedAt: cb.CreatedAt, UpdatedAt: cb.UpdatedAt})
	}
	return out
}

var errChargeback = errors.New("chargeback cannot be disputed")

// DisputeChargeback makes a PENDING chargeback DISPUTED: the held money
// goes back to the wallet's available balance and counts as refundable again.
func (s *Server) DisputeChargeback(id string) error {
	s.lock()
	defer s.mu.Unlock()
	cb := s.refunds.byID[id]
	if cb == nil {
		return fmt.Errorf("%w: no chargeback %s", errChargeback, id)
	}
	if cb.Status != "PENDING" {
		return fmt.Errorf("%w: chargeback %s is %s", errChargeback, id, cb.Status)
	}
	s.disputeChargeback(cb, s.clock.Now())
	return nil
}

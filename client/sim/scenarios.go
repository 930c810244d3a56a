package sim

// Collection scenarios the real API produces and ops must learn to handle
// (issue 12 §5), each bound to a magic M-Pesa number in the 2547000000NN
// series collections.go starts (…01–…04 fail with M-Pesa's reasons):
//
//	254700000005  the customer never answers the STK prompt: PENDING until
//	              stkTimeout, then FAILED "DS timeout user cannot be
//	              reached" (1037)
//	254700000006  late callback: PROCESSING as usual, COMPLETE only after
//	              lateSettle
//	254700000007  duplicate callback: COMPLETE as usual, with the final
//	              state-change event recorded twice
//	254700000008  RETRY: PROCESSING → RETRY (retry_count 1) → PROCESSING →
//	              COMPLETE, one STKFinal per step
//	254700000009  CANCELED: cancelled before the customer paid; no money
//	              moves
//	254700000010  PARTIAL: the customer paid half (rounded down to the
//	              cent); value, charges and net_amount are those of the
//	              part paid, and only that part is credited
//
// Every state change is recorded on the invoice as an InvoiceEvent
// (InvoiceInfo.Events), the list a webhook sender delivers from: one
// collection event per entry, in order. The duplicate scenario records its
// last event twice, at the same instant, exactly as IntaSend's doubled
// callback would arrive.

import "time"

// stkTimeout is how long an unanswered STK prompt stays PENDING: Safaricom
// expires the prompt after about a minute and reports 1037.
const stkTimeout = 60 * time.Second

// lateSettle is how long the late-callback scenario takes to settle, far
// beyond the usual few seconds.
const lateSettle = 10 * time.Minute

// InvoiceEvent is one state change of an invoice: a collection event.
type InvoiceEvent struct {
	State string
	At    time.Time
}

type scenario int

const (
	scNoAnswer scenario = iota + 1
	scLate
	scDuplicate
	scRetry
	scCanceled
	scPartial
)

var magicScenarios = map[string]scenario{
	"254700000005": scNoAnswer, "254700000006": scLate, "254700000007": scDuplicate,
	"254700000008": scRetry, "254700000009": scCanceled, "254700000010": scPartial,
}

// invoiceEvent records inv's current state as an event.
func (s *Server) invoiceEvent(inv *invoice, at time.Time) {
	inv.Events = append(inv.Events, InvoiceEvent{State: inv.State, At: at})
}

// setState moves inv to state at time at and records the event.
func (s *Server) setState(inv *invoice, state string, at time.Time) {
	inv.State, inv.UpdatedAt = state, at
	s.invoiceEvent(inv, at)
}

// runScenario runs inv's magic scenario, if its number has one, and
// reports whether it did.
func (s *Server) runScenario(inv *invoice, from time.Time) bool {
	sc, ok := magicScenarios[inv.Account]
	if !ok || inv.Provider != "M-PESA" {
		return false
	}
	t := s.opts.Timing
	processing := func(d time.Duration, next func(at time.Time)) {
		s.at(from.Add(d), func(at time.Time) {
			s.setState(inv, "PROCESSING", at)
			next(at)
		})
	}
	switch sc {
	case scNoAnswer:
		s.at(from.Add(stkTimeout), func(at time.Time) {
			s.settleInvoice(inv, &failure{"DS timeout user cannot be reached", "1037"}, at, true)
		})
	case scLate:
		processing(t.STKProcessing, func(time.Time) {
			s.at(from.Add(lateSettle), func(at time.Time) { s.settleInvoice(inv, nil, at, true) })
		})
	case scDuplicate:
		processing(t.STKProcessing, func(at time.Time) {
			s.at(at.Add(t.STKFinal), func(at time.Time) {
				s.settleInvoice(inv, nil, at, true)
				s.invoiceEvent(inv, at)
			})
		})
	case scRetry:
		s.runRetry(inv, from)
	case scCanceled:
		s.at(from.Add(t.STKProcessing), func(at time.Time) {
			inv.ClearingStatus, inv.FailedReason = "", "Request cancelled before payment"
			s.setState(inv, "CANCELED", at)
		})
	case scPartial:
		processing(t.STKProcessing, func(at time.Time) {
			s.at(at.Add(t.STKFinal), func(at time.Time) { s.settlePartial(inv, at) })
		})
	}
	return true
}

// runRetry: PROCESSING, RETRY (the prompt is sent again), PROCESSING,
// COMPLETE, one STKFinal apart.
func (s *Server) runRetry(inv *invoice, from time.Time) {
	t := s.opts.Timing
	s.at(from.Add(t.STKProcessing), func(at time.Time) { s.setState(inv, "PROCESSING", at) })
	s.at(from.Add(t.STKProcessing+t.STKFinal), func(at time.Time) {
		inv.RetryCount++
		s.setState(inv, "RETRY", at)
	})
	s.at(from.Add(t.STKProcessing+2*t.STKFinal), func(at time.Time) { s.setState(inv, "PROCESSING", at) })
	s.at(from.Add(t.STKProcessing+3*t.STKFinal), func(at time.Time) { s.settleInvoice(inv, nil, at, true) })
}

// settlePartial credits half of what was asked and leaves the invoice
// PARTIAL. The event list gets PARTIAL, not the COMPLETE settleInvoice
// passes through.
func (s *Server) settlePartial(inv *invoice, at time.Time) {
	half := inv.Base / 2
	inv.Value -= inv.Base - half
	inv.Base = half
	s.settleInvoice(inv, nil, at, true)
	inv.State = "PARTIAL"
	inv.Events[len(inv.Events)-1].State = "PARTIAL"
}

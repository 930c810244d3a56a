package sim

// Send-money scenarios the real API produces and ops must learn to handle
// (issue 12 §5), bound to the magic accounts in payouts.go
// (magicTxScenarios, magicBatchScenarios). The status reference documents
// the codes, not when they happen; these timelines are the simulator's:
//
//	BP101  the batch is being read for one BatchStep after initiate, then
//	       BP103. It is approvable and cancellable while BP101: the only
//	       real sample shows BP101 with a nonce, and the SDKs approve at once.
//	BF102  approved, held, BP106, then "batch failed" where BP108 would be:
//	       every row TF103, the hold released, nothing sent.
//	BF107  approved, held, then the advance float check fails where BP106
//	       would be: every row TF103, the hold released, nothing sent.
//	BE111  runs as usual until settlement reaches the magic row: rows before
//	       it are settled, it and every later row are TC108 (their money
//	       released), and the batch ends early.
//	TF104  results processing: the row waits resultsDelay, then TS100.
//	TF105  status cannot be determined: the row stays TF105 and its money
//	       stays held (Available excludes it, Current includes it). Only
//	       IntaSend support can say whether it was paid; it must never be
//	       sent again.
//	TH107  under observation for observationDelay, then TS100: sending it
//	       again would have paid twice.
//	TR109  queued for retry for one BatchStep, TP102 for another, then TS100.
//
// A batch stays BP110 until no row is TF104, TH107, TR109 or TP102, then
// BC100 (results ready); so client.Batch.Final stays false while a row can
// still change. TF105 counts as settled: nothing moves it but support.

import "time"

// resultsDelay is how long a TF104 row waits for its results.
const resultsDelay = 2 * time.Minute

// observationDelay is how long a TH107 row stays under observation.
const observationDelay = 30 * time.Minute

// Descriptions of the scenario states, what ops read in status_description.
const (
	descTF104 = "Results processing in progress"
	descTF105 = "Status cannot be determined: contact IntaSend support before doing anything else with this payment"
	descTH107 = "Under observation: IntaSend is confirming the result with the provider"
	descTR109 = "Queued for retry: the provider was busy"
	descBE111 = "Batch ended early: this payment was not sent"
	descBF102 = "Batch failed: the file could not be processed; nothing was sent"
	descBF107 = "Advance float check issue: the batch was stopped before any payment; nothing was sent"
)

// waitingApproval: BP103, or BP101 while the file is read.
func waitingApproval(b *batch) bool { return b.StatusCode == "BP103" || b.StatusCode == "BP101" }

// batchScenario is the batch scenario of the first magic batch account
// among the rows, or "".
func batchScenario(txs []*payTx) string {
	for _, t := range txs {
		if sc, ok := magicBatchScenarios[t.Account]; ok {
			return sc
		}
	}
	return ""
}

// openBatch moves a new batch on from initiate: BP101 for one step when
// its scenario says so, and straight to the state machine when it needs no
// approval. Call with s.mu held.
func (s *Server) openBatch(b *batch, now time.Time) {
	b.Scenario = batchScenario(b.Tx)
	if b.Scenario != "BP101" {
		if !b.RequiresApproval {
			s.startBatch(b, now)
		}
		return
	}
	b.StatusCode = "BP101"
	s.after(s.opts.Timing.BatchStep, func(at time.Time) {
		if b.StatusCode != "BP101" {
			return // approved or cancelled while being read
		}
		if !b.RequiresApproval {
			s.startBatch(b, at)
			return
		}
		b.StatusCode, b.UpdatedAt = "BP103", at
	})
}

// failScenario schedules BF102 or BF107 for a batch whose scenario is one
// of them, and reports whether it did (the usual timeline must not run).
func (s *Server) failScenario(b *batch, step time.Duration) bool {
	switch b.Scenario {
	case "BF107":
		// Replaces BP106: the float check is where it fails.
		s.after(step, func(at time.Time) { s.failBatch(b, "BF107", descBF107, at) })
	case "BF102":
		s.after(2*step, func(at time.Time) { s.failBatch(b, "BF102", descBF102, at) })
	default:
		return false
	}
	return true
}

// endEarly ends the batch at row from: it and every later row not yet
// settled are cancelled and their money released.
func (s *Server) endEarly(b *batch, from *payTx, at time.Time) {
	reached := false
	for _, t := range b.Tx {
		reached = reached || t == from
		if !reached || t.StatusCode != "TP102" {
			continue
		}
		t.StatusCode, t.StatusDescription, t.UpdatedAt = "TC108", descBE111, at
		b.held -= t.Amount + t.Charge
		s.release(b.Wallet, t.Amount+t.Charge, at)
		t.Charge = 0
		b.Failed += t.Amount
	}
	b.StatusCode, b.UpdatedAt = "BE111", at
}

// txScenario puts row t in its magic state and schedules what follows.
func (s *Server) txScenario(b *batch, t *payTx, code string, at time.Time) {
	step := s.opts.Timing.BatchStep
	set := func(code, desc string, at time.Time) {
		t.StatusCode, t.StatusDescription, t.UpdatedAt = code, desc, at
		b.UpdatedAt = at
	}
	pay := func(at time.Time) {
		s.resolvePayout(b, t, "", at)
		b.UpdatedAt = at
		s.finishBatch(b, at)
	}
	switch code {
	case "TF104":
		set(code, descTF104, at)
		s.at(at.Add(resultsDelay), pay)
	case "TF105":
		set(code, descTF105, at) // its money stays held: b.held keeps it
	case "TH107":
		set(code, descTH107, at)
		s.at(at.Add(observationDelay), pay)
	case "TR109":
		set(code, descTR109, at)
		s.at(at.Add(step), func(at time.Time) { set("TP102", "", at) })
		s.at(at.Add(2*step), pay)
	}
}

// finishBatch completes a BP110 batch once no row can change on its own.
func (s *Server) finishBatch(b *batch, at time.Time) {
	if b.StatusCode != "BP110" {
		return
	}
	for _, t := range b.Tx {
		switch t.StatusCode {
		case "TP101", "TP102", "TF104", "TH107", "TR109":
			return
		}
	}
	b.StatusCode, b.UpdatedAt = "BC100", at
}

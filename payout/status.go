package payout

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
)

// Events that record what happened to a batch after approval (issue 13's
// batch history and needs-attention queue). Like EventApproval they are
// not steps of ours, so an entry's Status stays what the last step made it.
const (
	// EventStatus is a status read: IntaSend's status code and words and
	// the batch's rows counted by status code.
	EventStatus = "status"
	// EventAck is a person marking what the queue showed as seen.
	EventAck = "acknowledged"
)

// RecordStatus records what a status read said of a batch the journal
// knows, when it differs from what is recorded (so polling a batch for
// hours writes one line per change, not one per read). It only reads st:
// nothing is sent anywhere. It reports whether it wrote. The check and the
// append hold the journal's lock (the events file's flock, or the store's
// transaction), as every other writer's do: two processes polling the
// same batch write its change once, and a line is never written while
// another process is between its check and its append.
//
// A batch the journal does not know by tracking id may be the answer an
// initiate lost: when st's batch_reference names a reservation still
// initiating (malipo-<draft id>), the status read settles it (see
// claimReservation) and the batch is the journal's from then on.
func (j *Journal) RecordStatus(trackingID string, st *client.Batch) (bool, error) {
	if st == nil || trackingID == "" {
		return false, nil
	}
	rows := RowCodes(st)
	j.mu.Lock()
	defer j.mu.Unlock()
	wrote := false
	err := j.locked(func() error {
		claimed, err := j.claimReservation(trackingID, st)
		if err != nil {
			return err
		}
		e := j.byTrack[trackingID]
		if e == nil || e.StatusCode == st.StatusCode && e.Observed == st.Status && maps.Equal(e.RowCodes, rows) && !e.ObservedAt.IsZero() {
			wrote = claimed
			return nil
		}
		wrote = true
		return j.appendLocked(event{Kind: EventStatus, TrackingID: trackingID, StatusCode: st.StatusCode,
			Text: st.Status, Rows: rows, Initiator: j.initiator})
	})
	if err != nil {
		return false, err
	}
	return wrote, nil
}

// claimReservation records, for a batch the journal does not know by
// tracking id, that it is the answer to the oldest reservation still
// initiating whose batch reference st carries: the initiate went through
// although its answer was lost. It writes the initiated line IntaSend's
// answer would have written, so the batch reaches Pending and leaves
// needs attention, and nothing is ever sent again. Call locked.
func (j *Journal) claimReservation(trackingID string, st *client.Batch) (bool, error) {
	if j.byTrack[trackingID] != nil || st.BatchReference == "" {
		return false, nil
	}
	for _, e := range j.entries {
		if e.Status == StatusInitiating && e.TrackingID == "" && e.DraftID != "" && batchReference(e.DraftID) == st.BatchReference {
			ev := event{Kind: StatusInitiated, Attempt: e.Attempt, TrackingID: trackingID, FileID: st.FileID,
				DraftID: e.DraftID, Fingerprint: e.Fingerprint, StatusCode: st.StatusCode, Initiator: j.initiator}
			return true, j.appendLocked(ev)
		}
	}
	return false, nil
}

// Acknowledge records that the acting user has seen what the queue shows
// for a batch. Failed rows, an ended batch and a long wait leave the queue
// until a later status read changes something; an approve or initiate
// with no definite answer, and an expired batch, do not: only a status
// read or a cancel settles those.
func (j *Journal) Acknowledge(trackingID string) error {
	if trackingID == "" {
		return fmt.Errorf("journal: acknowledge: no tracking id")
	}
	return j.append(event{Kind: EventAck, TrackingID: trackingID, Initiator: j.initiator})
}

// foldObservation applies a status read or an acknowledgement.
func foldObservation(e *Entry, ev event) {
	if ev.Kind == EventAck {
		e.AckedAt, e.AckedBy = ev.At, ev.Initiator
		return
	}
	e.Observed, e.ObservedAt, e.RowCodes = ev.Text, ev.At, ev.Rows
}

// RowCodes counts a batch's rows by status code.
func RowCodes(b *client.Batch) map[string]int {
	if b == nil || len(b.Transactions) == 0 {
		return nil
	}
	out := map[string]int{}
	for _, t := range b.Transactions {
		out[t.StatusCode]++
	}
	return out
}

// Timings of the needs-attention queue.
const (
	// StaleAfter is how long an approved batch may go without a final
	// state before a person should look: IntaSend settles a batch in
	// minutes, a row under observation in about half an hour.
	StaleAfter = time.Hour
	// StaleWaiting is how long a batch may wait for approval, when the
	// policy sets no expiry, before it is called forgotten.
	StaleWaiting = 24 * time.Hour
)

// Kinds of attention, most urgent first.
const (
	AttnApproveUnknown  = "approve-unknown"  // approve sent, no definite answer
	AttnInitiateUnknown = "initiate-unknown" // initiate sent, no answer: a batch may exist
	AttnRows            = "rows"             // rows that a person must look at (TF105, TH107, failures)
	AttnBatch           = "batch"            // the batch ended early or failed
	AttnStale           = "stale"            // approved long ago and still not final
	AttnExpired         = "expired"          // waiting for approval past the policy's expiry
)

// Reason is one thing about a batch that needs a person.
type Reason struct {
	Kind   string
	Code   string // IntaSend's code when one says it ("TF105", "BE111")
	Rows   int    // rows with Code (AttnRows)
	What   string // what is wrong, in words
	Action string // what to do about it
}

// Attention is a batch that needs a person and why.
type Attention struct {
	Entry   Entry
	Reasons []Reason
	Since   time.Time // since when: the step or status read that raised it
}

// attnRowCodes are the row codes that need a person, in the order shown.
var attnRowCodes = []string{client.TxUndetermined, client.TxObserved, client.TxFailed, client.TxNotInitiated}

// attnBatchCodes are batch codes that need a person.
var attnBatchCodes = []string{client.BatchEnded, client.BatchFailed, client.BatchFloatFailed, client.BatchFloatIssue}

// NeedsAttention says whether e needs a person now, and why. p may be nil
// (no expiry). It reads only e: the console polls IntaSend and records
// the answers (RecordStatus) before asking.
func NeedsAttention(e Entry, now time.Time, p *Policy) (Attention, bool) {
	a := Attention{Entry: e}
	if r, ok := unknownOutcome(e, now); ok {
		a.Reasons, a.Since = append(a.Reasons, r), e.UpdatedAt
	}
	if r, since, ok := waitingTooLong(e, now, p); ok {
		a.Reasons, a.Since = append(a.Reasons, r), since
	}
	if acked(e) || e.Status != StatusApproved {
		// Results matter once the batch ran: a batch cancelled before
		// approval also reads BE111 at IntaSend, and nobody was paid.
		return a, len(a.Reasons) > 0
	}
	before := len(a.Reasons)
	a.Reasons = append(a.Reasons, resultReasons(e)...)
	if len(a.Reasons) > before && a.Since.IsZero() {
		a.Since = e.ObservedAt
	}
	if r, ok := stale(e, now); ok {
		a.Reasons = append(a.Reasons, r)
		if a.Since.IsZero() {
			a.Since = e.UpdatedAt
		}
	}
	return a, len(a.Reasons) > 0
}

// waitingTooLong: a batch waiting for approval past the policy's expiry
// or, with no expiry set, longer than StaleWaiting.
func waitingTooLong(e Entry, now time.Time, p *Policy) (Reason, time.Time, bool) {
	if e.Status != StatusInitiated || e.TrackingID == "" || e.InitiatedAt.IsZero() {
		return Reason{}, time.Time{}, false
	}
	if p.Expired(e, now) {
		return Reason{Kind: AttnExpired, What: "waiting for approval past the policy's expiry (" + fmtDur(p.ExpireAfter) + ")",
			Action: "It can no longer be approved: open it and cancel it (x), then initiate it again if it is still owed."}, e.InitiatedAt.Add(p.ExpireAfter), true
	}
	if (p == nil || p.ExpireAfter <= 0) && now.Sub(e.InitiatedAt) >= StaleWaiting {
		return Reason{Kind: AttnStale, What: "waiting for approval for " + fmtDur(now.Sub(e.InitiatedAt).Truncate(time.Hour)),
			Action: "Approve it (A) or cancel it (x): its charges and the wallet's balance may have changed since it was previewed."}, e.InitiatedAt.Add(StaleWaiting), true
	}
	return Reason{}, time.Time{}, false
}

// acked: a person saw the entry after its last status read.
func acked(e Entry) bool {
	return !e.AckedAt.IsZero() && !e.AckedAt.Before(e.ObservedAt) && !e.AckedAt.Before(e.UpdatedAt)
}

// unknownOutcome: an approve or initiate whose answer never came, once
// its window is over (before it, the call may still be on its way).
func unknownOutcome(e Entry, now time.Time) (Reason, bool) {
	if now.Sub(e.UpdatedAt) < ApproveWindow {
		return Reason{}, false
	}
	switch e.Status {
	case StatusApproving:
		return Reason{Kind: AttnApproveUnknown, What: "approve sent; IntaSend gave no definite answer",
			Action: "Do not approve again. malipo reads the status (it never re-sends the approve); if it stays unknown, ask IntaSend support with the tracking id."}, true
	case StatusInitiating:
		return Reason{Kind: AttnInitiateUnknown, What: "initiate sent; no answer, so a batch may exist at IntaSend",
			Action: "Do not initiate it again yet: look for it in the IntaSend dashboard and open it here by tracking id; that status read ties it to this attempt. Only if it is not there, initiate again (the duplicate guard will ask)."}, true
	}
	return Reason{}, false
}

// resultReasons are the batch's code and rows that need a person.
func resultReasons(e Entry) []Reason {
	var out []Reason
	if slices.Contains(attnBatchCodes, e.StatusCode) {
		info, _ := client.ExplainCode(e.StatusCode)
		out = append(out, Reason{Kind: AttnBatch, Code: e.StatusCode, What: codeWords(info, e.Observed), Action: info.Action})
	}
	for _, code := range attnRowCodes {
		n := e.RowCodes[code]
		if n == 0 {
			continue
		}
		info, _ := client.ExplainCode(code)
		what := fmt.Sprintf("%d %s: %s", n, plural(n, "row", "rows"), strings.ToLower(info.Status))
		if info.Words != "" {
			what += " (" + info.Words + ")"
		}
		out = append(out, Reason{Kind: AttnRows, Code: code, Rows: n, What: what, Action: info.Action})
	}
	return out
}

func codeWords(info client.CodeInfo, observed string) string {
	w := observed
	if w == "" {
		w = info.Status
	}
	if info.Words != "" {
		w += " (" + info.Words + ")"
	}
	return w
}

// stale: approved long ago and not final by the last status read.
func stale(e Entry, now time.Time) (Reason, bool) {
	if e.Status != StatusApproved || (&client.Batch{StatusCode: e.StatusCode}).Final() || now.Sub(e.UpdatedAt) < StaleAfter {
		return Reason{}, false
	}
	what := "approved and still not final"
	if e.StatusCode != "" {
		what = fmt.Sprintf("approved and still %s (%s)", orDash(e.Observed), e.StatusCode)
	}
	return Reason{Kind: AttnStale, Code: e.StatusCode, What: what,
		Action: "Nothing is re-sent. Wait while rows are processing; if it stays so, ask IntaSend support with the tracking id."}, true
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// FinalState is a batch's outcome in a word or two for the history:
// from the journal's steps and IntaSend's last recorded status.
func FinalState(e Entry) string {
	switch e.Status {
	case StatusInitiating:
		return "initiate unknown"
	case StatusInitiateFailed:
		return "refused"
	case StatusCancelled:
		return "cancelled"
	case StatusApproving:
		return "approving"
	case StatusInitiated:
		return "waiting approval"
	}
	switch e.StatusCode {
	case client.BatchCompleted:
		if n := e.RowCodes[client.TxFailed] + e.RowCodes[client.TxNotInitiated] + e.RowCodes[client.TxUndetermined]; n > 0 {
			return fmt.Sprintf("completed, %d not paid", n)
		}
		return "completed"
	case client.BatchEnded:
		if e.Status == StatusApproveFailed {
			return "cancelled"
		}
		return "ended early"
	case client.BatchFailed, client.BatchFloatFailed, client.BatchFloatIssue:
		return "failed"
	}
	if e.Status == StatusApproveFailed {
		return "approve failed"
	}
	return "in flight"
}

// fmtDur is "24h", "90m" or Go's form for anything else.
func fmtDur(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

package payout

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
)

// HistoryHeader is the header row WriteHistoryCSV writes.
var HistoryHeader = []string{"tracking_id", "file_id", "rail", "currency", "total", "rows", "initiator", "initiated_at",
	"approvers", "state", "status_code", "status", "updated_at"}

// History is the batches of the journal that reached IntaSend or may
// have (every one initiated or approved here), newest first. A draft
// IntaSend refused is not a batch and is left out.
func (j *Journal) History() []Entry {
	out := j.filter(func(e *Entry) bool {
		return e.Status != StatusInitiateFailed && (e.TrackingID != "" || e.Status == StatusInitiating)
	})
	slices.Reverse(out)
	return out
}

// Approvers names who approved e, in order.
func (e Entry) Approvers() []string { return approvers(&e) }

// WriteHistoryCSV exports batches as the history shows them, one line
// each; times in RFC 3339, money as decimal strings, cells defused as in
// WriteResultsCSV.
func WriteHistoryCSV(w io.Writer, es []Entry) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(HistoryHeader); err != nil {
		return err
	}
	for _, e := range es {
		cur := e.Currency
		if cur == "" {
			cur = "KES"
		}
		rec := []string{e.TrackingID, e.FileID, string(e.Rail), cur, e.Total.Decimal(), fmt.Sprint(e.Count), e.Initiator,
			stamp(e.InitiatedAt), strings.Join(e.Approvers(), " "), FinalState(e), e.StatusCode, e.Observed, stamp(lastChange(e))}
		for i, c := range rec {
			rec[i] = SafeCell(c)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// lastChange is the latest thing known of e: a step or a status read.
func lastChange(e Entry) time.Time {
	if e.ObservedAt.After(e.UpdatedAt) {
		return e.ObservedAt
	}
	return e.UpdatedAt
}

// SupportDetails is one text block for IntaSend support about a batch
// that needs attention: ids, codes, times, amounts, and the rows a person
// must ask about (from st, the latest status read, when there is one).
// Times are written in loc. It holds no key and no secret: only what
// IntaSend already has.
func SupportDetails(a Attention, st *client.Batch, loc *time.Location) string {
	e := a.Entry
	cur := e.Currency
	if cur == "" {
		cur = "KES"
	}
	var b strings.Builder
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%-14s %s\n", k+":", v)
		}
	}
	at := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04:05 MST")
	}
	line("Tracking id", e.TrackingID)
	line("File id", e.FileID)
	line("Batch status", strings.TrimSpace(e.StatusCode+" "+e.Observed))
	line("Rail", string(e.Rail))
	line("Total", e.Total.Format(cur))
	line("Rows", fmt.Sprint(e.Count))
	line("Initiated", strings.TrimSpace(at(e.InitiatedAt)+" by "+e.Initiator))
	line("Approved by", strings.Join(e.Approvers(), ", "))
	line("Last step", strings.TrimSpace(e.Status+" "+at(e.UpdatedAt)))
	line("Status read", at(e.ObservedAt))
	for _, r := range a.Reasons {
		line("Needs", r.What)
	}
	supportRows(&b, a, st, cur)
	return b.String()
}

// supportRows lists the rows whose codes the reasons name.
func supportRows(b *strings.Builder, a Attention, st *client.Batch, cur string) {
	if st == nil {
		return
	}
	var codes []string
	for _, r := range a.Reasons {
		if r.Kind == AttnRows {
			codes = append(codes, r.Code)
		}
	}
	for _, t := range st.Transactions {
		if !slices.Contains(codes, t.StatusCode) {
			continue
		}
		fmt.Fprintf(b, "Row %s: %s %s to %s (%s) %s\n", orDash(t.TransactionID), t.StatusCode, t.Amount.Format(cur),
			t.Account, t.Name, t.StatusDescription)
	}
}

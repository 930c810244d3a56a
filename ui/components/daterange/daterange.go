// Package daterange is the console's one date-range filter (the wallet
// statement, collections, and what their exports write): a range of whole
// calendar days in Common.Now()'s zone (Africa/Nairobi), typed as
// 2026-12-01, "today", "yesterday" or "7d" (seven days before today), and
// the small form that asks for it.
//
// A view keeps a Range, asks Contains for each row's time when it builds
// its matches (beside its own word filter) and puts Label in its count
// line, so the rows on screen, the count and an export always agree.
package daterange

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/malipo/malipo/ui/components/when"
)

// Range is a span of whole days: From is the start of the first day, To
// the start of the day after the last (exclusive). A zero end is open.
type Range struct {
	From, To time.Time
}

// IsZero says whether the range lets every time through.
func (r Range) IsZero() bool { return r.From.IsZero() && r.To.IsZero() }

// Contains says whether t falls on one of the range's days.
func (r Range) Contains(t time.Time) bool {
	if !r.From.IsZero() && t.Before(r.From) {
		return false
	}
	return r.To.IsZero() || t.Before(r.To)
}

// Label says the range in words for a title or count line, in now's zone:
// "01 Dec 2026 – 03 Dec 2026", "since 01 Dec 2026", "until 03 Dec 2026",
// "03 Dec 2026" for a single day; "" when it is zero.
func (r Range) Label(now time.Time) string {
	var from, to string
	if !r.From.IsZero() {
		from = when.Date(now, r.From)
	}
	if !r.To.IsZero() {
		to = when.Date(now, r.To.Add(-time.Nanosecond))
	}
	switch {
	case from != "" && from == to:
		return from
	case from != "" && to != "":
		return from + " – " + to
	case from != "":
		return "since " + from
	case to != "":
		return "until " + to
	}
	return ""
}

// Days are the range's ends as they are typed (2026-12-01), "" for an
// open end: what the form shows when it opens on the current range.
func (r Range) Days(now time.Time) (from, to string) {
	if !r.From.IsZero() {
		from = r.From.In(now.Location()).Format(time.DateOnly)
	}
	if !r.To.IsZero() {
		to = r.To.Add(-time.Nanosecond).In(now.Location()).Format(time.DateOnly)
	}
	return from, to
}

// maxDaysBack bounds "Nd": ten years is more history than any statement.
const maxDaysBack = 3660

// Help is what may be typed, for a field's hint and error messages.
const Help = "2026-12-01, today, yesterday or 7d"

// ParseDay reads one end of a range and returns the start of that day in
// now's zone. The words are relative to now's day: "today", "yesterday",
// "Nd" (N days before today).
func ParseDay(s string, now time.Time) (time.Time, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	y, mo, d := now.Date()
	today := time.Date(y, mo, d, 0, 0, 0, 0, now.Location())
	switch s {
	case "today":
		return today, nil
	case "yesterday":
		return today.AddDate(0, 0, -1), nil
	}
	if n, ok := strings.CutSuffix(s, "d"); ok {
		k, err := strconv.Atoi(n)
		if err != nil || k < 0 || n == "" || n[0] == '+' || n[0] == '-' {
			return time.Time{}, fmt.Errorf("%q: days back are a whole number such as 7d", s)
		}
		if k > maxDaysBack {
			return time.Time{}, fmt.Errorf("%q: at most %dd (ten years) back", s, maxDaysBack)
		}
		return today.AddDate(0, 0, -k), nil
	}
	t, err := time.ParseInLocation(time.DateOnly, s, now.Location())
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date: type %s", s, Help)
	}
	return t, nil
}

// Parse reads a range from its two ends as typed; an empty end is open.
// Errors say which end is wrong and why.
func Parse(from, to string, now time.Time) (Range, error) {
	var r Range
	if strings.TrimSpace(from) != "" {
		t, err := ParseDay(from, now)
		if err != nil {
			return Range{}, fmt.Errorf("from: %w", err)
		}
		r.From = t
	}
	if strings.TrimSpace(to) != "" {
		t, err := ParseDay(to, now)
		if err != nil {
			return Range{}, fmt.Errorf("to: %w", err)
		}
		r.To = t.AddDate(0, 0, 1)
	}
	if !r.From.IsZero() && !r.To.IsZero() && !r.From.Before(r.To) {
		return Range{}, fmt.Errorf("from (%s) is after to (%s)", when.Date(now, r.From), when.Date(now, r.To.AddDate(0, 0, -1)))
	}
	return r, nil
}

package daterange

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

// now is 00:30 on 03 Dec in EAT: still 02 Dec in UTC, so a day computed
// in the machine's zone (or UTC) would be a day off.
var now = time.Date(2026, 12, 3, 0, 30, 0, 0, tuitest.EAT())

func day(d int) time.Time { return time.Date(2026, 12, d, 0, 0, 0, 0, tuitest.EAT()) }

func TestParseDay(t *testing.T) {
	cases := []struct {
		in   string
		want time.Time
		err  string
	}{
		{"2026-12-01", day(1), ""},
		{" Today ", day(3), ""},
		{"yesterday", day(2), ""},
		{"7d", time.Date(2026, 11, 26, 0, 0, 0, 0, tuitest.EAT()), ""},
		{"0d", day(3), ""},
		{"2026-13-01", time.Time{}, `"2026-13-01" is not a date: type 2026-12-01, today, yesterday or 7d`},
		{"01/12/2026", time.Time{}, "is not a date"},
		{"d", time.Time{}, "whole number such as 7d"},
		{"-3d", time.Time{}, "whole number such as 7d"},
		{"1.5d", time.Time{}, "whole number such as 7d"},
		{"99999d", time.Time{}, "at most 3660d"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseDay(tc.in, now)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || !got.Equal(tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestParseRange(t *testing.T) {
	cases := []struct {
		name, from, to string
		label, err     string
		in, out        []time.Time
	}{
		{name: "both", from: "2026-12-01", to: "2026-12-02", label: "01 Dec 2026 – 02 Dec 2026",
			in:  []time.Time{day(1), day(2).Add(23*time.Hour + 59*time.Minute)},
			out: []time.Time{day(1).Add(-time.Second), day(3)}},
		{name: "one day", from: "today", to: "today", label: "03 Dec 2026",
			in: []time.Time{day(3)}, out: []time.Time{day(2), day(4)}},
		{name: "since", from: "7d", label: "since 26 Nov 2026",
			in: []time.Time{day(3).AddDate(0, 0, -7), day(4)}, out: []time.Time{day(3).AddDate(0, 0, -8)}},
		{name: "until", to: "yesterday", label: "until 02 Dec 2026",
			in: []time.Time{day(1), day(2).Add(time.Hour)}, out: []time.Time{day(3)}},
		{name: "none", label: "", in: []time.Time{day(1), {}}},
		// a time in UTC is compared as an instant: 22:00 UTC on 02 Dec is 03 Dec in Nairobi
		{name: "zone", from: "today", to: "today", label: "03 Dec 2026",
			in: []time.Time{time.Date(2026, 12, 2, 22, 0, 0, 0, time.UTC)}, out: []time.Time{time.Date(2026, 12, 2, 20, 59, 0, 0, time.UTC)}},
		{name: "reversed", from: "today", to: "7d", err: "from (03 Dec 2026) is after to (26 Nov 2026)"},
		{name: "bad from", from: "tomorrow", err: `from: "tomorrow" is not a date`},
		{name: "bad to", to: "x", err: `to: "x" is not a date`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Parse(tc.from, tc.to, now)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Label(now); got != tc.label {
				t.Errorf("label %q, want %q", got, tc.label)
			}
			for _, x := range tc.in {
				if !r.Contains(x) {
					t.Errorf("%v not in %s", x, r.Label(now))
				}
			}
			for _, x := range tc.out {
				if r.Contains(x) {
					t.Errorf("%v in %s", x, r.Label(now))
				}
			}
			// The form opens on what was typed, as days.
			f, to := r.Days(now)
			back, err := Parse(f, to, now)
			if err != nil || back != r {
				t.Errorf("Days %q %q reads back as %v, %v", f, to, back, err)
			}
		})
	}
}

func newCommon() *common.Common {
	return &common.Common{Styles: common.NewStyles(true), Now: func() time.Time { return now }}
}

// TestPicker drives the form: a bad day is refused under its field with
// the words that fix it, a reversed range on To, and enter on a good one
// applies it.
func TestPicker(t *testing.T) {
	cases := []struct {
		name, from, to string
		ev             Event
		screen, label  string
	}{
		{name: "ok", from: "7d", to: "today", ev: Applied, label: "26 Nov 2026 – 03 Dec 2026"},
		{name: "all dates", ev: Applied, label: ""},
		{name: "bad", from: "1 Dec", ev: Pending, screen: `"1 dec" is not a date`},
		{name: "reversed", from: "today", to: "yesterday", ev: Pending, screen: "from (03 Dec 2026) is after to"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := NewPicker(newCommon(), Range{}, "payments")
			var ev Event
			send := func(msg tea.Msg) { ev, _ = p.Update(msg) }
			typeIn(send, tc.from)
			send(tuitest.MustKey("tab"))
			typeIn(send, tc.to)
			send(tuitest.MustKey("enter"))
			if ev != tc.ev {
				t.Fatalf("event %v, want %v:\n%s", ev, tc.ev, tuitest.Strip(p.View(80)))
			}
			if tc.screen != "" {
				tuitest.MustContain(t, tuitest.Strip(p.View(80)), tc.screen)
			}
			if ev == Applied {
				if got := p.Range().Label(now); got != tc.label {
					t.Fatalf("applied %q, want %q", got, tc.label)
				}
			}
		})
	}
}

func typeIn(send func(tea.Msg), s string) {
	for _, r := range s {
		send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// TestPickerEsc leaves the view's range alone.
func TestPickerEsc(t *testing.T) {
	p, _ := NewPicker(newCommon(), Range{}, "payments")
	typeIn(func(m tea.Msg) { p.Update(m) }, "7d")
	if ev, _ := p.Update(tuitest.MustKey("esc")); ev != Cancelled {
		t.Fatalf("esc: %v", ev)
	}
}

func TestPickerGolden(t *testing.T) {
	cur, err := Parse("2026-12-01", "today", now)
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []string{"80x24", "120x40"} {
		w, h := tuitest.Body(t, size)
		p, _ := NewPicker(newCommon(), cur, "statement lines")
		p.Update(tuitest.MustKey("tab"))
		typeIn(func(m tea.Msg) { p.Update(m) }, "x")
		p.Update(tuitest.MustKey("enter"))
		tuitest.Screen(t, "picker_"+size, tuitest.Strip(p.View(w)), w, h)
	}
}

package when

import (
	"testing"
	"time"
)

// Every format is written in now's zone, whatever the machine's zone or
// the zone t came in.
func TestFormats(t *testing.T) {
	eat := time.FixedZone("EAT", 3*3600)
	now := time.Date(2026, 12, 3, 14, 5, 9, 0, eat)
	utc := func(d time.Duration) time.Time { return now.Add(d).UTC() }
	cases := []struct {
		name string
		f    func(now, t time.Time) string
		t    time.Time
		want string
	}{
		{"clock", Clock, utc(0), "14:05:09"},
		{"day and time", DayTime, utc(0), "03 Dec 14:05"},
		{"day and time, single-digit day", DayTime, time.Date(2026, 12, 1, 0, 30, 0, 0, time.UTC), "01 Dec 03:30"},
		{"date", Date, utc(0), "03 Dec 2026"},
		{"stamp", Stamp, utc(0), "03 Dec 2026 14:05:09"},
		{"recent, today", Recent, utc(-2 * time.Hour), "today 12:05"},
		{"recent, yesterday", Recent, utc(-15 * time.Hour), "02 Dec 23:05"},
		{"compact, today", Compact, utc(-14 * time.Hour), "00:05"},
		{"compact, earlier", Compact, utc(-14*time.Hour - 6*time.Minute), "02 Dec"},
		{"ago, just now", Ago, utc(-time.Second), "just now"},
		{"ago, seconds", Ago, utc(-12 * time.Second), "12s ago"},
		{"ago, minutes", Ago, utc(-3 * time.Minute), "3m ago"},
		{"ago, hours", Ago, utc(-47 * time.Hour), "47h ago"},
		{"ago, days", Ago, utc(-72 * time.Hour), "30 Nov 14:05"},
		{"export", Export, utc(-15 * time.Hour), "2026-12-02 23:05:09"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.f(now, tc.t); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDay(t *testing.T) {
	for in, want := range map[string]string{"2026-12-03": "03 Dec 2026", "": "", "soon": "soon", "2026-12-03T10:00:00Z": "2026-12-03T10:00:00Z"} {
		if got := Day(in); got != want {
			t.Errorf("Day(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExportZone(t *testing.T) {
	nbo, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	now := time.Date(2026, 12, 3, 14, 5, 9, 0, nbo)
	if got, want := ExportZone(now), "Africa/Nairobi +03:00"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	// The machine's zone is named by its abbreviation, not "Local".
	local := time.Date(2026, 12, 3, 14, 5, 9, 0, time.Local)
	if got := Zone(local); got == "Local" || got != local.Format("MST") {
		t.Fatalf("local zone named %q", got)
	}
}

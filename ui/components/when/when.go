// Package when is the console's one way of writing times and dates, so
// every screen reads the same ("03 Dec 14:05", never "Dec 03 14:05" on
// one tab and "3 Dec 14:05" on the next). Every function takes now, the
// view's Common.Now(), and writes t in now's zone: tests fix that clock
// and zone, so screens never depend on the machine's time zone. Month
// names are Go's (English), whatever the locale.
//
// The formats, and where each belongs:
//
//	Clock    14:05:09              "updated …", "checked …": refreshes are seconds apart
//	DayTime  03 Dec 14:05          table cells and "at …" (fixed width, day first)
//	Date     03 Dec 2026           a day, where the year matters
//	Stamp    03 Dec 2026 14:05:09  detail views: everything known
//	Ago      just now, 12s ago, 3m ago, 5h ago, else DayTime
//	Recent   today 14:05, else DayTime
//	Compact  14:05 today, else 03 Dec (narrow columns)
//	Export   2026-12-03 14:05:09   CSV exports: sortable, read by spreadsheets
//
// Dates sent to IntaSend (time.DateOnly) and typed into forms are data,
// not display, and do not go through here.
package when

import (
	"fmt"
	"time"
)

// Layouts, for the few places that format without a now (a search index
// built in a known zone).
const (
	ClockLayout   = "15:04:05"
	DayTimeLayout = "02 Jan 15:04"
	DateLayout    = "02 Jan 2006"
	StampLayout   = DateLayout + " " + ClockLayout
	ExportLayout  = time.DateTime
	minuteLayout  = "15:04"
	dayLayout     = "02 Jan"
)

func in(now, t time.Time) time.Time { return t.In(now.Location()) }

// Clock is the time of day, with seconds: 14:05:09.
func Clock(now, t time.Time) string { return in(now, t).Format(ClockLayout) }

// DayTime is the day and the minute: 03 Dec 14:05.
func DayTime(now, t time.Time) string { return in(now, t).Format(DayTimeLayout) }

// Date is the day with its year: 03 Dec 2026.
func Date(now, t time.Time) string { return in(now, t).Format(DateLayout) }

// Stamp is everything: 03 Dec 2026 14:05:09.
func Stamp(now, t time.Time) string { return in(now, t).Format(StampLayout) }

// Export is the one way a time is written into an exported file (CSV):
// 2026-12-03 14:05:09 in now's zone. It sorts as text and spreadsheets
// read it as a date and time, which "03 Dec 14:05" is not; the zone is
// named once, in the column's title (ExportZone).
func Export(now, t time.Time) string { return in(now, t).Format(ExportLayout) }

// ExportZone names now's zone for an exported time column's title:
// "Africa/Nairobi +03:00" (no comma: it is a CSV header).
func ExportZone(now time.Time) string {
	return Zone(now) + " " + now.Format("-07:00")
}

// Zone names now's zone: its IANA name (Africa/Nairobi), or for the
// machine's own zone, which Go calls "Local", its abbreviation (EAT, UTC).
func Zone(now time.Time) string {
	if name := now.Location().String(); name != "Local" {
		return name
	}
	return now.Format("MST")
}

// SameDay says whether t falls on now's calendar day, in now's zone.
func SameDay(now, t time.Time) bool {
	y1, m1, d1 := now.Date()
	y2, m2, d2 := in(now, t).Date()
	return y1 == y2 && m1 == m2 && d1 == d2
}

// Recent is "today 14:05" for today, else DayTime.
func Recent(now, t time.Time) string {
	if SameDay(now, t) {
		return "today " + in(now, t).Format(minuteLayout)
	}
	return DayTime(now, t)
}

// Compact is the narrow form: 14:05 for today, else 03 Dec.
func Compact(now, t time.Time) string {
	if SameDay(now, t) {
		return in(now, t).Format(minuteLayout)
	}
	return in(now, t).Format(dayLayout)
}

// Ago says how long ago t was, in the largest unit that fits; past two
// days it gives DayTime instead.
func Ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 2*time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d/time.Hour))
	}
	return DayTime(now, t)
}

// Day writes a calendar day IntaSend sends as text ("2026-12-03", a
// subscription's start or next billing) as Date does: 03 Dec 2026. It
// names a day, not an instant, so no zone applies; text that is not such
// a day is returned as it came.
func Day(s string) string {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return s
	}
	return d.Format(DateLayout)
}

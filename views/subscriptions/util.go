package subscriptions

import "time"

// eat is IntaSend's zone (Nairobi, UTC+3 all year): "today" for a start
// date is the Kenyan day, whatever the console's own zone. Fixed, so it
// needs no tz database.
func eat() *time.Location { return time.FixedZone("EAT", 3*60*60) }

// today is the Kenyan calendar day of now, at midnight EAT.
func today(now time.Time) time.Time {
	y, mo, d := now.In(eat()).Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, eat())
}

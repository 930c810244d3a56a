package sshd

import (
	"testing"
	"time"

	"github.com/malipo/malipo/payout"
)

// TestConsoleClockZone: the consoles read the server's clock in
// Africa/Nairobi unless the server is told another zone, whatever the
// machine's own zone (servers are often kept in UTC).
func TestConsoleClockZone(t *testing.T) {
	at := time.Date(2026, 12, 3, 21, 30, 0, 0, time.UTC) // 00:30 the next day in Nairobi
	for _, tc := range []struct {
		name     string
		zone     *time.Location
		wantDay  int
		wantHour int
	}{
		{"default Nairobi", nil, 4, 0},
		{"UTC asked for", time.UTC, 3, 21},
		{"Nairobi asked for", payout.Nairobi, 4, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Server{cfg: Config{Zone: tc.zone, now: func() time.Time { return at }}}
			now := s.clock()()
			if !now.Equal(at) || now.Day() != tc.wantDay || now.Hour() != tc.wantHour {
				t.Fatalf("clock reads %s; want the same instant on day %d at %02d h", now, tc.wantDay, tc.wantHour)
			}
		})
	}
}

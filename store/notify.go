package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// EventsChannel is the NOTIFY channel every `malipo serve` host listens
// on for the webhook events another host received.
const EventsChannel = "malipo_events"

// Notify sends payload on channel to every listening host (pg_notify: it
// is delivered when, and only if, this statement commits). A payload must
// stay under PostgreSQL's 8000 bytes: send a summary or an id, not a body.
func (s *Store) Notify(ctx context.Context, channel, payload string) error {
	if _, err := s.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, channel, payload); err != nil {
		return fmt.Errorf("store %s: notify: %w", s.desc, scrub(err))
	}
	return nil
}

// ListenOptions are what Listen calls.
type ListenOptions struct {
	Notify func(payload string) // each notification, in order, on Listen's goroutine
	// Up is called after each successful LISTEN: from then on nothing sent
	// is missed (tests wait for it; a host may resynchronise).
	Up func()
	// Down is called when the connection fails, before the backoff.
	Down func(error)
	// MaxBackoff bounds the wait between reconnections (5 s by default).
	MaxBackoff time.Duration
}

// minBackoff is the first wait after a dropped connection.
const minBackoff = 100 * time.Millisecond

// Listen holds a dedicated connection (not one of the pool's: a LISTEN
// belongs to its session, and a pooled connection goes back to others)
// listening on channel until ctx ends. When the connection drops it
// reconnects, waiting twice as long after each failure up to MaxBackoff,
// and starting again from minBackoff once it was listening. Notifications
// sent while it was down are lost: PostgreSQL keeps none for a session
// that is gone.
func (s *Store) Listen(ctx context.Context, channel string, o ListenOptions) {
	limit := o.MaxBackoff
	if limit <= 0 {
		limit = 5 * time.Second
	}
	wait := minBackoff
	for {
		up, err := s.listenOnce(ctx, channel, o)
		if ctx.Err() != nil {
			return
		}
		if up {
			wait = minBackoff
		}
		if o.Down != nil {
			o.Down(err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		wait = min(2*wait, limit)
	}
}

// listenOnce connects, listens and hands on notifications until the
// connection fails; up says whether it got as far as listening.
func (s *Store) listenOnce(ctx context.Context, channel string, o ListenOptions) (up bool, err error) {
	cfg := s.pool.Config().ConnConfig.Copy()
	// Named apart from the pool's connections, so an operator (or a test)
	// can tell the listener in pg_stat_activity.
	cfg.RuntimeParams["application_name"] = "malipo-listen"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, fmt.Errorf("store %s: listen: %w", s.desc, scrub(err))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return false, fmt.Errorf("store %s: listen: %w", s.desc, scrub(err))
	}
	if o.Up != nil {
		o.Up()
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true, fmt.Errorf("store %s: listen: %w", s.desc, scrub(err))
		}
		if o.Notify != nil {
			o.Notify(n.Payload)
		}
	}
}

package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// webhookLock is the advisory lock every host inserts a webhook event
// under: seqs then commit in order, so a host that reads the events after
// the last seq it saw misses none that commit later with a smaller seq.
const webhookLock = 0x6d616c69706f03 // "malipo" 3

// RedactedChallenge stands for the challenge in a stored body: the store
// refuses a body whose challenge is anything else.
const RedactedChallenge = "[redacted]"

// WebhookEvent is one accepted webhook as every host stores it.
type WebhookEvent struct {
	Seq      int64 // its place in the log (set by RecordWebhook)
	Profile  string
	Key      string // what makes two posts one event: the object's state, or the sender's id
	ID       string
	Type     string
	Object   string
	State    string
	Amount   string // decimal string, "" when none
	Currency string
	Signed   bool
	Headers  map[string]string
	Body     []byte // as received, the challenge redacted
	Received time.Time
	Host     string // the host that received it
}

// WebhookNotice is what RecordWebhook sends on EventsChannel: the new
// event's seq, for the listening hosts to read it (and any they missed)
// from the table. The body stays out: a NOTIFY payload must be under 8000
// bytes, and the table has it.
type WebhookNotice struct {
	Seq     int64  `json:"seq"`
	Profile string `json:"profile"`
}

// ParseWebhookNotice reads a payload of EventsChannel.
func ParseWebhookNotice(payload string) (WebhookNotice, error) {
	var n WebhookNotice
	if err := json.Unmarshal([]byte(payload), &n); err != nil || n.Seq <= 0 {
		return WebhookNotice{}, errors.New("store: a notification that is not a webhook event")
	}
	return n, nil
}

// ErrChallengeInBody is a body that still carries its challenge.
var ErrChallengeInBody = errors.New("store: the webhook body still carries its challenge: redact it first")

// checkRedacted refuses a body with a challenge other than the marker: a
// secret must never reach the database.
func checkRedacted(body []byte) error {
	var b struct {
		Challenge *string `json:"challenge"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return fmt.Errorf("store: the webhook body is not a JSON object: %w", err)
	}
	if b.Challenge != nil && *b.Challenge != RedactedChallenge {
		return ErrChallengeInBody
	}
	return nil
}

// RecordWebhook stores e unless an event with its key or id is stored
// already (a retry, maybe sent to another host), and in the same
// transaction notifies every host of it. fresh says whether it was new;
// only then is seq set.
func (s *Store) RecordWebhook(ctx context.Context, e WebhookEvent) (seq int64, fresh bool, err error) {
	if err := checkRedacted(e.Body); err != nil {
		return 0, false, err
	}
	headers, err := json.Marshal(orEmpty(e.Headers))
	if err != nil {
		return 0, false, err
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		seq, fresh, err = insertWebhook(ctx, tx, e, headers)
		if err != nil {
			return fmt.Errorf("store %s: webhook event: %w", s.desc, scrub(err))
		}
		return nil
	})
	if err != nil {
		return 0, false, err // inTx's own errors name the store already
	}
	return seq, fresh, nil
}

// insertWebhook inserts e under webhookLock and, when it is new, notifies
// its seq: both commit with the transaction, or neither happens.
func insertWebhook(ctx context.Context, tx pgx.Tx, e WebhookEvent, headers []byte) (seq int64, fresh bool, err error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(webhookLock)); err != nil {
		return 0, false, err
	}
	err = tx.QueryRow(ctx, `INSERT INTO webhook_events
		(profile, dedup_key, event_id, type, object, state, amount, currency, signed, headers, body, received_at, received_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT DO NOTHING RETURNING seq`,
		e.Profile, e.Key, e.ID, e.Type, e.Object, e.State, e.Amount, e.Currency, e.Signed,
		string(headers), string(e.Body), e.Received, e.Host).Scan(&seq)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil // a duplicate: nothing written, nobody told
	}
	if err != nil {
		return 0, false, err
	}
	n, _ := json.Marshal(WebhookNotice{Seq: seq, Profile: e.Profile})
	if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, EventsChannel, string(n)); err != nil {
		return 0, false, err
	}
	return seq, true, nil
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

const webhookColumns = `seq, profile, dedup_key, event_id, type, object, state, amount, currency, signed,
	headers::text, body, received_at, received_by`

// WebhooksAfter are the profile's events after seq, oldest first, at most
// limit of them. Inserts commit in seq order (webhookLock), so going on
// from the last seq read misses none.
func (s *Store) WebhooksAfter(ctx context.Context, profile string, after int64, limit int) ([]WebhookEvent, error) {
	return s.webhooks(ctx, `SELECT `+webhookColumns+` FROM webhook_events
		WHERE profile = $1 AND seq > $2 ORDER BY seq LIMIT $3`, profile, after, limit)
}

// RecentWebhooks are the profile's last limit events, newest first.
func (s *Store) RecentWebhooks(ctx context.Context, profile string, limit int) ([]WebhookEvent, error) {
	return s.webhooks(ctx, `SELECT `+webhookColumns+` FROM webhook_events
		WHERE profile = $1 ORDER BY seq DESC LIMIT $2`, profile, limit)
}

// LastWebhookSeq is the seq of the profile's newest event (0: none): a
// host starting shows its consoles only what comes after it.
func (s *Store) LastWebhookSeq(ctx context.Context, profile string) (int64, error) {
	var seq int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM webhook_events WHERE profile = $1`, profile).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("store %s: %w", s.desc, scrub(err))
	}
	return seq, nil
}

func (s *Store) webhooks(ctx context.Context, sql string, args ...any) ([]WebhookEvent, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", s.desc, scrub(err))
	}
	out, err := pgx.CollectRows(rows, scanWebhook)
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", s.desc, scrub(err))
	}
	return out, nil
}

func scanWebhook(row pgx.CollectableRow) (WebhookEvent, error) {
	var e WebhookEvent
	var headers, body string
	err := row.Scan(&e.Seq, &e.Profile, &e.Key, &e.ID, &e.Type, &e.Object, &e.State, &e.Amount, &e.Currency,
		&e.Signed, &headers, &body, &e.Received, &e.Host)
	if err != nil {
		return e, err
	}
	if err := json.Unmarshal([]byte(headers), &e.Headers); err != nil {
		return e, fmt.Errorf("event %s: headers: %w", strconv.FormatInt(e.Seq, 10), err)
	}
	e.Body = []byte(body)
	return e, nil
}

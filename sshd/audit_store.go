package sshd

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/malipo/malipo/keystore"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/store"
	"github.com/malipo/malipo/ui/common"
)

// The audit log on the shared store: one chain for every host. Records are
// the same signed lines as in the file; each is appended in a transaction
// holding the chain's advisory lock, so its number and the signature it
// carries are read and the record written while no other host appends.
// Every host signs with the same audit key (copy it to each: the README's
// "Two hosts"), so one public key verifies the whole chain.

// auditTimeout bounds one append: a database that stopped answering fails
// the write (and so the action that needed it) instead of hanging.
const auditTimeout = 30 * time.Second

// errHasGenesis: another host wrote the genesis first.
var errHasGenesis = errors.New("the chain has its genesis")

// OpenAuditStore opens the shared audit chain on db, signed with key,
// writing its genesis record when the chain is empty. A chain begun with
// another key is refused, as a file would be.
func OpenAuditStore(ctx context.Context, db *store.Store, key ed25519.PrivateKey, o AuditOptions) (*AuditLog, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, errors.New("audit log: no signing key")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	l := &AuditLog{db: db, path: db.String(), key: key, o: o}
	pub := key.Public().(ed25519.PublicKey)
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	genesis := Record{Event: EventGenesis, Result: "ok", LogID: hex.EncodeToString(id), HostKey: o.HostKey,
		AuditKey: keystore.AuditKeyFingerprint(pub), Detail: "a new audit log shared by every host on this store; each record is signed with audit_key"}
	_, err := db.AppendAudit(ctx, func(n int64, prev string) ([]byte, string, error) {
		if n != 1 {
			return nil, "", errHasGenesis
		}
		return l.sealAt(genesis, n, prev)
	})
	if err != nil && !errors.Is(err, errHasGenesis) {
		return nil, err
	}
	first, err := db.FirstAuditLine(ctx)
	if err != nil {
		return nil, err
	}
	g, err := openRecord(first, pub)
	if err != nil || g.Event != EventGenesis || g.N != 1 {
		return nil, l.foreign(first, pub)
	}
	l.logID = g.LogID
	return l, nil
}

// sealAt stamps r as record n after prev and signs it.
func (l *AuditLog) sealAt(r Record, n int64, prev string) ([]byte, string, error) {
	if r.Time.IsZero() {
		r.Time = l.o.Now().UTC()
	}
	r.N, r.Prev, r.Torn = n, prev, ""
	return seal(r, l.key)
}

// dbWrite appends r to the shared chain in its own transaction.
func (l *AuditLog) dbWrite(r Record) error {
	ctx, cancel := context.WithTimeout(context.Background(), auditTimeout)
	defer cancel()
	r.LogID, r.HostKey, r.AuditKey = "", "", ""
	h, err := l.db.AppendAudit(ctx, func(n int64, prev string) ([]byte, string, error) { return l.sealAt(r, n, prev) })
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	l.noteHead(Head{Count: h.N, Sig: h.Sig})
	return nil
}

// spoolMax bounds the records held while the store is down: a long outage
// under a flood of refused logins must not grow the server without end.
const spoolMax = 10_000

// spoolable reports whether r may wait for the store to come back: a
// refusal (or a logout) records what did not happen, so nothing waits on
// it being written first. A confirmation must be on the chain before its
// action runs, so it never waits: its failure still stops the action.
func spoolable(r Record) bool {
	return r.Result == "refused" || r.Event == "login.refused" || r.Event == "logout"
}

// dbWriteOrSpool appends r to the shared chain after any records spooled
// before it. With the store down, a spoolable record is kept (stamped
// now, so the chain says when it happened) and written once the store
// answers: every refusal is audited, even the store-down ones.
func (l *AuditLog) dbWriteOrSpool(r Record) error {
	if r.Time.IsZero() {
		r.Time = l.o.Now().UTC()
	}
	err := l.FlushSpool()
	if err == nil {
		err = l.dbWrite(r)
	}
	if err == nil || !spoolable(r) {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.spool) >= spoolMax {
		return fmt.Errorf("%w (and %d records already wait for the store)", err, len(l.spool))
	}
	l.spool = append(l.spool, r)
	return nil
}

// FlushSpool writes the records kept while the store was down, in order;
// it stops at the first failure (the rest wait for the next try). Serve
// calls it when the store answers again, and every write calls it first.
func (l *AuditLog) FlushSpool() error {
	l.flushing.Lock()
	defer l.flushing.Unlock()
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.spool) > 0 {
		l.mu.Unlock()
		err := l.dbWrite(l.spool[0])
		l.mu.Lock()
		if err != nil {
			return err
		}
		l.spool = l.spool[1:]
	}
	return nil
}

// Spooled is how many records wait for the store.
func (l *AuditLog) Spooled() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.spool)
}

// noteHead remembers the head and hands it to OnCheckpoint every
// CheckpointEvery records.
func (l *AuditLog) noteHead(h Head) {
	l.mu.Lock()
	if h.Count > l.head.Count {
		l.head = h
	}
	every := l.o.CheckpointEvery
	l.mu.Unlock()
	if every > 0 && h.Count%every == 0 && l.o.OnCheckpoint != nil {
		l.o.OnCheckpoint(h)
	}
}

// WriteTx appends r to the shared chain inside tx, the journal transaction
// whose state change it records: both commit or neither does.
func (l *AuditLog) WriteTx(tx *store.Tx, r Record) error {
	if l == nil || l.db == nil {
		return errors.New("audit log: not on the store")
	}
	r.LogID, r.HostKey, r.AuditKey = "", "", ""
	if _, err := tx.Audit(func(n int64, prev string) ([]byte, string, error) { return l.sealAt(r, n, prev) }); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	return nil
}

// StateAuditor is the journal's hook (payout.Journal.SetStateAudit): each
// journal event on the store gets its "journal.<event>" record in the same
// transaction, so no batch changes state without its audit record.
func (l *AuditLog) StateAuditor() payout.StateAuditor {
	return func(tx *store.Tx, ch payout.StateChange) error {
		r := Record{Event: "journal." + ch.Event, User: ch.By, Target: ch.TrackingID, Currency: ch.Currency, Result: "recorded", Detail: ch.Detail}
		if ch.Amount != 0 {
			amt := ch.Amount
			r.Amount = &amt
		}
		return l.WriteTx(tx, r)
	}
}

// dbHead reads where the shared chain ends (other hosts append too).
func (l *AuditLog) dbHead() Head {
	ctx, cancel := context.WithTimeout(context.Background(), auditTimeout)
	defer cancel()
	h, err := l.db.AuditHead(ctx)
	if err != nil {
		l.mu.Lock()
		defer l.mu.Unlock()
		return l.head
	}
	return Head{Count: h.N, Sig: h.Sig}
}

// VerifyAuditStore checks the shared chain on db as VerifyAuditLog checks
// a file: genesis first, every record numbered in order, carrying the one
// before and signed with pub, and each checkpoint still there.
func VerifyAuditStore(ctx context.Context, db *store.Store, pub ed25519.PublicKey, checkpoints ...Head) (AuditCheck, error) {
	var c AuditCheck
	v := verifier{pub: pub, c: &c, want: map[int64]string{}}
	for _, h := range checkpoints {
		v.want[h.Count] = h.Sig
	}
	err := db.AuditLines(ctx, func(n int64, line []byte) error {
		c.Lines++
		r, err := openRecord(line, pub)
		if err != nil {
			return fmt.Errorf("record %d: %w", n, err)
		}
		if r.N != n {
			return fmt.Errorf("record %d says it is record %d: the chain was changed after it was written", n, r.N)
		}
		return v.record(c.Lines, r)
	})
	if err != nil {
		return c, err
	}
	return c, v.end(checkpoints)
}

// Actor is who acts off SSH on a machine that shares the store: the local
// console or a command. Its records carry where it ran and with which
// profile's keys, so a chain that mixes SSH sessions and local actions
// still says who did each thing.
type Actor struct {
	Name    string // "local:alice@pay-1": the OS user and the host
	Profile string // the profile whose keys moved the money
	Via     string // "console", "payouts approve", …
}

// LocalAuditor writes an Actor's records to the shared chain: its
// confirmations and refusals (common.Auditor) and, through StateAuditor,
// the journal.<event> record of each state change in the change's own
// transaction, exactly as serve's sessions do.
type LocalAuditor struct {
	log *AuditLog
	a   Actor
}

// For is the chain's auditor for a local actor.
func (l *AuditLog) For(a Actor) *LocalAuditor { return &LocalAuditor{log: l, a: a} }

func (x *LocalAuditor) record(event string) Record {
	return Record{Event: event, User: x.a.Name, Profile: x.a.Profile, Session: x.a.Via}
}

// Audit is common.Auditor: one record in its own transaction.
func (x *LocalAuditor) Audit(ev common.AuditEvent) error {
	r := x.record(ev.Action)
	r.Target, r.Currency, r.Result, r.Detail = ev.Target, ev.Currency, ev.Result, ev.Detail
	if ev.Amount != 0 {
		amt := ev.Amount
		r.Amount = &amt
	}
	return x.log.Write(r)
}

// StateAuditor is the journal's hook for a local actor
// (payout.Journal.SetStateAudit).
func (x *LocalAuditor) StateAuditor() payout.StateAuditor {
	return func(tx *store.Tx, ch payout.StateChange) error {
		r := x.record("journal." + ch.Event)
		r.Target, r.Currency, r.Result, r.Detail = ch.TrackingID, ch.Currency, "recorded", ch.Detail
		if ch.Amount != 0 {
			amt := ch.Amount
			r.Amount = &amt
		}
		return x.log.WriteTx(tx, r)
	}
}

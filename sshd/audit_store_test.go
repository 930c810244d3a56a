package sshd

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/pgtest"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/store"
)

func migratedStore(t *testing.T) string {
	t.Helper()
	url := pgtest.Start(t).URL("postgres")
	s := openStore(t, url)
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return url
}

func openStore(t *testing.T, url string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Two hosts (two independent connection pools, one process) open the
// shared chain at once and append concurrently: one genesis, one chain
// with every record, which verifies; a checkpoint taken midway holds; a
// host with another audit key is refused.
func TestAuditStoreOneChainForTwoHosts(t *testing.T) {
	url := migratedStore(t)
	key := testKey(t)
	ctx := context.Background()
	logs := make([]*AuditLog, 2)
	var wg sync.WaitGroup
	for i := range logs {
		wg.Go(func() {
			l, err := OpenAuditStore(ctx, openStore(t, url), key, AuditOptions{HostKey: fmt.Sprintf("host-%d", i)})
			if err != nil {
				t.Error(err)
			}
			logs[i] = l
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if logs[0].LogID() != logs[1].LogID() {
		t.Fatalf("two genesis records: %s and %s", logs[0].LogID(), logs[1].LogID())
	}
	const per = 40
	var mid Head
	for i, l := range logs {
		wg.Go(func() {
			for k := range per {
				if err := l.Write(Record{Event: "login", User: fmt.Sprintf("u%d-%d", i, k)}); err != nil {
					t.Error(err)
				}
				if i == 0 && k == per/2 {
					mid = l.Head()
				}
			}
		})
	}
	wg.Wait()
	pub := key.Public().(ed25519.PublicKey)
	c, err := VerifyAuditStore(ctx, openStore(t, url), pub, mid)
	if err != nil || c.Records != 1+2*per {
		t.Fatalf("verify: %d records, %v", c.Records, err)
	}
	if _, err := OpenAuditStore(ctx, openStore(t, url), testKey(t), AuditOptions{}); err == nil || !strings.Contains(err.Error(), "another audit key") {
		t.Fatalf("a host with another key: %v", err)
	}
	if _, err := VerifyAuditStore(ctx, openStore(t, url), pubOf(testKey(t))); err == nil {
		t.Fatal("verified with the wrong key")
	}
	// An edited record fails verification.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE audit_log SET line = replace(line, '"u1-3"', '"u1-4"') WHERE line LIKE '%"u1-3"%'`); err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyAuditStore(ctx, openStore(t, url), pub); err == nil || !strings.Contains(err.Error(), "signature") {
		t.Fatalf("an edited record: %v", err)
	}
}

// Each journal event on the store writes its audit record in its own
// transaction: a recorded approval has its records in the chain, and a
// refused one (rolled back) has none, and the chain verifies.
func TestAuditStoreSameTransactionAsState(t *testing.T) {
	url := migratedStore(t)
	key := testKey(t)
	ctx := context.Background()
	db := openStore(t, url)
	l, err := OpenAuditStore(ctx, db, key, AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	j, err := payout.OpenJournalStore(db, "p")
	if err != nil {
		t.Fatal(err)
	}
	j.SetStateAudit(l.StateAuditor())
	req := payout.ApprovalRequest{TrackingID: "T1", Need: 1, Total: client.Amount(150000), Currency: "KES"}
	if _, err := j.As("amina").RecordApproval(req); err != nil {
		t.Fatal(err)
	}
	before := l.Head()
	if _, err := j.As("brian").RecordApproval(req); !payout.IsRefusal(err) {
		t.Fatalf("second approval: %v", err)
	}
	if after := l.Head(); after != before {
		t.Fatalf("a refused approval moved the chain from %s to %s", before, after)
	}
	var events []string
	err = db.AuditLines(ctx, func(n int64, line []byte) error {
		r, err := openRecord(line, key.Public().(ed25519.PublicKey))
		if err != nil {
			return err
		}
		events = append(events, r.Event+" "+r.User+" "+r.Target)
		return nil
	})
	want := "audit.genesis  ,journal.approval amina T1,journal.approving amina T1"
	if err != nil || strings.Join(events, ",") != want {
		t.Fatalf("chain %q (%v), want %q", strings.Join(events, ","), err, want)
	}
	if st, _ := db.State(ctx, "p", "T1"); st != payout.StatusApproving {
		t.Fatalf("state %q", st)
	}
}

// PostgreSQL stops mid-run: audit writes and journal transitions fail
// (so the shell refuses every money-moving confirmation: "Not done: the
// audit log could not record it"), what the journal already knows still
// reads, and when the server is back both carry on: nothing lost, nothing
// doubled, the chain verifies.
func TestAuditStoreDatabaseDown(t *testing.T) {
	c := pgtest.Start(t)
	url := c.URL("postgres")
	db := openStore(t, url)
	ctx := context.Background()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	key := testKey(t)
	l, err := OpenAuditStore(ctx, db, key, AuditOptions{})
	if err != nil {
		t.Fatal(err)
	}
	j, err := payout.OpenJournalStore(db, "p")
	if err != nil {
		t.Fatal(err)
	}
	j.SetStateAudit(l.StateAuditor())
	amina := j.As("amina")
	two := payout.ApprovalRequest{TrackingID: "T1", Need: 2, Currency: "KES"}
	if _, err := amina.RecordApproval(two); err != nil {
		t.Fatal(err)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := l.Write(Record{Event: "wallet.transfer", User: "amina"}); err == nil {
		t.Fatal("an audit write with the database down succeeded")
	}
	// A refusal waits for the store instead of being lost.
	refusedAt := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	if err := l.Write(Record{Time: refusedAt, Event: "payout.approve", User: "brian", Target: "T1", Result: "refused", Detail: "store down"}); err != nil || l.Spooled() != 1 {
		t.Fatalf("a refusal with the database down: %v, %d kept", err, l.Spooled())
	}
	if _, err := j.As("brian").RecordApproval(two); err == nil || payout.IsRefusal(err) {
		t.Fatalf("approval with the database down: %v", err)
	}
	if e, ok := j.Entry("T1"); !ok || len(e.Approvals) != 1 {
		t.Fatalf("reads with the database down: %+v %v", e, ok)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	if err := l.FlushSpool(); err != nil || l.Spooled() != 0 {
		t.Fatalf("flush once the database is back: %v, %d still kept", err, l.Spooled())
	}
	if err := l.FlushSpool(); err != nil { // nothing left: writes nothing twice
		t.Fatal(err)
	}
	res, err := j.As("brian").RecordApproval(two)
	if err != nil || !res.Last {
		t.Fatalf("approval once the database is back: %+v %v", res, err)
	}
	chk, err := VerifyAuditStore(ctx, db, pubOf(key))
	if err != nil {
		t.Fatal(err)
	}
	// genesis, amina's approval, the refusal kept while the store was down,
	// brian's approval and approving: the failed attempts left nothing.
	if chk.Records != 5 {
		t.Fatalf("%d records after the outage", chk.Records)
	}
	checkRefusalKept(t, db, key, refusedAt)
}

// checkRefusalKept: the refusal kept during the outage is on the chain
// once, with the time it happened, not the time it was written.
func checkRefusalKept(t *testing.T, db *store.Store, key ed25519.PrivateKey, at time.Time) {
	t.Helper()
	var found []Record
	err := db.AuditLines(context.Background(), func(_ int64, line []byte) error {
		r, err := openRecord(line, key.Public().(ed25519.PublicKey))
		if err == nil && r.Result == "refused" {
			found = append(found, r)
		}
		return err
	})
	if err != nil || len(found) != 1 || !found[0].Time.Equal(at) || found[0].Detail != "store down" {
		t.Fatalf("refusals on the chain: %+v %v", found, err)
	}
}

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
	"github.com/malipo/malipo/internal/testcheck"
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
	logs := openTwoHosts(t, url, key)
	const per = 40
	mid := appendConcurrently(t, logs, per)
	pub := key.Public().(ed25519.PublicKey)
	c, err := VerifyAuditStore(ctx, openStore(t, url), pub, mid)
	testcheck.Expect(t, "verify", fmt.Sprintf("%d records, %v", c.Records, err),
		testcheck.C("no error", err == nil), testcheck.C(fmt.Sprint(1+2*per, " records"), c.Records == 1+2*per))
	_, err = OpenAuditStore(ctx, openStore(t, url), testKey(t), AuditOptions{})
	testcheck.Expect(t, "a host with another key", err, testcheck.C("refused: another audit key", err != nil && strings.Contains(err.Error(), "another audit key")))
	_, err = VerifyAuditStore(ctx, openStore(t, url), pubOf(testKey(t)))
	testcheck.Expect(t, "verify with the wrong key", err, testcheck.C("fails", err != nil))
	// An edited record fails verification.
	conn, err := pgx.Connect(ctx, url)
	testcheck.Must(t, "connect", err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `UPDATE audit_log SET line = replace(line, '"u1-3"', '"u1-4"') WHERE line LIKE '%"u1-3"%'`)
	testcheck.Must(t, "edit a record", err)
	_, err = VerifyAuditStore(ctx, openStore(t, url), pub)
	testcheck.Expect(t, "an edited record", err, testcheck.C("fails on the signature", err != nil && strings.Contains(err.Error(), "signature")))
}

// openTwoHosts opens the shared chain from two hosts at once; both must
// find one genesis.
func openTwoHosts(t *testing.T, url string, key ed25519.PrivateKey) []*AuditLog {
	t.Helper()
	logs := make([]*AuditLog, 2)
	var wg sync.WaitGroup
	for i := range logs {
		wg.Go(func() {
			l, err := OpenAuditStore(context.Background(), openStore(t, url), key, AuditOptions{HostKey: fmt.Sprintf("host-%d", i)})
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
	testcheck.Expect(t, "genesis records", logs[0].LogID()+" and "+logs[1].LogID(), testcheck.C("one", logs[0].LogID() == logs[1].LogID()))
	return logs
}

// appendConcurrently has each log write per records at once and returns
// the head the first one saw midway.
func appendConcurrently(t *testing.T, logs []*AuditLog, per int) Head {
	t.Helper()
	var mid Head
	var wg sync.WaitGroup
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
	return mid
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
	_, err := db.Migrate(ctx)
	testcheck.Must(t, "migrate", err)
	key := testKey(t)
	l, err := OpenAuditStore(ctx, db, key, AuditOptions{})
	testcheck.Must(t, "open audit store", err)
	j, err := payout.OpenJournalStore(db, "p")
	testcheck.Must(t, "open journal", err)
	j.SetStateAudit(l.StateAuditor())
	two := payout.ApprovalRequest{TrackingID: "T1", Need: 2, Currency: "KES"}
	_, err = j.As("amina").RecordApproval(two)
	testcheck.Must(t, "amina's approval", err)
	testcheck.Must(t, "stop the database", c.Stop())
	refusedAt := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	whileDown(t, l, j, two, refusedAt)
	testcheck.Must(t, "start the database", c.Start())
	err = l.FlushSpool()
	testcheck.Expect(t, "flush once the database is back", fmt.Sprintf("%v, %d still kept", err, l.Spooled()),
		testcheck.C("no error", err == nil), testcheck.C("nothing kept", l.Spooled() == 0))
	testcheck.Must(t, "second flush (nothing left: writes nothing twice)", l.FlushSpool())
	res, err := j.As("brian").RecordApproval(two)
	testcheck.Expect(t, "approval once the database is back", fmt.Sprintf("%+v %v", res, err),
		testcheck.C("no error", err == nil), testcheck.C("last", res.Last))
	chk, err := VerifyAuditStore(ctx, db, pubOf(key))
	testcheck.Must(t, "verify", err)
	// genesis, amina's approval, the refusal kept while the store was down,
	// brian's approval and approving: the failed attempts left nothing.
	testcheck.Expect(t, "records after the outage", chk.Records, testcheck.C("5", chk.Records == 5))
	checkRefusalKept(t, db, key, refusedAt)
}

// whileDown: with the database down audit writes and journal transitions
// fail, a refusal is kept to be written later, and the journal still reads.
func whileDown(t *testing.T, l *AuditLog, j *payout.Journal, two payout.ApprovalRequest, refusedAt time.Time) {
	t.Helper()
	err := l.Write(Record{Event: "wallet.transfer", User: "amina"})
	testcheck.Expect(t, "an audit write with the database down", err, testcheck.C("fails", err != nil))
	// A refusal waits for the store instead of being lost.
	err = l.Write(Record{Time: refusedAt, Event: "payout.approve", User: "brian", Target: "T1", Result: "refused", Detail: "store down"})
	testcheck.Expect(t, "a refusal with the database down", fmt.Sprintf("%v, %d kept", err, l.Spooled()),
		testcheck.C("no error", err == nil), testcheck.C("1 kept", l.Spooled() == 1))
	_, err = j.As("brian").RecordApproval(two)
	testcheck.Expect(t, "approval with the database down", err,
		testcheck.C("fails", err != nil), testcheck.C("not as a refusal", !payout.IsRefusal(err)))
	e, ok := j.Entry("T1")
	testcheck.Expect(t, "reads with the database down", fmt.Sprintf("%+v %v", e, ok),
		testcheck.C("found", ok), testcheck.C("1 approval", len(e.Approvals) == 1))
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

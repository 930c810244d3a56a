package payout_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/payout"
)

// clock is a settable fixed clock, safe across goroutines.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// eat is Nairobi's offset, fixed, so the test reads the same on any
// machine whatever its zone database says.
var eat = time.FixedZone("EAT", 3*60*60)

// initiatedBatch has maker initiate a batch of total in j and returns its
// tracking id.
func initiatedBatch(t *testing.T, j *payout.Journal, tid string, total client.Amount) {
	t.Helper()
	d := payout.NewDraft(payout.B2C, time.Date(2026, 3, 2, 9, 0, 0, 0, eat))
	d.Rows = []payout.Row{{Name: "Jane", Account: "254708374149", Amount: total}}
	must(t, j.RecordInitiating(d))
	must(t, j.RecordInitiated(d, &client.Batch{TrackingID: tid, FileID: "F-" + tid, StatusCode: "BP103"}))
}

func TestRecordApprovalSteps(t *testing.T) {
	dir := t.TempDir()
	clk := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, eat)}
	base := openJournal(t, dir)
	base.SetClock(clk.now)
	initiatedBatch(t, base.As("baraka"), "T1", client.Units(2_000_000))
	req := payout.ApprovalRequest{TrackingID: "T1", Total: client.Units(2_000_000), Need: 2, Rule: "rule 1"}

	steps := []struct {
		who     string
		count   int
		last    bool
		refused string // "" means recorded
	}{
		{"wanjiru", 1, false, ""},
		{"wanjiru", 1, false, "already approved this batch (1 of 2 approvals (wanjiru)); it needs 1 more approver"},
		{"WANJIRU", 1, false, "already approved"},
		{"otieno", 2, true, ""},
		{"amina", 2, false, "being sent to IntaSend"},
	}
	for i, s := range steps {
		res, err := base.As(s.who).RecordApproval(req)
		what := fmt.Sprintf("step %d (%s)", i, s.who)
		if s.refused != "" {
			testcheck.Expect(t, what, err, testcheck.C("a refusal", payout.IsRefusal(err)),
				testcheck.C("about "+s.refused, err != nil && strings.Contains(err.Error(), s.refused)))
			continue
		}
		testcheck.Must(t, what, err)
		testcheck.Expect(t, what, res, testcheck.C(fmt.Sprint("count ", s.count), res.Count == s.count),
			testcheck.C(fmt.Sprint("last ", s.last), res.Last == s.last))
	}
	e, _ := base.Entry("T1")
	testcheck.Expect(t, "entry", e, testcheck.C("approving", e.Status == payout.StatusApproving), testcheck.C("two approvals", len(e.Approvals) == 2))
	testcheck.Expect(t, "entry", e, testcheck.C("second by otieno", e.Approvals[1].By == "otieno"), testcheck.C("need 2", e.Need == 2),
		testcheck.C("rule 1", e.Approvals[0].Rule == "rule 1"), testcheck.C("at now", e.Approvals[0].At.Equal(clk.now())))
	// The approve proved not to land: an approver re-sends it, no second step.
	must(t, base.As("otieno").RecordApproveFailed("T1", errString("still waiting")))
	res, err := base.As("wanjiru").RecordApproval(req)
	testcheck.Must(t, "re-send after a failed approve", err)
	testcheck.Expect(t, "re-send after a failed approve", res, testcheck.C("last", res.Last), testcheck.C("count 2", res.Count == 2))
	// A second process reading the same file sees the same approvals.
	e2, _ := openJournal(t, dir).Entry("T1")
	testcheck.Check(t, "second reader", e2.Progress(0), testcheck.C("same approvals", e2.Progress(0) == "2 of 2 approvals (wanjiru, otieno)"))
}

type errString string

func (e errString) Error() string { return string(e) }

// Two sessions (and two processes: separate Journals on one directory)
// give the second of two required approvals at once: one is the last
// approver, the other is refused.
func TestRecordApprovalRaceHasOneLastApprover(t *testing.T) {
	for round := 0; round < 20; round++ {
		dir := t.TempDir()
		a := openJournal(t, dir)
		initiatedBatch(t, a.As("baraka"), "T", client.Units(500))
		req := payout.ApprovalRequest{TrackingID: "T", Total: client.Units(500), Need: 2}
		if _, err := a.As("wanjiru").RecordApproval(req); err != nil {
			t.Fatal(err)
		}
		b := openJournal(t, dir)
		var wg sync.WaitGroup
		lasts := make(chan bool, 2)
		for _, w := range []*payout.Journal{a.As("otieno"), b.As("amina")} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := w.RecordApproval(req)
				if err != nil && !payout.IsRefusal(err) {
					t.Error(err)
				}
				lasts <- err == nil && res.Last
			}()
		}
		wg.Wait()
		close(lasts)
		n := 0
		for l := range lasts {
			if l {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("round %d: %d last approvers", round, n)
		}
	}
}

func TestRecordApprovalLimitsAndExpiry(t *testing.T) {
	day := time.Date(2026, 3, 2, 23, 30, 0, 0, eat) // late: the next day starts in 30 minutes
	lim := payout.Limits{Approve: client.Units(1_000_000), Daily: client.Units(1_000_000), Monthly: client.Units(2_000_000)}
	cases := []struct {
		name    string
		at      time.Time // when the second approval is asked for
		total   client.Amount
		expire  time.Duration
		refused string
	}{
		{"over the approval limit", day, client.Units(2_000_000), 0, "KES 2,000,000.00 is over your approval limit of KES 1,000,000.00"},
		{"over the daily limit", day, client.Units(900_000), 0,
			"KES 900,000.00 would take your approvals today to KES 1,700,000.00, over your daily limit of KES 1,000,000.00 (KES 800,000.00 used)"},
		{"same total, same day", day, client.Units(500_000), 0, "over your daily limit"},
		{"a new day in Nairobi", day.Add(time.Hour), client.Units(500_000), 0, ""},
		{"over the monthly limit", day.Add(time.Hour), client.Units(1_000_000), 0, "over your monthly limit of KES 2,000,000.00 (KES 1,300,000.00 used)"},
		{"within the limits", day, client.Units(200_000), 0, ""},
		{"expired", day.Add(25 * time.Hour), client.Units(100), 24 * time.Hour, "This batch expired"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk := &clock{t: day.Add(-2 * time.Hour)}
			j := openJournal(t, t.TempDir())
			j.SetClock(clk.now)
			// Used earlier this month and today: 500,000 on 1 March, 800,000 today.
			clk.set(time.Date(2026, 3, 1, 12, 0, 0, 0, eat))
			initiatedBatch(t, j.As("baraka"), "OLD", client.Units(500_000))
			mustApprove(t, j.As("wanjiru"), payout.ApprovalRequest{TrackingID: "OLD", Total: client.Units(500_000), Need: 1}, lim)
			must(t, j.As("wanjiru").RecordApproved("OLD", nil))
			clk.set(day.Add(-2 * time.Hour))
			initiatedBatch(t, j.As("baraka"), "TODAY", client.Units(800_000))
			mustApprove(t, j.As("wanjiru"), payout.ApprovalRequest{TrackingID: "TODAY", Total: client.Units(800_000), Need: 2}, lim)
			initiatedBatch(t, j.As("baraka"), "NEW", c.total)
			clk.set(c.at)
			_, err := j.As("wanjiru").RecordApproval(payout.ApprovalRequest{TrackingID: "NEW", Total: c.total, Need: 2,
				Limits: lim, ExpireAfter: c.expire})
			switch {
			case c.refused == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.refused != "" && (err == nil || !strings.Contains(err.Error(), c.refused)):
				t.Fatalf("err = %v, want %q", err, c.refused)
			}
			if e, _ := j.Entry("NEW"); c.refused != "" && len(e.Approvals) != 0 {
				t.Errorf("a refused approval was recorded: %+v", e.Approvals)
			}
		})
	}
}

func mustApprove(t *testing.T, j *payout.Journal, req payout.ApprovalRequest, lim payout.Limits) {
	t.Helper()
	req.Limits = lim
	if _, err := j.RecordApproval(req); err != nil {
		t.Fatal(err)
	}
}

func TestPolicyNeed(t *testing.T) {
	p := &payout.Policy{NewPayee: payout.NewPayeeExtra, Rules: []payout.Rule{
		{Above: client.Units(5_000_000), Approvers: 3},
		{Above: client.Units(100_000), Approvers: 2, Rail: payout.Rail("PESALINK")},
		{Above: client.Units(1_000_000), Approvers: 2},
	}}
	cases := []struct {
		rail  payout.Rail
		total client.Amount
		newP  int
		need  int
		rule  string
	}{
		{payout.B2C, client.Units(1_000_000), 0, 1, ""},
		{payout.B2C, client.MustAmount("1000000.01"), 0, 2, "rule 3: above 1,000,000.00"},
		{payout.Rail("PESALINK"), client.Units(200_000), 0, 2, "rule 2: above 100,000.00 on PESALINK"},
		{payout.B2C, client.Units(6_000_000), 1, 4, "rule 1: above 5,000,000.00, +1 for new payees"},
		{payout.B2C, client.Units(10), 2, 2, "+1 for new payees"},
	}
	for _, c := range cases {
		n, rule := p.Need(c.rail, c.total, c.newP)
		if n != c.need || rule != c.rule {
			t.Errorf("Need(%s, %s, %d) = %d %q, want %d %q", c.rail, c.total, c.newP, n, rule, c.need, c.rule)
		}
	}
	var none *payout.Policy
	if n, _ := none.Need(payout.B2C, client.Units(1e9), 3); n != 1 {
		t.Errorf("no policy needs %d", n)
	}
}

// A batch the journal never saw initiated (opened by tracking id) is one
// entry from its first approval to its outcome.
func TestApprovalOfABatchOpenedByID(t *testing.T) {
	j := openJournal(t, t.TempDir()).As("wanjiru")
	res, err := j.RecordApproval(payout.ApprovalRequest{TrackingID: "X", Total: client.Units(100), Need: 1})
	must(t, err)
	must(t, j.RecordApproved("X", nil))
	if es := j.Entries(); !res.Last || len(es) != 1 || es[0].Status != payout.StatusApproved || len(es[0].Approvals) != 1 {
		t.Fatalf("%+v %+v", res, es)
	}
}

func TestPaidBefore(t *testing.T) {
	j := openJournal(t, t.TempDir())
	initiatedBatch(t, j.As("baraka"), "A", client.Units(10))
	key := payout.PayeeKey(payout.B2C, "", "254708374149")
	if j.PaidBefore()[key] {
		t.Fatal("paid before any approval")
	}
	must(t, j.RecordApproving("A"))
	must(t, j.RecordApproved("A", nil))
	if !j.PaidBefore()[key] {
		t.Fatal("an approved batch's payee is not paid before")
	}
}

package cmd

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/pgtest"
	"github.com/malipo/malipo/keystore"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/store"
)

// Two `malipo serve` processes on one PostgreSQL store: both migrate at
// start (the second finds nothing to do), both append to one audit chain,
// one is killed with SIGKILL, and `malipo serve verify-audit --store`
// verifies the chain every host wrote, with the shared audit key.
func TestStoreTwoServeHostsOneAuditChain(t *testing.T) {
	url := pgtest.Start(t).URL("postgres")
	dir := t.TempDir()
	users := filepath.Join(dir, "users.toml")
	writeUsers(t, users, newPerson(t, "wanjiru", "approver"))
	a := startServe(t, filepath.Join(dir, "a"), users, "--store", url)
	b := startServe(t, filepath.Join(dir, "b"), users, "--store", url)
	// The schema's version is the newest migration's, whichever that is.
	migrated := regexp.MustCompile(`migrated to version (\d+)`).FindStringSubmatch(a.stderr.String())
	if migrated == nil || strings.Contains(b.stderr.String(), "migrated") {
		t.Fatalf("migrations: host A said %q; host B said %q", a.stderr.String(), b.stderr.String())
	}
	// "listening" comes before server.start is written; the head printed
	// after it says both hosts' starts are in the chain.
	for _, p := range []*serveProc{a, b} {
		waitUntil(t, "the host's audit head", func() bool { return strings.Contains(p.stderr.String(), "audit head") })
	}
	if err := a.cmd.Process.Kill(); err != nil { // kill -9
		t.Fatal(err)
	}
	<-a.exited

	verify := exec.Command(malipoBinary(t), "serve", "verify-audit", "--store", url)
	verify.Env = append(os.Environ(), auditKeyEnv(t, filepath.Join(dir, "a")))
	out, err := verify.CombinedOutput()
	if err != nil {
		t.Fatalf("verify-audit --store: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`(\d+) records, chain intact`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("verify-audit said %s", out)
	}
	// The genesis and each host's server.start.
	if n, _ := strconv.Atoi(string(m[1])); n < 3 {
		t.Fatalf("%d records: want the genesis and both hosts' starts\n%s", n, out)
	}
	migrate := exec.Command(malipoBinary(t), "store", "migrate", "--store", url)
	out, err = migrate.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "schema version "+migrated[1]+"\n") {
		t.Fatalf("store migrate: %v\n%s", err, out)
	}
}

// A password in --store is refused before anything connects, and is not
// repeated back.
func TestStoreURLWithPasswordRefused(t *testing.T) {
	isolate(t)
	_, stderr, code := runCLI(t, "store", "migrate", "--store", "postgres://malipo:hunter2@127.0.0.1:1/malipo")
	if code == 0 || !strings.Contains(stderr, "PGPASSFILE") || strings.Contains(stderr, "hunter2") {
		t.Fatalf("code %d, stderr %q", code, stderr)
	}
	t.Setenv(EnvStore, "mysql://x")
	if _, stderr, code := runCLI(t, "store", "migrate"); code == 0 || !strings.Contains(stderr, "postgres://") {
		t.Fatalf("code %d, stderr %q", code, stderr)
	}
}

// With a store named (MALIPO_STORE), `payouts initiate` and `payouts
// approve` use the journal every serve host uses: a batch initiated from
// the command line is on the store, and one whose approval another host
// is sending is refused here, with nothing sent.
func TestStorePayoutCommandsUseTheStore(t *testing.T) {
	f := newMoneyFixture(t)
	url := pgtest.Start(t).URL("postgres")
	migrate := exec.Command(malipoBinary(t), "store", "migrate", "--store", url)
	if out, err := migrate.CombinedOutput(); err != nil {
		t.Fatalf("store migrate: %v\n%s", err, out)
	}
	t.Setenv(EnvStore, url)
	// The store's audit chain is signed with the hosts' key (issue 14).
	t.Setenv(keystore.EnvAuditKeyFile, strings.TrimPrefix(auditKeyEnv(t, filepath.Join(t.TempDir(), "state")), keystore.EnvAuditKeyFile+"="))
	tid := f.initiate(t, writeCSV(t, batchCSV))

	s, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	j, err := payout.OpenJournalStore(s, keystore.DefaultProfile)
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := j.Entry(tid); !ok || e.Status != payout.StatusInitiated {
		t.Fatalf("the store's journal has %+v (%v)", e, ok)
	}
	// Another host's approver is sending the approval right now.
	if _, err := j.As("otieno").RecordApproval(payout.ApprovalRequest{TrackingID: tid, Need: 1, Total: client.Units(300), Currency: "KES"}); err != nil {
		t.Fatal(err)
	}
	_, errw, code := runCLI(t, "payouts", "approve", tid, "--confirm", "300", "--base-url", f.base)
	if code == 0 || !strings.Contains(errw, "another session") {
		t.Fatalf("approve while another host sends it: exit %d: %s", code, errw)
	}
	if n := f.s.Counters().Requests["POST send-money/approve/"]; n != 0 {
		t.Fatalf("%d approve calls", n)
	}
	// The history is the store's too: approving, by the other host.
	hist, _, _ := runCLI(t, "payouts", "history", "--json")
	if !strings.Contains(hist, tid) || !strings.Contains(hist, `"status": "approving"`) {
		t.Errorf("history from the store:\n%s", hist)
	}
}

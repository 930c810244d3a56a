package sshd

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

func TestAuditLogAppendsAndNeverTruncates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logs", "audit.jsonl")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(`{"event":"earlier"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o, want 0600", info.Mode().Perm())
	}
	id := identity{Account: Account{"wanjiru", "approver"}, Fingerprint: "SHA256:abc", Session: "s1", Remote: "10.0.0.1:5"}
	a := sessionAuditor{log: l, id: id}
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.Audit(common.AuditEvent{Action: "payout.approve", Target: "TRK" + string(rune('A'+i%26)),
				Amount: client.MustAmount("1234.50"), Currency: "KES", Result: "ok"}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	l.Close()
	if err := l.Write(Record{Event: "late"}); err == nil {
		t.Error("a write after Close succeeded")
	}
	data, _ := os.ReadFile(path)
	recs := parseRecords(t, data)
	if len(recs) != 51 || recs[0].Event != "earlier" {
		t.Fatalf("%d records, first %+v", len(recs), recs[0])
	}
	r := recs[1]
	if r.User != "wanjiru" || r.Role != "approver" || r.Fingerprint != "SHA256:abc" || r.Session != "s1" ||
		r.Amount == nil || *r.Amount != client.MustAmount("1234.50") || r.Result != "ok" || r.Time.IsZero() {
		t.Errorf("record %+v", r)
	}
	if !strings.Contains(string(data), `"amount":"1234.50"`) {
		t.Errorf("amount not written as a decimal string: %s", data)
	}
	// Reopening appends.
	l2, err := OpenAuditLog(path)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if err := l2.Write(Record{Event: "again"}); err != nil {
		t.Fatal(err)
	}
	data, _ = os.ReadFile(path)
	if recs := parseRecords(t, data); len(recs) != 52 {
		t.Errorf("%d records after reopening, want 52", len(recs))
	}
}

func TestPanicTextRedactsSecrets(t *testing.T) {
	got := panicText("boom ISSecretKey_test_0f4a9c1e-1111-4222-8333-444455556666 and -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- end")
	if strings.Contains(got, "0f4a9c1e") || strings.Contains(got, "MIIE") || !strings.Contains(got, "[REDACTED]") || !strings.Contains(got, "end") {
		t.Errorf("panicText = %q", got)
	}
}

func TestAuditLogHashChain(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	write := func(events ...string) {
		l, err := OpenAuditLog(path)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		for _, e := range events {
			if err := l.Write(Record{Event: e, User: "wanjiru", Amount: ptr(client.MustAmount("10.00"))}); err != nil {
				t.Fatal(err)
			}
		}
	}
	write("a", "b")
	write("c") // a restart continues the chain
	if c, err := VerifyAuditLog(path); err != nil || c.Lines != 3 || len(c.Torn) != 0 {
		t.Fatalf("intact log: %+v, %v", c, err)
	}
	// A crash mid-write leaves a fragment; the next start chains past it.
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(`{"event":"d","us`)
	f.Close()
	write("e")
	data, _ := os.ReadFile(path)
	c, err := VerifyAuditLog(path)
	if err != nil || c.Lines != 5 || len(c.Torn) != 1 || c.Torn[0] != 4 {
		t.Fatalf("after a torn write: %+v, %v\n%s", c, err, data)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for _, tamper := range []struct {
		name  string
		lines []string
		at    string
	}{
		{"amount edited", replaceAt(lines, 1, strings.Replace(lines[1], "10.00", "1000.00", 1)), "line 3"},
		{"line removed", append(append([]string{}, lines[:1]...), lines[2:]...), "line 2"},
		{"line inserted", append(append(append([]string{}, lines[:2]...), `{"event":"forged","prev":"00"}`), lines[2:]...), "line 3"},
	} {
		t.Run(tamper.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "audit.jsonl")
			if err := os.WriteFile(p, []byte(strings.Join(tamper.lines, "\n")+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := VerifyAuditLog(p); err == nil || !strings.Contains(err.Error(), tamper.at) {
				t.Errorf("err = %v, want it at %s", err, tamper.at)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func replaceAt(lines []string, i int, s string) []string {
	out := append([]string{}, lines...)
	out[i] = s
	return out
}

package sshd

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/ui/common"
)

// testKey is a fresh audit key.
func testKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func pubOf(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

// fixedClock ticks one second per call from a fixed instant, so logs are
// the same on any day, in any zone.
func fixedClock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

func openLog(t testing.TB, path string, key ed25519.PrivateKey, o AuditOptions) *AuditLog {
	t.Helper()
	if o.Now == nil {
		o.Now = fixedClock()
	}
	o.HostKey = "SHA256:host"
	l, err := OpenAuditLog(path, key, o)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// auditConcurrently writes 50 approvals through a at once.
func auditConcurrently(t *testing.T, a sessionAuditor) {
	t.Helper()
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
}

// checkFirstRecords: the genesis record, then the approval with every
// field of the session and its money as a decimal string.
func checkFirstRecords(t *testing.T, recs []Record, data []byte) {
	t.Helper()
	testcheck.Expect(t, "records", len(recs), testcheck.C("51 records", len(recs) == 51))
	testcheck.Expect(t, "first record", recs[0],
		testcheck.C("genesis", recs[0].Event == EventGenesis),
		testcheck.C("host key", recs[0].HostKey == "SHA256:host"),
		testcheck.C("32-char log id", len(recs[0].LogID) == 32))
	r := recs[1]
	testcheck.Check(t, "record", r,
		testcheck.C("user", r.User == "wanjiru"), testcheck.C("role", r.Role == "approver"),
		testcheck.C("fingerprint", r.Fingerprint == "SHA256:abc"), testcheck.C("session", r.Session == "s1"),
		testcheck.C("amount 1234.50", r.Amount != nil && *r.Amount == client.MustAmount("1234.50")),
		testcheck.C("result ok", r.Result == "ok"), testcheck.C("time set", !r.Time.IsZero()), testcheck.C("n 2", r.N == 2))
	testcheck.Contains(t, "amount as a decimal string", string(data), `"amount":"1234.50"`)
}

func TestAuditLogAppendsAndNeverTruncates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "logs", "audit.jsonl")
	key := testKey(t)
	l := openLog(t, path, key, AuditOptions{})
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o, want 0600", info.Mode().Perm())
	}
	id := identity{Account: Account{"wanjiru", "approver"}, Fingerprint: "SHA256:abc", Session: "s1", Remote: "10.0.0.1:5"}
	auditConcurrently(t, sessionAuditor{log: l, id: id})
	l.Close()
	err := l.Write(Record{Event: "late"})
	testcheck.Check(t, "a write after Close", err, testcheck.C("fails", err != nil))
	data, _ := os.ReadFile(path)
	recs := parseRecords(t, data)
	checkFirstRecords(t, recs, data)
	// Reopening appends to the same chain.
	l2 := openLog(t, path, key, AuditOptions{})
	defer l2.Close()
	testcheck.Must(t, "write after reopening", l2.Write(Record{Event: "again", LogID: "forged", AuditKey: "forged"}))
	data, _ = os.ReadFile(path)
	again := parseRecords(t, data)
	last := again[len(again)-1]
	testcheck.Check(t, fmt.Sprintf("%d records after reopening, last", len(again)), last,
		testcheck.C("52 records", len(again) == 52), testcheck.C("n 52", last.N == 52),
		testcheck.C("log id not forged", last.LogID == ""), testcheck.C("audit key not forged", last.AuditKey == ""))
	c, err := VerifyAuditLog(path, pubOf(key))
	testcheck.Check(t, "verify", fmt.Sprintf("%+v, %v", c, err),
		testcheck.C("no error", err == nil), testcheck.C("52 records", c.Records == 52), testcheck.C("same log id", c.LogID == recs[0].LogID))
}

// A file the server cannot continue is refused with what to do, never
// appended to: an old unsigned log, a log signed with another key, a log
// whose end is not records.
func TestAuditLogRefusesForeignFiles(t *testing.T) {
	key := testKey(t)
	signed := filepath.Join(t.TempDir(), "signed.jsonl")
	l := openLog(t, signed, key, AuditOptions{})
	l.Write(Record{Event: "login"})
	l.Close()
	good, _ := os.ReadFile(signed)
	cases := []struct {
		name string
		data string
		key  ed25519.PrivateKey
		err  string
	}{
		{"old unsigned format", `{"time":"2026-03-01T09:00:00Z","event":"server.start"}` + "\n" +
			`{"time":"2026-03-01T09:00:01Z","event":"login","prev":"ab"}` + "\n", key, "move it aside"},
		{"another key", string(good), testKey(t), "signed with another audit key"},
		{"junk at the end", string(good) + "rm -rf /\n", key, "does not end with a record"},
		{"two fragments at the end", string(good) + `{"n":3,"ti` + "\n" + `{"n":3` + "\n", key, "more than one line"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			if err := os.WriteFile(path, []byte(c.data), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := OpenAuditLog(path, c.key, AuditOptions{})
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("err = %v, want %q", err, c.err)
			}
			if after, _ := os.ReadFile(path); string(after) != c.data {
				t.Error("the refused file was changed")
			}
		})
	}
}

// signedLog writes a genesis and five records and returns the lines.
func signedLog(t *testing.T, key ed25519.PrivateKey) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	l := openLog(t, path, key, AuditOptions{})
	for _, ev := range []string{"login", "payout.initiate", "payout.approve", "refund.create", "logout"} {
		if err := l.Write(Record{Event: ev, User: "wanjiru", Amount: ptr(client.MustAmount("10.00"))}); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	data, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(data), "\n")
	return lines[:len(lines)-1] // each with its newline
}

// reseal rewrites lines[from:] as a forger would: editing lines[from]
// with edit, then re-chaining every later record with key (a guess, or
// the old unkeyed SHA-256 style).
func reseal(t *testing.T, lines []string, from int, key ed25519.PrivateKey, edit func(*Record)) []string {
	t.Helper()
	out := append([]string{}, lines[:from]...)
	var prev Record
	if err := json.Unmarshal([]byte(lines[from-1]), &prev); err != nil {
		t.Fatal(err)
	}
	for i := from; i < len(lines); i++ {
		var r Record
		if err := json.Unmarshal([]byte(lines[i]), &r); err != nil {
			t.Fatal(err)
		}
		if i == from {
			edit(&r)
		}
		r.Prev = prev.Sig
		line, sig, err := seal(r, key)
		if err != nil {
			t.Fatal(err)
		}
		r.Sig = sig
		prev = r
		out = append(out, string(line)+"\n")
	}
	return out
}

func TestVerifyAuditLog(t *testing.T) {
	key := testKey(t)
	lines := signedLog(t, key) // 6 lines: genesis + 5
	var head Record
	json.Unmarshal([]byte(lines[5]), &head)
	var third Record
	json.Unmarshal([]byte(lines[2]), &third)
	checkpoint := Head{Count: 6, Sig: head.Sig}
	join := func(ls ...[]string) string {
		var b strings.Builder
		for _, l := range ls {
			b.WriteString(strings.Join(l, ""))
		}
		return b.String()
	}
	fragment := `{"n":7,"time":"2026-03-01T09:00:07Z","event":"pay`
	unkeyed := func(r *Record) { r.Amount = ptr(client.MustAmount("10000.00")) }
	cases := []struct {
		name        string
		data        string
		checkpoints []Head
		err         string // "" means it verifies
		torn        int
	}{
		{"intact", join(lines), nil, "", 0},
		{"intact, with its checkpoints", join(lines), []Head{{Count: 3, Sig: third.Sig}, checkpoint}, "", 0},
		{"torn by a crash: the last line is a record's start", join(lines) + fragment, []Head{checkpoint}, "", 1},
		{"torn, then the fragment's newline", join(lines) + fragment + "\n", nil, "", 1},

		{"non-JSON lines", "malipo audit\nall fine\n", nil, "line 1 is not an audit record", 0},
		{"first lines deleted", join(lines[3:]), nil, "line 1: the log does not begin with its genesis record", 0},
		{"genesis missing", join(lines[1:]), nil, "does not begin with its genesis record", 0},
		{"empty file", "", nil, "genesis record is missing", 0},
		{"mangled last record", join(lines[:5]) + strings.Replace(lines[5], `"logout"`, `"logout"}}`, 1), nil, "line 6", 0},
		{"last record cut and junk added", join(lines[:5]) + lines[5][:40] + `"}` + "\n", nil, "line 6 is not an audit record", 0},
		{"record edited, later records re-signed with another key", join(reseal(t, lines, 2, testKey(t), unkeyed)), nil, "line 3: its signature does not verify", 0},
		{"amount edited in place", join(lines[:2]) + strings.Replace(lines[2], "10.00", "99.00", 1) + join(lines[3:]), nil, "line 3: its signature does not verify", 0},
		{"record removed", join(lines[:2], lines[3:]), nil, "line 3: record 4 follows record 2", 0},
		{"records swapped", join(lines[:2], lines[3:4], lines[2:3], lines[4:]), nil, "line 3: record 4 follows record 2", 0},
		{"newest records removed, found by the checkpoint", join(lines[:4]), []Head{checkpoint}, "checkpoint 6: the log has only 4 records", 0},
		{"newest record cut to a fragment, found by the checkpoint", join(lines[:5]) + lines[5][:30], []Head{checkpoint}, "checkpoint 6: the log has only 5 records", 0},
		{"checkpoint from another log", join(lines), []Head{{Count: 6, Sig: third.Sig}}, "checkpoint 6: record 6's signature differs", 0},
		{"fragment in the middle no record signs for", join(lines[:3]) + fragment + "\n" + join(lines[3:]), nil, "line 5: the lines cut short before it", 0},
		{"two logs spliced", join(lines, signedLog(t, key)), nil, "line 7: record 1 follows record 6", 0},
		{"another key's log", join(signedLog(t, testKey(t))), nil, "line 1: its signature does not verify", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			if err := os.WriteFile(path, []byte(c.data), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := VerifyAuditLog(path, pubOf(key), c.checkpoints...)
			if c.err == "" {
				if err != nil || len(got.Torn) != c.torn {
					t.Fatalf("%+v, %v", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("err = %v, want %q", err, c.err)
			}
		})
	}
}

// A crash mid-write leaves a fragment; the next start keeps it, signs
// for it in its first record, and the log verifies, fragment and all.
func TestAuditLogContinuesAfterACrash(t *testing.T) {
	key := testKey(t)
	for _, tc := range []struct{ name, tail string }{
		{"cut mid-record", `{"n":3,"time":"2026-03-01T09:00:0`},
		{"cut after the newline of a fragment", `{"n":3,"ti` + "\n"},
		{"the last record's newline cut", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			l := openLog(t, path, key, AuditOptions{})
			l.Write(Record{Event: "login"})
			l.Close()
			data, _ := os.ReadFile(path)
			if tc.tail == "" {
				data = data[:len(data)-1]
			}
			os.WriteFile(path, append(data, tc.tail...), 0o600)
			l = openLog(t, path, key, AuditOptions{})
			if err := l.Write(Record{Event: "server.start"}); err != nil {
				t.Fatal(err)
			}
			l.Close()
			c, err := VerifyAuditLog(path, pubOf(key))
			wantTorn := 1
			if tc.tail == "" {
				wantTorn = 0
			}
			if err != nil || c.Records != 3 || len(c.Torn) != wantTorn {
				after, _ := os.ReadFile(path)
				t.Fatalf("%+v, %v\n%s", c, err, after)
			}
		})
	}
}

// The head goes to OnCheckpoint every N records and on demand; each one
// printed is a checkpoint verify-audit accepts.
func TestAuditLogCheckpoints(t *testing.T) {
	key := testKey(t)
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	var heads []Head
	l := openLog(t, path, key, AuditOptions{CheckpointEvery: 3, OnCheckpoint: func(h Head) { heads = append(heads, h) }})
	l.Checkpoint() // at start: the genesis
	for range 7 {
		l.Write(Record{Event: "login"})
	}
	l.Checkpoint() // SIGHUP
	l.Close()
	var counts []int64
	for _, h := range heads {
		counts = append(counts, h.Count)
		parsed, err := ParseHead(h.String())
		if err != nil || parsed != h {
			t.Errorf("ParseHead(%s) = %v, %v", h, parsed, err)
		}
	}
	if fmt.Sprint(counts) != "[1 3 6 8]" {
		t.Errorf("checkpoints at %v, want [1 3 6 8]", counts)
	}
	if _, err := VerifyAuditLog(path, pubOf(key), heads...); err != nil {
		t.Error(err)
	}
}

func TestParseHead(t *testing.T) {
	sig := strings.Repeat("ab", 64)
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"12:" + sig, true},
		{" 12:" + strings.ToUpper(sig) + "\n", true},
		{"0:" + sig, false},
		{"12:" + sig[:100], false},
		{"12" + sig, false},
		{"x:" + sig, false},
		{"12:" + strings.Repeat("zz", 64), false},
	} {
		if _, err := ParseHead(c.in); (err == nil) != c.ok {
			t.Errorf("ParseHead(%q): %v", c.in, err)
		}
	}
}

func TestIsRecordPrefix(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{`{`, true},
		{`{"n"`, true},
		{`{"n":12`, true},
		{`{"n":12,"event":"log`, true},
		{`{"n":12,"amount":"1`, true},
		{`{"n":12,"a":[1,`, true},
		{`{"n":12,"event":"login"}`, false}, // whole: not cut short
		{`{"n":12}}`, false},
		{``, false},
		{`hello`, false},
		{`{"event":"x"`, false}, // not how a record begins
		{`{"n":12,,`, false},
		{`{"n":tru`, true},
		{`{"n":trux`, false},
	} {
		if got := isRecordPrefix([]byte(c.in)); got != c.want {
			t.Errorf("isRecordPrefix(%q) = %v", c.in, got)
		}
	}
}

func TestPanicTextRedactsSecrets(t *testing.T) {
	got := panicText("boom ISSecretKey_test_0f4a9c1e-1111-4222-8333-444455556666 and -----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY----- end")
	if strings.Contains(got, "0f4a9c1e") || strings.Contains(got, "MIIE") || !strings.Contains(got, "[REDACTED]") || !strings.Contains(got, "end") {
		t.Errorf("panicText = %q", got)
	}
}

func ptr[T any](v T) *T { return &v }

// The old unkeyed SHA-256 chain is what a forger without the key can
// still compute; a log re-chained that way does not verify.
func TestVerifyRefusesUnkeyedChain(t *testing.T) {
	key := testKey(t)
	lines := signedLog(t, key)
	var out []string
	prev := ""
	for i, l := range lines {
		var r Record
		json.Unmarshal([]byte(l), &r)
		if i == 3 {
			r.Amount = ptr(client.MustAmount("5000.00"))
		}
		r.Sig = ""
		if i > 0 {
			r.Prev = prev
		}
		b, _ := json.Marshal(r)
		sum := sha256.Sum256(b)
		prev = fmt.Sprintf("%x", sum)
		out = append(out, string(b)+"\n")
	}
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	os.WriteFile(path, []byte(strings.Join(out, "")), 0o600)
	if _, err := VerifyAuditLog(path, pubOf(key)); err == nil || !strings.Contains(err.Error(), "line 1 is not an audit record") {
		t.Errorf("err = %v", err)
	}
}

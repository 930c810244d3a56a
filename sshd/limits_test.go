package sshd

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/internal/testcheck"
)

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
}

var (
	ipA = netip.MustParseAddr("203.0.113.7")
	ipB = netip.MustParseAddr("198.51.100.2")
)

func TestSourceKey(t *testing.T) {
	for _, c := range []struct {
		addr net.Addr
		want string
	}{
		{&net.TCPAddr{IP: net.ParseIP("203.0.113.7"), Port: 51000}, "203.0.113.7"},
		{&net.TCPAddr{IP: net.ParseIP("::ffff:203.0.113.7"), Port: 1}, "203.0.113.7"},
		// One host usually holds a whole /64: the limit is per /64.
		{&net.TCPAddr{IP: net.ParseIP("2001:db8:1:2:aaaa::1"), Port: 1}, "2001:db8:1:2::/64"},
		{&net.TCPAddr{IP: net.ParseIP("2001:db8:1:2:bbbb::9"), Port: 1}, "2001:db8:1:2::/64"},
	} {
		if got := sourceText(sourceKey(c.addr)); got != c.want {
			t.Errorf("sourceKey(%s) = %s, want %s", c.addr, got, c.want)
		}
	}
}

// TestGuardBansAfterTheBurst: refusals drain a token bucket; the one that
// finds it empty bans the source, whose connections are then refused until
// the ban ends. Another source is not affected.
func TestGuardBansAfterTheBurst(t *testing.T) {
	clk := newFakeClock()
	g := newGuard(LoginLimit{Burst: 3, Every: 10 * time.Second, BanFor: time.Minute}, clk.Now)
	steps := []struct {
		name       string
		do         func() bool // returns the step's result
		want       bool
		advance    time.Duration
		wantSource netip.Addr
	}{
		{"first refusal", func() bool { _, b := g.refuse(ipA, "SHA256:a", "root"); return b }, false, 0, ipA},
		{"second", func() bool { _, b := g.refuse(ipA, "SHA256:b", "root"); return b }, false, 0, ipA},
		{"third empties the bucket", func() bool { _, b := g.refuse(ipA, "SHA256:c", "admin"); return b }, false, 0, ipA},
		{"fourth bans", func() bool { _, b := g.refuse(ipA, "SHA256:d", "root"); return b }, true, 0, ipA},
		{"banned source refused", func() bool { ok, _ := g.admit(ipA); return ok }, false, 0, ipA},
		{"other source admitted", func() bool { ok, _ := g.admit(ipB); return ok }, true, 0, ipB},
		{"a refusal while banned does not ban again", func() bool { _, b := g.refuse(ipA, "", ""); return b }, false, 59 * time.Second, ipA},
		{"still banned at 59s", func() bool { ok, _ := g.admit(ipA); return ok }, false, time.Second, ipA},
		{"admitted when the ban ends", func() bool { ok, _ := g.admit(ipA); return ok }, true, 0, ipA},
	}
	for _, st := range steps {
		if got := st.do(); got != st.want {
			t.Fatalf("%s: got %v, want %v", st.name, got, st.want)
		}
		clk.Advance(st.advance)
	}
}

// TestGuardAggregates: the first event from a source is written at once
// (a lone stranger is on disk before the client hears no); the rest of the
// minute becomes one summary record with the counts, whatever their
// number. A flush before the minute is up writes nothing unless the
// server is stopping.
func TestGuardAggregates(t *testing.T) {
	clk := newFakeClock()
	g := newGuard(LoginLimit{Burst: 5, Every: time.Second, BanFor: time.Minute}, clk.Now)
	firstRefusalsAtOnce(t, g)
	clk.Advance(30 * time.Second)
	recs := g.flush(false)
	testcheck.Expect(t, "records before the minute is up", recs, testcheck.C("none", len(recs) == 0))
	clk.Advance(30 * time.Second)
	recs = g.flush(false)
	want := "in the last minute from 203.0.113.7: 6 refused login attempts (ssh user root, admin); 40 connections dropped while banned"
	testcheck.Expect(t, "summaries (198.51.100.2's one refusal is already written), want one for 203.0.113.7: "+want, recs,
		testcheck.C("one", len(recs) == 1))
	testcheck.Expect(t, "the summary", recs[0],
		testcheck.C("remote 203.0.113.7", recs[0].Remote == "203.0.113.7"),
		testcheck.C("first fingerprint", recs[0].Fingerprint == "SHA256:first"), testcheck.C("detail", recs[0].Detail == want))
	recs = g.flush(false)
	testcheck.Check(t, "flushed twice", recs, testcheck.C("nothing the second time", len(recs) == 0))
	// Quiet, unbanned sources with a full bucket are forgotten.
	clk.Advance(2 * time.Minute)
	g.flush(false)
	n := g.sources()
	testcheck.Check(t, "sources kept after they went quiet", n, testcheck.C("none", n == 0))
	// At shutdown, what is pending is written at once.
	g.refuse(ipB, "SHA256:b", "ops")
	g.refuse(ipB, "SHA256:b", "ops")
	recs = g.flush(true)
	testcheck.Check(t, "flush at shutdown", recs,
		testcheck.C("one record", len(recs) == 1), testcheck.C("2 refused", len(recs) == 1 && strings.Contains(recs[0].Detail, ": 2 refused")))
}

// firstRefusalsAtOnce: of ipA's five refusals only the first is written
// at once; the sixth bans it, so forty connections are dropped unwritten;
// ipB's first refusal is written at once.
func firstRefusalsAtOnce(t *testing.T, g *guard) {
	t.Helper()
	var at0 []*Record
	for range 5 {
		rec, _ := g.refuse(ipA, "SHA256:first", "root")
		at0 = append(at0, rec)
	}
	r := at0[0]
	testcheck.Expect(t, "first refusal's record", r, testcheck.C("written", r != nil))
	testcheck.Expect(t, "first refusal's record", r,
		testcheck.C("remote", r.Remote == "203.0.113.7"), testcheck.C("fingerprint", r.Fingerprint == "SHA256:first"),
		testcheck.C("detail", r.Detail == "key not in the users file (ssh user root); more from 203.0.113.7 are summed up once a minute"))
	for i, r := range at0[1:] {
		testcheck.Expect(t, fmt.Sprintf("refusal %d", i+2), r, testcheck.C("not written at once", r == nil))
	}
	g.refuse(ipA, "SHA256:later", "admin") // bans
	for range 40 {
		ok, rec := g.admit(ipA)
		testcheck.Expect(t, "banned source: admit", fmt.Sprintf("%v, %+v", ok, rec), testcheck.C("refused", !ok), testcheck.C("no record", rec == nil))
	}
	rec, _ := g.refuse(ipB, "SHA256:b", "ops")
	testcheck.Expect(t, "another source's first refusal", rec, testcheck.C("written at once", rec != nil))
}

// TestGuardIsBounded: a spray of addresses never grows the table past
// MaxSources; evicted sources still reach the audit log.
func TestGuardIsBounded(t *testing.T) {
	clk := newFakeClock()
	g := newGuard(LoginLimit{MaxSources: 50}, clk.Now)
	at0 := 0
	for i := range 1000 {
		ip := netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})
		if rec, _ := g.refuse(ip, "SHA256:x", "root"); rec != nil {
			at0++
		}
		if n := g.sources(); n > 50 {
			t.Fatalf("%d sources tracked after %d addresses", n, i+1)
		}
	}
	if at0 != 1000 {
		t.Errorf("%d first refusals written at once, want 1000", at0)
	}
	recs := g.flush(true)
	if len(recs) != 1 || recs[0].Remote != "" || recs[0].Detail != "in the last minute from 950 other sources (too many to track one by one): 950 refused login attempts (ssh user root)" {
		t.Errorf("summaries %+v", recs)
	}
}

func TestParseMaxStartups(t *testing.T) {
	for _, c := range []struct {
		in   string
		want MaxStartups
		err  bool
	}{
		{"10:30:100", MaxStartups{10, 30, 100, 5}, false},
		{"50", MaxStartups{50, 100, 50, 25}, false},
		{"3:50:5", MaxStartups{3, 50, 5, 1}, false},
		{"10:30", MaxStartups{}, true},
		{"100:30:10", MaxStartups{}, true},
		{"10:130:100", MaxStartups{}, true},
		{"0", MaxStartups{}, true},
		{"a:b:c", MaxStartups{}, true},
		{"-1:30:100", MaxStartups{}, true},
	} {
		got, err := ParseMaxStartups(c.in)
		if (err != nil) != c.err || (!c.err && got != c.want) {
			t.Errorf("ParseMaxStartups(%q) = %+v, %v", c.in, got, err)
		}
	}
}

// TestStartupsDropCurve: below start nothing is dropped; from start the
// chance rises from rate% to 100% at full (OpenSSH's formula), checked
// with fixed dice.
func TestStartupsDropCurve(t *testing.T) {
	cfg := MaxStartups{Start: 10, Rate: 30, Full: 100}
	for _, c := range []struct {
		open, roll int
		drop       bool
	}{
		{0, 0, false},
		{9, 0, false},
		{10, 29, true},  // p = 30
		{10, 30, false}, // p = 30
		{55, 64, true},  // p = 30 + 70*45/90 = 65
		{55, 65, false},
		{99, 98, true}, // p = 99
		{99, 99, false},
		{100, 99, true},
		{500, 99, true},
	} {
		roll := c.roll
		g := newStartups(cfg, func() int { return roll })
		if got := g.drop(c.open); got != c.drop {
			t.Errorf("%d open, roll %d: drop = %v, want %v", c.open, c.roll, got, c.drop)
		}
	}
}

func TestStartupsPerSource(t *testing.T) {
	g := newStartups(MaxStartups{Start: 100, Rate: 30, Full: 100, PerSource: 2}, nil)
	for i, want := range []bool{true, true, false} {
		if got := g.enter(ipA); got != want {
			t.Fatalf("connection %d from one source: enter = %v, want %v", i+1, got, want)
		}
	}
	if !g.enter(ipB) {
		t.Fatal("another source was refused")
	}
	g.leave(ipA)
	if !g.enter(ipA) {
		t.Fatal("a freed slot was not given back")
	}
	if n := g.count(); n != 3 {
		t.Errorf("count %d, want 3", n)
	}
}

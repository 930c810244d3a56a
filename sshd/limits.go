package sshd

import (
	"container/list"
	"fmt"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// LoginLimit is how refused logins are throttled per source address: a
// token bucket of Burst refusals refilled one per Every; a source that
// empties it is banned for BanFor, its connections closed before the SSH
// handshake (no key exchange, no audit line per attempt). At most
// MaxSources sources are tracked; the least recently seen are forgotten
// first.
type LoginLimit struct {
	Burst      int
	Every      time.Duration
	BanFor     time.Duration
	MaxSources int
}

// DefaultLoginLimit lets a person mistype a few times a minute and keeps
// a guesser to ten keys per five minutes.
var DefaultLoginLimit = LoginLimit{Burst: 10, Every: 6 * time.Second, BanFor: 5 * time.Minute, MaxSources: 10000}

func (l LoginLimit) withDefaults() LoginLimit {
	d := DefaultLoginLimit
	if l.Burst > 0 {
		d.Burst = l.Burst
	}
	if l.Every > 0 {
		d.Every = l.Every
	}
	if l.BanFor > 0 {
		d.BanFor = l.BanFor
	}
	if l.MaxSources > 0 {
		d.MaxSources = l.MaxSources
	}
	return d
}

// auditWindow is how long refusals from one source are counted before one
// audit record sums them up.
const auditWindow = time.Minute

// sourceKey is who a limit applies to: the IP address, or the /64 for
// IPv6, since one host usually holds a whole /64.
func sourceKey(a net.Addr) netip.Addr {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return netip.Addr{}
	}
	ip := ap.Addr().Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.Addr()
	}
	return ip
}

func sourceText(ip netip.Addr) string {
	if ip.Is6() {
		return ip.String() + "/64"
	}
	return ip.String()
}

// tally is what one source did during the current audit window.
type tally struct {
	since    time.Time // first event of the window; zero: nothing to report
	events   int       // everything counted below; the first was written at once
	refused  int       // refused keys and other refused auth attempts
	banned   int       // connections closed because the source is banned
	full     int       // connections closed by the unauthenticated cap
	firstKey string    // fingerprint of the first refused key
	users    []string  // ssh user names tried (a few)
}

func (t *tally) empty() bool { return t.since.IsZero() }

// start counts an event and reports whether it opens a window: the first
// event from a source is written to the audit log at once (so a lone
// stranger's attempt is on disk before the client hears no, and survives a
// kill -9); the rest wait for the window's summary.
func (t *tally) start(now time.Time) (first bool) {
	t.events++
	if t.since.IsZero() {
		t.since = now
		return true
	}
	return false
}

func (t *tally) addUser(u string) {
	if u == "" || len(t.users) >= 3 {
		return
	}
	for _, x := range t.users {
		if x == u {
			return
		}
	}
	t.users = append(t.users, u)
}

func (t *tally) merge(o tally) {
	if t.since.IsZero() || (!o.since.IsZero() && o.since.Before(t.since)) {
		t.since = o.since
	}
	t.events += o.events
	t.refused += o.refused
	t.banned += o.banned
	t.full += o.full
	for _, u := range o.users {
		t.addUser(u)
	}
}

// detail is the summary's text, e.g. "in the last minute from 10.0.0.9:
// 7 refused login attempts (ssh user root); 40 connections dropped while
// banned".
func (t *tally) detail(from string) string {
	var parts []string
	if t.refused > 0 {
		p := fmt.Sprintf("%d refused login %s", t.refused, plural(t.refused, "attempt"))
		if len(t.users) > 0 {
			p += " (ssh user " + strings.Join(t.users, ", ") + ")"
		}
		parts = append(parts, p)
	}
	if t.banned > 0 {
		parts = append(parts, fmt.Sprintf("%d %s dropped while banned", t.banned, plural(t.banned, "connection")))
	}
	if t.full > 0 {
		parts = append(parts, fmt.Sprintf("%d %s dropped: too many not logged in", t.full, plural(t.full, "connection")))
	}
	return "in the last minute from " + from + ": " + strings.Join(parts, "; ")
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// source is one address's bucket, ban and tally.
type source struct {
	ip          netip.Addr
	bucket      *rate.Limiter
	bannedUntil time.Time
	tally       tally
	elem        *list.Element // in guard.lru, most recent at the front
}

// guard throttles and sums up refused logins per source. It is a bounded
// LRU: an attacker spraying addresses evicts old entries (their counts go
// to a shared "other sources" tally, so nothing vanishes from the audit
// log), never grows memory without bound.
type guard struct {
	mu    sync.Mutex
	limit LoginLimit
	now   func() time.Time
	srcs  map[netip.Addr]*source
	lru   *list.List
	other tally // what evicted sources had not reported yet
	evict int   // how many sources other covers
}

func newGuard(limit LoginLimit, now func() time.Time) *guard {
	return &guard{limit: limit.withDefaults(), now: now, srcs: map[netip.Addr]*source{}, lru: list.New()}
}

// get finds or adds ip's entry, marking it most recently seen.
func (g *guard) get(ip netip.Addr) *source {
	if s, ok := g.srcs[ip]; ok {
		g.lru.MoveToFront(s.elem)
		return s
	}
	for len(g.srcs) >= g.limit.MaxSources {
		g.drop(g.lru.Back().Value.(*source))
	}
	s := &source{ip: ip, bucket: rate.NewLimiter(rate.Every(g.limit.Every), g.limit.Burst)}
	s.elem = g.lru.PushFront(s)
	g.srcs[ip] = s
	return s
}

func (g *guard) drop(s *source) {
	if !s.tally.empty() {
		g.other.merge(s.tally)
		g.evict++
	}
	g.lru.Remove(s.elem)
	delete(g.srcs, s.ip)
}

// admit says whether a new connection from ip may start its handshake:
// not while the source is banned. A refused connection is counted.
// When the drop opens the source's audit window, rec is its record.
func (g *guard) admit(ip netip.Addr) (ok bool, rec *Record) {
	g.mu.Lock()
	defer g.mu.Unlock()
	s, found := g.srcs[ip]
	if !found {
		return true, nil
	}
	now := g.now()
	if !now.Before(s.bannedUntil) {
		return true, nil
	}
	g.lru.MoveToFront(s.elem)
	s.tally.banned++
	if s.tally.start(now) {
		rec = g.record(s.ip, now, "", "connection dropped before the handshake: banned until "+
			s.bannedUntil.UTC().Format(time.RFC3339)+" after too many refused logins")
	}
	return false, rec
}

// record is the audit record written at once for the first event of a
// source's window.
func (g *guard) record(ip netip.Addr, now time.Time, fingerprint, detail string) *Record {
	return &Record{Time: now.UTC(), Event: "login.refused", Remote: sourceText(ip), Fingerprint: fingerprint, Result: "refused",
		Detail: detail + "; more from " + sourceText(ip) + " are summed up once a minute"}
}

// refuse counts a refused login attempt from ip. rec is the record to
// write at once when this refusal opens the source's window; banned says
// the refusal emptied the bucket and banned the source, so the caller can
// say so once in the operational log.
func (g *guard) refuse(ip netip.Addr, fingerprint, user string) (rec *Record, banned bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	s := g.get(ip)
	s.tally.refused++
	if s.tally.firstKey == "" {
		s.tally.firstKey = fingerprint
	}
	s.tally.addUser(user)
	if s.tally.start(now) {
		what := "key not in the users file"
		if fingerprint == "" {
			what = "only public keys are accepted"
		}
		rec = g.record(ip, now, fingerprint, what+" (ssh user "+user+")")
	}
	if s.bucket.AllowN(now, 1) || now.Before(s.bannedUntil) {
		return rec, false
	}
	s.bannedUntil = now.Add(g.limit.BanFor)
	return rec, true
}

// full counts a connection dropped by the unauthenticated-connection cap,
// with the record to write at once when it opens the source's window.
func (g *guard) full(ip netip.Addr) *Record {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	s := g.get(ip)
	s.tally.full++
	if s.tally.start(now) {
		return g.record(ip, now, "", "connection dropped before the handshake: too many connections not logged in yet")
	}
	return nil
}

// flush returns one summary record per source whose window has lasted a
// minute (every open window when all is set, at shutdown), unless the
// window held only the event already written at once; and it forgets
// sources with nothing pending, no ban and a full bucket. Records are
// written by the caller, outside the lock.
func (g *guard) flush(all bool) []Record {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	var out []Record
	for _, s := range g.srcs {
		if !s.tally.empty() && (all || now.Sub(s.tally.since) >= auditWindow) {
			if s.tally.events > 1 {
				out = append(out, Record{Time: now.UTC(), Event: "login.refused", Remote: sourceText(s.ip),
					Fingerprint: s.tally.firstKey, Result: "refused", Detail: s.tally.detail(sourceText(s.ip))})
			}
			s.tally = tally{}
		}
		if s.tally.empty() && !now.Before(s.bannedUntil) && s.bucket.TokensAt(now) >= float64(g.limit.Burst) {
			g.drop(s)
		}
	}
	if !g.other.empty() && (all || now.Sub(g.other.since) >= auditWindow) {
		from := strconv.Itoa(g.evict) + " other sources (too many to track one by one)"
		out = append(out, Record{Time: now.UTC(), Event: "login.refused", Result: "refused", Detail: g.other.detail(from)})
		g.other, g.evict = tally{}, 0
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Remote < out[j].Remote })
	return out
}

// sources is how many addresses are tracked (tests).
func (g *guard) sources() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.srcs)
}

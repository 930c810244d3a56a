package sshd

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
)

// MaxStartups caps connections that have not logged in yet, as OpenSSH's
// MaxStartups start:rate:full does: above Start, a new connection is
// dropped with probability Rate%, rising linearly to 100% at Full. An
// unauthenticated connection holds a file descriptor and a goroutine until
// its handshake deadline, so without a cap a few thousand silent
// connections would exhaust the server's descriptors.
type MaxStartups struct {
	Start, Rate, Full int
	// PerSource caps one address's unauthenticated connections (OpenSSH's
	// PerSourceMaxStartups). Half of Start by default: one host alone then
	// never reaches the random drops, so a flood from one address cannot
	// turn away anyone else.
	PerSource int
}

// DefaultMaxStartups is OpenSSH's default, 10:30:100, with at most 5
// unauthenticated connections from one address.
var DefaultMaxStartups = MaxStartups{Start: 10, Rate: 30, Full: 100, PerSource: 5}

// ParseMaxStartups reads "start:rate:full" or a single number (a hard cap,
// no random early drop), as OpenSSH's MaxStartups does.
func ParseMaxStartups(s string) (MaxStartups, error) {
	bad := fmt.Errorf("--max-startups %q: want start:rate:full (e.g. 10:30:100) or one number", s)
	var n []int
	for _, f := range strings.Split(s, ":") {
		v, err := strconv.Atoi(f)
		if err != nil || v < 0 {
			return MaxStartups{}, bad
		}
		n = append(n, v)
	}
	var m MaxStartups
	switch len(n) {
	case 1:
		m.Start, m.Rate, m.Full = n[0], 100, n[0]
	case 3:
		m.Start, m.Rate, m.Full = n[0], n[1], n[2]
	default:
		return MaxStartups{}, bad
	}
	if m.Full < 1 || m.Start > m.Full || m.Rate > 100 {
		return MaxStartups{}, fmt.Errorf("--max-startups %q: need 1 ≤ full, start ≤ full and rate ≤ 100", s)
	}
	m.PerSource = max(1, m.Start/2)
	return m, nil
}

func (m MaxStartups) String() string { return fmt.Sprintf("%d:%d:%d", m.Start, m.Rate, m.Full) }

// startups counts unauthenticated connections, in total and per source.
type startups struct {
	cfg MaxStartups
	// roll returns a number in [0, 100); tests fix it.
	roll func() int

	mu    sync.Mutex
	total int
	per   map[netip.Addr]int
}

func newStartups(cfg MaxStartups, roll func() int) *startups {
	if roll == nil {
		roll = func() int { return rand.IntN(100) }
	}
	return &startups{cfg: cfg, roll: roll, per: map[netip.Addr]int{}}
}

// enter takes a slot for a new connection from ip, or says no.
func (g *startups) enter(ip netip.Addr) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.drop(g.total) || (g.cfg.PerSource > 0 && g.per[ip] >= g.cfg.PerSource) {
		return false
	}
	g.total++
	g.per[ip]++
	return true
}

// drop is OpenSSH's decision for a connection arriving while n are
// unauthenticated.
func (g *startups) drop(n int) bool {
	switch {
	case n >= g.cfg.Full:
		return true
	case n < g.cfg.Start:
		return false
	}
	p := g.cfg.Rate + (100-g.cfg.Rate)*(n-g.cfg.Start)/(g.cfg.Full-g.cfg.Start)
	return g.roll() < p
}

func (g *startups) leave(ip netip.Addr) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.total--
	if g.per[ip]--; g.per[ip] <= 0 {
		delete(g.per, ip)
	}
}

func (g *startups) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.total
}

// startupConn is an unauthenticated connection holding a slot. The slot is
// given back once, at login or when the connection closes, whichever
// comes first.
type startupConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *startupConn) loggedIn() { c.once.Do(c.release) }

func (c *startupConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

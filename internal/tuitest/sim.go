package tuitest

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/ui/common"
)

// Test keys the simulator accepts. They are sandbox-shaped fakes, not
// secrets.
const (
	TestPub    = "ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f"
	TestSecret = "ISSecretKey_test_c3b1fa1b-5d1e-4a3e-9e7c-4f0c5a1d8181"
	// SandboxPhone always pays in the simulator.
	SandboxPhone = "254708374149"
)

// EAT is Nairobi's zone, fixed so goldens do not depend on the tz database.
func EAT() *time.Location { return time.FixedZone("EAT", 3*60*60) }

// Sim is a simulator on a manual clock behind an httptest server, and a
// client pointed at it. Nothing in it sleeps: time moves with Advance.
type Sim struct {
	T      testing.TB
	Ctx    context.Context
	Clock  *sim.ManualClock
	Server *sim.Server
	HTTP   *httptest.Server
	Client *client.Client
}

// SimOption adjusts NewSim.
type SimOption func(*simConfig)

type simConfig struct {
	sim         sim.Options
	pub, secret string
	client      []client.Option
}

// WithOptions sets the simulator's options. Clock is always replaced by
// the fixture's ManualClock; a zero Rand becomes 1 and a zero FailureRate
// becomes -1 (nothing fails unless a test says so), so runs repeat.
func WithOptions(o sim.Options) SimOption { return func(c *simConfig) { c.sim = o } }

// WithKeys replaces the test keys (e.g. the demo keys).
func WithKeys(pub, secret string) SimOption {
	return func(c *simConfig) { c.pub, c.secret = pub, secret }
}

// WithClientOptions adds client options after the defaults (base URL, a
// single attempt), so they can override them.
func WithClientOptions(opts ...client.Option) SimOption {
	return func(c *simConfig) { c.client = append(c.client, opts...) }
}

// NewSim starts a simulator whose clock reads start, serves it over
// loopback HTTP until the test ends, and builds a client for it that tries
// each call once (retries would hide the failures tests provoke).
func NewSim(t testing.TB, start time.Time, opts ...SimOption) *Sim {
	t.Helper()
	cfg := simConfig{pub: TestPub, secret: TestSecret}
	for _, o := range opts {
		o(&cfg)
	}
	clock := sim.NewManualClock(start)
	cfg.sim.Clock = clock
	if cfg.sim.Rand == 0 {
		cfg.sim.Rand = 1
	}
	if cfg.sim.FailureRate == 0 {
		cfg.sim.FailureRate = -1
	}
	srv := sim.New(cfg.sim)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	copts := append([]client.Option{client.WithBaseURL(ts.URL),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 1})}, cfg.client...)
	c, err := client.New(cfg.pub, cfg.secret, copts...)
	if err != nil {
		t.Fatal(err)
	}
	return &Sim{T: t, Ctx: context.Background(), Clock: clock, Server: srv, HTTP: ts, Client: c}
}

// Advance moves the clock on and lets the simulator act on it (settle
// payments, fire callbacks).
func (s *Sim) Advance(d time.Duration) {
	s.Clock.Advance(d)
	s.Server.Advance()
}

// Common is the context a view gets from the shell: this client, the dark
// styles, profile "test" and the simulator's clock as Now.
func (s *Sim) Common(mode common.Mode, role string) *common.Common {
	return &common.Common{Client: s.Client, Styles: common.NewStyles(true), Profile: "test", Mode: mode,
		Role: role, Now: s.Clock.Now}
}

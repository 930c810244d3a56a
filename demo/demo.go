// Package demo runs the simulator in process behind a loopback listener,
// for `malipo demo`, the onboarding screen's d and tests: the console talks
// to it over real HTTP exactly as it talks to IntaSend.
package demo

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/payout"
)

// Backend is the simulator running in process behind a loopback listener, and
// a client pointed at it with throw-away test keys. Nothing is written to
// any keyring. Close stops the server.
type Backend struct {
	Client *client.Client
	Sim    *sim.Server
	URL    string
	// Now is the simulator's clock in Africa/Nairobi. A console on the
	// demo reads the time from it, so "today", the 14-day chart and every
	// stamp agree with the simulator's data even when that runs on a
	// manual clock (tests), and with IntaSend's days (Nairobi's) whatever
	// the machine's zone: a demo on a laptop in St John's still shows a
	// Kenyan merchant's day.
	Now func() time.Time

	srv  *http.Server
	done chan error
}

// Options tune Start; the zero value is `malipo demo`: seeded data,
// the live generator on, a time-based seed.
type Options struct {
	// Sim replaces the simulator's options (tests pin Clock and Rand).
	Sim *sim.Options
}

// Start starts the simulator on 127.0.0.1 (a random port) and returns
// a client for it. Going through real HTTP keeps the demo honest: the
// console talks to it exactly as it talks to IntaSend.
func Start(o Options) (*Backend, error) {
	so := sim.Options{Seed: true, Generator: true, Rand: time.Now().UnixNano()}
	if o.Sim != nil {
		so = *o.Sim
	}
	clock := time.Now
	if so.Clock != nil {
		clock = so.Clock.Now
	}
	now := func() time.Time { return clock().In(payout.Nairobi) }
	s := sim.New(so)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: listen on loopback: %w", err)
	}
	url := "http://" + ln.Addr().String() + "/api/v1/"
	pub, sec := Keys()
	c, err := client.New(pub, sec, client.WithBaseURL(url))
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("demo: %w", err)
	}
	d := &Backend{
		Client: c, Sim: s, URL: url, Now: now,
		srv:  sim.NewHTTPServer(s),
		done: make(chan error, 1),
	}
	// The listener's goroutine is infrastructure, not part of the model:
	// the model only ever sees the client.
	go func() { d.done <- sim.Serve(d.srv, ln) }()
	return d, nil
}

// Close stops the server at once: the only client is this process's
// console, which is going away, so there is nothing to drain (a graceful
// Shutdown would wait on the transport's spare idle connections).
func (d *Backend) Close() error {
	err := d.srv.Close()
	if serr := <-d.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// Keys makes a fresh, well-formed pair of sandbox keys for the
// simulator (which accepts any well-formed test key). They are not secrets:
// they open nothing but this process's simulator.
func Keys() (publishable, secret string) {
	id := func() string {
		var b [16]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
	}
	return "ISPubKey_test_" + id(), "ISSecretKey_test_" + id()
}

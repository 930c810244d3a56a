package ui

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/ui/common"
)

// Demo is the simulator running in process behind a loopback listener, and
// a client pointed at it with throw-away test keys. Nothing is written to
// any keyring. Close stops the server.
type Demo struct {
	Client *client.Client
	Sim    *sim.Server
	URL    string
	// Now is the simulator's clock. A console on the demo reads the time
	// from it, so "today", the 14-day chart and every stamp agree with the
	// simulator's data even when that runs on a manual clock (tests).
	Now func() time.Time

	srv  *http.Server
	done chan error
}

// DemoOptions tune StartDemo; the zero value is `malipo demo`: seeded data,
// the live generator on, a time-based seed.
type DemoOptions struct {
	// Sim replaces the simulator's options (tests pin Clock and Rand).
	Sim *sim.Options
}

// StartDemo starts the simulator on 127.0.0.1 (a random port) and returns
// a client for it. Going through real HTTP keeps the demo honest: the
// console talks to it exactly as it talks to IntaSend.
func StartDemo(o DemoOptions) (*Demo, error) {
	so := sim.Options{Seed: true, Generator: true, Rand: time.Now().UnixNano()}
	if o.Sim != nil {
		so = *o.Sim
	}
	now := time.Now
	if so.Clock != nil {
		now = so.Clock.Now
	}
	s := sim.New(so)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo: listen on loopback: %w", err)
	}
	url := "http://" + ln.Addr().String() + "/api/v1/"
	pub, sec := DemoKeys()
	c, err := client.New(pub, sec, client.WithBaseURL(url))
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("demo: %w", err)
	}
	d := &Demo{
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
func (d *Demo) Close() error {
	err := d.srv.Close()
	if serr := <-d.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// DemoKeys makes a fresh, well-formed pair of sandbox keys for the
// simulator (which accepts any well-formed test key). They are not secrets:
// they open nothing but this process's simulator.
func DemoKeys() (publishable, secret string) {
	id := func() string {
		var b [16]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
	}
	return "ISPubKey_test_" + id(), "ISSecretKey_test_" + id()
}

// demoStartedMsg is the answer to the onboarding screen's d.
type demoStartedMsg struct {
	demo *Demo
	err  error
}

// startDemo starts the demo backend off the event loop.
func (m *Model) startDemo() tea.Cmd {
	start := m.opts.StartDemo
	return func() tea.Msg {
		d, err := start()
		return demoStartedMsg{demo: d, err: err}
	}
}

// demoStarted swaps the onboarding screen for the console on the demo.
func (m *Model) demoStarted(msg demoStartedMsg) tea.Cmd {
	m.demoStarting = false
	if msg.err != nil {
		m.showError(common.ErrorMsg{Title: "Could not start the demo", Err: msg.err})
		return nil
	}
	if !m.onboarding {
		_ = msg.demo.Close() // a second d raced the first: keep one demo
		return nil
	}
	m.demo = msg.demo
	m.c.Client = msg.demo.Client
	m.c.Now = msg.demo.Now
	m.c.Mode = common.ModeDemo
	m.c.Profile = "demo"
	m.onboarding = false
	m.setViews(m.opts.Views(m.c))
	return tea.Batch(m.initViews(), m.addToast(common.ToastMsg{Kind: common.ToastInfo, Text: "Demo started: nothing is stored"}))
}

package sshd

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/malipo/malipo/internal/testout"
)

func TestPanicEndsOnlyThatSession(t *testing.T) {
	t.Parallel() // its own server; nothing timing-sensitive
	for _, c := range []struct {
		name, key, detail string
	}{
		{"in Update", "\x07", "test hook"},                        // ctrl+g
		{"in a background command", "\x02", "background command"}, // ctrl+b
	} {
		t.Run(c.name, func(t *testing.T) { panicIsolation(t, c.key, c.detail) })
	}
}

func panicIsolation(t *testing.T, key, detail string) {
	a := newUser(t, "amina", "viewer")
	b := newUser(t, "baraka", "viewer")
	ts := startServer(t, []testUser{a, b}, func(c *Config) { c.panicKey, c.panicCmdKey = "ctrl+g", "ctrl+b" })
	ta, tb := ts.login(t, a), ts.login(t, b)
	ta.waitFor(t, "Payroll")
	tb.waitFor(t, "Payroll")

	ta.send(key)
	ta.waitEnd(t)
	if !strings.Contains(ta.screen(), "internal error") {
		t.Errorf("the panicking session was not told: %q", ta.screen())
	}
	rec := ts.waitRecord(t, "session.panic", func(r Record) bool { return r.Event == "session.panic" && r.User == "amina" })
	if !strings.Contains(rec.Detail, detail) {
		t.Errorf("panic record %+v", rec)
	}
	if !strings.Contains(ts.logs.String(), "panic") {
		t.Error("the panic's stack is not on the server's log")
	}

	// The other session and the server carry on.
	tb.send("2")
	tb.waitFor(t, "Today")
	ts.waitScreen(t, "baraka", "Collections")
	tc := ts.login(t, a)
	tc.waitFor(t, "amina (viewer)")
}

// fakeClock is the idle timer's notion of now; the test moves it, so how
// long the machine takes to deliver keys does not matter.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestIdleLogout(t *testing.T) {
	u := newUser(t, "wanjiru", "approver")
	clock := &fakeClock{t: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
	ts := startServer(t, []testUser{u}, func(c *Config) { c.Idle, c.now = 200*time.Millisecond, clock.Now })
	tm := ts.login(t, u)
	tm.waitFor(t, "Payroll")
	// Real time passes (several idle checks run) but the idle clock does
	// not: the session stays.
	time.Sleep(700 * time.Millisecond)
	select {
	case <-tm.done:
		t.Fatalf("logged out early: %q", tm.screen())
	default:
	}
	// Spinners and refreshes keep the connection busy, but without a key
	// the session ends once the idle time has passed.
	clock.Advance(time.Second)
	tm.waitEnd(t)
	if !strings.Contains(tm.screen(), "Logged out: no key pressed for 200ms") {
		t.Errorf("output %q", tm.screen())
	}
	ts.waitRecord(t, "idle logout", func(r Record) bool { return r.Event == "logout" && r.Result == endIdle })
}

func TestShutdownDrains(t *testing.T) {
	u := newUser(t, "wanjiru", "approver")
	ts := startServer(t, []testUser{u}, func(c *Config) { c.Grace = 500 * time.Millisecond })
	tm := ts.login(t, u)
	tm.waitFor(t, "Payroll")
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- ts.srv.Shutdown(context.Background()) }()
	tm.waitFor(t, "shutting down in")
	// No new logins while draining.
	if c, err := dial(ts.addr, gossh.PublicKeys(u.signer)); err == nil {
		c.Close()
		t.Error("a new connection was accepted while draining")
	}
	tm.waitEnd(t)
	if el := time.Since(start); el < 400*time.Millisecond {
		t.Errorf("session ended after %s, before its grace period", el)
	}
	if err := <-done; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if !strings.Contains(tm.screen(), "shutting down. Goodbye") {
		t.Errorf("output %q", tm.screen())
	}
	ts.waitRecord(t, "shutdown logout", func(r Record) bool { return r.Event == "logout" && r.Result == endShutdown })
}

func TestViewerIsNeverOfferedApprove(t *testing.T) {
	t.Parallel() // its own server; nothing timing-sensitive
	v := newUser(t, "amina", "viewer")
	a := newUser(t, "wanjiru", "approver")
	ts := startServer(t, []testUser{v, a}, nil)
	for _, u := range []testUser{v, a} {
		tm := ts.login(t, u)
		tm.waitFor(t, "Payroll")
		tm.send("3")
		ts.waitScreen(t, u.name, "Payouts")
		tm.send(":")
		ts.waitScreen(t, u.name, "Commands")
		tm.send("approve")
		s := ts.waitScreen(t, u.name, "approve")
		offered := strings.Contains(s, "Approve payout batch")
		if offered != (u.role == "approver") {
			t.Errorf("%s (%s): palette offers approve = %v:\n%s", u.name, u.role, offered, s)
		}
		tm.send("\x1b") // esc closes the palette
		ts.waitScreenNot(t, u.name, "Commands")
		if u.role == "viewer" {
			// The approve key is the shell's to refuse, before the view.
			tm.send("A")
			ts.waitScreen(t, u.name, "Your role (viewer) may not approve payouts")
		}
	}
}

// Each session draws for its own terminal: the colour profile comes from
// the session's TERM (and NO_COLOR), not from the server's.
func TestColourProfilePerSession(t *testing.T) {
	t.Parallel() // its own server; nothing timing-sensitive
	u := newUser(t, "wanjiru", "approver")
	ts := startServer(t, []testUser{u}, nil)
	raw := func(term string, env map[string]string) string {
		c, err := dial(ts.addr, gossh.PublicKeys(u.signer))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range env {
			if err := sess.Setenv(k, v); err != nil {
				t.Fatal(err)
			}
		}
		out := testout.New()
		sess.Stdout = out
		if err := sess.RequestPty(term, 30, 100, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
		if err := sess.Shell(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(patience)
		for !strings.Contains(ansiStrip(out.String()), "Payroll") && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		return out.String()
	}
	colour := regexp.MustCompile(`\x1b\[[0-9;]*(38|48);(5|2);`)
	if s := raw("xterm-256color", nil); !colour.MatchString(s) {
		t.Error("xterm-256color session got no 256-colour or true-colour codes")
	}
	if s := raw("xterm-256color", map[string]string{"NO_COLOR": "1"}); colour.MatchString(s) || !strings.Contains(ansiStrip(s), "Payroll") {
		t.Error("NO_COLOR session got colour codes (or no screen)")
	}
}

func ansiStrip(s string) string { return ansi.Strip(s) }

// The idle timer at the model: key presses (and pastes) reset it, anything
// else (refresh ticks, data arriving) does not.
func TestIdleTimerCountsOnlyKeys(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
	inner := &nopModel{}
	s := newSessionModel(context.Background(), inner, time.Minute, clock.Now)
	step := func(msg tea.Msg) tea.Cmd {
		_, cmd := s.Update(msg)
		return cmd
	}
	clock.Advance(50 * time.Second)
	step(tea.KeyPressMsg{Code: 'j', Text: "j"})
	clock.Advance(50 * time.Second)
	step(tea.PasteMsg{Content: "0712"})
	clock.Advance(50 * time.Second)
	step(struct{}{}) // a refresh or a spinner tick: not activity
	// (The command is the next check's timer: not run here, it would wait.)
	if cmd := step(idleCheckMsg{}); cmd == nil {
		t.Fatal("no further idle check scheduled")
	}
	if reason, _, _ := s.end.get(); reason != "" {
		t.Fatalf("ended (%s) 50 s after a paste", reason)
	}
	clock.Advance(11 * time.Second)
	cmd := step(idleCheckMsg{})
	if cmd == nil {
		t.Fatal("not logged out after 61 s without a key")
	}
	if _, quit := cmd().(tea.QuitMsg); !quit {
		t.Fatal("not logged out after 61 s without a key")
	}
	if reason, detail, _ := s.end.get(); reason != endIdle || detail != "no key pressed for 1m0s" {
		t.Errorf("end = %q %q", reason, detail)
	}
	if inner.msgs != 3 {
		t.Errorf("the console saw %d messages, want the 3 that are not the server's own", inner.msgs)
	}
}

type nopModel struct{ msgs int }

func (n *nopModel) Init() tea.Cmd                       { return nil }
func (n *nopModel) Update(tea.Msg) (tea.Model, tea.Cmd) { n.msgs++; return n, nil }
func (n *nopModel) View() tea.View                      { return tea.NewView("") }

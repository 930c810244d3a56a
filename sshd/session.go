package sshd

import (
	"context"
	"fmt"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/ui/common"
)

// Why a session's program ended, beyond the user quitting.
const (
	endQuit     = "quit"
	endIdle     = "idle"
	endPanic    = "panic"
	endShutdown = "shutdown"
	endDropped  = "disconnected"
	endRevoked  = "revoked"
)

// sessionModel wraps the console for one SSH session. It adds what only a
// server needs: logout after a stretch without key presses (the SSH idle
// timeout never fires while the console refreshes itself, see
// secrets-ssh.md §3.6), a banner when the server is shutting down, and a
// recover around Update and View so a bug in one session ends that
// session, not the server.
type sessionModel struct {
	inner tea.Model
	now   func() time.Time
	// ctx ends with the session; its timers stop with it.
	ctx context.Context

	idle    time.Duration
	lastKey time.Time
	banner  string

	// end is read by the handler after the program has stopped.
	end *sessionEnd
	// kill stops the program from outside Update (a panic in View).
	kill func()
	// panicKey and panicCmdKey are test-only hooks: the first makes
	// Update panic, the second a command Update returns.
	panicKey, panicCmdKey string
}

// sessionEnd records why the program stopped. The program's goroutine
// writes it; the handler reads it after Run returns (or, for a panic in a
// background command, Bubble Tea's own recover fills nothing and the
// handler sees ErrProgramPanic instead).
type sessionEnd struct {
	mu     sync.Mutex
	reason string
	detail string
	stack  []byte
}

func (e *sessionEnd) set(reason, detail string, stack []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.reason == "" {
		e.reason, e.detail, e.stack = reason, detail, stack
	}
}

func (e *sessionEnd) get() (reason, detail string, stack []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.reason, e.detail, e.stack
}

// idleCheckMsg wakes the session when it might have been idle long enough.
type idleCheckMsg struct{}

// probeMsg asks the program, on its own goroutine, for the screen's text:
// the only race-free way to read a running model (the SSH stream carries
// only changed cells). Tests use it.
type probeMsg chan string

// shutdownMsg tells the session the server is going down at At.
type shutdownMsg struct{ In time.Duration }

func newSessionModel(ctx context.Context, inner tea.Model, idle time.Duration, now func() time.Time) *sessionModel {
	return &sessionModel{ctx: ctx, inner: inner, now: now, idle: idle, lastKey: now(), end: &sessionEnd{}, kill: func() {}}
}

func (s *sessionModel) Init() tea.Cmd {
	return tea.Batch(s.inner.Init(), s.idleAfter(s.idle))
}

// idleAfter schedules one check at the earliest moment the session could
// be idle: one timer per session, not a poll.
func (s *sessionModel) idleAfter(d time.Duration) tea.Cmd {
	if s.idle <= 0 {
		return nil
	}
	// common.Tick, not tea.Tick: the idle timer (15 minutes) must not
	// keep a logged-out console in memory until it fires.
	return common.Tick(s.ctx, d, func(time.Time) tea.Msg { return idleCheckMsg{} })
}

func (s *sessionModel) Update(msg tea.Msg) (model tea.Model, cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			s.end.set(endPanic, panicText(r), debug.Stack())
			model, cmd = s, tea.Quit
		}
	}()
	switch msg := msg.(type) {
	case idleCheckMsg:
		quiet := s.now().Sub(s.lastKey)
		if quiet >= s.idle {
			s.end.set(endIdle, fmt.Sprintf("no key pressed for %s", s.idle), nil)
			return s, tea.Quit
		}
		return s, s.idleAfter(s.idle - quiet)
	case probeMsg:
		msg <- ansi.Strip(s.inner.View().Content)
		return s, nil
	case shutdownMsg:
		s.banner = fmt.Sprintf("⚠ The server is shutting down in %s: finish or cancel what you are doing.", msg.In.Round(time.Second))
		return s, nil
	case tea.KeyPressMsg:
		s.lastKey = s.now()
		if s.panicKey != "" && msg.String() == s.panicKey {
			panic("test hook: session panic requested")
		}
		if s.panicCmdKey != "" && msg.String() == s.panicCmdKey {
			return s, func() tea.Msg { panic("test hook: command panic requested") }
		}
	case tea.PasteMsg:
		s.lastKey = s.now()
	}
	inner, cmd := s.inner.Update(msg)
	s.inner = inner
	return s, cmd
}

func (s *sessionModel) View() (v tea.View) {
	defer func() {
		if r := recover(); r != nil {
			s.end.set(endPanic, panicText(r), debug.Stack())
			s.kill()
			v = tea.NewView("")
		}
	}()
	v = s.inner.View()
	if s.banner != "" {
		v.Content = withBanner(v.Content, s.banner)
	}
	return v
}

// withBanner puts the banner over the first line of the frame, keeping
// the frame's height so nothing scrolls.
func withBanner(content, banner string) string {
	first, rest, _ := strings.Cut(content, "\n")
	w := ansi.StringWidth(first)
	if w == 0 {
		w = 80
	}
	line := ansi.Truncate(banner, w, "…")
	line += strings.Repeat(" ", max(0, w-ansi.StringWidth(line)))
	return "\x1b[7m" + line + "\x1b[m\n" + rest
}

// secretLike matches IntaSend keys and PEM blocks, which must never reach
// a log even inside a panic message (secrets-ssh.md §4.5).
var secretLike = regexp.MustCompile(`IS(Secret|Pub)Key_(live|test)_[0-9A-Za-z-]+|-----BEGIN[^-]*-----[\s\S]*?(-----END[^-]*-----|$)`)

// panicText is a panic value safe to log: redacted and bounded.
func panicText(r any) string {
	s := secretLike.ReplaceAllString(fmt.Sprint(r), "[REDACTED]")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

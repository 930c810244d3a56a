package app

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/malipo/malipo/demo"
	"github.com/malipo/malipo/ui/common"
)

// startShell runs the real console (the wallets view on a seeded simulator
// with a fixed clock) in a teatest program at w×h with the Ascii profile,
// and waits until wallet data is on screen.
func startShell(t *testing.T, w, h int, opts Options, setup func(*common.Common)) (*teatest.TestModel, *Model) {
	t.Helper()
	_, cl := newSim(t)
	c := &common.Common{Client: cl, Profile: "default", Mode: common.ModeSandbox, Now: func() time.Time { return fixedNow }}
	if setup != nil {
		setup(c)
	}
	m := New(c, opts)
	tm := teatest.NewTestModel(t, m,
		teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	t.Cleanup(func() { _ = tm.Quit() })
	return tm, m
}

// waitFor waits until the program's output contains all of want.
func waitFor(t *testing.T, tm *teatest.TestModel, want ...string) []byte {
	t.Helper()
	var seen []byte
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		seen = b
		s := string(b)
		for _, w := range want {
			if !strings.Contains(s, w) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	return seen
}

// waitLoaded waits until the wallets view has its balances, its pulse and
// its chart and has said when it refreshed: the screen is then settled (the
// simulator's clock does not move, so nothing changes after).
func waitLoaded(t *testing.T, tm *teatest.TestModel) []byte {
	t.Helper()
	return waitFor(t, tm, "connected", "Total", "in ▲", "updated 09:30:00", "Payouts today")
}

// finalFrame quits the program and returns its last frame as plain text.
func finalFrame(t *testing.T, tm *teatest.TestModel) string {
	t.Helper()
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	m := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	return ansi.Strip(m.Render())
}

// sgr matches a Select Graphic Rendition sequence.
var sgr = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// setsColour reports whether out sets a foreground or background colour
// anywhere (30–38, 40–48, 90–97, 100–107); bold, underline and reverse are
// fine. The Ascii profile (--no-color, NO_COLOR) must set none.
func setsColour(out []byte) bool {
	for _, m := range sgr.FindAllSubmatch(out, -1) {
		for _, p := range strings.FieldsFunc(string(m[1]), func(r rune) bool { return r == ';' || r == ':' }) {
			var n int
			fmt.Sscan(p, &n)
			if n >= 30 && n <= 38 || n >= 40 && n <= 48 || n >= 90 && n <= 97 || n >= 100 && n <= 107 {
				return true
			}
		}
	}
	return false
}

func TestShellGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			tm, _ := startShell(t, size[0], size[1], Options{}, nil)
			out := waitLoaded(t, tm)
			if setsColour(out) {
				t.Error("the Ascii profile let a colour sequence through")
			}
			frame := finalFrame(t, tm)
			checkFrame(t, frame, size[0], size[1])
			golden.RequireEqual(t, []byte(frame))
		})
	}
}

// checkFrame asserts the frame fills the screen exactly.
func checkFrame(t *testing.T, frame string, w, h int) {
	t.Helper()
	lines := strings.Split(frame, "\n")
	if len(lines) != h {
		t.Fatalf("frame has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if ansi.StringWidth(l) != w {
			t.Fatalf("line %d is %d wide, want %d: %q", i, ansi.StringWidth(l), w, l)
		}
	}
}

func TestShellGoldenOverlays(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		want string
	}{
		{"help", []string{"?"}, "Everywhere"},
		{"palette", []string{":"}, "Commands"},
		{"collections", []string{"2"}, "COMPLETE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm, _ := startShell(t, 80, 24, Options{}, nil)
			waitLoaded(t, tm)
			for _, k := range tt.keys {
				tm.Send(keyMsg(k))
			}
			waitFor(t, tm, tt.want)
			frame := finalFrame(t, tm)
			checkFrame(t, frame, 80, 24)
			golden.RequireEqual(t, []byte(frame))
		})
	}
}

func TestOnboardingGolden(t *testing.T) {
	c := &common.Common{Profile: "default", Now: func() time.Time { return fixedNow }}
	m := New(c, Options{Onboarding: true})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	waitFor(t, tm, "Welcome to malipo")
	frame := finalFrame(t, tm)
	checkFrame(t, frame, 80, 24)
	golden.RequireEqual(t, []byte(frame))
}

// TestOnboardingStartsDemo: d on the welcome screen brings up the console on
// a simulator (here on a fixed clock) without leaving the program.
func TestOnboardingStartsDemo(t *testing.T) {
	var started *demo.Backend
	c := &common.Common{Profile: "default", Now: func() time.Time { return fixedNow }}
	m := New(c, Options{Onboarding: true, StartDemo: func() (*demo.Backend, error) {
		d, err := demo.Start(demo.Options{Sim: testSimOptions()})
		started = d
		return d, err
	}})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	waitFor(t, tm, "Welcome to malipo")
	tm.Type("d")
	waitFor(t, tm, "DEMO", "connected", "Total", "in ▲")
	frame := finalFrame(t, tm)
	if !strings.Contains(frame, "DEMO") || strings.Contains(frame, "Welcome") {
		t.Fatalf("not on the demo console:\n%s", frame)
	}
	if started == nil {
		t.Fatal("no demo started")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := started.Client.AllWallets(t.Context()); err == nil {
		t.Fatal("the demo server still answers after Close")
	}
}

// TestNoColor: the options --no-color produces drop every colour while the
// same screen under TrueColor has them, so the check is not vacuous.
func TestNoColor(t *testing.T) {
	trueColor := colorprofile.TrueColor
	tests := []struct {
		name       string
		ro         RunOptions
		wantColour bool
	}{
		{"truecolor", RunOptions{ColorProfile: &trueColor}, true},
		{"--no-color", RunOptions{NoColor: true, ColorProfile: &trueColor}, false},
		{"NO_COLOR", RunOptions{Environ: []string{"NO_COLOR=1", "TERM=xterm-256color", "COLORTERM=truecolor"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &common.Common{Profile: "default", Mode: common.ModeLive, Now: func() time.Time { return fixedNow }}
			m := New(c, Options{Onboarding: true})
			opts := ProgramOptions(context.Background(), tt.ro)
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24), teatest.WithProgramOptions(opts...))
			out := waitFor(t, tm, "Welcome to malipo")
			if err := tm.Quit(); err != nil {
				t.Fatal(err)
			}
			tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
			if got := setsColour(out); got != tt.wantColour {
				t.Fatalf("colour in output = %v, want %v", got, tt.wantColour)
			}
		})
	}
}

// TestRunEndsWithContext: an SSH session that goes away cancels the
// context; Run then returns nil (not an error) and releases the demo the
// onboarding screen started.
func TestRunEndsWithContext(t *testing.T) {
	c := &common.Common{Profile: "default", Now: func() time.Time { return fixedNow }}
	var started *demo.Backend
	m := New(c, Options{Onboarding: true, StartDemo: func() (*demo.Backend, error) {
		d, err := demo.Start(demo.Options{Sim: testSimOptions()})
		started = d
		return d, err
	}})
	in, feed := io.Pipe()
	out := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- Run(ctx, m, RunOptions{Input: in, Output: out, Width: 100, Height: 30, NoColor: true}) }()
	if _, err := feed.Write([]byte("d")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "Total") {
		if time.Now().After(deadline) {
			t.Fatalf("demo never showed wallets:\n%q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Run after cancel = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not end with its context")
	}
	if started == nil {
		t.Fatal("d did not start the demo")
	}
	if _, err := started.Client.AllWallets(context.Background()); err == nil {
		t.Fatal("Run left the demo server running")
	}
}

// lockedBuffer is written by the program and read by the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRunCancelsRequestsWhenTheConsoleQuits: the context views derive
// their requests from ends when the program does, so a request still in
// flight at q does not outlive the console.
func TestRunCancelsRequestsWhenTheConsoleQuits(t *testing.T) {
	c := &common.Common{Profile: "test", Mode: common.ModeSandbox, Now: func() time.Time { return fixedNow }}
	m := New(c, Options{Views: func(*common.Common) []common.View { return []common.View{&recView{title: "Wallets"}} }})
	in, feed := io.Pipe()
	errc := make(chan error, 1)
	go func() {
		errc <- Run(context.Background(), m, RunOptions{Input: in, Output: &lockedBuffer{}, Width: 80, Height: 24, NoColor: true})
	}()
	if _, err := feed.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Run = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("q did not end the console")
	}
	if err := c.Context().Err(); err != context.Canceled {
		t.Errorf("after the console quit, the views' context is %v, want cancelled", err)
	}
}

// TestBankCodeTypedOnBanks: in the real console, "68" on the Banks tab
// finds Equity Bank (the 6 used to reopen the tab and the filter got "8").
func TestBankCodeTypedOnBanks(t *testing.T) {
	tm, _ := startShell(t, 100, 30, Options{}, nil)
	waitLoaded(t, tm)
	tm.Type("6")
	waitFor(t, tm, "banks")
	tm.Type("68")
	waitFor(t, tm, "68  Equity Bank")
	frame := finalFrame(t, tm)
	if !strings.Contains(frame, "› 68") || !strings.Contains(frame, "1 of ") {
		t.Fatalf("the filter did not get 68:\n%s", frame)
	}
}

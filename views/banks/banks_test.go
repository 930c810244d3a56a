package banks

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/ui/components/bankpicker"
)

const (
	testPub    = "ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f"
	testSecret = "ISSecretKey_test_c3b1fa1b-5d1e-4a3e-9e7c-4f0c5a1d8181"
	bankRoute  = "GET send-money/bank-codes/ke/"
)

type fixture struct {
	clock *sim.ManualClock
	srv   *sim.Server
	c     *common.Common
	dir   string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	clock := sim.NewManualClock(time.Date(2026, 11, 22, 9, 30, 0, 0, time.FixedZone("EAT", 3*3600)))
	srv := sim.New(sim.Options{Clock: clock, Rand: 1, FailureRate: -1})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cl, err := client.New(testPub, testSecret, client.WithBaseURL(ts.URL), client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{clock: clock, srv: srv, dir: t.TempDir(),
		c: &common.Common{Client: cl, Styles: common.NewStyles(true), Mode: common.ModeDemo, Now: clock.Now}}
}

func (f *fixture) cache() *bankpicker.Cache {
	return bankpicker.NewCache(bankpicker.WithPath(filepath.Join(f.dir, "malipo", "bank-codes-ke.json")),
		bankpicker.WithClock(f.clock.Now))
}

// driver runs the view synchronously, as Bubble Tea would, keeping what is
// meant for the shell (toasts, errors, health, the clipboard).
type driver struct {
	t     testing.TB
	m     *Model
	shell []tea.Msg
}

func (f *fixture) driver(t testing.TB, w, h int) *driver {
	d := &driver{t: t, m: newModel(f.c, f.cache())}
	d.m.SetSize(w, h)
	d.run(d.m.Init())
	return d
}

func (d *driver) run(cmd tea.Cmd) {
	if cmd != nil {
		d.feed(cmd())
	}
}

func (d *driver) feed(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			d.run(c)
		}
		return
	case common.ToastMsg, common.ErrorMsg, common.HealthMsg:
		d.shell = append(d.shell, msg)
		return
	}
	if isClipboard(msg) {
		d.shell = append(d.shell, msg)
		return
	}
	_, cmd := d.m.Update(msg)
	d.run(cmd)
}

// isClipboard recognises the shell's clipboard request.
func isClipboard(msg tea.Msg) bool { _, ok := msg.(common.ClipboardMsg); return ok }

func (d *driver) press(keys ...string) {
	for _, k := range keys {
		d.feed(keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	named := map[string]tea.KeyPressMsg{
		"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "up": {Code: tea.KeyUp},
		"down": {Code: tea.KeyDown}, "backspace": {Code: tea.KeyBackspace},
	}
	if m, ok := named[k]; ok {
		return m
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

func (d *driver) view() string {
	lines := strings.Split(ansi.Strip(d.m.View()), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return strings.Join(lines, "\n")
}

// TestEquityInThreeKeystrokes: on the Banks tab "e", "q", "u" put Equity
// first (the first letter starts the filter by itself), enter copies 68.
func TestEquityInThreeKeystrokes(t *testing.T) {
	f := newFixture(t)
	d := f.driver(t, 80, 20)
	if d.m.Capturing() {
		t.Fatal("the tab must not capture keys before the user types: tab switching would break")
	}
	d.press("e")
	if !d.m.Capturing() {
		t.Fatal("a letter did not start the filter")
	}
	d.press("q", "u")
	if m := d.m.picker.Matches(); len(m) == 0 || m[0].Name != "Equity Bank" {
		t.Fatalf(`"equ" → %v`, m)
	}
	d.press("enter")
	var toast, clip string
	for _, m := range d.shell {
		switch m := m.(type) {
		case common.ToastMsg:
			toast = m.Text
		case common.ClipboardMsg:
			clip = m.Text
		}
	}
	if !strings.Contains(toast, "Equity Bank: bank code 68") || clip != "68" {
		t.Errorf("toast %q, clipboard %q", toast, clip)
	}
	if d.m.Capturing() {
		t.Error("still capturing after the pick: the user could not leave the tab")
	}
	if v := d.view(); !strings.Contains(v, "copied 68") {
		t.Errorf("title line does not say what was copied:\n%s", v)
	}
}

// TestKeys walks the tab's states.
func TestKeys(t *testing.T) {
	f := newFixture(t)
	d := f.driver(t, 80, 20)
	d.press("/")
	testcheck.Expect(t, "/", d.m.Capturing(), testcheck.C("focused the filter", d.m.Capturing()))
	d.press("6", "8")
	m := d.m.picker.Matches()
	testcheck.Expect(t, "/68", m, testcheck.C("some matches", len(m) != 0))
	testcheck.Expect(t, "/68", m, testcheck.C("code 68 first", m[0].Code == "68"))
	d.press("esc")
	testcheck.Check(t, fmt.Sprintf("esc: capturing %v, query %q, %d shown", d.m.Capturing(), d.m.picker.Query(), len(d.m.picker.Matches())), d.m.picker.Query(),
		testcheck.C("not capturing", !d.m.Capturing()), testcheck.C("no query", d.m.picker.Query() == ""), testcheck.C("all 36 shown", len(d.m.picker.Matches()) == 36))
	d.press("down", "down")
	b, _ := d.m.picker.Selected()
	testcheck.Check(t, fmt.Sprintf("arrows without a filter: capturing %v", d.m.Capturing()), b,
		testcheck.C("on the third bank", b == d.m.picker.Banks()[2]), testcheck.C("not capturing", !d.m.Capturing()))
	// A paste filters.
	d.feed(tea.PasteMsg{Content: "stanbic"})
	m = d.m.picker.Matches()
	testcheck.Check(t, "paste", m, testcheck.C("Stanbic Bank first", len(m) != 0 && m[0].Name == "Stanbic Bank"), testcheck.C("capturing", d.m.Capturing()))
	testcheck.Check(t, "help, title or actions", d.m.Title(), testcheck.C("short help", len(d.m.ShortHelp()) != 0), testcheck.C("full help", len(d.m.FullHelp()) != 0),
		testcheck.C("title Banks", d.m.Title() == "Banks"), testcheck.C("one action", len(d.m.Actions()) == 1))
}

// TestRefresh: r (through the shell's Refresher) asks IntaSend again even
// though the list is cached; the palette action does the same.
func TestRefresh(t *testing.T) {
	f := newFixture(t)
	d := f.driver(t, 80, 20)
	before := f.srv.Counters().Requests[bankRoute]
	d.run(d.m.Refresh())
	d.feed(refreshMsg{})
	if got := f.srv.Counters().Requests[bankRoute] - before; got != 2 {
		t.Errorf("two refreshes made %d requests", got)
	}
	var health int
	for _, m := range d.shell {
		if h, ok := m.(common.HealthMsg); ok && h.OK {
			health++
		}
	}
	if health != 3 { // the first load and two refreshes
		t.Errorf("%d healthy reports, want 3", health)
	}
}

// TestDiskCacheAcrossSessions: a second console within a day shows the
// list without asking IntaSend.
func TestDiskCacheAcrossSessions(t *testing.T) {
	f := newFixture(t)
	f.driver(t, 80, 20)
	f.clock.Advance(3 * time.Hour)
	before := f.srv.Counters().Requests[bankRoute]
	d := f.driver(t, 80, 20)
	if got := f.srv.Counters().Requests[bankRoute] - before; got != 0 || len(d.m.picker.Banks()) != 36 {
		t.Fatalf("second session: %d requests, %d banks", got, len(d.m.picker.Banks()))
	}
	if v := d.view(); !strings.Contains(v, "cached list from 22 Nov 09:30") {
		t.Errorf("title line:\n%s", v)
	}
}

// TestNewUsesXDGCache: New (what the shell calls) puts the file under
// $XDG_CACHE_HOME/malipo.
func TestNewUsesXDGCache(t *testing.T) {
	f := newFixture(t)
	t.Setenv("XDG_CACHE_HOME", f.dir)
	v := New(f.c)
	cmd := v.Init()
	v.Update(cmd())
	if _, err := os.Stat(filepath.Join(f.dir, "malipo", "bank-codes-ke.json")); err != nil {
		t.Fatal(err)
	}
}

// TestLoadError: an unreachable IntaSend gives an error panel and an
// unhealthy status.
func TestLoadError(t *testing.T) {
	f := newFixture(t)
	ts := httptest.NewServer(f.srv)
	ts.Close()
	cl, _ := client.New(testPub, testSecret, client.WithBaseURL(ts.URL), client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	c := *f.c
	c.Client = cl
	d := &driver{t: t, m: newModel(&c, bankpicker.NewCache(bankpicker.WithPath("")))}
	d.run(d.m.Init())
	var panel, unhealthy bool
	for _, m := range d.shell {
		switch m := m.(type) {
		case common.ErrorMsg:
			panel = m.Title == "Could not load bank codes"
		case common.HealthMsg:
			unhealthy = !m.OK
		}
	}
	if !panel || !unhealthy || !strings.Contains(d.view(), "could not load bank codes") {
		t.Errorf("panel %v, unhealthy %v, view:\n%s", panel, unhealthy, d.view())
	}
}

// TestGolden draws the tab at the shell's body sizes for 80x24, 120x40 and
// 160x50, and once as a NO_COLOR terminal gets it (escapes kept: the
// cursor row is marked by reverse video and "▸", never by colour).
func TestGolden(t *testing.T) {
	f := newFixture(t)
	screens := []struct {
		name  string
		w, h  int
		setup func(d *driver)
	}{
		{"list_80x24", 80, 20, func(d *driver) {}},
		{"list_120x40", 120, 36, func(d *driver) {}},
		{"list_160x50", 160, 46, func(d *driver) { d.press("down", "down") }},
		{"equ_80x24", 80, 20, func(d *driver) { d.press("e", "q", "u") }},
		{"picked_80x24", 80, 20, func(d *driver) { d.press("/", "1", "enter") }},
		{"co_120x40", 120, 36, func(d *driver) { d.press("c", "o") }},
	}
	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			d := f.driver(t, sc.w, sc.h)
			sc.setup(d)
			got := d.view()
			tuitest.CheckBox(t, got, sc.w, sc.h)
			tuitest.Golden(t, sc.name, got)
		})
	}
	t.Run("nocolor_80x24", func(t *testing.T) {
		d := f.driver(t, 80, 20)
		d.press("/", "b", "a", "n", "k", "down")
		tuitest.Golden(t, "nocolor_80x24", tuitest.NoColor(t, d.m.View()))
	})
}

// TestResize: nothing spills out at any size.
func TestResize(t *testing.T) {
	f := newFixture(t)
	d := f.driver(t, 80, 20)
	d.press("b")
	for _, wh := range [][2]int{{20, 5}, {40, 8}, {80, 20}, {200, 60}} {
		d.m.SetSize(wh[0], wh[1])
		tuitest.CheckBox(t, d.view(), wh[0], wh[1])
	}
}

// TestCopyAndClick: y copies the bank code under the cursor (not while the
// filter takes letters); a click selects a bank, a second click copies
// it, as enter does. Body line 0 is the title, 1 the filter, 2 the header.
func TestCopyAndClick(t *testing.T) {
	f := newFixture(t)
	d := f.driver(t, 80, 20)
	first := d.m.picker.Banks()[0]
	third := d.m.picker.Banks()[2]
	steps := []struct {
		name  string
		do    func()
		code  string // CopyText's text
		clip  string // the last clipboard request
		focus bool
	}{
		{"cursor on the first bank", func() {}, first.Code, "", false},
		{"click the third", func() { d.run(d.m.ClickRow(5)) }, third.Code, "", false},
		{"click the header", func() { d.run(d.m.ClickRow(2)) }, third.Code, "", false},
		{"click it again copies", func() { d.run(d.m.ClickRow(5)) }, third.Code, third.Code, false},
		{"typing: y is a letter", func() { d.press("/") }, "", third.Code, true},
	}
	for _, s := range steps {
		s.do()
		_, code := d.m.CopyText()
		clip := ""
		for _, m := range d.shell {
			if c, ok := m.(common.ClipboardMsg); ok {
				clip = c.Text
			}
		}
		if code != s.code || clip != s.clip || d.m.Capturing() != s.focus {
			t.Fatalf("%s: copy %q, clipboard %q, capturing %v; want %q %q %v\n%s", s.name, code, clip, d.m.Capturing(), s.code, s.clip, s.focus, d.view())
		}
	}
}

package bankpicker

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/tuitest"
	"github.com/malipo/malipo/ui/common"
)

const (
	testPub    = "ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f"
	testSecret = "ISSecretKey_test_c3b1fa1b-5d1e-4a3e-9e7c-4f0c5a1d8181"
	bankRoute  = "GET send-money/bank-codes/ke/"
)

// fixture is the simulator behind loopback HTTP, a client for it and a
// cache file in a fresh directory.
type fixture struct {
	clock *sim.ManualClock
	srv   *sim.Server
	c     *common.Common
	path  string
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
	return &fixture{
		clock: clock, srv: srv,
		c:    &common.Common{Client: cl, Styles: common.NewStyles(true), Mode: common.ModeDemo, Now: clock.Now},
		path: filepath.Join(t.TempDir(), "malipo", "bank-codes-ke.json"),
	}
}

func (f *fixture) cache() *Cache { return NewCache(WithPath(f.path), WithClock(f.clock.Now)) }

func (f *fixture) requests() int { return f.srv.Counters().Requests[bankRoute] }

// run executes a command and returns the messages it produced, batches
// unpacked.
func run(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, run(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

// picker is a loaded, focused picker of size w x h.
func (f *fixture) picker(t testing.TB, cache *Cache, w, h int) Model {
	t.Helper()
	p := New(f.c, cache)
	p.SetSize(w, h)
	p.Focus()
	for _, msg := range run(p.Load()) {
		p, _ = p.Update(msg)
	}
	if !p.Loaded() {
		t.Fatalf("picker did not load: %s", p.Err())
	}
	return p
}

func keyMsg(k string) tea.KeyPressMsg {
	named := map[string]tea.KeyPressMsg{
		"enter": {Code: tea.KeyEnter}, "esc": {Code: tea.KeyEscape}, "up": {Code: tea.KeyUp},
		"down": {Code: tea.KeyDown}, "pgdown": {Code: tea.KeyPgDown}, "pgup": {Code: tea.KeyPgUp},
		"backspace": {Code: tea.KeyBackspace},
	}
	if m, ok := named[k]; ok {
		return m
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// press sends keys and returns the messages their commands produced.
func press(p *Model, keys ...string) []tea.Msg {
	var out []tea.Msg
	for _, k := range keys {
		var cmd tea.Cmd
		*p, cmd = p.Update(keyMsg(k))
		out = append(out, run(cmd)...)
	}
	return out
}

func typeText(p *Model, s string) {
	for _, r := range s {
		press(p, string(r))
	}
}

// TestEquityInThreeKeystrokes is the done-when: an ops person
// finds "Equity" in the bank picker in three keystrokes, and enter hands
// it back.
func TestEquityInThreeKeystrokes(t *testing.T) {
	f := newFixture(t)
	p := f.picker(t, f.cache(), 60, 14)
	press(&p, "e", "q", "u")
	got := p.Matches()
	if len(got) == 0 || got[0].Name != "Equity Bank" || got[0].Code != "68" {
		t.Fatalf(`"equ" → %v, want Equity Bank (68) first`, got)
	}
	msgs := press(&p, "enter")
	if len(msgs) != 1 || msgs[0] != (PickedMsg{Bank: client.Bank{Name: "Equity Bank", Code: "68"}}) {
		t.Fatalf("enter sent %#v", msgs)
	}
}

// TestFilterRanking: exact codes first, names fuzzily, case ignored.
func TestFilterRanking(t *testing.T) {
	f := newFixture(t)
	p := f.picker(t, f.cache(), 60, 14)
	cases := []struct{ query, first string }{
		{"68", "Equity Bank"},
		{"1", "KCB"}, // code 1, ahead of 10, 11, 12…
		{"11", "Cooperative Bank"},
		{"EQUITY", "Equity Bank"},
		{"kcb", "KCB"},
		{"coop", "Cooperative Bank"},
		{"i&m", "I&M Bank"},
		{"stanbic", "Stanbic Bank"},
		{"ncba", "NCBA"},
		{"dtb 63", "DTB"},
	}
	for _, tc := range cases {
		p.Reset()
		typeText(&p, tc.query)
		got := p.Matches()
		if len(got) == 0 || got[0].Name != tc.first {
			t.Errorf("%q → %v, want %s first", tc.query, names(got), tc.first)
		}
		if b, _ := p.Selected(); len(got) > 0 && b != got[0] {
			t.Errorf("%q: cursor on %v, not the best match", tc.query, b)
		}
	}
	p.Reset()
	typeText(&p, "zzzz")
	if n := len(p.Matches()); n != 0 {
		t.Errorf("zzzz matched %d banks", n)
	}
	if msgs := press(&p, "enter"); len(msgs) != 0 {
		t.Errorf("enter with no match sent %v", msgs)
	}
	if v := ansi.Strip(p.View()); !strings.Contains(v, `no bank matches "zzzz"`) {
		t.Errorf("no-match view:\n%s", v)
	}
	press(&p, "backspace", "backspace", "backspace", "backspace")
	if n, all := len(p.Matches()), len(p.Banks()); n != all || all != 36 {
		t.Errorf("cleared filter shows %d of %d", n, all)
	}
}

func names(bs []client.Bank) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Name+"("+b.Code+")")
	}
	return out
}

// TestKeys: arrows move, esc cancels, the unfiltered list is in name order.
func TestKeys(t *testing.T) {
	f := newFixture(t)
	p := f.picker(t, f.cache(), 60, 10) // 7 rows
	all := p.Banks()
	for i := 1; i < len(all); i++ {
		if strings.ToLower(all[i-1].Name) > strings.ToLower(all[i].Name) {
			t.Fatalf("not in name order: %s before %s", all[i-1].Name, all[i].Name)
		}
	}
	press(&p, "down", "down")
	if b, _ := p.Selected(); b != all[2] {
		t.Errorf("down down → %v, want %v", b, all[2])
	}
	press(&p, "up", "up", "up")
	if b, _ := p.Selected(); b != all[0] {
		t.Errorf("up past the top → %v", b)
	}
	press(&p, "pgdown", "pgdown", "pgdown", "pgdown", "pgdown", "pgdown", "pgdown")
	if b, _ := p.Selected(); b != all[len(all)-1] {
		t.Errorf("pgdown to the end → %v", b)
	}
	if v := ansi.Strip(p.View()); !strings.Contains(v, "▸") || !strings.Contains(v, all[len(all)-1].Name) {
		t.Errorf("cursor row not on screen:\n%s", v)
	}
	msgs := press(&p, "esc")
	if len(msgs) != 1 || msgs[0] != (CancelledMsg{}) {
		t.Errorf("esc sent %#v", msgs)
	}
	// Typing into a blurred picker focuses it: a picker is always a filter.
	p.Blur()
	press(&p, "k")
	if !p.Focused() || p.Query() != "k" {
		t.Errorf("typing into a blurred picker: focused %v, query %q", p.Focused(), p.Query())
	}
	// A paste filters too.
	p.Reset()
	p, _ = p.Update(tea.PasteMsg{Content: "68"})
	if m := p.Matches(); len(m) == 0 || m[0].Code != "68" {
		t.Errorf("pasted 68 → %v", names(m))
	}
}

// TestDiskCache: the first load asks IntaSend and writes the file; a new
// session within a day reads it without a request; a stale, corrupt or
// empty file is ignored and refetched; Reload always asks.
func TestDiskCache(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	file := checkFirstLoad(t, f)

	// The same session: memory, no request, no disk read needed.
	c := f.cache()
	c.Banks(ctx, f.c.Client)
	if _, src, _ := c.Banks(ctx, f.c.Client); src != FromSession {
		t.Errorf("second call in a session came from %s", src)
	}

	steps := []struct {
		name    string
		prepare func(t *testing.T)
		want    Source
	}{
		{"new session, 23h later", func(*testing.T) { f.clock.Advance(23 * time.Hour) }, FromDisk},
		{"stale after a day", func(*testing.T) { f.clock.Advance(2 * time.Hour) }, FromNetwork},
		{"fresh again", func(*testing.T) {}, FromDisk},
		{"corrupt", func(*testing.T) { os.WriteFile(f.path, []byte(`{"version":1,"fetched_at":`), 0o600) }, FromNetwork},
		{"empty list", func(t *testing.T) { writeCache(t, f.path, cacheFile{Version: 1, FetchedAt: f.clock.Now()}) }, FromNetwork},
		{"unknown version", func(t *testing.T) {
			writeCache(t, f.path, cacheFile{Version: 9, FetchedAt: f.clock.Now(), Banks: file.Banks})
		}, FromNetwork},
		{"from the future", func(t *testing.T) {
			writeCache(t, f.path, cacheFile{Version: 1, FetchedAt: f.clock.Now().Add(time.Hour), Banks: file.Banks})
		}, FromNetwork},
		{"a code missing", func(t *testing.T) {
			bad := append([]client.Bank{{Name: "Nameless"}}, file.Banks...)
			writeCache(t, f.path, cacheFile{Version: 1, FetchedAt: f.clock.Now(), Banks: bad})
		}, FromNetwork},
		{"missing file", func(*testing.T) { os.Remove(f.path) }, FromNetwork},
	}
	// The steps run in order: each prepares the file the next session finds.
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.prepare(t)
			wantSessionLoad(t, f, s.want)
		})
	}

	before := f.requests()
	if _, err := c.Refresh(ctx, f.c.Client); err != nil || f.requests() != before+1 {
		t.Errorf("Refresh: err %v, %d requests", err, f.requests()-before)
	}
}

// checkFirstLoad: the first load asks IntaSend once for the 36 banks and
// writes the cache file (stamped now, no temporary left); it returns the
// file.
func checkFirstLoad(t *testing.T, f *fixture) cacheFile {
	t.Helper()
	banks, src, err := f.cache().Banks(context.Background(), f.c.Client)
	if err != nil || src != FromNetwork || len(banks) != 36 || f.requests() != 1 {
		t.Fatalf("first load: %d banks from %s, err %v, %d requests", len(banks), src, err, f.requests())
	}
	var file cacheFile
	data, err := os.ReadFile(f.path)
	if err != nil || json.Unmarshal(data, &file) != nil || len(file.Banks) != 36 || !file.FetchedAt.Equal(f.clock.Now()) {
		t.Fatalf("cache file %s: %v\n%s", f.path, err, data)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(f.path), ".bank-codes-*")); len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
	return file
}

// wantSessionLoad: a new session's load gives the 36 banks from want, with
// a request only when want is the network.
func wantSessionLoad(t *testing.T, f *fixture, want Source) {
	t.Helper()
	before := f.requests()
	banks, src, err := f.cache().Banks(context.Background(), f.c.Client)
	calls := f.requests() - before
	wantCalls := map[Source]int{FromDisk: 0, FromNetwork: 1}[want]
	if err != nil || src != want || calls != wantCalls || len(banks) != 36 {
		t.Errorf("%d banks from %s (want %s), %d requests (want %d), err %v",
			len(banks), src, want, calls, wantCalls, err)
	}
}

func writeCache(t *testing.T, path string, f cacheFile) {
	t.Helper()
	data, _ := json.Marshal(f)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestDefaultPath follows XDG_CACHE_HOME, ignoring a relative one.
func TestDefaultPath(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", dir)
	p, err := DefaultPath()
	if err != nil || p != filepath.Join(dir, "malipo", "bank-codes-ke.json") {
		t.Errorf("DefaultPath = %q, %v", p, err)
	}
	if c := NewCache(); c.Path() != p {
		t.Errorf("NewCache path %q", c.Path())
	}
	t.Setenv("XDG_CACHE_HOME", "relative/dir")
	if p, err := DefaultPath(); err == nil && strings.HasPrefix(p, "relative") {
		t.Errorf("relative XDG_CACHE_HOME used: %q", p)
	}
}

// TestUnwritableCache: a cache directory that cannot be written still
// gives the list (the file is an optimisation).
func TestUnwritableCache(t *testing.T) {
	f := newFixture(t)
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o600)
	c := NewCache(WithPath(filepath.Join(blocker, "malipo", "bank-codes-ke.json")))
	banks, src, err := c.Banks(context.Background(), f.c.Client)
	if err != nil || src != FromNetwork || len(banks) != 36 {
		t.Fatalf("%d banks from %s, err %v", len(banks), src, err)
	}
}

// TestLoadError: IntaSend unreachable → the picker says so and keeps no
// list; a later load that works replaces the message.
func TestLoadError(t *testing.T) {
	f := newFixture(t)
	ts := httptest.NewServer(f.srv)
	url := ts.URL
	ts.Close()
	cl, _ := client.New(testPub, testSecret, client.WithBaseURL(url), client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	c := *f.c
	c.Client = cl
	p := New(&c, NewCache(WithPath("")))
	p.SetSize(60, 8)
	for _, msg := range run(p.Load()) {
		p, _ = p.Update(msg)
	}
	if p.Loaded() || p.Err() == "" {
		t.Fatalf("loaded %v, err %q", p.Loaded(), p.Err())
	}
	if v := ansi.Strip(p.View()); !strings.Contains(v, "could not load bank codes") {
		t.Errorf("error view:\n%s", v)
	}
	p.c = f.c
	for _, msg := range run(p.Reload()) {
		p, _ = p.Update(msg)
	}
	if !p.Loaded() || p.Err() != "" || p.Source() != FromNetwork {
		t.Errorf("after a working reload: loaded %v, err %q, source %s", p.Loaded(), p.Err(), p.Source())
	}
}

// TestLoadOnce: a second Load while one is under way does nothing.
func TestLoadOnce(t *testing.T) {
	f := newFixture(t)
	p := New(f.c, f.cache())
	if p.Load() == nil || p.Load() != nil || !p.Loading() {
		t.Fatal("a second Load while loading should be nil")
	}
}

// TestGolden draws the picker at a modal's size and the Banks tab's body
// sizes, colours stripped.
func TestGolden(t *testing.T) {
	f := newFixture(t)
	screens := []struct {
		name  string
		w, h  int
		setup func(p *Model)
	}{
		{"all_60x14", 60, 14, func(p *Model) {}},
		{"equ_60x14", 60, 14, func(p *Model) { typeText(p, "equ") }},
		{"all_80x20", 80, 20, func(p *Model) { press(p, "down", "down") }},
		{"bank_120x36", 120, 36, func(p *Model) { typeText(p, "bank") }},
	}
	for _, sc := range screens {
		t.Run(sc.name, func(t *testing.T) {
			p := f.picker(t, f.cache(), sc.w, sc.h)
			sc.setup(&p)
			got := tuitest.Strip(p.View())
			tuitest.CheckBox(t, got, sc.w, sc.h)
			tuitest.Golden(t, sc.name, got)
		})
	}
}

// TestResize: nothing spills out of the box at any size.
func TestResize(t *testing.T) {
	f := newFixture(t)
	p := f.picker(t, f.cache(), 60, 14)
	typeText(&p, "ba")
	for _, wh := range [][2]int{{16, 4}, {20, 5}, {40, 8}, {60, 14}, {200, 60}} {
		p.SetSize(wh[0], wh[1])
		tuitest.CheckBox(t, tuitest.Strip(p.View()), wh[0], wh[1])
	}
}

// TestFetchedAtDoesNotWait: a picker drawing its title while another one
// sharing the cache is fetching must not wait for the network. The bank
// list is held at the server until FetchedAt has answered, so the test
// knows the fetch is under way (no sleep) and cannot pass by being slow.
func TestFetchedAtDoesNotWait(t *testing.T) {
	f := newFixture(t)
	arrived, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(arrived) })
		<-release
		f.srv.ServeHTTP(w, r)
	}))
	defer ts.Close()
	releaseOnce := sync.OnceFunc(func() { close(release) })
	defer releaseOnce() // before ts.Close, which waits for the handler
	cl, err := client.New(testPub, testSecret, client.WithBaseURL(ts.URL), client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	c := f.cache()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Banks(context.Background(), cl)
	}()
	select {
	case <-arrived: // the fetch holds the cache's fetch lock now
	case <-time.After(10 * time.Second):
		t.Fatal("the fetch never reached the server")
	}
	answered := make(chan time.Time, 1)
	go func() { answered <- c.FetchedAt() }()
	select {
	case at := <-answered:
		if !at.IsZero() {
			t.Errorf("FetchedAt = %s before the fetch ended", at)
		}
	case <-time.After(10 * time.Second): // the fetch is held: only a wait ends here
		t.Error("FetchedAt waited for the fetch")
	}
	releaseOnce()
	<-done
	if !c.FetchedAt().Equal(f.clock.Now()) {
		t.Errorf("fetch time %s, want the fixture's clock %s", c.FetchedAt(), f.clock.Now())
	}
}

package cmd

import (
	"context"
	"errors"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/app"
	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/demo"
	"github.com/malipo/malipo/internal/testout"
	"github.com/malipo/malipo/keystore"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
)

// isolate points config and state at empty temporary directories and
// clears the MALIPO_* key variables, so no test reads a developer's keys.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("XDG_STATE_HOME", dir)
	t.Setenv("HOME", dir)
	for _, v := range []string{keystore.EnvPublishableKey, keystore.EnvSecretKey, keystore.EnvDeviceKeyFile, keystore.EnvDeviceID} {
		t.Setenv(v, "")
	}
	return dir
}

func TestConsoleModel(t *testing.T) {
	s := httptest.NewServer(sim.New(sim.Options{Seed: true, Rand: 1}))
	defer s.Close()
	tests := []struct {
		name           string
		pub, sec       string
		allowLive      bool
		base           string // "" : the simulator's http://127.0.0.1 URL
		wantOnboarding bool
		wantMode       common.Mode
		wantErr        error
	}{
		{name: "no keys opens onboarding", wantOnboarding: true},
		{name: "sandbox keys", pub: "ISPubKey_test_0b5f1bd1-6b5f-4d0c", sec: "ISSecretKey_test_7c1e2a8f-3d4b-4e5f", wantMode: common.ModeSandbox},
		{name: "live keys from env refused", pub: "ISPubKey_live_0b5f1bd1-6b5f-4d0c", sec: "ISSecretKey_live_7c1e2a8f-3d4b-4e5f", wantErr: keystore.ErrLiveEnv},
		// Live keys never go over plain HTTP, so this one points at an https
		// URL (nothing is sent before the program runs).
		{name: "live keys allowed", pub: "ISPubKey_live_0b5f1bd1-6b5f-4d0c", sec: "ISSecretKey_live_7c1e2a8f-3d4b-4e5f", allowLive: true, base: "https://127.0.0.1:1/api/v1/", wantMode: common.ModeLive},
		{name: "live keys over plain HTTP refused", pub: "ISPubKey_live_0b5f1bd1-6b5f-4d0c", sec: "ISSecretKey_live_7c1e2a8f-3d4b-4e5f", allowLive: true, wantErr: client.ErrPlainHTTP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			t.Setenv(keystore.EnvPublishableKey, tt.pub)
			t.Setenv(keystore.EnvSecretKey, tt.sec)
			base := s.URL
			if tt.base != "" {
				base = tt.base
			}
			g := &globals{profile: "default", baseURL: base, allowLiveEnv: tt.allowLive}
			m, done, err := consoleModel(t.Context(), g)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), tt.sec) {
					t.Fatal("the error shows the secret key")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer done()
			if m.Onboarding() != tt.wantOnboarding {
				t.Fatalf("onboarding = %v, want %v", m.Onboarding(), tt.wantOnboarding)
			}
			if tt.wantOnboarding {
				return
			}
			c := m.Common()
			if c.Mode != tt.wantMode {
				t.Fatalf("mode = %s, want %s", c.Mode, tt.wantMode)
			}
			// The profile's payout journal is open in its state directory.
			if _, err := os.Stat(filepath.Join(dir, "malipo", "default", "events.jsonl")); err != nil {
				t.Fatalf("no payout journal for the profile: %v", err)
			}
			if tt.wantMode == common.ModeSandbox {
				ws, err := c.Client.AllWallets(t.Context())
				if err != nil || len(ws) == 0 {
					t.Fatalf("the console's client does not reach --base-url: %v, %d wallets", err, len(ws))
				}
			}
		})
	}
}

// sgr matches one Select Graphic Rendition sequence.
var sgr = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// colours returns the SGR sequences in out that set a foreground or
// background colour (bold, underline and reverse are fine without colour).
func colours(out string) []string {
	var found []string
	for _, m := range sgr.FindAllStringSubmatch(out, -1) {
		for _, p := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' }) {
			n, _ := strconv.Atoi(p)
			if n >= 30 && n <= 38 || n >= 40 && n <= 48 || n >= 90 && n <= 97 || n >= 100 && n <= 107 {
				found = append(found, m[0])
				break
			}
		}
	}
	return found
}

// TestRunDemo runs `malipo demo`'s code path headless: the console comes up
// on the embedded simulator with the DEMO badge and wallet data, q ends it,
// the simulator stops, nothing is written to config or state, and
// --no-color leaves no colour in the output.
func TestRunDemo(t *testing.T) {
	dir := isolate(t)
	in, feed := io.Pipe()
	out := testout.New() // from cmd_sim_test.go
	clock := sim.NewManualClock(time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC))
	errc := make(chan error, 1)
	go func() {
		errc <- runDemo(t.Context(), demo.Options{Sim: &sim.Options{Clock: clock, Rand: 1, Seed: true}},
			app.RunOptions{NoColor: true, Input: in, Output: out, Width: 120, Height: 40}, app.Options{})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !(strings.Contains(out.String(), "DEMO") && strings.Contains(out.String(), "Total")) {
		if time.Now().After(deadline) {
			t.Fatalf("no demo console with wallet data after 10 s:\n%q", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := feed.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("runDemo: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("q did not end the demo")
	}
	if m := colours(out.String()); m != nil {
		t.Errorf("--no-color output still sets colours: %q", m)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Fatalf("the demo wrote %v to config/state", entries)
	}
}

func TestDemoCommandTakesNoArgs(t *testing.T) {
	root := newRootCmd()
	root.SetArgs([]string{"demo", "extra"})
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	if err := root.ExecuteContext(context.Background()); err == nil {
		t.Fatal("malipo demo accepted an argument")
	}
}

// BenchmarkDemoCommand is `malipo demo`'s whole path short of process start
// and a real terminal: the simulator seeded and live on loopback, the Bubble
// Tea program with its renderer, until the output holds the first full
// frame (balances and the 14-day chart); then q. Design §11: ≤ 150 ms.
func BenchmarkDemoCommand(b *testing.B) {
	dir := b.TempDir()
	b.Setenv("XDG_CONFIG_HOME", dir)
	b.Setenv("XDG_STATE_HOME", dir)
	for b.Loop() {
		in, feed := io.Pipe()
		out := testout.New()
		errc := make(chan error, 1)
		go func() {
			errc <- runDemo(context.Background(), demo.Options{},
				app.RunOptions{Input: in, Output: out, Width: 120, Height: 40}, app.Options{})
		}()
		deadline := time.Now().Add(10 * time.Second)
		for s := out.String(); !strings.Contains(s, "Total") || !strings.Contains(s, "in ▲"); s = out.String() {
			if time.Now().After(deadline) {
				b.Fatalf("no full frame after 10 s:\n%q", s)
			}
			time.Sleep(200 * time.Microsecond)
		}
		b.StopTimer()
		if _, err := feed.Write([]byte("q")); err != nil {
			b.Fatal(err)
		}
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// TestLocalPolicyLimits: the local console takes its approval limits from
// the profile in config.toml, parsed exactly, and a bad one is an error
// naming the setting rather than no limit at all.
func TestLocalPolicyLimits(t *testing.T) {
	for _, tc := range []struct {
		name, toml string
		want       payout.Limits
		none       bool
		err        string
	}{
		{name: "no profile", toml: "", none: true},
		{name: "no limits", toml: "[profiles.default]\nenvironment = \"sandbox\"\n", none: true},
		{name: "all three", toml: "[profiles.default]\napprove_limit = \"5,000,000.00\"\ndaily_limit = \"10000000\"\nmonthly_limit = \"25,000,000.50\"\n",
			want: payout.Limits{Approve: client.Units(5_000_000), Daily: client.Units(10_000_000), Monthly: client.Units(25_000_000) + 50}},
		{name: "daily only", toml: "[profiles.default]\ndaily_limit = \"1,000.00\"\n", want: payout.Limits{Daily: client.Units(1000)}},
		{name: "bad amount", toml: "[profiles.default]\napprove_limit = \"lots\"\n", err: "approve_limit"},
		{name: "negative", toml: "[profiles.default]\ndaily_limit = \"-5\"\n", err: "daily_limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("XDG_CONFIG_HOME", dir)
			writeFile(t, filepath.Join(dir, "malipo", "config.toml"), tc.toml)
			pol, err := localPolicy("default")
			switch {
			case tc.err != "":
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one naming %s", err, tc.err)
				}
			case err != nil:
				t.Fatal(err)
			case tc.none:
				if pol != nil {
					t.Fatalf("a policy without limits: %+v", pol())
				}
			default:
				if got := pol().LimitsFor(""); got != tc.want {
					t.Fatalf("limits %+v, want %+v", got, tc.want)
				}
				if n, _ := pol().Need(payout.B2C, client.Units(50_000_000), 3); n != 1 {
					t.Fatalf("the local console needs %d approvers, want 1", n)
				}
			}
		})
	}
}

// TestNotifyAbove: the bell's threshold is --notify-above when given,
// else the profile's notify_above in config.toml (parsed exactly, a bad
// value an error naming the key), else the default.
func TestNotifyAbove(t *testing.T) {
	for _, tc := range []struct {
		name, toml, flag string
		want             client.Amount
		err              string
	}{
		{name: "default", toml: "", want: client.Units(defaultNotifyAbove)},
		{name: "profile", toml: "[profiles.default]\nnotify_above = \"2,500.50\"\n", want: client.Units(2500) + 50},
		{name: "profile off", toml: "[profiles.default]\nnotify_above = \"0\"\n", want: 0},
		{name: "other profile", toml: "[profiles.shop2]\nnotify_above = \"1\"\n", want: client.Units(defaultNotifyAbove)},
		{name: "flag wins", toml: "[profiles.default]\nnotify_above = \"2,500\"\n", flag: "50000", want: client.Units(50_000)},
		{name: "flag zero wins", toml: "[profiles.default]\nnotify_above = \"2,500\"\n", flag: "0", want: 0},
		{name: "bad", toml: "[profiles.default]\nnotify_above = \"lots\"\n", err: `notify_above = "lots"`},
		{name: "negative", toml: "[profiles.default]\nnotify_above = \"-5\"\n", err: "notify_above"},
		{name: "float", toml: "[profiles.default]\nnotify_above = 10000.5\n", err: "config.toml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("XDG_CONFIG_HOME", dir)
			writeFile(t, filepath.Join(dir, "malipo", "config.toml"), tc.toml)
			g := &globals{notifyAbove: amountFlag{a: client.Units(defaultNotifyAbove)}}
			if tc.flag != "" {
				if err := g.notifyAbove.Set(tc.flag); err != nil {
					t.Fatal(err)
				}
			}
			prof, err := profileSettings("default")
			var got client.Amount
			if err == nil {
				got, err = g.notifyFor(prof)
			}
			switch {
			case tc.err != "":
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one naming %s", err, tc.err)
				}
			case err != nil:
				t.Fatal(err)
			case got != tc.want:
				t.Fatalf("threshold %s, want %s", got.Decimal(), tc.want.Decimal())
			}
		})
	}
}

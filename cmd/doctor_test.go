package cmd

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/keystore"
)

// doctorLine finds the check's line in doctor's table output.
func doctorLine(out, name string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, " "+name+" ") {
			return l
		}
	}
	return ""
}

// TestDoctor runs doctor against the simulator over loopback and against
// broken setups: each failure is a ✖ line with a fix and exit status 1;
// --json matches docs/schemas/doctor.json; no secret is printed.
func TestDoctor(t *testing.T) {
	f := newReadFixture(t)
	pinned := httptest.NewServer(sim.New(sim.Options{SecretKey: "ISSecretKey_test_00000000-0000-0000-0000-000000000000",
		PublishableKey: testPub}))
	defer pinned.Close()
	dead := httptest.NewServer(nil)
	dead.Close()
	schema := schemas(t)

	dir := t.TempDir()
	users := filepath.Join(dir, "users.toml")
	writeUsers(t, users, newPerson(t, "amina", "viewer"))
	looseUsers := filepath.Join(dir, "loose.toml")
	writeUsers(t, looseUsers, newPerson(t, "amina", "viewer"))
	hostKey := writeHostKey(t, dir, "host_key", 0o600)
	looseKey := writeHostKey(t, dir, "loose_key", 0o644)
	devKey := writeDeviceKey(t, dir)

	tests := []struct {
		name   string
		keys   bool
		env    map[string]string
		args   []string
		code   int
		ok     []string // checks that pass
		failed []string // checks that fail, each followed by a fix
	}{
		{name: "all good", keys: true, args: []string{"--base-url", f.base},
			ok: []string{"profile", "secrets store", "keys", "IntaSend reachable", "keys accepted", "wallet can disburse", "clock", "payout journal"}},
		{name: "no keys", args: []string{"--base-url", f.base}, code: 1, failed: []string{"profile", "keys"}},
		{name: "unreachable", keys: true, args: []string{"--base-url", dead.URL}, code: 1, ok: []string{"keys"}, failed: []string{"IntaSend reachable"}},
		{name: "keys refused", keys: true, args: []string{"--base-url", pinned.URL}, code: 1, ok: []string{"IntaSend reachable"}, failed: []string{"keys accepted"}},
		{name: "device key without id", keys: true, env: map[string]string{keystore.EnvDeviceKeyFile: devKey},
			args: []string{"--base-url", f.base}, code: 1, failed: []string{"device key"}},
		{name: "device key with id", keys: true, env: map[string]string{keystore.EnvDeviceKeyFile: devKey, keystore.EnvDeviceID: "7"},
			args: []string{"--base-url", f.base}, ok: []string{"device key"}},
		{name: "serve files", keys: true, args: []string{"--base-url", f.base, "--users", users, "--host-key", hostKey},
			ok: []string{"serve users file", "serve host key"}},
		{name: "serve files others can change", keys: true, args: []string{"--base-url", f.base, "--users", looseUsers, "--host-key", looseKey},
			code: 1, failed: []string{"serve users file", "serve host key"}},
	}
	if err := os.Chmod(looseUsers, 0o666); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.keys {
				withKeys(t)
			} else {
				isolate(t)
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			out, errw, code := runCLI(t, append([]string{"doctor"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errw)
			}
			for _, name := range tt.ok {
				if l := doctorLine(out, name); !strings.HasPrefix(l, "✔") {
					t.Errorf("%s: %q, want ✔\n%s", name, l, out)
				}
			}
			for _, name := range tt.failed {
				l := doctorLine(out, name)
				if !strings.HasPrefix(l, "✖") {
					t.Errorf("%s: %q, want ✖\n%s", name, l, out)
				}
				if rest := out[strings.Index(out, l)+len(l):]; !strings.HasPrefix(strings.TrimLeft(rest, "\n "), "fix: ") {
					t.Errorf("%s: no fix below it\n%s", name, out)
				}
			}
			js, _, jcode := runCLI(t, append([]string{"doctor", "--json"}, tt.args...)...)
			if jcode != code {
				t.Errorf("--json exit %d, table %d", jcode, code)
			}
			validate(t, schema("doctor.json"), js)
			if strings.Contains(out+errw+js, "c3b1fa1b") {
				t.Error("a secret key was printed")
			}
		})
	}
}

func writeHostKey(t *testing.T, dir, name string, mode os.FileMode) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeDeviceKey(t *testing.T, dir string) string {
	t.Helper()
	k, err := keystore.NewDeviceKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := client.MarshalPrivateKeyPEM(k)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "device.pem")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSkewCheck: the clock check reads IntaSend's Date header against a
// given local time, so it never depends on this machine's clock.
func TestSkewCheck(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	date := at.Format(http.TimeFormat)
	tests := []struct {
		name, date string
		local      time.Time
		want       string
		detail     string
	}{
		{"same", date, at, checkOK, "within 1m0s"},
		{"a little ahead", date, at.Add(40 * time.Second), checkOK, ""},
		{"ahead", date, at.Add(5 * time.Minute), checkFail, "5m0s off"},
		{"behind", date, at.Add(-2 * time.Hour), checkFail, "-2h0m0s off"},
		{"no header", "", at, checkSkip, "no Date header"},
		{"garbage", "yesterday", at, checkSkip, "unreadable"},
	}
	for _, tt := range tests {
		c := skewCheck(tt.date, tt.local, time.Minute)
		if c.Status != tt.want || !strings.Contains(c.Detail, tt.detail) || c.Status == checkFail && c.Fix == "" {
			t.Errorf("%s: %+v, want %s with %q", tt.name, c, tt.want, tt.detail)
		}
	}
}

// TestCredentialChecks: each way keystore.Load fails lands on the right
// line with its own fix.
func TestCredentialChecks(t *testing.T) {
	tests := []struct {
		err         error
		store, keys string
		fix         string
	}{
		{fmt.Errorf("load: %w", keystore.ErrKeyringLocked), checkFail, checkSkip, "unlock"},
		{keystore.ErrKeyringUnavailable, checkFail, checkSkip, "--backend file"},
		{keystore.ErrWrongPassphrase, checkFail, checkSkip, keystore.EnvPassphraseFile},
		{fmt.Errorf("profile: %w", keystore.ErrNotFound), checkOK, checkFail, "malipo login"},
		{keystore.ErrLiveEnv, checkOK, checkFail, "--allow-live-env"},
		{fmt.Errorf("x: %w", client.ErrPlainHTTP), checkOK, checkFail, "https://"},
		{fmt.Errorf("stored keys: %w", client.ErrKeyFormat), checkSkip, checkFail, "one environment"},
		{errors.New("odd"), checkSkip, checkFail, "malipo login"},
	}
	for _, tt := range tests {
		cs := credentialChecks(nil, tt.err)
		if cs[0].Status != tt.store || cs[1].Status != tt.keys || !strings.Contains(cs[0].Fix+cs[1].Fix, tt.fix) {
			t.Errorf("%v: %+v", tt.err, cs)
		}
	}
}

func TestDisburseCheck(t *testing.T) {
	if c := disburseCheck([]client.Wallet{{ID: "A", CanDisburse: false}}); c.Status != checkFail || c.Fix == "" {
		t.Errorf("no disbursing wallet: %+v", c)
	}
	if c := disburseCheck([]client.Wallet{{ID: "A"}, {ID: "B", CanDisburse: true, Currency: "KES", AvailableBalance: client.MustAmount("1234.50")}}); c.Status != checkOK || !strings.Contains(c.Detail, "B (—, KES 1,234.50 available)") {
		t.Errorf("one disbursing wallet: %+v", c)
	}
}

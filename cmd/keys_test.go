package cmd

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/keystore"
)

const (
	kPub    = "ISPubKey_test_0f0e0d0c-1111-4a4a-8b8b-0123456789ab"
	kSecret = "ISSecretKey_test_0f0e0d0c-2222-4a4a-8b8b-abcdef018181"
)

// keyHome gives a test its own HOME and XDG dirs, an in-memory keyring and
// no MALIPO_* variables. It returns the root and the config dir.
func keyHome(t *testing.T) (root, cfgDir string) {
	t.Helper()
	root = t.TempDir()
	t.Setenv("HOME", filepath.Join(root, "home"))
	for _, v := range []string{"CONFIG", "STATE", "DATA", "CACHE"} {
		t.Setenv("XDG_"+v+"_HOME", filepath.Join(root, strings.ToLower(v)))
	}
	for _, v := range []string{keystore.EnvPublishableKey, keystore.EnvSecretKey, keystore.EnvDeviceKeyFile,
		keystore.EnvDeviceID, keystore.EnvPassphraseFile} {
		t.Setenv(v, "")
	}
	keyring.MockInit()
	return root, filepath.Join(root, "config", "malipo")
}

// simURL serves a fresh simulator; it accepts any well-formed test key.
func simURL(t *testing.T, opts sim.Options) string {
	t.Helper()
	srv := httptest.NewServer(sim.New(opts))
	t.Cleanup(srv.Close)
	return srv.URL
}

type result struct {
	out, err string
	e        error
}

// all is everything the user could see.
func (r result) all() string {
	s := r.out + r.err
	if r.e != nil {
		s += r.e.Error()
	}
	return s
}

// malipo runs the real command tree in-process with stdin.
func malipo(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	root := newRootCmd()
	var out, errb bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetIn(strings.NewReader(stdin))
	err := root.ExecuteContext(context.Background())
	return result{out.String(), errb.String(), err}
}

func mustOK(t *testing.T, r result) result {
	t.Helper()
	if r.e != nil {
		t.Fatalf("command failed: %v\nstdout:\n%s\nstderr:\n%s", r.e, r.out, r.err)
	}
	return r
}

func readProfile(t *testing.T, dir, name string) *keystore.Profile {
	t.Helper()
	cfg, err := keystore.ReadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.Profiles[name]
}

func TestLoginLogoutKeyring(t *testing.T) {
	_, dir := keyHome(t)
	base := simURL(t, sim.Options{})
	r := mustOK(t, malipo(t, kPub+"\n"+kSecret+"\n", "login", "--base-url", base))
	for _, want := range []string{"SANDBOX", `profile "default"`, "ISSecretKey_test_••••8181", client.MaskKey(kPub), "verified against " + base, "OS keyring"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("login output lacks %q:\n%s", want, r.out)
		}
	}
	if strings.Contains(r.all(), kSecret) || strings.Contains(r.all(), kPub) {
		t.Fatalf("login shows a key:\n%s", r.all())
	}
	p := readProfile(t, dir, "default")
	if p == nil || p.Environment != "sandbox" || p.Backend != keystore.BackendKeyring || p.BaseURL != base {
		t.Fatalf("profile %+v", p)
	}
	if v, err := keyring.Get("malipo", "default/secret-key"); err != nil || v != kSecret {
		t.Fatalf("keyring entry: %v", err)
	}
	// Next time, the console finds the keys.
	creds, err := keystore.Load(context.Background(), "default", keystore.LoadOptions{})
	if err != nil || creds.SecretKey() != kSecret || creds.BaseURL != base {
		t.Fatalf("Load after login: %v %v", creds, err)
	}

	r = mustOK(t, malipo(t, "", "logout"))
	if !strings.Contains(r.out, `Logged out of profile "default"`) {
		t.Fatalf("logout output:\n%s", r.out)
	}
	if _, err := keyring.Get("malipo", "default/secret-key"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("secret left in the keyring: %v", err)
	}
	if readProfile(t, dir, "default") != nil {
		t.Fatal("profile left in config.toml")
	}
	if _, err := keystore.Load(context.Background(), "default", keystore.LoadOptions{}); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("Load after logout: %v", err)
	}
	r = mustOK(t, malipo(t, "", "logout"))
	if !strings.Contains(r.out, "nothing to do") {
		t.Fatalf("second logout:\n%s", r.out)
	}
}

// Every way login can fail stores nothing, says why, and shows no key.
func TestLoginFailures(t *testing.T) {
	live := "ISSecretKey_live_0f0e0d0c-2222-4a4a-8b8b-abcdef018181"
	cases := []struct {
		name    string
		stdin   string
		keyring error // MockInitWithError, nil for a working keyring
		sim     sim.Options
		down    bool // the API host is not there
		want    string
	}{
		{"not a key", "hello\n" + kSecret + "\n", nil, sim.Options{}, false, "expected ISPubKey_test_"},
		{"swapped", kSecret + "\n" + kPub + "\n", nil, sim.Options{}, false, "should start with ISPubKey_"},
		{"mixed environments", kPub + "\n" + live + "\n", nil, sim.Options{}, false, "is for sandbox but the secret key is for live"},
		{"one line only", kPub + "\n", nil, sim.Options{}, false, "stdin ended"},
		{"empty secret", kPub + "\n\n", nil, sim.Options{}, false, "needs both"},
		{"keys refused", kPub + "\n" + kSecret + "\n", nil,
			sim.Options{SecretKey: "ISSecretKey_test_99999999-0000-4000-8000-000000000000"}, false, "refused the keys"},
		{"host down", kPub + "\n" + kSecret + "\n", nil, sim.Options{}, true, "could not verify the keys"},
		{"keyring locked", kPub + "\n" + kSecret + "\n",
			errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), sim.Options{}, false, "unlock your keyring"},
		{"no secret service", kPub + "\n" + kSecret + "\n",
			errors.New(`exec: "dbus-launch": executable file not found in $PATH`), sim.Options{}, false,
			"no Secret Service is running: use --backend file, see README"},
		{"keyring too small", kPub + "\n" + kSecret + "\n", keyring.ErrSetDataTooBig, sim.Options{}, false, "use --backend file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root, dir := keyHome(t)
			if tc.keyring != nil {
				keyring.MockInitWithError(tc.keyring)
			}
			base := simURL(t, tc.sim)
			if tc.down {
				srv := httptest.NewServer(sim.New(sim.Options{}))
				base = srv.URL
				srv.Close()
			}
			r := malipo(t, tc.stdin, "login", "--base-url", base)
			if r.e == nil || !strings.Contains(r.e.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q\n%s", r.e, tc.want, r.all())
			}
			if strings.Contains(r.all(), "abcdef018181") || strings.Contains(r.all(), "0123456789ab") {
				t.Fatalf("a key leaked:\n%s", r.all())
			}
			if _, err := os.Stat(filepath.Join(dir, keystore.ConfigFile)); err == nil {
				t.Fatal("config.toml written by a failed login")
			}
			if tc.keyring == nil {
				if _, err := keyring.Get("malipo", "default/secret-key"); !errors.Is(err, keyring.ErrNotFound) {
					t.Fatalf("a failed login stored the secret: %v", err)
				}
			}
			assertNoCanary(t, root, "abcdef018181")
		})
	}
}

func TestLoginFlagsAndProfiles(t *testing.T) {
	_, dir := keyHome(t)
	base := simURL(t, sim.Options{})
	if r := malipo(t, "", "login", "--profile", "../etc"); r.e == nil || !strings.Contains(r.e.Error(), "invalid profile name") {
		t.Fatalf("bad profile: %v", r.e)
	}
	if r := malipo(t, "", "login", "--backend", "plaintext"); r.e == nil || !strings.Contains(r.e.Error(), "unknown backend") {
		t.Fatalf("bad backend: %v", r.e)
	}
	if r := malipo(t, "", "login", "--backend", "env"); r.e == nil || !strings.Contains(r.e.Error(), "read-only") {
		t.Fatalf("env backend: %v", r.e)
	}
	if r := malipo(t, "", "login", "--secret-key", kSecret); r.e == nil {
		t.Fatal("a key flag was accepted")
	}
	// Two profiles side by side; MALIPO_* set → login still stores, and warns.
	t.Setenv(keystore.EnvSecretKey, kSecret)
	r := mustOK(t, malipo(t, kPub+"\n"+kSecret+"\n", "login", "--profile", "shop2", "--base-url", base))
	if !strings.Contains(r.err, "MALIPO_PUBLISHABLE_KEY/MALIPO_SECRET_KEY are set") {
		t.Fatalf("no env note:\n%s", r.err)
	}
	if readProfile(t, dir, "shop2") == nil || readProfile(t, dir, "default") != nil {
		t.Fatal("profiles mixed up")
	}
	if v, _ := keyring.Get("malipo", "shop2/publishable-key"); v != kPub {
		t.Fatal("shop2's publishable key not stored")
	}
}

func TestDeviceCommands(t *testing.T) {
	_, dir := keyHome(t)
	base := simURL(t, sim.Options{})
	if r := malipo(t, "", "device", "new"); r.e == nil || !strings.Contains(r.e.Error(), "malipo login") {
		t.Fatalf("device new before login: %v", r.e)
	}
	mustOK(t, malipo(t, kPub+"\n"+kSecret+"\n", "login", "--base-url", base))

	r := mustOK(t, malipo(t, "", "device", "new", "--id", "12"))
	pub, err := client.ParsePublicKeyPEM([]byte(r.out))
	if err != nil || pub.N.BitLen() != 2048 || strings.TrimSpace(r.out) != strings.TrimSpace(string(pemOf(t, pub))) {
		t.Fatalf("stdout is not just the public PEM (%v):\n%s", err, r.out)
	}
	for _, want := range []string{"Settings → API Devices", "add device", "Paste the public key", keystore.Fingerprint(pub)} {
		if !strings.Contains(r.err, want) {
			t.Errorf("steps lack %q:\n%s", want, r.err)
		}
	}
	if strings.Contains(r.all(), "PRIVATE KEY") {
		t.Fatal("device new printed the private key")
	}
	if p := readProfile(t, dir, "default"); p.DeviceID != "12" {
		t.Fatalf("device id %q", p.DeviceID)
	}
	stored, err := keyring.Get("malipo", "default/device-key")
	if err != nil || !strings.HasPrefix(stored, "-----BEGIN PRIVATE KEY-----") {
		t.Fatalf("device key entry (PKCS#8 PEM): %v", err)
	}

	r = mustOK(t, malipo(t, "", "device", "show"))
	for _, want := range []string{"device id    12", "RSA-2048", "fingerprint  " + keystore.Fingerprint(pub), string(pemOf(t, pub))} {
		if !strings.Contains(r.out, want) {
			t.Errorf("show lacks %q:\n%s", want, r.out)
		}
	}

	if r := malipo(t, "", "device", "new"); r.e == nil || !strings.Contains(r.e.Error(), "already has a device key") {
		t.Fatalf("second device new: %v", r.e)
	}
	r = mustOK(t, malipo(t, "", "device", "new", "--force"))
	pub2, _ := client.ParsePublicKeyPEM([]byte(r.out))
	if pub2 == nil || pub2.Equal(pub) {
		t.Fatal("--force did not make a new key")
	}
	if p := readProfile(t, dir, "default"); p.DeviceID != "" {
		t.Fatalf("the old key's id %q survived a new key", p.DeviceID)
	}
	if !strings.Contains(r.err, "malipo device set-id ID") {
		t.Fatalf("no set-id step:\n%s", r.err)
	}
	mustOK(t, malipo(t, "", "device", "set-id", "44"))
	if p := readProfile(t, dir, "default"); p.DeviceID != "44" {
		t.Fatalf("set-id: %q", p.DeviceID)
	}
	if r := malipo(t, "", "device", "set-id", "4 4"); r.e == nil {
		t.Fatal("a device id with a space was accepted")
	}

	if r := malipo(t, "y\n", "device", "rm"); r.e == nil || !strings.Contains(r.e.Error(), "--yes") {
		t.Fatalf("rm without a terminal or --yes: %v", r.e)
	}
	mustOK(t, malipo(t, "", "device", "rm", "--yes"))
	if _, err := keyring.Get("malipo", "default/device-key"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatal("device key left after rm")
	}
	if r := malipo(t, "", "device", "show"); r.e == nil || !strings.Contains(r.e.Error(), "no device key") {
		t.Fatalf("show after rm: %v", r.e)
	}
	if r := mustOK(t, malipo(t, "", "device", "rm", "--yes")); !strings.Contains(r.out, "nothing to do") {
		t.Fatalf("second rm:\n%s", r.out)
	}
	// The API keys are untouched by all this.
	if v, _ := keyring.Get("malipo", "default/secret-key"); v != kSecret {
		t.Fatal("device commands disturbed the secret key")
	}
}

// logout --keep-device keeps the key for the next login; a plain logout
// takes it too.
func TestLogoutKeepDevice(t *testing.T) {
	_, dir := keyHome(t)
	base := simURL(t, sim.Options{})
	mustOK(t, malipo(t, kPub+"\n"+kSecret+"\n", "login", "--base-url", base))
	pub := mustOK(t, malipo(t, "", "device", "new", "--id", "5")).out
	mustOK(t, malipo(t, "", "logout", "--keep-device"))
	if _, err := keyring.Get("malipo", "default/secret-key"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatal("secret key kept")
	}
	if _, err := keystore.Load(context.Background(), "default", keystore.LoadOptions{}); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("logged-out profile loads: %v", err)
	}
	r := mustOK(t, malipo(t, kPub+"\n"+kSecret+"\n", "login", "--base-url", base))
	if !strings.Contains(r.out, "device key       kept") {
		t.Fatalf("login did not keep the device key:\n%s", r.out)
	}
	if show := mustOK(t, malipo(t, "", "device", "show")).out; !strings.Contains(show, pub) || !strings.Contains(show, "device id    5") {
		t.Fatalf("device after re-login:\n%s", show)
	}
	mustOK(t, malipo(t, "", "logout"))
	if _, err := keyring.Get("malipo", "default/device-key"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatal("logout left the device key")
	}
	if readProfile(t, dir, "default") != nil {
		t.Fatal("logout left the profile")
	}
}

// writePass writes a 0600 passphrase file and points MALIPO_PASSPHRASE_FILE at it.
func writePass(t *testing.T, pass string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(p, []byte(pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(keystore.EnvPassphraseFile, p)
}

func TestFileBackend(t *testing.T) {
	_, dir := keyHome(t)
	keyring.MockInitWithError(errors.New(`exec: "dbus-launch": executable file not found in $PATH`)) // a server: no keyring
	base := simURL(t, sim.Options{})
	if r := malipo(t, kPub+"\n"+kSecret+"\n", "login", "--base-url", base, "--backend", "file", "--scrypt-work-factor", "10"); r.e == nil ||
		!strings.Contains(r.e.Error(), "needs its passphrase") {
		t.Fatalf("no passphrase source: %v", r.e)
	}
	writePass(t, "a long server passphrase")
	r := mustOK(t, malipo(t, kPub+"\n"+kSecret+"\n", "login", "--base-url", base, "--backend", "file", "--scrypt-work-factor", "10"))
	path := filepath.Join(dir, "secrets-default.age")
	if !strings.Contains(r.out, "encrypted file "+path) {
		t.Fatalf("login output:\n%s", r.out)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file: %v", err)
	}
	if p := readProfile(t, dir, "default"); p.Backend != keystore.BackendFile {
		t.Fatalf("backend %q", p.Backend)
	}
	// Later commands use the profile's backend without being told.
	dev := mustOK(t, malipo(t, "", "device", "new", "--id", "9")).out
	if show := mustOK(t, malipo(t, "", "device", "show")).out; !strings.Contains(show, dev) {
		t.Fatal("device show differs from device new")
	}
	creds, err := keystore.Load(context.Background(), "default", keystore.LoadOptions{})
	if err != nil || creds.Backend != keystore.BackendFile || !creds.HasDeviceKey() || creds.DeviceID != "9" {
		t.Fatalf("Load: %v %v", creds, err)
	}
	// The wrong passphrase is a clear error and changes nothing.
	writePass(t, "not the passphrase")
	before, _ := os.ReadFile(path)
	if r := malipo(t, "", "device", "show"); r.e == nil || !strings.Contains(r.e.Error(), "wrong passphrase") {
		t.Fatalf("wrong passphrase: %v", r.e)
	}
	if r := malipo(t, "", "device", "new", "--force"); r.e == nil || !strings.Contains(r.e.Error(), "wrong passphrase") {
		t.Fatalf("wrong passphrase on write: %v", r.e)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Fatal("the file changed under a wrong passphrase")
	}
	// logout removes the file (no passphrase needed to forget).
	mustOK(t, malipo(t, "", "logout"))
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("secrets file left after logout: %v", err)
	}
}

// Moving a profile from the keyring to the file backend carries the
// device key and leaves nothing in the keyring.
func TestSwitchBackend(t *testing.T) {
	_, dir := keyHome(t)
	base := simURL(t, sim.Options{})
	mustOK(t, malipo(t, kPub+"\n"+kSecret+"\n", "login", "--base-url", base))
	dev := mustOK(t, malipo(t, "", "device", "new")).out
	writePass(t, "a long server passphrase")
	mustOK(t, malipo(t, kPub+"\n"+kSecret+"\n", "login", "--backend", "file", "--scrypt-work-factor", "10"))
	for _, item := range []string{"secret-key", "publishable-key", "device-key"} {
		if _, err := keyring.Get("malipo", "default/"+item); !errors.Is(err, keyring.ErrNotFound) {
			t.Errorf("%s left in the keyring: %v", item, err)
		}
	}
	if p := readProfile(t, dir, "default"); p.Backend != keystore.BackendFile || p.BaseURL != base {
		t.Fatalf("profile %+v", p)
	}
	if show := mustOK(t, malipo(t, "", "device", "show")).out; !strings.Contains(show, dev) {
		t.Fatal("device key not carried over")
	}
}

// The leak test (issue 3): a canary secret goes through login, device new
// and a signed approval; it must appear in no output, error, config file
// or any other file under HOME and the XDG dirs, except inside the
// encrypted store. Run for both backends.
func TestSecretsNeverLeak(t *testing.T) {
	for _, backend := range []string{keystore.BackendKeyring, keystore.BackendFile} {
		t.Run(backend, func(t *testing.T) {
			root, dir := keyHome(t)
			canaryID := canaryUUID(t)
			secret := "ISSecretKey_test_" + canaryID
			pub := "ISPubKey_test_" + canaryUUID(t)
			writePass(t, "a long test passphrase")
			base := simURL(t, sim.Options{})
			logs := captureLogs(t)
			var seen []string
			record := func(r result) result { seen = append(seen, r.all()); return r }

			// Failures first: their messages must not carry the key either.
			downSrv := httptest.NewServer(sim.New(sim.Options{}))
			downSrv.Close()
			record(malipo(t, pub+"\n"+secret+"\n", "login", "--backend", backend, "--scrypt-work-factor", "10", "--base-url", downSrv.URL))
			record(malipo(t, pub+"\n"+secret+"\n", "login", "--backend", backend, "--scrypt-work-factor", "10",
				"--base-url", simURL(t, sim.Options{SecretKey: "ISSecretKey_test_99999999-0000-4000-8000-000000000000"})))
			record(malipo(t, secret+"\n"+secret+"\n", "login"))

			record(mustOK(t, malipo(t, pub+"\n"+secret+"\n", "login", "--backend", backend, "--scrypt-work-factor", "10", "--base-url", base)))
			pubPEM := record(mustOK(t, malipo(t, "", "device", "new", "--id", "7"))).out
			record(mustOK(t, malipo(t, "", "device", "show")))

			// Config says only what it should.
			cfgText, err := os.ReadFile(filepath.Join(dir, keystore.ConfigFile))
			if err != nil {
				t.Fatal(err)
			}
			for _, bad := range []string{canaryID, "ISSecretKey_", "ISPubKey_", "PRIVATE KEY", "passphrase"} {
				if strings.Contains(string(cfgText), bad) {
					t.Fatalf("config.toml holds %q:\n%s", bad, cfgText)
				}
			}

			// A signed approval with the stored device key, checked by the
			// simulator against the public half device new printed.
			devPub, err := client.ParsePublicKeyPEM([]byte(pubPEM))
			if err != nil {
				t.Fatal(err)
			}
			creds, err := keystore.Load(context.Background(), "default", keystore.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			s := sim.New(sim.Options{Devices: map[string]*rsa.PublicKey{"7": devPub}, FailureRate: -1})
			srv := httptest.NewServer(s)
			defer srv.Close()
			c, err := creds.Client(client.WithBaseURL(srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			b, err := c.InitiatePayout(ctx, client.InitiateRequest{Provider: client.MPesaB2C, Currency: "KES",
				DeviceID: creds.DeviceID, Transactions: []client.PayoutItem{{Name: "Jane Doe", Account: "254712345678", Amount: client.MustAmount("99.00")}}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.ApprovePayout(ctx, b); err != nil {
				t.Fatalf("signed approval: %v", err)
			}
			if info, _ := s.Batch(b.TrackingID); info.Approvals != 1 {
				t.Fatalf("approvals %d", info.Approvals)
			}
			// Replaying the approval fails: its error must not leak either.
			_, replayErr := c.ApprovePayout(ctx, b)
			seen = append(seen, fmt.Sprint(replayErr), creds.String(), fmt.Sprintf("%v %+v %#v", creds, creds, creds), c.String())

			if n := assertNoCanary(t, root, canaryID); n == 0 {
				t.Fatal("no files to scan: config.toml should be there")
			}
			record(mustOK(t, malipo(t, "", "logout")))
			seen = append(seen, logs.String())

			for i, s := range seen {
				for _, bad := range []string{canaryID, secret, "PRIVATE KEY"} {
					if strings.Contains(s, bad) {
						t.Fatalf("output %d shows %q:\n%s", i, bad, s)
					}
				}
			}
			assertNoCanary(t, root, canaryID)
		})
	}
}

// assertNoCanary scans every file under root; only an encrypted store may
// hold the secret (and there it is sealed, so the canary is not visible).
func assertNoCanary(t *testing.T, root, canary string) int {
	t.Helper()
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte(canary)) || bytes.Contains(data, []byte("PRIVATE KEY")) {
			t.Errorf("%s holds the canary or a private key in plain text", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// captureLogs sends the standard and slog default loggers to a buffer for
// the test, so whatever anything logs can be checked for secrets.
func captureLogs(t *testing.T) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	prevSlog, prevOut, prevFlags := slog.Default(), log.Writer(), log.Flags()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	log.SetOutput(&buf) // after slog.SetDefault, which redirects log too
	t.Cleanup(func() {
		slog.SetDefault(prevSlog)
		log.SetOutput(prevOut)
		log.SetFlags(prevFlags)
	})
	return &buf
}

func canaryUUID(t *testing.T) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func pemOf(t *testing.T, pub *rsa.PublicKey) []byte {
	t.Helper()
	p, err := client.MarshalPublicKeyPEM(pub)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

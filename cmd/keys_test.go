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
	"github.com/malipo/malipo/internal/testcheck"
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

// mustFail stops the test unless r failed with an error saying want.
func mustFail(t *testing.T, what string, r result, want string) {
	t.Helper()
	testcheck.Expect(t, what, r.e, testcheck.C("an error saying "+want, r.e != nil && strings.Contains(r.e.Error(), want)))
}

// keyringLacks stops the test unless the keyring has no item.
func keyringLacks(t *testing.T, what, item string) {
	t.Helper()
	_, err := keyring.Get("malipo", item)
	testcheck.Expect(t, what, err, testcheck.C(item+" not found", errors.Is(err, keyring.ErrNotFound)))
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
	testcheck.Contains(t, "login output", r.out, "SANDBOX", `profile "default"`, "ISSecretKey_test_••••8181", client.MaskKey(kPub), "verified against "+base, "OS keyring")
	testcheck.Expect(t, "login output", r.all(), testcheck.C("no secret key", !strings.Contains(r.all(), kSecret)), testcheck.C("no publishable key", !strings.Contains(r.all(), kPub)))
	p := readProfile(t, dir, "default")
	testcheck.Expect(t, "profile", p, testcheck.C("written", p != nil))
	testcheck.Expect(t, "profile", p, testcheck.C("sandbox", p.Environment == "sandbox"),
		testcheck.C("keyring backend", p.Backend == keystore.BackendKeyring), testcheck.C("base URL", p.BaseURL == base))
	v, err := keyring.Get("malipo", "default/secret-key")
	testcheck.Expect(t, "keyring entry", err, testcheck.C("found", err == nil), testcheck.C("the secret key", v == kSecret))
	// Next time, the console finds the keys.
	creds, err := keystore.Load(context.Background(), "default", keystore.LoadOptions{})
	testcheck.Expect(t, "Load after login", fmt.Sprintf("%v %v", creds, err), testcheck.C("no error", err == nil))
	testcheck.Expect(t, "Load after login", creds, testcheck.C("the secret key", creds.SecretKey() == kSecret), testcheck.C("base URL", creds.BaseURL == base))

	r = mustOK(t, malipo(t, "", "logout"))
	testcheck.Contains(t, "logout output", r.out, `Logged out of profile "default"`)
	keyringLacks(t, "secret left in the keyring", "default/secret-key")
	testcheck.Expect(t, "profile after logout", nil, testcheck.C("gone from config.toml", readProfile(t, dir, "default") == nil))
	_, err = keystore.Load(context.Background(), "default", keystore.LoadOptions{})
	testcheck.Expect(t, "Load after logout", err, testcheck.C("not found", errors.Is(err, keystore.ErrNotFound)))
	r = mustOK(t, malipo(t, "", "logout"))
	testcheck.Contains(t, "second logout", r.out, "nothing to do")
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
	mustFail(t, "device new before login", malipo(t, "", "device", "new"), "malipo login")
	mustOK(t, malipo(t, kPub+"\n"+kSecret+"\n", "login", "--base-url", base))
	pub := deviceNew(t, dir)
	r := mustOK(t, malipo(t, "", "device", "show"))
	testcheck.Contains(t, "show", r.out, "device id    12", "RSA-2048", "fingerprint  "+keystore.Fingerprint(pub), string(pemOf(t, pub)))
	deviceNewForce(t, dir, pub)
	deviceRemove(t)
	// The API keys are untouched by all this.
	v, _ := keyring.Get("malipo", "default/secret-key")
	testcheck.Expect(t, "the secret key after device commands", nil, testcheck.C("undisturbed", v == kSecret))
}

// deviceNew makes a device key with id 12: stdout is just the public PEM,
// stderr the steps, the private key only in the keyring.
func deviceNew(t *testing.T, dir string) *rsa.PublicKey {
	t.Helper()
	r := mustOK(t, malipo(t, "", "device", "new", "--id", "12"))
	pub, err := client.ParsePublicKeyPEM([]byte(r.out))
	testcheck.Expect(t, "stdout is not just the public PEM", fmt.Sprintf("(%v):\n%s", err, r.out), testcheck.C("parses", err == nil))
	testcheck.Expect(t, "stdout is not just the public PEM", fmt.Sprintf("(%v):\n%s", err, r.out),
		testcheck.C("RSA-2048", pub.N.BitLen() == 2048), testcheck.C("only the PEM", strings.TrimSpace(r.out) == strings.TrimSpace(string(pemOf(t, pub)))))
	testcheck.Contains(t, "steps", r.err, "Settings → API Devices", "add device", "Paste the public key", keystore.Fingerprint(pub))
	testcheck.Expect(t, "device new's output", "(not shown)", testcheck.C("no private key", !strings.Contains(r.all(), "PRIVATE KEY")))
	p := readProfile(t, dir, "default")
	testcheck.Expect(t, "device id", p.DeviceID, testcheck.C("12", p.DeviceID == "12"))
	stored, err := keyring.Get("malipo", "default/device-key")
	testcheck.Expect(t, "device key entry (PKCS#8 PEM)", err, testcheck.C("found", err == nil), testcheck.C("PKCS#8 PEM", strings.HasPrefix(stored, "-----BEGIN PRIVATE KEY-----")))
	return pub
}

// deviceNewForce: a second key needs --force, makes a new key, forgets
// the old key's id and says how to set the new one; set-id checks ids.
func deviceNewForce(t *testing.T, dir string, pub *rsa.PublicKey) {
	t.Helper()
	mustFail(t, "second device new", malipo(t, "", "device", "new"), "already has a device key")
	r := mustOK(t, malipo(t, "", "device", "new", "--force"))
	pub2, _ := client.ParsePublicKeyPEM([]byte(r.out))
	testcheck.Expect(t, "--force", nil, testcheck.C("made a new key", pub2 != nil && !pub2.Equal(pub)))
	p := readProfile(t, dir, "default")
	testcheck.Expect(t, "the old key's id after a new key", p.DeviceID, testcheck.C("gone", p.DeviceID == ""))
	testcheck.Expect(t, "set-id step", r.err, testcheck.C("shown", strings.Contains(r.err, "malipo device set-id ID")))
	mustOK(t, malipo(t, "", "device", "set-id", "44"))
	p = readProfile(t, dir, "default")
	testcheck.Expect(t, "set-id", p.DeviceID, testcheck.C("44", p.DeviceID == "44"))
	r = malipo(t, "", "device", "set-id", "4 4")
	testcheck.Expect(t, "a device id with a space", r.e, testcheck.C("refused", r.e != nil))
}

// deviceRemove: rm wants --yes without a terminal, removes the key, and
// a second rm has nothing to do.
func deviceRemove(t *testing.T) {
	t.Helper()
	mustFail(t, "rm without a terminal or --yes", malipo(t, "y\n", "device", "rm"), "--yes")
	mustOK(t, malipo(t, "", "device", "rm", "--yes"))
	keyringLacks(t, "device key left after rm", "default/device-key")
	mustFail(t, "show after rm", malipo(t, "", "device", "show"), "no device key")
	r := mustOK(t, malipo(t, "", "device", "rm", "--yes"))
	testcheck.Contains(t, "second rm", r.out, "nothing to do")
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
	mustFail(t, "no passphrase source", malipo(t, kPub+"\n"+kSecret+"\n", "login", "--base-url", base, "--backend", "file", "--scrypt-work-factor", "10"), "needs its passphrase")
	writePass(t, "a long server passphrase")
	r := mustOK(t, malipo(t, kPub+"\n"+kSecret+"\n", "login", "--base-url", base, "--backend", "file", "--scrypt-work-factor", "10"))
	path := filepath.Join(dir, "secrets-default.age")
	testcheck.Expect(t, "login output", r.out, testcheck.C("names the encrypted file", strings.Contains(r.out, "encrypted file "+path)))
	st, err := os.Stat(path)
	testcheck.Expect(t, "secrets file", err, testcheck.C("exists", err == nil), testcheck.C("mode 0600", err == nil && st.Mode().Perm() == 0o600))
	p := readProfile(t, dir, "default")
	testcheck.Expect(t, "backend", p.Backend, testcheck.C("file", p.Backend == keystore.BackendFile))
	// Later commands use the profile's backend without being told.
	dev := mustOK(t, malipo(t, "", "device", "new", "--id", "9")).out
	show := mustOK(t, malipo(t, "", "device", "show")).out
	testcheck.Expect(t, "device show", nil, testcheck.C("the same as device new", strings.Contains(show, dev)))
	creds, err := keystore.Load(context.Background(), "default", keystore.LoadOptions{})
	testcheck.Expect(t, "Load", fmt.Sprintf("%v %v", creds, err), testcheck.C("no error", err == nil))
	testcheck.Expect(t, "Load", fmt.Sprintf("%v %v", creds, err), testcheck.C("file backend", creds.Backend == keystore.BackendFile),
		testcheck.C("a device key", creds.HasDeviceKey()), testcheck.C("device id 9", creds.DeviceID == "9"))
	// The wrong passphrase is a clear error and changes nothing.
	writePass(t, "not the passphrase")
	before, _ := os.ReadFile(path)
	mustFail(t, "wrong passphrase", malipo(t, "", "device", "show"), "wrong passphrase")
	mustFail(t, "wrong passphrase on write", malipo(t, "", "device", "new", "--force"), "wrong passphrase")
	after, _ := os.ReadFile(path)
	testcheck.Expect(t, "the file under a wrong passphrase", nil, testcheck.C("unchanged", bytes.Equal(before, after)))
	// logout removes the file (no passphrase needed to forget).
	mustOK(t, malipo(t, "", "logout"))
	_, err = os.Stat(path)
	testcheck.Expect(t, "secrets file after logout", err, testcheck.C("removed", errors.Is(err, fs.ErrNotExist)))
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

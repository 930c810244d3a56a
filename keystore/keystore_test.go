package keystore

import (
	"bytes"
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

// deviceKey is one RSA-2048 key shared by the tests (generating is slow).
func deviceKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	keyOnce.Do(func() {
		k, err := NewDeviceKey()
		if err != nil {
			panic(err)
		}
		testKey = k
	})
	return testKey
}

func devicePEM(t *testing.T) []byte {
	t.Helper()
	p, err := client.MarshalPrivateKeyPEM(deviceKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// isolate points every path malipo uses at a temp dir and clears MALIPO_*.
func isolate(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	t.Setenv("HOME", root)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(root, "config"))
	for _, v := range []string{EnvPublishableKey, EnvSecretKey, EnvDeviceKeyFile, EnvDeviceID, EnvPassphraseFile, EnvAuditKeyFile} {
		t.Setenv(v, "")
	}
	return filepath.Join(root, "config", "malipo")
}

func TestCheckKeys(t *testing.T) {
	cases := []struct {
		name, pub, sec string
		env            client.Env
		err            string
	}{
		{"sandbox pair", testPub, testSecret, client.Sandbox, ""},
		{"live pair", "ISPubKey_live_0123456789abcdef", "ISSecretKey_live_0123456789abcdef", client.Live, ""},
		{"only secret", "", testSecret, client.Sandbox, ""},
		{"mixed environments", "ISPubKey_live_0123456789abcdef", testSecret, "", "publishable key is for live but the secret key is for sandbox"},
		{"swapped", testSecret, testPub, "", "should start with ISPubKey_"},
		{"secret in both", testSecret, testSecret, "", "should start with ISPubKey_"},
		{"garbage", "hello", testSecret, "", "expected ISPubKey_test_"},
		{"bad env", "ISPubKey_prod_0123456789abcdef", testSecret, "", "_test_ or _live_"},
		{"none", "", "", "", "no API key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env, err := CheckKeys(tc.pub, tc.sec)
			if tc.err == "" {
				if err != nil || env != tc.env {
					t.Fatalf("got %s, %v; want %s", env, err, tc.env)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, client.ErrKeyFormat) {
				t.Fatalf("got %v; want ErrKeyFormat saying %q", err, tc.err)
			}
			if strings.Contains(err.Error(), "c4na7y0f8181") {
				t.Fatal("the error contains the key")
			}
		})
	}
}

func TestCheckProfile(t *testing.T) {
	for name, ok := range map[string]bool{
		"default": true, "live": true, "shop-2.ke_prod": true,
		"": false, "../etc": false, "a/b": false, ".hidden": false, "with space": false, strings.Repeat("x", 65): false,
	} {
		if err := CheckProfile(name); (err == nil) != ok {
			t.Errorf("%q: %v", name, err)
		}
	}
}

func TestConfig(t *testing.T) {
	dir := isolate(t)
	got, err := ConfigDir()
	if err != nil || got != dir {
		t.Fatalf("ConfigDir %q, %v; want %q", got, err, dir)
	}
	t.Setenv("XDG_CONFIG_HOME", "")
	if got, _ := ConfigDir(); got != filepath.Join(os.Getenv("HOME"), ".config", "malipo") {
		t.Fatalf("fallback ConfigDir %q", got)
	}
	cfg, err := ReadConfig(dir)
	if err != nil || len(cfg.Profiles) != 0 {
		t.Fatalf("missing config: %v, %d profiles", err, len(cfg.Profiles))
	}
	cfg.Profiles["default"] = &Profile{Environment: "sandbox", BaseURL: "http://127.0.0.1:8089/api/v1/", Backend: BackendFile,
		DeviceID: "12", Preferences: map[string]string{"theme": "dark"}}
	if err := WriteConfig(dir, cfg); err != nil {
		t.Fatal(err)
	}
	assertMode(t, filepath.Join(dir, ConfigFile), 0o600)
	assertMode(t, dir, 0o700)
	back, err := ReadConfig(dir)
	if err != nil || fmt.Sprint(*back.Profiles["default"]) != fmt.Sprint(*cfg.Profiles["default"]) {
		t.Fatalf("round trip: %v %+v", err, back.Profiles["default"])
	}
	// Nothing that looks like a key is ever written.
	for _, v := range []string{testSecret, testPub, string(devicePEM(t))} {
		cfg.Profiles["default"].Preferences["oops"] = v
		if err := WriteConfig(dir, cfg); err == nil {
			t.Fatalf("WriteConfig accepted %.20q…", v)
		}
	}
	data, _ := os.ReadFile(filepath.Join(dir, ConfigFile))
	if looksSecret(string(data)) {
		t.Fatal("config.toml holds a key")
	}
	if err := os.WriteFile(filepath.Join(dir, ConfigFile), []byte("profiles = ["), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadConfig(dir); err == nil {
		t.Fatal("a broken config.toml read without error")
	}
}

func writeProfile(t *testing.T, dir, name string, p *Profile) {
	t.Helper()
	cfg, err := ReadConfig(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Profiles[name] = p
	if err := WriteConfig(dir, cfg); err != nil {
		t.Fatal(err)
	}
}

func TestLoadNotFound(t *testing.T) {
	dir := isolate(t)
	keyring.MockInit()
	ctx := context.Background()
	if _, err := Load(ctx, "default", LoadOptions{}); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "malipo login") {
		t.Fatalf("no config: %v", err)
	}
	// In config.toml but nothing in the keyring.
	writeProfile(t, dir, "default", &Profile{Environment: "sandbox"})
	if _, err := Load(ctx, "", LoadOptions{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("nothing stored: %v", err)
	}
	// Only a device key left behind by logout --keep-device.
	if err := NewKeyringStore(0).Save(ctx, "default", Secrets{DeviceKey: string(devicePEM(t))}); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, "default", LoadOptions{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("device key only: %v", err)
	}
	if _, err := Load(ctx, "../x", LoadOptions{}); !errors.Is(err, ErrProfileName) {
		t.Fatalf("bad name: %v", err)
	}
	// A keyring that fails is reported as such, not as "not logged in".
	keyring.MockInitWithError(errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"))
	if _, err := Load(ctx, "default", LoadOptions{}); !errors.Is(err, ErrKeyringLocked) || errors.Is(err, ErrNotFound) {
		t.Fatalf("locked: %v", err)
	}
}

func TestLoadEnv(t *testing.T) {
	dir := isolate(t)
	ctx := context.Background()
	live := [2]string{"ISPubKey_live_0123456789abcdef", "ISSecretKey_live_0123456789abcdef"}
	pemPath := filepath.Join(t.TempDir(), "device.pem")
	if err := os.WriteFile(pemPath, devicePEM(t), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		pub, sec  string
		allowLive bool
		devFile   string
		err       error
		env       client.Env
	}{
		{"test keys", testPub, testSecret, false, "", nil, client.Sandbox},
		{"test keys with a device key", testPub, testSecret, false, pemPath, nil, client.Sandbox},
		{"live refused", live[0], live[1], false, "", ErrLiveEnv, ""},
		{"live allowed", live[0], live[1], true, "", nil, client.Live},
		{"mixed", live[0], testSecret, true, "", client.ErrKeyFormat, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvPublishableKey, tc.pub)
			t.Setenv(EnvSecretKey, tc.sec)
			t.Setenv(EnvDeviceKeyFile, tc.devFile)
			t.Setenv(EnvDeviceID, "7")
			c, err := Load(ctx, "default", LoadOptions{AllowLiveEnv: tc.allowLive, Dir: dir})
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("got %v, want %v", err, tc.err)
				}
				if errors.Is(err, ErrLiveEnv) && !strings.Contains(err.Error(), "--allow-live-env") {
					t.Fatalf("%q does not name --allow-live-env", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Backend != BackendEnv || c.Env != tc.env || c.SecretKey() != tc.sec || c.PublishableKey() != tc.pub ||
				c.DeviceID != "7" || c.BaseURL != DefaultBaseURL(tc.env) || c.HasDeviceKey() != (tc.devFile != "") {
				t.Fatalf("credentials %v", c)
			}
		})
	}
}

// The profile's backend, base URL and device id all reach Credentials,
// and --base-url wins.
func TestLoadPrecedence(t *testing.T) {
	dir := isolate(t)
	keyring.MockInit()
	ctx := context.Background()
	if err := NewKeyringStore(0).Save(ctx, "shop", Secrets{PublishableKey: testPub, SecretKey: testSecret}); err != nil {
		t.Fatal(err)
	}
	writeProfile(t, dir, "shop", &Profile{Environment: "sandbox", BaseURL: "http://127.0.0.1:1/api/v1/", DeviceID: "3"})
	c, err := Load(ctx, "shop", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL != "http://127.0.0.1:1/api/v1/" || c.DeviceID != "3" || c.Backend != BackendKeyring || c.Signer() != nil {
		t.Fatalf("%v", c)
	}
	c, err = Load(ctx, "shop", LoadOptions{BaseURL: "http://127.0.0.1:2/"})
	if err != nil || c.BaseURL != "http://127.0.0.1:2/" {
		t.Fatalf("override: %v %v", c, err)
	}
	// A profile written for live does not lend its URL to sandbox keys.
	writeProfile(t, dir, "shop", &Profile{Environment: "live", BaseURL: "http://127.0.0.1:1/api/v1/"})
	if c, err = Load(ctx, "shop", LoadOptions{}); err != nil || c.BaseURL != client.SandboxBaseURL {
		t.Fatalf("mismatched env: %v %v", c, err)
	}
}

// Nothing that formats Credentials or Secrets shows a secret.
func TestMasked(t *testing.T) {
	isolate(t)
	t.Setenv(EnvPublishableKey, testPub)
	t.Setenv(EnvSecretKey, testSecret)
	pemPath := filepath.Join(t.TempDir(), "device.pem")
	if err := os.WriteFile(pemPath, devicePEM(t), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvDeviceKeyFile, pemPath)
	c, err := Load(context.Background(), "default", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sec := Secrets{PublishableKey: testPub, SecretKey: testSecret, DeviceKey: string(devicePEM(t))}
	var logBuf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logBuf, nil))
	log.Info("creds", "c", c, "s", sec)
	out := fmt.Sprintf("%v %+v %#v %s %v %+v %#v %s", c, c, c, c, sec, sec, &sec, sec) + logBuf.String()
	for _, leak := range []string{"c4na7y0f8181", "aaaa-4b1e", "PRIVATE KEY", "MII"} {
		if strings.Contains(out, leak) {
			t.Fatalf("formatted output shows %q:\n%s", leak, out)
		}
	}
	if !strings.Contains(out, "ISSecretKey_test_••••8181") {
		t.Fatalf("masked form missing:\n%s", out)
	}
}

// A device key goes into each backend and comes back able to sign an
// approval the simulator's device check accepts.
func TestDeviceKeyRoundTrip(t *testing.T) {
	key := deviceKey(t)
	pemText := string(devicePEM(t))
	backends := []struct {
		name  string
		store func(dir string) Store
	}{
		{BackendKeyring, func(string) Store { keyring.MockInit(); return NewKeyringStore(0) }},
		{BackendFile, func(dir string) Store { return NewFileStore(dir, staticPass("round trip pass"), fastWork) }},
		{BackendEnv, nil},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			dir := isolate(t)
			ctx := context.Background()
			opts := LoadOptions{Passphrase: staticPass("round trip pass")}
			if b.store != nil {
				if err := b.store(dir).Save(ctx, "default", Secrets{PublishableKey: testPub, SecretKey: testSecret, DeviceKey: pemText}); err != nil {
					t.Fatal(err)
				}
				writeProfile(t, dir, "default", &Profile{Environment: "sandbox", Backend: b.name, DeviceID: "7"})
			} else {
				p := filepath.Join(t.TempDir(), "device.pem")
				if err := os.WriteFile(p, []byte(pemText), 0o600); err != nil {
					t.Fatal(err)
				}
				t.Setenv(EnvPublishableKey, testPub)
				t.Setenv(EnvSecretKey, testSecret)
				t.Setenv(EnvDeviceKeyFile, p)
				t.Setenv(EnvDeviceID, "7")
			}
			creds, err := Load(ctx, "default", opts)
			if err != nil {
				t.Fatal(err)
			}
			if creds.Backend != b.name || creds.DeviceID != "7" || !creds.DevicePublicKey().Equal(&key.PublicKey) {
				t.Fatalf("loaded %v", creds)
			}
			sig, err := creds.Signer().SignNonce("1aiw02")
			if err != nil {
				t.Fatal(err)
			}
			if err := client.VerifyNonce(&key.PublicKey, "1aiw02", sig); err != nil {
				t.Fatalf("signature does not verify: %v", err)
			}
			approveOnSim(t, creds, &key.PublicKey, true)
		})
	}
}

// approveOnSim initiates a batch bound to device 7 and approves it with
// creds' signer; the simulator verifies the signature with pub.
func approveOnSim(t *testing.T, creds *Credentials, pub *rsa.PublicKey, wantOK bool) {
	t.Helper()
	s := sim.New(sim.Options{Devices: map[string]*rsa.PublicKey{creds.DeviceID: pub}, FailureRate: -1})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := creds.Client(client.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if !c.HasSigner() {
		t.Fatal("the client has no signer")
	}
	ctx := context.Background()
	b, err := c.InitiatePayout(ctx, client.InitiateRequest{
		Provider: client.MPesaB2C, Currency: "KES", DeviceID: creds.DeviceID,
		Transactions: []client.PayoutItem{{Name: "Jane Doe", Account: "254712345678", Amount: client.MustAmount("150.00"), Narrative: "refund"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ApprovePayout(ctx, b)
	info, _ := s.Batch(b.TrackingID)
	if wantOK && (err != nil || info.Approvals != 1) {
		t.Fatalf("approval refused: %v (approvals %d)", err, info.Approvals)
	}
	if !wantOK && (err == nil || info.Approvals != 0) {
		t.Fatalf("approval with the wrong key accepted (approvals %d)", info.Approvals)
	}
}

// The simulator refuses a signature from a key other than the device's.
func TestDeviceKeyWrongKeyRefused(t *testing.T) {
	isolate(t)
	t.Setenv(EnvPublishableKey, testPub)
	t.Setenv(EnvSecretKey, testSecret)
	p := filepath.Join(t.TempDir(), "device.pem")
	if err := os.WriteFile(p, devicePEM(t), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvDeviceKeyFile, p)
	t.Setenv(EnvDeviceID, "7")
	creds, err := Load(context.Background(), "default", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewDeviceKey()
	if err != nil {
		t.Fatal(err)
	}
	approveOnSim(t, creds, &other.PublicKey, false)
}

func TestFingerprint(t *testing.T) {
	fp := Fingerprint(&deviceKey(t).PublicKey)
	if !strings.HasPrefix(fp, "SHA256:") || len(fp) != len("SHA256:")+43 {
		t.Fatalf("fingerprint %q", fp)
	}
	if fp != Fingerprint(&deviceKey(t).PublicKey) {
		t.Fatal("fingerprint not stable")
	}
}

func TestDefaultPassphraseWithoutTerminal(t *testing.T) {
	t.Setenv(EnvPassphraseFile, "")
	// go test's stdin is not a terminal.
	if _, err := DefaultPassphrase(context.Background(), PassphraseRequest{}); err == nil || !strings.Contains(err.Error(), "--passphrase-fd") {
		t.Fatalf("got %v, want advice naming --passphrase-fd", err)
	}
}

package secretservice

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/keystore"
)

const (
	testPub    = "ISPubKey_test_5c0e2a7d-aaaa-4b1e-9d7e-0123456789ab"
	testSecret = "ISSecretKey_test_5c0e2a7d-bbbb-4b1e-9d7e-c4na7y0f8181"
	// childEnv marks the re-executed test binary of TestUnavailable.
	childEnv = "MALIPO_KEYRING_CHILD"
)

// requireKeyring skips unless MALIPO_KEYRING_TEST=1; when it is set the
// keyring must work, so a broken setup fails loudly instead of skipping.
func requireKeyring(t *testing.T) {
	t.Helper()
	if os.Getenv("MALIPO_KEYRING_TEST") != "1" {
		t.Skip("real Secret Service tests: run under .ci/keyring-env.sh (sets MALIPO_KEYRING_TEST=1)")
	}
	if err := keyring.Set("malipo-probe", "probe", "x"); err != nil {
		t.Fatalf("MALIPO_KEYRING_TEST=1 but the keyring is unusable: %v", err)
	}
	_ = keyring.Delete("malipo-probe", "probe")
}

// profileName is unique per run, so a real desktop keyring is not touched
// beyond entries this test removes.
func profileName(t *testing.T) string {
	return fmt.Sprintf("it-%d-%d", os.Getpid(), time.Now().UnixNano())
}

func TestRoundTrip(t *testing.T) {
	requireKeyring(t)
	ctx := context.Background()
	name := profileName(t)
	key, err := keystore.NewDeviceKey()
	if err != nil {
		t.Fatal(err)
	}
	pemText, err := client.MarshalPrivateKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	st := keystore.NewKeyringStore(0)
	t.Cleanup(func() { _ = st.Delete(context.Background(), name) })
	want := keystore.Secrets{PublishableKey: testPub, SecretKey: testSecret, DeviceKey: string(pemText)}
	if err := st.Save(ctx, name, want); err != nil {
		t.Fatal(err)
	}
	// Stored as docs/design.md §7 names them, readable by go-keyring directly.
	if got, err := keyring.Get(keystore.KeyringService, name+"/device-key"); err != nil || got != string(pemText) {
		t.Fatalf("device-key entry: %v (equal %v)", err, got == string(pemText))
	}
	got, err := st.Load(ctx, name)
	if err != nil || got != want {
		t.Fatalf("Load: %v (equal %v)", err, got == want)
	}

	// The whole path the console takes: config.toml → keyring → signer.
	dir := filepath.Join(t.TempDir(), "malipo")
	cfg := &keystore.Config{Profiles: map[string]*keystore.Profile{name: {Environment: "sandbox", Backend: keystore.BackendKeyring, DeviceID: "7"}}}
	if err := keystore.WriteConfig(dir, cfg); err != nil {
		t.Fatal(err)
	}
	t.Setenv(keystore.EnvPublishableKey, "")
	t.Setenv(keystore.EnvSecretKey, "")
	creds, err := keystore.Load(ctx, name, keystore.LoadOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if creds.Backend != keystore.BackendKeyring || creds.SecretKey() != testSecret || !creds.DevicePublicKey().Equal(&key.PublicKey) {
		t.Fatalf("credentials %v", creds)
	}
	approve(t, creds, &key.PublicKey)

	if err := st.Delete(ctx, name); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Load(ctx, name); !errors.Is(err, keystore.ErrNotFound) {
		t.Fatalf("after Delete: %v", err)
	}
}

// approve has the simulator verify a signature made with the key that came
// out of the real keyring.
func approve(t *testing.T, creds *keystore.Credentials, pub *rsa.PublicKey) {
	t.Helper()
	s := sim.New(sim.Options{Devices: map[string]*rsa.PublicKey{"7": pub}, FailureRate: -1})
	srv := httptest.NewServer(s)
	defer srv.Close()
	c, err := creds.Client(client.WithBaseURL(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	b, err := c.InitiatePayout(ctx, client.InitiateRequest{Provider: client.MPesaB2C, Currency: "KES", DeviceID: "7",
		Transactions: []client.PayoutItem{{Name: "Jane Doe", Account: "254712345678", Amount: client.MustAmount("10.00")}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ApprovePayout(ctx, b); err != nil {
		t.Fatalf("signed approval refused: %v", err)
	}
	if info, _ := s.Batch(b.TrackingID); info.Approvals != 1 {
		t.Fatalf("approvals %d, want 1", info.Approvals)
	}
}

// Big values work on the Secret Service (it has no size limit; Windows'
// 2560 bytes and macOS's ~3000 are covered by the mock tests).
func TestLargeValue(t *testing.T) {
	requireKeyring(t)
	name := profileName(t)
	st := keystore.NewKeyringStore(0)
	t.Cleanup(func() { _ = st.Delete(context.Background(), name) })
	big := strings.Repeat("k", 16<<10)
	if err := st.Save(context.Background(), name, keystore.Secrets{SecretKey: testSecret, DeviceKey: big}); err != nil {
		t.Fatal(err)
	}
	got, err := st.Load(context.Background(), name)
	if err != nil || got.DeviceKey != big {
		t.Fatalf("16 KiB value: %v", err)
	}
}

// The audit key of `malipo serve` is made once in the real Secret Service
// and found there again (a profile without settings uses the keyring).
func TestAuditKey(t *testing.T) {
	requireKeyring(t)
	t.Setenv(keystore.EnvAuditKeyFile, "")
	name := profileName(t)
	t.Cleanup(func() { _ = keyring.Delete(keystore.KeyringService, name+"/audit-key") })
	o := keystore.AuditKeyOptions{Name: name, Dir: filepath.Join(t.TempDir(), "malipo"), Create: true}
	k1, created, err := keystore.LoadAuditKey(context.Background(), o)
	if err != nil || !created {
		t.Fatalf("first start: created %v, %v", created, err)
	}
	o.Create = false
	k2, created, err := keystore.LoadAuditKey(context.Background(), o)
	if err != nil || created || !k1.Public().Equal(k2.Public()) {
		t.Fatalf("second start: created %v, %v", created, err)
	}
	if v, err := keyring.Get(keystore.KeyringService, name+"/audit-key"); err != nil || len(v) != 64 {
		t.Fatalf("keyring entry %s/audit-key: %v (length %d)", name, err, len(v))
	}
}

// With no session bus at all (a server's SSH login without D-Bus), the
// keyring fails closed with the remedy. godbus caches the session bus per
// process, so this runs in a child process with a bus address that does
// not exist.
func TestUnavailable(t *testing.T) {
	if os.Getenv(childEnv) == "1" {
		_, err := keystore.NewKeyringStore(0).Load(context.Background(), "default")
		fmt.Printf("CHILD-ERR: %v\nCHILD-UNAVAILABLE: %v\n", err, errors.Is(err, keystore.ErrKeyringUnavailable))
		return
	}
	requireKeyring(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestUnavailable$", "-test.v")
	cmd.Env = append(os.Environ(), childEnv+"=1", "DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(t.TempDir(), "no-bus"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for _, want := range []string{"CHILD-UNAVAILABLE: true", "no Secret Service is running: use --backend file, see README"} {
		if !strings.Contains(string(out), want) {
			t.Fatalf("child output lacks %q:\n%s", want, out)
		}
	}
}

// A locked keyring (no prompter can be shown: no display) fails closed and
// fast, saying to unlock it. This locks the login collection, so it runs
// only with the throw-away keyring of .ci/keyring-env.sh, which exports the
// password to unlock it again.
func TestLocked(t *testing.T) {
	requireKeyring(t)
	pass := os.Getenv("MALIPO_KEYRING_PASSWORD")
	if pass == "" {
		t.Skip("locking needs the throw-away keyring of .ci/keyring-env.sh (MALIPO_KEYRING_PASSWORD); not locking a real keyring")
	}
	ctx := context.Background()
	name := profileName(t)
	st := keystore.NewKeyringStore(0)
	if err := st.Save(ctx, name, keystore.Secrets{SecretKey: testSecret}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Delete(context.Background(), name) })
	conn, err := dbus.SessionBusPrivate()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() }) // after the unlock below (cleanups run last-in first-out)
	if err := conn.Auth(nil); err != nil {
		t.Fatal(err)
	}
	if err := conn.Hello(); err != nil {
		t.Fatal(err)
	}
	login := dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	if err := svc.Call("org.freedesktop.Secret.Service.Lock", 0, []dbus.ObjectPath{login}).Err; err != nil {
		t.Fatalf("lock: %v", err)
	}
	unlocked := false
	t.Cleanup(func() {
		if !unlocked {
			unlock(t, conn, login, pass)
		}
	})

	start := time.Now()
	_, err = st.Load(ctx, name)
	if !errors.Is(err, keystore.ErrKeyringLocked) && !errors.Is(err, keystore.ErrKeyringTimeout) {
		t.Fatalf("locked keyring: got %v, want ErrKeyringLocked or ErrKeyringTimeout", err)
	}
	if !strings.Contains(err.Error(), "unlock your keyring") || strings.Contains(err.Error(), testSecret) {
		t.Fatalf("message %q: want the remedy and no secret", err)
	}
	if d := time.Since(start); d > keystore.DefaultKeyringTimeout+2*time.Second {
		t.Fatalf("took %s", d)
	}
	t.Logf("locked keyring: %v (after %s)", err, time.Since(start).Round(time.Millisecond))

	// Once unlocked, the same store reads the keys again.
	unlock(t, conn, login, pass)
	unlocked = true
	if got, err := st.Load(ctx, name); err != nil || got.SecretKey != testSecret {
		t.Fatalf("after unlocking: %v", err)
	}
}

// unlock uses gnome-keyring's own unlock-with-password call, since the
// standard Unlock needs a prompt this headless session cannot show.
func unlock(t *testing.T, conn *dbus.Conn, coll dbus.ObjectPath, pass string) {
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	var out dbus.Variant
	var session dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &session); err != nil {
		t.Errorf("unlock: open session: %v", err)
		return
	}
	secret := struct {
		Session     dbus.ObjectPath
		Parameters  []byte
		Value       []byte
		ContentType string
	}{session, []byte{}, []byte(pass), "text/plain"}
	err := svc.Call("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface.UnlockWithMasterPassword", 0, coll, secret).Err
	if err != nil {
		t.Errorf("unlock the login collection again: %v", err)
	}
}

// The user's path with the real binary and the real keyring: login, then
// device new, then the console's Load finds both and signs an approval the
// simulator accepts; logout leaves nothing behind.
func TestCLI(t *testing.T) {
	requireKeyring(t)
	bin := filepath.Join(t.TempDir(), "malipo")
	build := exec.Command("go", "build", "-o", bin, "github.com/malipo/malipo")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	home := t.TempDir()
	cfgHome := filepath.Join(home, "config")
	env := append(os.Environ(), "XDG_CONFIG_HOME="+cfgHome, "MALIPO_PUBLISHABLE_KEY=", "MALIPO_SECRET_KEY=")
	t.Setenv("XDG_CONFIG_HOME", cfgHome) // for keystore.Load in this process
	t.Setenv(keystore.EnvPublishableKey, "")
	t.Setenv(keystore.EnvSecretKey, "")
	name := profileName(t)
	t.Cleanup(func() { _ = keystore.NewKeyringStore(0).Delete(context.Background(), name) })
	srv := httptest.NewServer(sim.New(sim.Options{}))
	defer srv.Close()
	run := func(stdin string, args ...string) (string, string) {
		t.Helper()
		cmd := exec.Command(bin, append(args, "--profile", name)...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader(stdin)
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("malipo %v: %v\n%s%s", args, err, out.String(), errb.String())
		}
		if strings.Contains(out.String()+errb.String(), testSecret) {
			t.Fatalf("malipo %v printed the secret key", args)
		}
		return out.String(), errb.String()
	}
	out, _ := run(testPub+"\n"+testSecret+"\n", "login", "--base-url", srv.URL)
	if !strings.Contains(out, "ISSecretKey_test_••••8181") || !strings.Contains(out, "OS keyring") {
		t.Fatalf("login:\n%s", out)
	}
	pubPEM, _ := run("", "device", "new", "--id", "7")
	pub, err := client.ParsePublicKeyPEM([]byte(pubPEM))
	if err != nil {
		t.Fatal(err)
	}
	creds, err := keystore.Load(context.Background(), name, keystore.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if creds.Backend != keystore.BackendKeyring || creds.DeviceID != "7" || creds.BaseURL != srv.URL {
		t.Fatalf("credentials %v", creds)
	}
	approve(t, creds, pub)
	run("", "logout")
	for _, item := range []string{"secret-key", "publishable-key", "device-key"} {
		if _, err := keyring.Get(keystore.KeyringService, name+"/"+item); !errors.Is(err, keyring.ErrNotFound) {
			t.Errorf("%s left in the keyring after logout: %v", item, err)
		}
	}
}

package keystore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// Well-formed test keys; the canary part makes a leak easy to grep for.
const (
	testPub    = "ISPubKey_test_5c0e2a7d-aaaa-4b1e-9d7e-0123456789ab"
	testSecret = "ISSecretKey_test_5c0e2a7d-bbbb-4b1e-9d7e-c4na7y0f8181"
)

func TestKeyringRoundTrip(t *testing.T) {
	keyring.MockInit()
	ctx := context.Background()
	st := NewKeyringStore(0)
	dev := string(devicePEM(t))

	wantNoSecrets(t, st, "p1", "empty keyring")
	want := Secrets{PublishableKey: testPub, SecretKey: testSecret, DeviceKey: dev}
	saveSecrets(t, st, "p1", want)
	// The entries are named as docs/design.md §7 says, one per secret.
	for user, v := range map[string]string{"p1/secret-key": testSecret, "p1/publishable-key": testPub, "p1/device-key": dev} {
		got, err := keyring.Get(KeyringService, user)
		if err != nil || got != v {
			t.Errorf("keyring entry %s: err %v, value matches %v", user, err, got == v)
		}
	}
	got, err := st.Load(ctx, "p1")
	if err != nil || got != want {
		t.Fatalf("Load: %v, equal %v", err, got == want)
	}
	// Another profile is separate.
	wantNoSecrets(t, st, "p2", "p2")
	// Saving without the device key deletes its entry.
	saveSecrets(t, st, "p1", Secrets{PublishableKey: testPub, SecretKey: testSecret})
	if _, err := keyring.Get(KeyringService, "p1/device-key"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("device entry after removal: %v", err)
	}
	// Only a device key left (logout --keep-device) still loads.
	saveSecrets(t, st, "p1", Secrets{DeviceKey: dev})
	if got, err := st.Load(ctx, "p1"); err != nil || got.DeviceKey != dev || got.SecretKey != "" {
		t.Fatalf("device-only Load: %v", err)
	}
	for range 2 { // deleting twice is fine
		if err := st.Delete(ctx, "p1"); err != nil {
			t.Fatal(err)
		}
	}
	wantNoSecrets(t, st, "p1", "after Delete")
}

// wantNoSecrets stops the test unless profile has nothing in the keyring.
func wantNoSecrets(t *testing.T, st *KeyringStore, profile, what string) {
	t.Helper()
	if _, err := st.Load(context.Background(), profile); !errors.Is(err, ErrNotFound) {
		t.Fatalf("%s: got %v, want ErrNotFound", what, err)
	}
}

// saveSecrets saves s for profile, stopping the test on an error.
func saveSecrets(t *testing.T, st *KeyringStore, profile string, s Secrets) {
	t.Helper()
	if err := st.Save(context.Background(), profile, s); err != nil {
		t.Fatal(err)
	}
}

// Every failure go-keyring and the Secret Service produce maps to one of
// our errors, with a message that says what to do, on every operation.
func TestKeyringErrors(t *testing.T) {
	cases := []struct {
		name   string
		err    error
		want   error
		remedy string
	}{
		{"not found", keyring.ErrNotFound, ErrNotFound, ""},
		{"too big", keyring.ErrSetDataTooBig, ErrTooBig, "use --backend file"},
		{"unsupported OS", keyring.ErrUnsupportedPlatform, ErrKeyringUnavailable, "use --backend file"},
		{"locked (go-keyring #45)", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"),
			ErrKeyringLocked, "unlock your keyring"},
		{"prompt dismissed", errors.New("prompt dismissed by user"), ErrKeyringLocked, "unlock your keyring"},
		{"no dbus-launch", errors.New(`exec: "dbus-launch": executable file not found in $PATH`),
			ErrKeyringUnavailable, "no Secret Service is running: use --backend file, see README"},
		{"no X11", errors.New("dbus: Autolaunch error: X11 initialization failed."), ErrKeyringUnavailable, "use --backend file"},
		{"no provider (go-keyring #8)", errors.New("The name org.freedesktop.secrets was not provided by any .service files"),
			ErrKeyringUnavailable, "no Secret Service is running"},
		{"D-Bus timeout", errors.New("org.freedesktop.DBus.Error.NoReply: Did not receive a reply. Possible causes include: the remote application did not send a reply, the message bus security policy blocked the reply, the reply timeout expired"),
			ErrKeyringTimeout, "unlock your keyring"},
	}
	ctx := context.Background()
	st := NewKeyringStore(time.Second)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			keyring.MockInitWithError(tc.err)
			ops := map[string]func() error{
				"load": func() error { _, err := st.Load(ctx, "p"); return err },
				"save": func() error { return st.Save(ctx, "p", Secrets{PublishableKey: testPub, SecretKey: testSecret}) },
			}
			if tc.want != ErrNotFound { // deleting what is not there is fine
				ops["delete"] = func() error { return st.Delete(ctx, "p") }
			}
			for op, f := range ops {
				err := f()
				if tc.want == ErrNotFound && op == "save" {
					// Save sets, and a mock Set never says not found.
					continue
				}
				if !errors.Is(err, tc.want) {
					t.Errorf("%s: got %v, want %v", op, err, tc.want)
					continue
				}
				if !strings.Contains(err.Error(), tc.remedy) {
					t.Errorf("%s: %q does not say %q", op, err, tc.remedy)
				}
				if strings.Contains(err.Error(), testSecret) {
					t.Errorf("%s: error leaks the secret", op)
				}
			}
		})
	}
	keyring.MockInitWithError(keyring.ErrNotFound)
	if err := st.Delete(ctx, "p"); err != nil {
		t.Fatalf("delete of nothing: %v", err)
	}
}

// A keyring error that echoes the value (some D-Bus errors quote
// arguments) is redacted, and errors.Is still sees our sentinel.
func TestKeyringErrorRedacted(t *testing.T) {
	keyring.MockInitWithError(fmt.Errorf("org.freedesktop.DBus.Error.Failed: could not store %q", testSecret))
	err := NewKeyringStore(time.Second).Save(context.Background(), "p", Secrets{SecretKey: testSecret})
	if err == nil || strings.Contains(err.Error(), testSecret) {
		t.Fatalf("error leaks the secret or is nil: %v", err)
	}
	if !errors.Is(err, ErrKeyringUnavailable) {
		t.Fatalf("redacted error lost its kind: %v", err)
	}
	for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), testSecret) {
			t.Fatal("an unwrapped error leaks the secret")
		}
	}
}

// hangingKeyring is a Secret Service stuck on a prompt nobody can answer
// (go-keyring #125): every call blocks until release is closed.
type hangingKeyring struct{ release chan struct{} }

func (h hangingKeyring) Set(string, string, string) error { <-h.release; return nil }
func (h hangingKeyring) Get(string, string) (string, error) {
	<-h.release
	return "", nil
}
func (h hangingKeyring) Delete(string, string) error { <-h.release; return nil }

func TestKeyringTimeout(t *testing.T) {
	h := hangingKeyring{release: make(chan struct{})}
	t.Cleanup(func() { close(h.release) })
	st := &KeyringStore{timeout: 50 * time.Millisecond, api: h}
	ctx := context.Background()
	for op, f := range map[string]func() error{
		"load":   func() error { _, err := st.Load(ctx, "p"); return err },
		"save":   func() error { return st.Save(ctx, "p", Secrets{SecretKey: testSecret}) },
		"delete": func() error { return st.Delete(ctx, "p") },
	} {
		start := time.Now()
		err := f()
		if !errors.Is(err, ErrKeyringTimeout) {
			t.Fatalf("%s: got %v, want ErrKeyringTimeout", op, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%s: took %s despite the 50ms timeout", op, d)
		}
		for _, s := range []string{"unlock your keyring", "--backend file"} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: %q does not say %q", op, err, s)
			}
		}
	}
	// A cancelled context ends the wait too.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	st.timeout = time.Hour
	if _, err := st.Load(cctx, "p"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: got %v", err)
	}
	if got := NewKeyringStore(0).timeout; got != DefaultKeyringTimeout {
		t.Fatalf("default timeout %s, want %s", got, DefaultKeyringTimeout)
	}
}

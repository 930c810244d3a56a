package keystore

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// The audit key is made once, on first start, in the profile's backend,
// and found again there; verify-audit (Create false) never makes one.
func TestAuditKeyBackends(t *testing.T) {
	cases := []struct {
		name    string
		backend string
		stored  func(t *testing.T, dir string) bool // is the key where design says?
	}{
		{"keyring", "", func(t *testing.T, _ string) bool {
			v, err := keyring.Get(KeyringService, "serve/audit-key")
			return err == nil && len(v) == 64
		}},
		{"file", BackendFile, func(t *testing.T, dir string) bool {
			data, err := os.ReadFile(filepath.Join(dir, "audit-key-serve.age"))
			assertMode(t, filepath.Join(dir, "audit-key-serve.age"), 0o600)
			return err == nil && bytes.HasPrefix(data, []byte("age-encryption.org/v1"))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			keyring.MockInit()
			dir := isolate(t)
			writeProfile(t, dir, DefaultProfile, &Profile{Environment: "sandbox", Backend: c.backend})
			ctx := context.Background()
			o := AuditKeyOptions{Dir: dir, Passphrase: staticPass("correct horse"), WorkFactor: fastWork}
			if _, _, err := LoadAuditKey(ctx, o); !errors.Is(err, ErrNotFound) {
				t.Fatalf("before any key, without Create: %v, want ErrNotFound", err)
			}
			o.Create = true
			k1, created, err := LoadAuditKey(ctx, o)
			if err != nil || !created {
				t.Fatalf("first start: created %v, %v", created, err)
			}
			if !c.stored(t, dir) {
				t.Errorf("the key is not stored in the %s backend", c.name)
			}
			k2, created, err := LoadAuditKey(ctx, AuditKeyOptions{Dir: dir, Passphrase: staticPass("correct horse")})
			if err != nil || created || !k1.Public().Equal(k2.Public()) {
				t.Fatalf("second start: created %v, same key %v, %v", created, err == nil && k1.Public().Equal(k2.Public()), err)
			}
			// Formatting shows the public fingerprint, never the seed.
			seed := hex.EncodeToString(k1.PrivateKey().Seed())
			for _, s := range []string{fmt.Sprint(k1), fmt.Sprintf("%+v %#v %s", k1, k1, k1)} {
				if strings.Contains(s, seed) || !strings.Contains(s, k1.Fingerprint()) {
					t.Errorf("formatted key %q", s)
				}
			}
		})
	}
}

func TestAuditKeyFileWrongPassphrase(t *testing.T) {
	dir := isolate(t)
	writeProfile(t, dir, DefaultProfile, &Profile{Environment: "sandbox", Backend: BackendFile})
	ctx := context.Background()
	if _, _, err := LoadAuditKey(ctx, AuditKeyOptions{Dir: dir, Passphrase: staticPass("correct horse"), WorkFactor: fastWork, Create: true}); err != nil {
		t.Fatal(err)
	}
	_, _, err := LoadAuditKey(ctx, AuditKeyOptions{Dir: dir, Passphrase: staticPass("wrong horse!"), Create: true})
	if !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
}

// MALIPO_AUDIT_KEY_FILE (a systemd credential) wins over the backend and
// is checked like the passphrase file; its content never reaches an error.
func TestAuditKeyEnvFile(t *testing.T) {
	seed := strings.Repeat("5a", 32)
	cases := []struct {
		name    string
		content string
		mode    os.FileMode
		err     string
	}{
		{"good", seed + "\n", 0o600, ""},
		{"readable by others", seed, 0o644, "chmod 600"},
		{"too short", seed[:20], 0o600, "not an audit key"},
		{"not hex", strings.Repeat("zz", 32), 0o600, "not an audit key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			keyring.MockInitWithError(errors.New("no keyring here")) // the env file must not need one
			dir := isolate(t)
			path := filepath.Join(t.TempDir(), "audit.key")
			if err := os.WriteFile(path, []byte(c.content), c.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, c.mode); err != nil {
				t.Fatal(err)
			}
			t.Setenv(EnvAuditKeyFile, path)
			k, created, err := LoadAuditKey(context.Background(), AuditKeyOptions{Dir: dir, Create: true})
			if c.err == "" {
				if err != nil || created || hex.EncodeToString(k.PrivateKey().Seed()) != seed {
					t.Fatalf("created %v, %v", created, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.err) || strings.Contains(err.Error(), c.content) {
				t.Fatalf("err = %v, want %q without the content", err, c.err)
			}
		})
	}
}

package keystore

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/malipo/malipo/client"
)

// Backend names, as written in config.toml and taken by --backend.
const (
	BackendKeyring = "keyring"
	BackendFile    = "file"
	BackendEnv     = "env"
)

// Secrets are one profile's secret values. Formatting them (%v, %+v, %#v,
// slog) shows masked forms only.
type Secrets struct {
	PublishableKey string
	SecretKey      string
	DeviceKey      string // PKCS#8 PEM; "" when the profile has no device key
}

// String masks every value.
func (s Secrets) String() string {
	dev := "none"
	if s.DeviceKey != "" {
		dev = "•••"
	}
	return fmt.Sprintf("keystore.Secrets{publishable=%s secret=%s device=%s}",
		client.MaskKey(s.PublishableKey), client.MaskKey(s.SecretKey), dev)
}

// GoString masks every value.
func (s Secrets) GoString() string { return s.String() }

// LogValue masks every value.
func (s Secrets) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Store keeps the Secrets of each profile in one backend.
type Store interface {
	// Name is the backend's name (keyring, file, env).
	Name() string
	// Load returns the profile's secrets, or an error wrapping ErrNotFound.
	Load(ctx context.Context, profile string) (Secrets, error)
	// Save replaces the profile's secrets; empty fields are removed.
	Save(ctx context.Context, profile string, s Secrets) error
	// Delete removes every secret of the profile; nothing stored is not an error.
	Delete(ctx context.Context, profile string) error
}

// StoreOptions configure Open.
type StoreOptions struct {
	Dir        string         // config directory (the file backend keeps secrets-<profile>.age there)
	Passphrase PassphraseFunc // file backend; nil means DefaultPassphrase
	Timeout    time.Duration  // keyring backend; 0 means DefaultKeyringTimeout
	WorkFactor int            // file backend's scrypt log2(N) for new files; 0 means DefaultWorkFactor
	Progress   Progress       // file backend: shown while a file is unlocked; nil shows nothing
}

// Open returns the named backend ("" means keyring). The env backend is
// read-only and is not opened here: Load consults it first by itself.
func Open(backend string, o StoreOptions) (Store, error) {
	switch backend {
	case "", BackendKeyring:
		return NewKeyringStore(o.Timeout), nil
	case BackendFile:
		if o.Dir == "" {
			dir, err := ConfigDir()
			if err != nil {
				return nil, err
			}
			o.Dir = dir
		}
		return NewFileStore(o.Dir, o.Passphrase, o.WorkFactor).WithProgress(o.Progress), nil
	case BackendEnv:
		return nil, fmt.Errorf("the env backend is read-only: set MALIPO_PUBLISHABLE_KEY and MALIPO_SECRET_KEY instead of storing keys")
	}
	return nil, fmt.Errorf("unknown backend %q: use keyring or file", backend)
}

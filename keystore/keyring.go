package keystore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name of every malipo keyring entry.
const KeyringService = "malipo"

// DefaultKeyringTimeout bounds every keyring call: go-keyring has no
// context and blocks forever on a locked Secret Service waiting for a
// prompt (go-keyring #125, #131; gh and stripe-cli use 3 s too).
const DefaultKeyringTimeout = 3 * time.Second

// Keyring entry names, one per secret per profile: "P/secret-key" etc.
const (
	itemSecret      = "secret-key"
	itemPublishable = "publishable-key"
	itemDevice      = "device-key"
)

// Remedies, named once so every message says the same thing.
const (
	remedyUnavailable = "no Secret Service is running: use --backend file, see README (Headless servers)"
	remedyLocked      = "unlock your keyring (log in to your desktop session, or run `gnome-keyring-daemon --unlock`), or use --backend file"
	remedyTimeout     = "it may be locked and waiting for a password prompt: unlock your keyring, or use --backend file"
	remedyTooBig      = "this OS keyring limits the size of a secret: use --backend file"
)

// keyringAPI is the part of go-keyring we use; tests swap in a fake that
// hangs, which go-keyring's own mocks cannot do.
type keyringAPI interface {
	Set(service, user, password string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

type goKeyring struct{}

func (goKeyring) Set(s, u, p string) error        { return keyring.Set(s, u, p) }
func (goKeyring) Get(s, u string) (string, error) { return keyring.Get(s, u) }
func (goKeyring) Delete(s, u string) error        { return keyring.Delete(s, u) }

// KeyringStore keeps secrets in the OS keyring.
type KeyringStore struct {
	timeout time.Duration
	api     keyringAPI
}

// NewKeyringStore returns the OS keyring backend; timeout 0 means
// DefaultKeyringTimeout.
func NewKeyringStore(timeout time.Duration) *KeyringStore {
	if timeout <= 0 {
		timeout = DefaultKeyringTimeout
	}
	return &KeyringStore{timeout: timeout, api: goKeyring{}}
}

// Name implements Store.
func (k *KeyringStore) Name() string { return BackendKeyring }

// Load implements Store. Each entry is optional (logout --keep-device
// leaves only the device key); nothing at all is ErrNotFound.
func (k *KeyringStore) Load(ctx context.Context, profile string) (Secrets, error) {
	var s Secrets
	for _, it := range []struct {
		item string
		dst  *string
	}{{itemSecret, &s.SecretKey}, {itemPublishable, &s.PublishableKey}, {itemDevice, &s.DeviceKey}} {
		v, err := k.get(ctx, profile, it.item)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return Secrets{}, err
		}
		*it.dst = v
	}
	if s == (Secrets{}) {
		return Secrets{}, fmt.Errorf("keyring %s/*: %w", profile, ErrNotFound)
	}
	return s, nil
}

// Save implements Store: each non-empty value is set, each empty one deleted.
func (k *KeyringStore) Save(ctx context.Context, profile string, s Secrets) error {
	for _, it := range []struct{ item, val string }{
		{itemDevice, s.DeviceKey}, {itemPublishable, s.PublishableKey}, {itemSecret, s.SecretKey},
	} {
		var err error
		if it.val == "" {
			err = k.del(ctx, profile, it.item)
		} else {
			err = k.set(ctx, profile, it.item, it.val)
		}
		if err != nil {
			return redact(err, s.PublishableKey, s.SecretKey, s.DeviceKey)
		}
	}
	return nil
}

// Delete implements Store.
func (k *KeyringStore) Delete(ctx context.Context, profile string) error {
	for _, item := range []string{itemSecret, itemPublishable, itemDevice} {
		if err := k.del(ctx, profile, item); err != nil {
			return err
		}
	}
	return nil
}

func (k *KeyringStore) get(ctx context.Context, profile, item string) (string, error) {
	var v string
	err := k.run(ctx, "read", profile, item, func() error {
		var err error
		v, err = k.api.Get(KeyringService, profile+"/"+item)
		return err
	})
	return v, err
}

func (k *KeyringStore) set(ctx context.Context, profile, item, val string) error {
	return k.run(ctx, "store", profile, item, func() error { return k.api.Set(KeyringService, profile+"/"+item, val) })
}

// del removes one entry; an entry that is not there is not an error.
func (k *KeyringStore) del(ctx context.Context, profile, item string) error {
	err := k.run(ctx, "delete", profile, item, func() error { return k.api.Delete(KeyringService, profile+"/"+item) })
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}

// run calls fn in a goroutine and waits at most k.timeout (or until ctx
// ends). On timeout the goroutine is abandoned: go-keyring cannot be
// cancelled, and failing closed matters more than one leaked goroutine.
func (k *KeyringStore) run(ctx context.Context, op, profile, item string, fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	t := time.NewTimer(k.timeout)
	defer t.Stop()
	var err error
	select {
	case err = <-done:
	case <-t.C:
		return fmt.Errorf("keyring %s %s/%s: %w after %s: %s", op, profile, item, ErrKeyringTimeout, k.timeout, remedyTimeout)
	case <-ctx.Done():
		return fmt.Errorf("keyring %s %s/%s: %w", op, profile, item, ctx.Err())
	}
	return classify(op, profile, item, err)
}

// classify turns go-keyring's and D-Bus's errors into ours, each with the
// remedy. Secret Service failures arrive as plain D-Bus error strings, so
// they are matched on text (the cases are from go-keyring #8, #45, #125).
func classify(op, profile, item string, err error) error {
	if err == nil {
		return nil
	}
	where := fmt.Sprintf("keyring %s %s/%s", op, profile, item)
	msg := strings.ToLower(err.Error())
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return fmt.Errorf("%s: %w", where, ErrNotFound)
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("%s: %w: %s", where, ErrTooBig, remedyTooBig)
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return fmt.Errorf("%s: %w: %s", where, ErrKeyringUnavailable, remedyUnavailable)
	case strings.Contains(msg, "noreply") || strings.Contains(msg, "timeout") || strings.Contains(msg, "timed out"):
		return fmt.Errorf("%s: %w (%v): %s", where, ErrKeyringTimeout, err, remedyTimeout)
	case strings.Contains(msg, "unlock") || strings.Contains(msg, "locked") || strings.Contains(msg, "dismissed"):
		return fmt.Errorf("%s: %w (%v): %s", where, ErrKeyringLocked, err, remedyLocked)
	}
	return fmt.Errorf("%s: %w (%v): %s", where, ErrKeyringUnavailable, err, remedyUnavailable)
}

// redact removes vals from an error's text: a keyring error must never be
// the way a secret reaches a terminal or a log.
func redact(err error, vals ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, v := range vals {
		if v != "" {
			msg = strings.ReplaceAll(msg, v, "•••")
		}
	}
	if msg == err.Error() {
		return err
	}
	var kinds []error
	for _, s := range sentinels {
		if errors.Is(err, s) {
			kinds = append(kinds, s)
		}
	}
	return redactedError{msg: msg, kinds: kinds}
}

// sentinels are the errors a redacted error still answers errors.Is for.
var sentinels = []error{ErrNotFound, ErrKeyringUnavailable, ErrKeyringLocked, ErrKeyringTimeout, ErrTooBig}

type redactedError struct {
	msg   string
	kinds []error
}

func (e redactedError) Error() string { return e.msg }

// Unwrap exposes only our sentinels, never the original error whose text
// held the secret.
func (e redactedError) Unwrap() []error { return e.kinds }

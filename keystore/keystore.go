// Package keystore keeps malipo's secrets: a profile's IntaSend API keys and
// the RSA device key that signs payout approvals (docs/design.md §7).
//
// Secrets live in one of three explicit backends:
//   - keyring (default): the OS keyring through github.com/zalando/go-keyring,
//     service "malipo", users "P/secret-key", "P/publishable-key",
//     "P/device-key". Every call runs under a timeout and fails closed.
//   - file: one age file sealed with an scrypt passphrase, for headless
//     servers where no keyring runs.
//   - env: MALIPO_PUBLISHABLE_KEY / MALIPO_SECRET_KEY for CI and the sandbox;
//     live keys are refused unless the caller allows them.
//
// Non-secret settings (environment, base URL, device id, backend,
// preferences) live in config.toml. There is no plaintext fallback: when a
// backend cannot be used the error says what to do instead.
package keystore

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"regexp"

	"github.com/malipo/malipo/client"
)

// Errors callers may test with errors.Is. Messages carry the remedy.
var (
	// ErrNotFound: no keys are stored for the profile (the console shows its
	// onboarding screen).
	ErrNotFound = errors.New("no keys stored for this profile")
	// ErrKeyringUnavailable: there is no usable OS keyring (no Secret
	// Service, no D-Bus session, unsupported OS).
	ErrKeyringUnavailable = errors.New("no OS keyring is available")
	// ErrKeyringLocked: the keyring exists but is locked.
	ErrKeyringLocked = errors.New("the OS keyring is locked")
	// ErrKeyringTimeout: the keyring did not answer in time (often a locked
	// keyring waiting for a prompt nobody can see).
	ErrKeyringTimeout = errors.New("the OS keyring did not answer in time")
	// ErrTooBig: the OS keyring refused the value's size.
	ErrTooBig = errors.New("secret too big for the OS keyring")
	// ErrWrongPassphrase: the encrypted file could not be opened with the
	// passphrase given.
	ErrWrongPassphrase = errors.New("wrong passphrase for the encrypted secrets file")
	// ErrLiveEnv: a live key came from the environment without AllowLiveEnv.
	ErrLiveEnv = errors.New("live keys from the environment are refused")
	// ErrProfileName: the profile name is not usable as a file or keyring name.
	ErrProfileName = errors.New("invalid profile name")
)

// DefaultProfile is the profile used when none is named.
const DefaultProfile = "default"

var profileRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// CheckProfile rejects names that could escape a directory or a keyring
// user namespace ("../x", "a/b").
func CheckProfile(name string) error {
	if !profileRe.MatchString(name) {
		return fmt.Errorf("%w %q: use letters, digits, '.', '_' or '-' (at most 64)", ErrProfileName, name)
	}
	return nil
}

// Credentials are what the console needs to talk to IntaSend for one
// profile. The secret values are unexported and never printed: String,
// GoString and LogValue show masked forms only.
type Credentials struct {
	Profile  string
	Env      client.Env
	BaseURL  string // resolved: --base-url, then the profile's, then the environment's default
	DeviceID string
	Backend  string // keyring, file or env: where the secrets came from

	publishable string
	secret      string
	deviceKey   *rsa.PrivateKey
}

// PublishableKey is the ISPubKey_… key ("" if none).
func (c *Credentials) PublishableKey() string { return c.publishable }

// SecretKey is the ISSecretKey_… key ("" if none). Never print it; use
// client.MaskKey.
func (c *Credentials) SecretKey() string { return c.secret }

// HasDeviceKey reports whether approvals can be signed.
func (c *Credentials) HasDeviceKey() bool { return c.deviceKey != nil }

// DevicePublicKey is the device key's public half (nil when none).
func (c *Credentials) DevicePublicKey() *rsa.PublicKey {
	if c.deviceKey == nil {
		return nil
	}
	return &c.deviceKey.PublicKey
}

// Signer signs approval nonces with the device key; nil when there is none.
func (c *Credentials) Signer() client.Signer {
	if c.deviceKey == nil {
		return nil // a typed nil would make client.HasSigner lie
	}
	return client.NewRSASigner(c.deviceKey)
}

// Client builds an IntaSend client from these credentials: base URL and
// signer first, then opts, so a caller can still override either.
func (c *Credentials) Client(opts ...client.Option) (*client.Client, error) {
	var all []client.Option
	if c.BaseURL != "" {
		all = append(all, client.WithBaseURL(c.BaseURL))
	}
	if s := c.Signer(); s != nil {
		all = append(all, client.WithSigner(s))
	}
	return client.New(c.publishable, c.secret, append(all, opts...)...)
}

// String shows masked keys only.
func (c *Credentials) String() string {
	dev := "none"
	if c.deviceKey != nil {
		dev = Fingerprint(&c.deviceKey.PublicKey)
	}
	return fmt.Sprintf("keystore.Credentials{profile=%s env=%s backend=%s base=%s publishable=%s secret=%s device=%s id=%s}",
		c.Profile, c.Env, c.Backend, c.BaseURL, client.MaskKey(c.publishable), client.MaskKey(c.secret), dev, c.DeviceID)
}

// GoString keeps %#v masked too.
func (c *Credentials) GoString() string { return c.String() }

// LogValue keeps slog masked too.
func (c *Credentials) LogValue() slog.Value { return slog.StringValue(c.String()) }

// LoadOptions tune Load.
type LoadOptions struct {
	// AllowLiveEnv accepts live keys from MALIPO_* variables (--allow-live-env).
	AllowLiveEnv bool
	// BaseURL overrides the profile's base URL (--base-url).
	BaseURL string
	// Dir overrides the config directory ($XDG_CONFIG_HOME/malipo).
	Dir string
	// Passphrase unlocks the file backend; nil means DefaultPassphrase
	// (MALIPO_PASSPHRASE_FILE, else a no-echo prompt on the terminal).
	Passphrase PassphraseFunc
	// Progress is shown while the file backend unlocks (scrypt takes a
	// moment); nil shows nothing. See TerminalSpinner.
	Progress Progress
}

// Load finds profile's credentials: from the environment when
// MALIPO_PUBLISHABLE_KEY or MALIPO_SECRET_KEY is set, otherwise from the
// profile's configured backend. It returns an error wrapping ErrNotFound
// when the profile has no keys yet.
func Load(ctx context.Context, profile string, opts LoadOptions) (*Credentials, error) {
	if profile == "" {
		profile = DefaultProfile
	}
	if err := CheckProfile(profile); err != nil {
		return nil, err
	}
	dir := opts.Dir
	if dir == "" {
		var err error
		if dir, err = ConfigDir(); err != nil {
			return nil, err
		}
	}
	cfg, err := ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	prof := cfg.Profiles[profile]
	if envKeysSet() {
		return loadEnv(profile, prof, opts)
	}
	if prof == nil {
		return nil, fmt.Errorf("profile %q: %w: run `malipo login --profile %s`", profile, ErrNotFound, profile)
	}
	store, err := Open(prof.Backend, StoreOptions{Dir: dir, Passphrase: opts.Passphrase, Progress: opts.Progress})
	if err != nil {
		return nil, err
	}
	sec, err := store.Load(ctx, profile)
	if err == nil && sec.PublishableKey == "" && sec.SecretKey == "" {
		err = ErrNotFound // only a device key is left (logout --keep-device)
	}
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("profile %q: %w in the %s backend: run `malipo login --profile %s`", profile, ErrNotFound, store.Name(), profile)
	}
	if err != nil {
		return nil, err
	}
	return build(profile, prof, store.Name(), sec, opts.BaseURL)
}

// build checks the stored secrets and turns them into Credentials.
func build(profile string, prof *Profile, backend string, sec Secrets, baseOverride string) (*Credentials, error) {
	env, err := CheckKeys(sec.PublishableKey, sec.SecretKey)
	if err != nil {
		return nil, fmt.Errorf("profile %q (%s backend): stored keys: %w", profile, backend, err)
	}
	c := &Credentials{Profile: profile, Env: env, Backend: backend, publishable: sec.PublishableKey, secret: sec.SecretKey}
	from := "IntaSend's default"
	if prof != nil && (prof.Environment == "" || client.Env(prof.Environment) == env) {
		c.BaseURL, c.DeviceID = prof.BaseURL, prof.DeviceID
		if c.BaseURL != "" {
			from = "config.toml (the profile's base_url)"
		}
	}
	if baseOverride != "" {
		c.BaseURL, from = baseOverride, "--base-url"
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL(env)
	}
	// client.New refuses it too; here the message can say where it came from.
	if err := client.CheckBaseURL(env, c.BaseURL); err != nil {
		return nil, fmt.Errorf("profile %q (%s keys from the %s backend): base URL from %s: %w", profile, env, backend, from, err)
	}
	if sec.DeviceKey != "" {
		if c.deviceKey, err = client.ParsePrivateKeyPEM([]byte(sec.DeviceKey)); err != nil {
			return nil, fmt.Errorf("profile %q (%s backend): stored %w", profile, backend, err)
		}
	}
	return c, nil
}

// DefaultBaseURL is IntaSend's API root for env.
func DefaultBaseURL(env client.Env) string {
	if env == client.Live {
		return client.LiveBaseURL
	}
	return client.SandboxBaseURL
}

// CheckKeys validates a publishable/secret pair: right kinds, same
// environment, at least one present. It returns their environment. Errors
// never contain the keys.
func CheckKeys(publishable, secret string) (client.Env, error) {
	if publishable == "" && secret == "" {
		return "", fmt.Errorf("%w: no API key given", client.ErrKeyFormat)
	}
	var env client.Env
	for _, k := range []struct {
		key, what string
		want      client.KeyKind
	}{{publishable, "publishable key", client.PublishableKey}, {secret, "secret key", client.SecretKey}} {
		if k.key == "" {
			continue
		}
		kind, e, err := client.ParseKey(k.key)
		if err != nil {
			return "", fmt.Errorf("%s: %w", k.what, err)
		}
		if kind != k.want {
			return "", fmt.Errorf("%w: the %s should start with %s_, not %s_", client.ErrKeyFormat, k.what, k.want, kind)
		}
		if env != "" && env != e {
			return "", fmt.Errorf("%w: the publishable key is for %s but the secret key is for %s", client.ErrKeyFormat, env, e)
		}
		env = e
	}
	return env, nil
}

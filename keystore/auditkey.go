package keystore

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"filippo.io/age"
)

// EnvAuditKeyFile names a file holding the audit log's signing key (the
// hex of a 32-byte Ed25519 seed), e.g. a systemd credential. When it is
// set the key comes from there and is never created or stored.
const EnvAuditKeyFile = "MALIPO_AUDIT_KEY_FILE"

// DefaultAuditKeyName names the audit key of `malipo serve`: keyring entry
// "serve/audit-key", file "audit-key-serve.age".
const DefaultAuditKeyName = "serve"

// AuditKey signs the audit log of `malipo serve`. It is an Ed25519 key, not
// an HMAC key: whoever verifies a log needs only the public half, so an
// auditor can check a copy of the log without being able to forge one.
// Formatting it (%v, %#v, slog) shows the public fingerprint only.
type AuditKey struct {
	priv ed25519.PrivateKey
}

// NewAuditKey makes a fresh key.
func NewAuditKey() (*AuditKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate audit key: %w", err)
	}
	return &AuditKey{priv: priv}, nil
}

// PrivateKey is the signing key. Never print it.
func (k *AuditKey) PrivateKey() ed25519.PrivateKey { return k.priv }

// Public is the verifying key, safe to publish.
func (k *AuditKey) Public() ed25519.PublicKey { return k.priv.Public().(ed25519.PublicKey) }

// Fingerprint is "SHA256:" and the unpadded base64 of the public key's
// SHA-256, to name the key in the log and in messages.
func (k *AuditKey) Fingerprint() string { return AuditKeyFingerprint(k.Public()) }

// AuditKeyFingerprint is the fingerprint of an audit public key.
func AuditKeyFingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// String shows the public fingerprint only.
func (k *AuditKey) String() string { return "keystore.AuditKey{" + k.Fingerprint() + "}" }

// GoString keeps %#v masked too.
func (k *AuditKey) GoString() string { return k.String() }

// LogValue keeps slog masked too.
func (k *AuditKey) LogValue() slog.Value { return slog.StringValue(k.String()) }

// encode is the stored form: the seed's hex.
func (k *AuditKey) encode() string { return hex.EncodeToString(k.priv.Seed()) }

// parseAuditKey reads the stored form. The error never contains the input.
func parseAuditKey(s, where string) (*AuditKey, error) {
	seed, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%s: not an audit key (want the hex of %d bytes)", where, ed25519.SeedSize)
	}
	return &AuditKey{priv: ed25519.NewKeyFromSeed(seed)}, nil
}

// AuditKeyOptions tune LoadAuditKey.
type AuditKeyOptions struct {
	// Profile's backend (config.toml) keeps the key; "" means the default
	// profile, and a profile without settings means the keyring.
	Profile string
	// Name tells keys apart (DefaultAuditKeyName when empty).
	Name string
	// Dir overrides the config directory ($XDG_CONFIG_HOME/malipo).
	Dir string
	// Passphrase unlocks the file backend (nil: DefaultPassphrase).
	Passphrase PassphraseFunc
	// Timeout bounds keyring calls (0: DefaultKeyringTimeout).
	Timeout time.Duration
	// WorkFactor is the file backend's scrypt log2(N) for a new key file
	// (0: DefaultWorkFactor).
	WorkFactor int
	// Create makes and stores a key when there is none (serve's first
	// start); verify-audit never creates one.
	Create bool
}

// LoadAuditKey finds the audit key: in the file named by
// MALIPO_AUDIT_KEY_FILE when set, otherwise in the profile's backend (the
// OS keyring, or audit-key-NAME.age sealed with the file backend's
// passphrase). It lives with the server's other secrets and never beside
// the log, so whoever can write the log cannot sign it. created reports a
// key made by this call.
func LoadAuditKey(ctx context.Context, o AuditKeyOptions) (key *AuditKey, created bool, err error) {
	if path := os.Getenv(EnvAuditKeyFile); path != "" {
		k, err := readAuditKeyFile(path)
		return k, false, err
	}
	if o.Name == "" {
		o.Name = DefaultAuditKeyName
	}
	if err := CheckProfile(o.Name); err != nil {
		return nil, false, fmt.Errorf("audit key name: %w", err)
	}
	st, err := openAuditKeyStore(o)
	if err != nil {
		return nil, false, err
	}
	k, err := st.load(ctx)
	if !errors.Is(err, ErrNotFound) || !o.Create {
		return k, false, err
	}
	if k, err = NewAuditKey(); err != nil {
		return nil, false, err
	}
	if err := st.save(ctx, k); err != nil {
		return nil, false, err
	}
	return k, true, nil
}

// DemoAuditKey is the key `malipo serve --demo` signs its log with: a
// file, made on first use (mode 0600), because the demo writes nothing to
// the OS keyring and needs none. Its log records a simulated account, so a
// key kept beside it costs nothing; a real profile's key never is.
func DemoAuditKey(path string) (key *AuditKey, created bool, err error) {
	if _, err := os.Stat(path); err == nil {
		k, err := readAuditKeyFile(path)
		return k, false, err
	}
	k, err := NewAuditKey()
	if err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, err
	}
	if _, err := f.WriteString(k.encode() + "\n"); err != nil {
		f.Close()
		return nil, false, err
	}
	return k, true, f.Close()
}

// readAuditKeyFile reads an operator-provided key, which like the
// passphrase file must not be readable by group or others.
func readAuditKeyFile(path string) (*AuditKey, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvAuditKeyFile, err)
	}
	if st.Mode().IsRegular() && st.Mode().Perm()&0o044 != 0 {
		return nil, fmt.Errorf("%s: %s is readable by others: chmod 600 it", EnvAuditKeyFile, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvAuditKeyFile, err)
	}
	return parseAuditKey(string(data), EnvAuditKeyFile+" "+path)
}

// auditKeyStore is where one backend keeps the audit key.
type auditKeyStore interface {
	load(ctx context.Context) (*AuditKey, error)
	save(ctx context.Context, k *AuditKey) error
}

func openAuditKeyStore(o AuditKeyOptions) (auditKeyStore, error) {
	dir := o.Dir
	if dir == "" {
		var err error
		if dir, err = ConfigDir(); err != nil {
			return nil, err
		}
	}
	profile := o.Profile
	if profile == "" {
		profile = DefaultProfile
	}
	cfg, err := ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	backend := ""
	if p := cfg.Profiles[profile]; p != nil {
		backend = p.Backend
	}
	switch backend {
	case "", BackendKeyring:
		return keyringAuditKey{k: NewKeyringStore(o.Timeout), name: o.Name}, nil
	case BackendFile:
		return fileAuditKey{f: NewFileStore(dir, o.Passphrase, o.WorkFactor), name: o.Name}, nil
	}
	return nil, fmt.Errorf("audit key: profile %q has backend %q: use keyring or file, or set %s", profile, backend, EnvAuditKeyFile)
}

// keyringAuditKey keeps the key in the OS keyring as "NAME/audit-key".
type keyringAuditKey struct {
	k    *KeyringStore
	name string
}

const itemAuditKey = "audit-key"

func (s keyringAuditKey) load(ctx context.Context) (*AuditKey, error) {
	v, err := s.k.get(ctx, s.name, itemAuditKey)
	if err != nil {
		return nil, err
	}
	return parseAuditKey(v, "keyring "+s.name+"/"+itemAuditKey)
}

func (s keyringAuditKey) save(ctx context.Context, k *AuditKey) error {
	v := k.encode()
	return redact(s.k.set(ctx, s.name, itemAuditKey, v), v)
}

// fileAuditKey keeps the key in DIR/audit-key-NAME.age, sealed with the
// file backend's passphrase (age, scrypt), apart from the profile's
// secrets so that login and logout, which rewrite or remove those, leave
// the key (and so every log it signed) alone.
type fileAuditKey struct {
	f    *FileStore
	name string
}

func (s fileAuditKey) path() string { return filepath.Join(s.f.dir, "audit-key-"+s.name+".age") }

func (s fileAuditKey) load(ctx context.Context) (*AuditKey, error) {
	data, err := os.ReadFile(s.path())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", s.path(), ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s.path(), err)
	}
	pass, err := s.f.pass(ctx, PassphraseRequest{Path: s.f.dir, Attempt: 1})
	if err != nil {
		return nil, err
	}
	id, err := age.NewScryptIdentity(pass)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", s.path(), err)
	}
	r, err := age.Decrypt(bytes.NewReader(data), id)
	if err != nil {
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) || errors.Is(err, age.ErrIncorrectIdentity) {
			s.f.forget()
			return nil, fmt.Errorf("%s: %w", s.path(), ErrWrongPassphrase)
		}
		return nil, fmt.Errorf("open %s: the file is damaged or not an age file: %w", s.path(), err)
	}
	plain, err := io.ReadAll(io.LimitReader(r, 4096))
	if err != nil {
		return nil, fmt.Errorf("open %s: the file is damaged: %w", s.path(), err)
	}
	return parseAuditKey(string(plain), s.path())
}

func (s fileAuditKey) save(ctx context.Context, k *AuditKey) error {
	pass, err := s.f.pass(ctx, PassphraseRequest{Path: s.f.dir, New: true, Attempt: 1})
	if err != nil {
		return err
	}
	r, err := age.NewScryptRecipient(pass)
	if err != nil {
		return fmt.Errorf("seal audit key: %w", err)
	}
	if wf := s.f.workFactor; wf > 0 {
		r.SetWorkFactor(wf)
	} else {
		r.SetWorkFactor(DefaultWorkFactor)
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return fmt.Errorf("seal audit key: %w", err)
	}
	if _, err := io.WriteString(w, k.encode()); err != nil {
		return fmt.Errorf("seal audit key: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("seal audit key: %w", err)
	}
	if err := ensureDir(s.f.dir); err != nil {
		return err
	}
	// Atomic: a half-written key file would lose every log it signed.
	return writeFileAtomic(s.path(), buf.Bytes())
}

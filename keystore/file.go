package keystore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"filippo.io/age"
)

// FileStore keeps each profile's secrets in dir/secrets-<profile>.age,
// sealed with age's scrypt (passphrase) recipient. age is a small,
// audited format with a maintained Go implementation, so we invent no
// crypto; scrypt at DefaultWorkFactor resists guessing if the file is
// copied off the server.
type FileStore struct {
	dir        string
	passphrase PassphraseFunc
	workFactor int
	progress   Progress // nil: unlock silently

	mu     sync.Mutex
	cached string // the passphrase, once asked, for this process only
}

// DefaultWorkFactor is scrypt's cost, log2(N), for new files. 2^16 takes
// about 0.1–0.2 s and 64 MiB on a laptop (age's default, 2^18, takes ~1 s
// and 256 MiB, and ~15 s on a loaded server): the console asks for the
// passphrase on every start, so the wait must stay short, and each guess
// still costs an attacker 64 MiB of memory-hard work. A file records its
// own cost, so files made with another one open as before. README:
// "Passphrase cost".
const DefaultWorkFactor = 16

// MaxPassphraseTries is how often Load asks for the passphrase before it
// gives up: a typo should not end the program, a guesser should.
const MaxPassphraseTries = 3

// NewFileStore returns the encrypted-file backend. passphrase nil means
// DefaultPassphrase; workFactor 0 means DefaultWorkFactor.
func NewFileStore(dir string, passphrase PassphraseFunc, workFactor int) *FileStore {
	if passphrase == nil {
		passphrase = DefaultPassphrase
	}
	return &FileStore{dir: dir, passphrase: passphrase, workFactor: workFactor}
}

// WithProgress makes the store report each unlock (scrypt's slow part)
// to p, e.g. a spinner on the terminal; nil reports nothing.
func (f *FileStore) WithProgress(p Progress) *FileStore {
	f.progress = p
	return f
}

// Name implements Store.
func (f *FileStore) Name() string { return BackendFile }

// Path is where profile's secrets are sealed.
func (f *FileStore) Path(profile string) string {
	return filepath.Join(f.dir, "secrets-"+profile+".age")
}

// sealed is the plaintext inside the age file.
type sealed struct {
	Version        int    `json:"version"`
	PublishableKey string `json:"publishable_key,omitempty"`
	SecretKey      string `json:"secret_key,omitempty"`
	DeviceKey      string `json:"device_key,omitempty"`
}

// Load implements Store.
func (f *FileStore) Load(ctx context.Context, profile string) (Secrets, error) {
	path := f.Path(profile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Secrets{}, fmt.Errorf("%s: %w", path, ErrNotFound)
	}
	if err != nil {
		return Secrets{}, fmt.Errorf("read %s: %w", path, err)
	}
	s, _, err := f.unlock(ctx, path, data)
	return s, err
}

// unlock opens data, asking for the passphrase again when it is wrong, at
// most MaxPassphraseTries times. It returns the passphrase that worked.
func (f *FileStore) unlock(ctx context.Context, path string, data []byte) (Secrets, string, error) {
	for attempt := 1; ; attempt++ {
		pass, err := f.pass(ctx, PassphraseRequest{Path: f.dir, Attempt: attempt})
		if err != nil {
			return Secrets{}, "", err
		}
		s, err := f.open(path, data, pass)
		if err == nil {
			return s, pass, nil
		}
		if !errors.Is(err, ErrWrongPassphrase) {
			return Secrets{}, "", fmt.Errorf("%s: %w", path, err)
		}
		f.forget()
		if attempt >= MaxPassphraseTries {
			return Secrets{}, "", fmt.Errorf("%s: %w, %d times: giving up (if it is lost, `malipo logout` and log in again)",
				path, ErrWrongPassphrase, attempt)
		}
	}
}

// open decrypts data, showing progress while scrypt runs.
func (f *FileStore) open(path string, data []byte, pass string) (Secrets, error) {
	if f.progress != nil {
		stop := f.progress("unlocking " + filepath.Base(path))
		defer stop()
	}
	return open(data, pass)
}

// Save implements Store: the whole file is rewritten atomically.
func (f *FileStore) Save(ctx context.Context, profile string, s Secrets) error {
	path := f.Path(profile)
	_, statErr := os.Stat(path)
	isNew := errors.Is(statErr, fs.ErrNotExist)
	pass, workFactor, err := f.sealingPass(ctx, path, isNew)
	if err != nil {
		return err
	}
	data, err := seal(s, pass, workFactor)
	if err != nil {
		return err
	}
	if err := ensureDir(f.dir); err != nil {
		return err
	}
	return writeFileAtomic(path, data)
}

// Delete implements Store. It needs no passphrase: removing is not reading.
func (f *FileStore) Delete(_ context.Context, profile string) error {
	err := os.Remove(f.Path(profile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", f.Path(profile), err)
	}
	return nil
}

// sealingPass is the passphrase and cost to seal path with. Sealing with
// a passphrase other than the file's would lock the user out of their
// device key, so for an existing file the passphrase is proven first.
func (f *FileStore) sealingPass(ctx context.Context, path string, isNew bool) (string, int, error) {
	if isNew {
		pass, err := f.pass(ctx, PassphraseRequest{Path: f.dir, New: true, Attempt: 1})
		return pass, f.workFactor, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", 0, fmt.Errorf("read %s: %w", path, err)
	}
	_, pass, err := f.unlock(ctx, path, data)
	if err != nil {
		return "", 0, err
	}
	workFactor := f.workFactor
	if workFactor == 0 {
		workFactor = scryptWorkFactor(data) // keep the cost the file was made with
	}
	return pass, workFactor, nil
}

func (f *FileStore) pass(ctx context.Context, req PassphraseRequest) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cached != "" {
		return f.cached, nil
	}
	p, err := f.passphrase(ctx, req)
	if err != nil {
		return "", err
	}
	if p == "" {
		return "", errors.New("the passphrase is empty")
	}
	if req.New && len(p) < MinPassphraseLen {
		return "", fmt.Errorf("the passphrase is too short: use at least %d characters", MinPassphraseLen)
	}
	f.cached = p
	return p, nil
}

func (f *FileStore) forget() {
	f.mu.Lock()
	f.cached = ""
	f.mu.Unlock()
}

// scryptWorkFactor reads log2(N) from an age file's scrypt stanza
// ("-> scrypt SALT N"); 0 if there is none.
func scryptWorkFactor(data []byte) int {
	for _, line := range strings.SplitN(string(data), "\n", 4) {
		f := strings.Fields(line)
		if len(f) == 4 && f[0] == "->" && f[1] == "scrypt" {
			if n, err := strconv.Atoi(f[3]); err == nil {
				return n
			}
		}
	}
	return 0
}

// MinPassphraseLen is the shortest passphrase accepted for a new file.
const MinPassphraseLen = 8

func seal(s Secrets, pass string, workFactor int) ([]byte, error) {
	r, err := age.NewScryptRecipient(pass)
	if err != nil {
		return nil, fmt.Errorf("seal secrets: %w", err)
	}
	if workFactor <= 0 {
		workFactor = DefaultWorkFactor
	}
	r.SetWorkFactor(workFactor)
	plain, err := json.Marshal(sealed{Version: 1, PublishableKey: s.PublishableKey, SecretKey: s.SecretKey, DeviceKey: s.DeviceKey})
	if err != nil {
		return nil, fmt.Errorf("seal secrets: %w", err)
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return nil, fmt.Errorf("seal secrets: %w", err)
	}
	if _, err := w.Write(plain); err != nil {
		return nil, fmt.Errorf("seal secrets: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("seal secrets: %w", err)
	}
	return buf.Bytes(), nil
}

func open(data []byte, pass string) (Secrets, error) {
	id, err := age.NewScryptIdentity(pass)
	if err != nil {
		return Secrets{}, fmt.Errorf("open secrets: %w", err)
	}
	r, err := age.Decrypt(bytes.NewReader(data), id)
	if err != nil {
		var nomatch *age.NoIdentityMatchError
		if errors.As(err, &nomatch) || errors.Is(err, age.ErrIncorrectIdentity) {
			return Secrets{}, ErrWrongPassphrase
		}
		return Secrets{}, fmt.Errorf("open secrets: the file is damaged or not an age file: %w", err)
	}
	plain, err := io.ReadAll(r)
	if err != nil {
		return Secrets{}, fmt.Errorf("open secrets: the file is damaged: %w", err)
	}
	var s sealed
	if err := json.Unmarshal(plain, &s); err != nil {
		return Secrets{}, errors.New("open secrets: the decrypted content is not malipo's format")
	}
	return Secrets{PublishableKey: s.PublishableKey, SecretKey: s.SecretKey, DeviceKey: s.DeviceKey}, nil
}

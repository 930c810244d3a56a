package keystore

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fastWork keeps scrypt cheap in tests; real files use age's default (18).
const fastWork = 10

func staticPass(p string) PassphraseFunc {
	return func(context.Context, PassphraseRequest) (string, error) { return p, nil }
}

func TestFileRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "malipo")
	ctx := context.Background()
	st := NewFileStore(dir, staticPass("correct horse battery"), fastWork)
	if _, err := st.Load(ctx, "p"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("no file: got %v, want ErrNotFound", err)
	}
	dev := string(devicePEM(t))
	want := Secrets{PublishableKey: testPub, SecretKey: testSecret, DeviceKey: dev}
	if err := st.Save(ctx, "p", want); err != nil {
		t.Fatal(err)
	}
	path := st.Path("p")
	if filepath.Base(path) != "secrets-p.age" {
		t.Fatalf("path %s", path)
	}
	assertMode(t, path, 0o600)
	assertMode(t, dir, 0o700)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("age-encryption.org/v1\n-> scrypt ")) {
		t.Fatalf("not an age scrypt file: %.40q", raw)
	}
	for _, s := range []string{testSecret, testPub, "PRIVATE KEY", "c4na7y0f8181"} {
		if bytes.Contains(raw, []byte(s)) {
			t.Fatalf("the file holds %q in plain text", s)
		}
	}
	// A fresh store (new process) with the passphrase reads it back.
	got, err := NewFileStore(dir, staticPass("correct horse battery"), fastWork).Load(ctx, "p")
	if err != nil || got != want {
		t.Fatalf("Load: %v, equal %v", err, got == want)
	}
	// No temp files are left beside it (atomic write).
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("dir holds %d entries, want only the secrets file", len(entries))
	}
	if err := st.Delete(ctx, "p"); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(ctx, "p"); err != nil {
		t.Fatalf("second delete: %v", err)
	}
	if _, err := st.Load(ctx, "p"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

func TestFileWrongPassphrase(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	if err := NewFileStore(dir, staticPass("the right one"), fastWork).Save(ctx, "p", Secrets{SecretKey: testSecret}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, "secrets-p.age"))
	wrong := NewFileStore(dir, staticPass("the wrong one"), fastWork)
	_, err := wrong.Load(ctx, "p")
	if !errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Fatalf("Load: got %v, want a clear wrong-passphrase error", err)
	}
	// Saving with the wrong passphrase must not re-seal the file under it.
	if err := wrong.Save(ctx, "p", Secrets{SecretKey: testSecret}); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("Save: got %v, want ErrWrongPassphrase", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "secrets-p.age"))
	if !bytes.Equal(before, after) {
		t.Fatal("a Save with the wrong passphrase changed the file")
	}
}

func TestFileBadInput(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name    string
		pass    PassphraseFunc
		prepare func(dir string)
		op      string
		want    string
	}{
		{"short passphrase for a new file", staticPass("short"), nil, "save", "at least 8"},
		{"empty passphrase", staticPass(""), nil, "save", "empty"},
		{"passphrase source fails", func(context.Context, PassphraseRequest) (string, error) {
			return "", errors.New("no terminal")
		}, nil, "save", "no terminal"},
		{"damaged file", staticPass("long enough pass"), func(dir string) {
			_ = os.WriteFile(filepath.Join(dir, "secrets-p.age"), []byte("not age at all"), 0o600)
		}, "load", "damaged"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.prepare != nil {
				tc.prepare(dir)
			}
			st := NewFileStore(dir, tc.pass, fastWork)
			var err error
			if tc.op == "save" {
				err = st.Save(ctx, "p", Secrets{SecretKey: testSecret})
			} else {
				_, err = st.Load(ctx, "p")
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
			if _, statErr := os.Stat(filepath.Join(dir, "secrets-p.age")); tc.prepare == nil && statErr == nil {
				t.Fatal("a failed save left a file")
			}
		})
	}
}

// Re-sealing keeps the work factor the file was made with.
func TestFileKeepsWorkFactor(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	if err := NewFileStore(dir, staticPass("long enough pass"), 11).Save(ctx, "p", Secrets{SecretKey: testSecret}); err != nil {
		t.Fatal(err)
	}
	// A store with the default (0: DefaultWorkFactor) re-seals at 11.
	if err := NewFileStore(dir, staticPass("long enough pass"), 0).Save(ctx, "p", Secrets{SecretKey: testSecret, PublishableKey: testPub}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "secrets-p.age"))
	if got := scryptWorkFactor(data); got != 11 {
		t.Fatalf("work factor %d, want 11", got)
	}
}

// A new file asks for the passphrase as new (so a terminal asks twice);
// an existing one does not, and the passphrase is asked once per process.
func TestFilePassphraseRequests(t *testing.T) {
	var reqs []PassphraseRequest
	pass := func(_ context.Context, r PassphraseRequest) (string, error) {
		reqs = append(reqs, r)
		return "long enough pass", nil
	}
	ctx := context.Background()
	dir := t.TempDir()
	if err := NewFileStore(dir, pass, fastWork).Save(ctx, "p", Secrets{SecretKey: testSecret}); err != nil {
		t.Fatal(err)
	}
	st := NewFileStore(dir, pass, fastWork)
	if _, err := st.Load(ctx, "p"); err != nil {
		t.Fatal(err)
	}
	if err := st.Save(ctx, "p", Secrets{SecretKey: testSecret, PublishableKey: testPub}); err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 2 || !reqs[0].New || reqs[1].New {
		t.Fatalf("requests %+v: want one new, then one existing", reqs)
	}
}

func TestPassphraseSources(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name, content string
		mode          os.FileMode
		want, err     string
	}{
		{"newline trimmed", "s3cret pass\n", 0o600, "s3cret pass", ""},
		{"crlf trimmed", "s3cret pass\r\nignored\n", 0o400, "s3cret pass", ""},
		{"no newline", "s3cret pass", 0o600, "s3cret pass", ""},
		{"readable by others", "s3cret pass\n", 0o644, "", "chmod 600"},
		{"empty", "", 0o600, "", "empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := write(strings.ReplaceAll(tc.name, " ", "-"), tc.content, tc.mode)
			got, err := PassphraseFromFile(p)(ctx, PassphraseRequest{})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %q, %v; want error %q", got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if _, err := PassphraseFromFile(filepath.Join(dir, "missing"))(ctx, PassphraseRequest{}); err == nil {
		t.Fatal("missing file: no error")
	}
	r := PassphraseFromReader(strings.NewReader("from a pipe\n"), "stdin")
	for range 2 { // read once, remembered
		if got, err := r(ctx, PassphraseRequest{}); err != nil || got != "from a pipe" {
			t.Fatalf("reader: %q, %v", got, err)
		}
	}
	t.Setenv(EnvPassphraseFile, write("env", "via env\n", 0o600))
	if got, err := DefaultPassphrase(ctx, PassphraseRequest{}); err != nil || got != "via env" {
		t.Fatalf("DefaultPassphrase with %s: %q, %v", EnvPassphraseFile, got, err)
	}
	if _, err := PassphraseFromFD(-1); err == nil {
		t.Fatal("negative fd accepted")
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != want {
		t.Fatalf("%s: mode %o, want %o", path, got, want)
	}
}

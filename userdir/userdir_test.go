package userdir

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func newDir(t *testing.T) (*Dir, string) {
	t.Helper()
	state := t.TempDir()
	d, err := Open(state, "amina")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, state
}

func TestCheckName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"salaries.csv", true},
		{"payout-results-JB4PZHM.csv", true},
		{"nov 2026.csv", true},
		{"", false},
		{".", false},
		{"..", false},
		{"../x", false},
		{"/etc/shadow", false},
		{"a/b", false},
		{`a\b`, false},
		{".hidden", false},
		{"x\x00y", false},
		{"x\ny", false},
		{" lead", false},
		{"C:evil", false},
		{strings.Repeat("a", MaxNameLen+1), false},
		{"\xff", false},
	} {
		err := CheckName(tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("CheckName(%q) = %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrName) {
			t.Errorf("CheckName(%q): %v is not ErrName", tc.name, err)
		}
	}
}

func TestFolderName(t *testing.T) {
	for user, want := range map[string]string{"amina": "amina", "../root": "", "a b": "", ".x": ""} {
		got := FolderName(user)
		if want != "" && got != want {
			t.Errorf("FolderName(%q) = %q, want %q", user, got, want)
		}
		if want == "" && (!strings.HasPrefix(got, "u") || len(got) != 17) {
			t.Errorf("FolderName(%q) = %q, want a digest name", user, got)
		}
	}
}

func TestCreateOpenListRoundTrip(t *testing.T) {
	d, state := newDir(t)
	w, err := d.Create("pay.csv", false)
	noErr(t, err)
	_, err = io.WriteString(w, "Name,Phone\n")
	noErr(t, err)
	if es, _ := d.List(); len(es) != 0 {
		t.Fatalf("a file being written is listed: %v", es)
	}
	noErr(t, w.Close())
	if _, err := os.Stat(filepath.Join(state, "files", "amina", "pay.csv")); err != nil {
		t.Fatalf("not under files/amina: %v", err)
	}
	wantListed(t, d, "pay.csv", 11)
	wantContent(t, d, "pay.csv", "Name,Phone\n")
	if _, err := d.Create("pay.csv", false); !errors.Is(err, ErrExists) {
		t.Fatalf("second create: %v, want ErrExists", err)
	}
	w, err = d.Create("pay.csv", true)
	noErr(t, err)
	_, err = io.WriteString(w, "x")
	noErr(t, err)
	noErr(t, w.Close())
	if e, _ := d.Stat("pay.csv"); e.Size != 1 {
		t.Fatalf("replace: size %d", e.Size)
	}
}

// noErr stops the test on an error.
func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantListed stops the test unless the folder lists exactly the one file
// name, of size bytes.
func wantListed(t *testing.T, d *Dir, name string, size int64) {
	t.Helper()
	es, err := d.List()
	if err != nil || len(es) != 1 || es[0].Name != name || es[0].Size != size {
		t.Fatalf("List = %v, %v", es, err)
	}
}

// wantContent stops the test unless the file name reads back as want.
func wantContent(t *testing.T, d *Dir, name, want string) {
	t.Helper()
	f, err := d.Open(name)
	noErr(t, err)
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != want {
		t.Fatalf("read %q", b)
	}
}

// TestRefusesEscapes: nothing outside the folder, and nothing but regular
// files inside it, is ever opened or written.
func TestRefusesEscapes(t *testing.T) {
	d, state := newDir(t)
	dir := filepath.Join(state, "files", "amina")
	secret := filepath.Join(state, "secret")
	if err := os.WriteFile(secret, []byte("top"), 0o600); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(secret, filepath.Join(dir, "link.csv")))
	must(os.Symlink("../secret", filepath.Join(dir, "rel.csv")))
	must(syscall.Mkfifo(filepath.Join(dir, "fifo.csv"), 0o600))
	must(os.Mkdir(filepath.Join(dir, "sub"), 0o700))
	for _, tc := range []struct {
		name string
		want error
	}{
		{"../secret", ErrName},
		{secret, ErrName},
		{"link.csv", ErrNotRegular},
		{"rel.csv", ErrNotRegular},
		{"fifo.csv", ErrNotRegular},
		{"sub", ErrNotRegular},
		{"missing.csv", fs.ErrNotExist},
	} {
		if f, err := d.Open(tc.name); !errors.Is(err, tc.want) {
			if f != nil {
				f.Close()
			}
			t.Errorf("Open(%q) = %v, want %v", tc.name, err, tc.want)
		}
		if tc.want == fs.ErrNotExist {
			continue
		}
		if w, err := d.Create(tc.name, true); err == nil {
			w.Abort()
			t.Errorf("Create(%q, replace) was allowed", tc.name)
		}
	}
	if b, _ := os.ReadFile(secret); string(b) != "top" {
		t.Fatalf("the file outside was changed: %q", b)
	}
	es, _ := d.List()
	if len(es) != 0 {
		t.Fatalf("List shows non-regular files: %v", es)
	}
}

func TestSizeCap(t *testing.T) {
	d, _ := newDir(t)
	d.SetMax(10)
	w, err := d.Create("big.csv", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, 11)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("write past the cap: %v", err)
	}
	if err := w.Close(); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("close after a capped write: %v", err)
	}
	if _, err := d.Stat("big.csv"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a refused upload left a file: %v", err)
	}
	d.SetMax(0)
	w, _ = d.Create("big.csv", false)
	w.Write(make([]byte, 11))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	d.SetMax(10)
	if _, err := d.Open("big.csv"); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("open of an oversized file: %v", err)
	}
}

func TestOpenRegularRefusesSpecialFilesAtOnce(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "p")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// No writer ever opens the FIFO: a blocking open would hang here.
	for _, p := range []string{fifo, dir, "/dev/null"} {
		if f, err := OpenRegular(p); !errors.Is(err, ErrNotRegular) {
			if f != nil {
				f.Close()
			}
			t.Errorf("OpenRegular(%s) = %v, want ErrNotRegular", p, err)
		}
	}
	reg := filepath.Join(dir, "ok.csv")
	os.WriteFile(reg, []byte("a"), 0o600)
	f, err := OpenRegular(reg)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
}

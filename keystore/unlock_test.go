package keystore

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/internal/testout"
)

// answers is a passphrase source that gives each answer in turn and
// records the requests, as a person at a prompt would.
type answers struct {
	list []string
	reqs []PassphraseRequest
}

func (a *answers) ask(_ context.Context, r PassphraseRequest) (string, error) {
	a.reqs = append(a.reqs, r)
	if len(a.reqs) > len(a.list) {
		return "", errors.New("no more answers")
	}
	return a.list[len(a.reqs)-1], nil
}

// A wrong passphrase is asked for again, up to three times in all; the
// store says how often it tried when it gives up (issue 11, item 15).
func TestFileAsksAgain(t *testing.T) {
	const right = "the right one"
	cases := []struct {
		name     string
		answers  []string
		wantErr  string // "" means it unlocks
		wantAsks int
	}{
		{"right at once", []string{right}, "", 1},
		{"wrong then right", []string{"typo", right}, "", 2},
		{"right on the last try", []string{"a typo", "another", right}, "", 3},
		{"three wrong", []string{"one", "two", "three", right}, "wrong passphrase for the encrypted secrets file, 3 times: giving up", 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ctx := context.Background()
			if err := NewFileStore(dir, staticPass(right), fastWork).Save(ctx, "p", Secrets{SecretKey: testSecret}); err != nil {
				t.Fatal(err)
			}
			a := &answers{list: tc.answers}
			got, err := NewFileStore(dir, a.ask, fastWork).Load(ctx, "p")
			if tc.wantErr == "" && (err != nil || got.SecretKey != testSecret) {
				t.Fatalf("Load: %v", err)
			}
			if tc.wantErr != "" && (!errors.Is(err, ErrWrongPassphrase) || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Load: got %v, want %q", err, tc.wantErr)
			}
			if len(a.reqs) != tc.wantAsks {
				t.Fatalf("asked %d times, want %d", len(a.reqs), tc.wantAsks)
			}
			for i, r := range a.reqs {
				if r.Attempt != i+1 || r.New {
					t.Fatalf("request %d: %+v, want attempt %d of an existing file", i, r, i+1)
				}
			}
		})
	}
}

// --passphrase-fd reads its next line on a retry, and repeats the line
// that worked for later first asks (another store in the same command);
// a passphrase file, which would answer the same, fails on a retry.
func TestPassphraseRetrySources(t *testing.T) {
	ctx := context.Background()
	first, retry := PassphraseRequest{Attempt: 1}, PassphraseRequest{Attempt: 2}
	type ask struct {
		req  PassphraseRequest
		want string // an answer, or "error: …" for a part of the error
	}
	cases := []struct {
		name    string
		content string
		asks    []ask
	}{
		{"one line, asked twice", "only\n", []ask{{first, "only"}, {first, "only"}}},
		{"wrong then right", "typo\nright\n", []ask{{first, "typo"}, {retry, "right"}, {first, "right"}}},
		{"no second line", "typo\n", []ask{{first, "typo"}, {retry, "error: has no other line"}}},
		{"empty second line", "typo\n\n", []ask{{first, "typo"}, {retry, "error: wrong passphrase"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := PassphraseFromReader(strings.NewReader(tc.content), "test input")
			for i, a := range tc.asks {
				got, err := src(ctx, a.req)
				if w, isErr := strings.CutPrefix(a.want, "error: "); isErr {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Fatalf("ask %d: got %q, %v; want an error saying %q", i, got, err, w)
					}
					continue
				}
				if err != nil || got != a.want {
					t.Fatalf("ask %d: got %q, %v; want %q", i, got, err, a.want)
				}
			}
		})
	}
	p := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(p, []byte("from a file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := PassphraseFromFile(p)(ctx, retry); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("file source on a retry: %v, want ErrWrongPassphrase", err)
	}
}

// Unlocking shows what it is doing from the first moment (the first frame
// needs no tick) and erases the line when done, once per try.
func TestUnlockShowsProgress(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	if err := NewFileStore(dir, staticPass("the right one"), fastWork).Save(ctx, "p", Secrets{SecretKey: testSecret}); err != nil {
		t.Fatal(err)
	}
	out := testout.New()
	// An hour between frames: only the immediate first frame is drawn,
	// whatever the machine's speed.
	a := &answers{list: []string{"typo", "the right one"}}
	st := NewFileStore(dir, a.ask, fastWork).WithProgress(Spinner(out, time.Hour))
	if _, err := st.Load(ctx, "p"); err != nil {
		t.Fatal(err)
	}
	const frame = "\r⠋ unlocking secrets-p.age…\r\x1b[K"
	if got := out.String(); got != frame+frame {
		t.Fatalf("progress %q, want %q twice", got, frame)
	}
}

// New files get the documented cost; TestFileKeepsWorkFactor shows an
// existing file keeps its own.
func TestDefaultWorkFactor(t *testing.T) {
	data, err := seal(Secrets{SecretKey: testSecret}, "long enough pass", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := scryptWorkFactor(data); got != DefaultWorkFactor || DefaultWorkFactor != 16 {
		t.Fatalf("work factor %d, want %d (16, as the README says)", got, DefaultWorkFactor)
	}
}

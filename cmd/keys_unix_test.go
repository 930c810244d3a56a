//go:build linux

package cmd

import (
	"bytes"
	"context"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/keystore"
)

// passFD returns a descriptor whose content is pass, as a shell's
// `3<pass.txt` would give. It is a dup the command may close itself.
func passFD(t *testing.T, pass string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteString(pass + "\n"); err != nil {
		t.Fatal(err)
	}
	w.Close()
	fd, err := syscall.Dup(int(r.Fd()))
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(fd)
}

// --passphrase-fd feeds the file backend while stdin carries the keys.
func TestPassphraseFD(t *testing.T) {
	keyHome(t)
	base := simURL(t, sim.Options{})
	mustOK(t, malipo(t, kPub+"\n"+kSecret+"\n", "login", "--backend", "file", "--scrypt-work-factor", "10",
		"--base-url", base, "--passphrase-fd", passFD(t, "passphrase via fd")))
	dev := mustOK(t, malipo(t, "", "device", "new", "--passphrase-fd", passFD(t, "passphrase via fd"))).out
	if show := mustOK(t, malipo(t, "", "device", "show", "--passphrase-fd", passFD(t, "passphrase via fd"))).out; !strings.Contains(show, dev) {
		t.Fatal("device show differs")
	}
	r := malipo(t, "", "device", "show", "--passphrase-fd", passFD(t, "another one"))
	if r.e == nil || !strings.Contains(r.e.Error(), "wrong passphrase") {
		t.Fatalf("wrong passphrase via fd: %v", r.e)
	}
	if r := malipo(t, "", "device", "show", "--passphrase-fd", passFD(t, "")); r.e == nil || !strings.Contains(r.e.Error(), "empty") {
		t.Fatalf("empty fd: %v", r.e)
	}
}

// lockedBuffer is a bytes.Buffer safe to read while a command writes it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// echoOff reports whether the terminal has echo turned off.
func echoOff(t *testing.T, tty *os.File) bool {
	st, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatalf("termios: %v", err)
	}
	return st.Lflag&unix.ECHO == 0
}

// answer types each answer once its prompt is on stderr and the terminal
// has stopped echoing (term.ReadPassword is waiting). A prompt appears only
// after the previous read returned, so echo off then means the new read.
func answer(t *testing.T, ptmx, tty *os.File, stderr *lockedBuffer, prompts, answers []string) {
	t.Helper()
	for i, p := range prompts {
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(stderr.String(), p) || !echoOff(t, tty) {
			if time.Now().After(deadline) {
				t.Fatalf("prompt %q with echo off never came; stderr:\n%s", p, stderr.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
		if _, err := ptmx.WriteString(answers[i] + "\n"); err != nil {
			t.Fatal(err)
		}
	}
}

// On a terminal, keys and passphrases are read without echo: the terminal
// never shows them, only their masked forms appear.
func TestLoginOnTerminal(t *testing.T) {
	_, dir := keyHome(t)
	base := simURL(t, sim.Options{})
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty here: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	var screen bytes.Buffer
	copied := make(chan struct{})
	go func() { _, _ = io.Copy(&screen, ptmx); close(copied) }()

	root := newRootCmd()
	var stdout bytes.Buffer
	stderr := &lockedBuffer{}
	root.SetArgs([]string{"login", "--backend", "file", "--scrypt-work-factor", "10", "--base-url", base})
	root.SetIn(tty)
	root.SetOut(&stdout)
	root.SetErr(stderr)
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(context.Background()) }()
	const pass = "typed on the terminal"
	answer(t, ptmx, tty, stderr,
		[]string{"Publishable key", "Secret key", "Passphrase for malipo", "Again, to confirm"},
		[]string{kPub, kSecret, pass, pass})
	if err := <-done; err != nil {
		t.Fatalf("login: %v\n%s", err, stderr.String())
	}
	tty.Close()
	ptmx.Close()
	<-copied
	for _, secret := range []string{kSecret, kPub, pass} {
		if strings.Contains(screen.String(), secret) || strings.Contains(stderr.String(), secret) || strings.Contains(stdout.String(), secret) {
			t.Fatalf("%.20q… was echoed or printed", secret)
		}
	}
	if !strings.Contains(stderr.String(), "ISSecretKey_test_••••8181") {
		t.Fatalf("no masked echo of the secret key:\n%s", stderr.String())
	}
	// The passphrase typed twice sealed the file.
	p := dir + "/pass"
	if err := os.WriteFile(p, []byte(pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(keystore.EnvPassphraseFile, p)
	if c, err := keystore.Load(context.Background(), "default", keystore.LoadOptions{}); err != nil || c.SecretKey() != kSecret {
		t.Fatalf("Load with the typed passphrase: %v", err)
	}
}

// A wrong passphrase is asked for again: through --passphrase-fd the next
// line is the next try, so a typo then the right one unlocks, and three
// wrong ones end the command with an error that says so (issue 11, 15).
func TestPassphraseFDRetries(t *testing.T) {
	keyHome(t)
	base := simURL(t, sim.Options{})
	const right = "passphrase via fd"
	mustOK(t, malipo(t, kPub+"\n"+kSecret+"\n", "login", "--backend", "file", "--scrypt-work-factor", "10",
		"--base-url", base, "--passphrase-fd", passFD(t, right)))
	dev := mustOK(t, malipo(t, "", "device", "new", "--passphrase-fd", passFD(t, right))).out
	cases := []struct {
		name, lines, wantErr string
	}{
		{"wrong then right", "a typo\n" + right, ""},
		{"two wrong then right", "a typo\nanother\n" + right, ""},
		{"three wrong", "one\ntwo\nthree\n" + right, "wrong passphrase for the encrypted secrets file, 3 times: giving up"},
		{"one wrong, nothing more", "a typo", "has no other line to try"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := malipo(t, "", "device", "show", "--passphrase-fd", passFD(t, tc.lines))
			if tc.wantErr == "" {
				if r.e != nil || !strings.Contains(r.out, dev) {
					t.Fatalf("device show: %v\n%s", r.e, r.err)
				}
				return
			}
			if r.e == nil || !strings.Contains(r.e.Error(), tc.wantErr) {
				t.Fatalf("device show: got %v, want %q", r.e, tc.wantErr)
			}
		})
	}
}

// On a terminal a wrong passphrase is asked for again, saying so, and the
// second answer unlocks (issue 11, item 15).
func TestPassphraseRetryOnTerminal(t *testing.T) {
	keyHome(t)
	base := simURL(t, sim.Options{})
	const right = "passphrase on a tty"
	mustOK(t, malipo(t, kPub+"\n"+kSecret+"\n", "login", "--backend", "file", "--scrypt-work-factor", "10",
		"--base-url", base, "--passphrase-fd", passFD(t, right)))
	dev := mustOK(t, malipo(t, "", "device", "new", "--passphrase-fd", passFD(t, right))).out
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty here: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	go func() { _, _ = io.Copy(io.Discard, ptmx) }()
	root := newRootCmd()
	var stdout lockedBuffer
	stderr := &lockedBuffer{}
	root.SetArgs([]string{"device", "show"})
	root.SetIn(tty)
	root.SetOut(&stdout)
	root.SetErr(stderr)
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(context.Background()) }()
	answer(t, ptmx, tty, stderr,
		[]string{"Passphrase for malipo", "Wrong passphrase. Try again (2 of 3)"},
		[]string{"a typo", right})
	if err := <-done; err != nil {
		t.Fatalf("device show: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), strings.TrimSpace(dev)) {
		t.Fatalf("device show printed %q, want the device key %q", stdout.String(), dev)
	}
}

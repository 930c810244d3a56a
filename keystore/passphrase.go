package keystore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"golang.org/x/term"
)

// EnvPassphraseFile names a file holding the file backend's passphrase
// (e.g. a systemd credential, $CREDENTIALS_DIRECTORY/malipo-passphrase).
const EnvPassphraseFile = "MALIPO_PASSPHRASE_FILE"

// PassphraseRequest says what the passphrase is for.
type PassphraseRequest struct {
	Path string // the directory of the encrypted files, to show in a prompt
	New  bool   // a new file is being created: a terminal prompt asks twice
	// Attempt counts the asks for this unlock from 1; above 1 the last
	// answer was wrong, so a source that can give another one should (a
	// prompt asks again, --passphrase-fd reads its next line) and one that
	// cannot (a file) should fail.
	Attempt int
}

// PassphraseFunc supplies the file backend's passphrase. It is never read
// from argv.
type PassphraseFunc func(ctx context.Context, req PassphraseRequest) (string, error)

// DefaultPassphrase reads the file named by MALIPO_PASSPHRASE_FILE if set,
// otherwise prompts without echo when stdin is a terminal, otherwise fails
// with what to do.
func DefaultPassphrase(ctx context.Context, req PassphraseRequest) (string, error) {
	if p := os.Getenv(EnvPassphraseFile); p != "" {
		return PassphraseFromFile(p)(ctx, req)
	}
	if term.IsTerminal(int(os.Stdin.Fd())) {
		return PassphraseFromTerminal(os.Stdin, os.Stderr)(ctx, req)
	}
	return "", errors.New("the file backend needs its passphrase: run in a terminal, set " + EnvPassphraseFile +
		" to a file holding it, or pass --passphrase-fd N")
}

// PassphraseFromFile reads the first line of path. The file must not be
// readable by group or others.
func PassphraseFromFile(path string) PassphraseFunc {
	return func(_ context.Context, req PassphraseRequest) (string, error) {
		if req.Attempt > 1 {
			// The file would give the same answer again.
			return "", fmt.Errorf("%w (the one in %s)", ErrWrongPassphrase, path)
		}
		st, err := os.Stat(path)
		if err != nil {
			return "", fmt.Errorf("passphrase file: %w", err)
		}
		if st.Mode().IsRegular() && st.Mode().Perm()&0o044 != 0 {
			return "", fmt.Errorf("passphrase file %s is readable by others: chmod 600 it", path)
		}
		f, err := os.Open(path)
		if err != nil {
			return "", fmt.Errorf("passphrase file: %w", err)
		}
		defer f.Close()
		return newLines(f, what(path)).next()
	}
}

func what(path string) string { return "passphrase file " + path }

// PassphraseFromReader reads the first line of r (for --passphrase-fd) and
// returns it again on later calls, except that a retry (Attempt > 1, the
// last one was wrong) reads the next line: "wrong\nright\n" unlocks on
// the second try, as a person at a prompt would.
func PassphraseFromReader(r io.Reader, what string) PassphraseFunc {
	return newLines(r, what).source(nil)
}

// PassphraseFromFD reads the passphrase from an inherited file descriptor,
// as in `malipo login --backend file --passphrase-fd 3 3<pass.txt`.
func PassphraseFromFD(fd int) (PassphraseFunc, error) {
	if fd < 0 {
		return nil, fmt.Errorf("--passphrase-fd %d: not a file descriptor", fd)
	}
	f := os.NewFile(uintptr(fd), fmt.Sprintf("fd %d", fd))
	if f == nil {
		return nil, fmt.Errorf("--passphrase-fd %d: not an open file descriptor", fd)
	}
	return newLines(f, fmt.Sprintf("--passphrase-fd %d", fd)).source(f), nil
}

// PassphraseFromTerminal prompts on out and reads in without echo; for a
// new file it asks twice.
func PassphraseFromTerminal(in *os.File, out io.Writer) PassphraseFunc {
	return func(_ context.Context, req PassphraseRequest) (string, error) {
		fd := int(in.Fd())
		if req.Attempt > 1 {
			fmt.Fprintf(out, "Wrong passphrase. Try again (%d of %d): ", req.Attempt, MaxPassphraseTries)
		} else {
			fmt.Fprintf(out, "Passphrase for malipo's encrypted secrets (%s): ", req.Path)
		}
		p, err := term.ReadPassword(fd)
		fmt.Fprintln(out)
		if err != nil {
			return "", fmt.Errorf("read passphrase: %w", err)
		}
		if !req.New {
			return string(p), nil
		}
		fmt.Fprint(out, "Again, to confirm: ")
		p2, err := term.ReadPassword(fd)
		fmt.Fprintln(out)
		if err != nil {
			return "", fmt.Errorf("read passphrase: %w", err)
		}
		if string(p) != string(p2) {
			return "", errors.New("the passphrases do not match")
		}
		return string(p), nil
	}
}

// lines reads passphrases one line at a time from a descriptor or file.
type lines struct {
	r    *bufio.Reader
	what string

	mu   sync.Mutex
	last string
	err  error
	read int
}

func newLines(r io.Reader, what string) *lines {
	// Each line is short; the limit keeps a wrong descriptor (a device)
	// from being read forever.
	return &lines{r: bufio.NewReader(io.LimitReader(r, 4096*MaxPassphraseTries)), what: what}
}

// source answers the first ask and every later first ask with the line
// read last, and a retry with the next line. closer, when set, is closed
// once no further line can be wanted.
func (l *lines) source(closer io.Closer) PassphraseFunc {
	return func(_ context.Context, req PassphraseRequest) (string, error) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.read > 0 && req.Attempt <= 1 {
			return l.last, l.err
		}
		if l.read > 0 && l.err != nil {
			return "", l.err
		}
		l.last, l.err = l.next()
		l.read++
		if closer != nil && (l.err != nil || l.read >= MaxPassphraseTries) {
			_ = closer.Close() // the descriptor is ours; nothing more to read
		}
		if l.err != nil && l.read > 1 {
			// A retry found no other line: the first one was wrong.
			return "", fmt.Errorf("%w; %s has no other line to try", ErrWrongPassphrase, l.what)
		}
		return l.last, l.err
	}
}

// next reads up to the next newline (dropping it and a CR).
func (l *lines) next() (string, error) {
	line, err := l.r.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read %s: %w", l.what, err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", fmt.Errorf("%s is empty", l.what)
	}
	return line, nil
}

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
	return func(context.Context, PassphraseRequest) (string, error) {
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
		return firstLine(f, "passphrase file "+path)
	}
}

// PassphraseFromReader reads the first line of r once (for --passphrase-fd)
// and returns the same passphrase on later calls.
func PassphraseFromReader(r io.Reader, what string) PassphraseFunc {
	var once sync.Once
	var pass string
	var err error
	return func(context.Context, PassphraseRequest) (string, error) {
		once.Do(func() { pass, err = firstLine(r, what) })
		return pass, err
	}
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
	what := fmt.Sprintf("--passphrase-fd %d", fd)
	var once sync.Once
	var pass string
	var err error
	return func(context.Context, PassphraseRequest) (string, error) {
		once.Do(func() {
			pass, err = firstLine(f, what)
			_ = f.Close() // read once; the descriptor is ours now
		})
		return pass, err
	}, nil
}

// PassphraseFromTerminal prompts on out and reads in without echo; for a
// new file it asks twice.
func PassphraseFromTerminal(in *os.File, out io.Writer) PassphraseFunc {
	return func(_ context.Context, req PassphraseRequest) (string, error) {
		fd := int(in.Fd())
		fmt.Fprintf(out, "Passphrase for malipo's encrypted secrets (%s): ", req.Path)
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

// firstLine reads up to the first newline (dropping it and a CR).
func firstLine(r io.Reader, what string) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read %s: %w", what, err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", fmt.Errorf("%s is empty", what)
	}
	return line, nil
}

// keys.go holds what the key commands (login.go, device.go) share: their
// flags, the profile they act on, and the prompter that reads secrets.

package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/keystore"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// keyFlags are the flags the key commands share.
type keyFlags struct {
	backend      string
	passphraseFD int
	workFactor   int // scrypt log2(N) for a new encrypted file; 0: keystore.DefaultWorkFactor
}

func (f *keyFlags) addPassphraseFD(cmd *cobra.Command, persistent bool) {
	fs := cmd.Flags()
	if persistent {
		fs = cmd.PersistentFlags()
	}
	fs.IntVar(&f.passphraseFD, "passphrase-fd", -1, "read the file backend's passphrase from this file descriptor (e.g. 3 3<pass.txt)")
}

// keyCtx is what every key command works with: the profile, its settings
// and the store that holds its secrets.
type keyCtx struct {
	cmd    *cobra.Command
	g      *globals
	name   string
	dir    string
	cfg    *keystore.Config
	prof   *keystore.Profile // nil when the profile is not in config.toml
	flags  *keyFlags
	passFn keystore.PassphraseFunc
}

func newKeyCtx(cmd *cobra.Command, g *globals, f *keyFlags) (*keyCtx, error) {
	name := g.profile
	if name == "" {
		name = keystore.DefaultProfile
	}
	if err := keystore.CheckProfile(name); err != nil {
		return nil, err
	}
	dir, err := keystore.ConfigDir()
	if err != nil {
		return nil, err
	}
	cfg, err := keystore.ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	k := &keyCtx{cmd: cmd, g: g, name: name, dir: dir, cfg: cfg, prof: cfg.Profiles[name], flags: f}
	if k.passFn, err = k.passphraseSource(); err != nil {
		return nil, err
	}
	return k, nil
}

// passphraseSource picks where the file backend's passphrase comes from:
// --passphrase-fd, then MALIPO_PASSPHRASE_FILE, then a no-echo prompt when
// the command's stdin is a terminal. Never argv.
func (k *keyCtx) passphraseSource() (keystore.PassphraseFunc, error) {
	if k.flags.passphraseFD >= 0 {
		return keystore.PassphraseFromFD(k.flags.passphraseFD)
	}
	if p := os.Getenv(keystore.EnvPassphraseFile); p != "" {
		return keystore.PassphraseFromFile(p), nil
	}
	if f, ok := k.cmd.InOrStdin().(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return keystore.PassphraseFromTerminal(f, k.cmd.ErrOrStderr()), nil
	}
	return func(context.Context, keystore.PassphraseRequest) (string, error) {
		return "", errors.New("the file backend needs its passphrase: run in a terminal, set " +
			keystore.EnvPassphraseFile + " to a file holding it, or pass --passphrase-fd N")
	}, nil
}

// store opens backend ("" means the profile's, else keyring).
func (k *keyCtx) store(backend string) (keystore.Store, error) {
	if backend == "" && k.prof != nil {
		backend = k.prof.Backend
	}
	return keystore.Open(backend, keystore.StoreOptions{Dir: k.dir, Passphrase: k.passFn, WorkFactor: k.flags.workFactor,
		Progress: keystore.TerminalSpinner(k.errw())})
}

// profileStore opens the logged-in profile's store or says to log in.
func (k *keyCtx) profileStore() (keystore.Store, error) {
	if k.prof == nil {
		return nil, fmt.Errorf("profile %q is not logged in: run `malipo login --profile %s` first", k.name, k.name)
	}
	return k.store("")
}

func (k *keyCtx) saveConfig() error { return keystore.WriteConfig(k.dir, k.cfg) }

func (k *keyCtx) out() io.Writer  { return k.cmd.OutOrStdout() }
func (k *keyCtx) errw() io.Writer { return k.cmd.ErrOrStderr() }

// noteEnv warns that MALIPO_* keys override what is stored.
func (k *keyCtx) noteEnv() {
	if keystore.EnvKeysSet() {
		fmt.Fprintf(k.errw(), "note: %s/%s are set; while they are, malipo uses them instead of the stored keys.\n",
			keystore.EnvPublishableKey, keystore.EnvSecretKey)
	}
}

// prompter reads secrets without echo from a terminal, or line by line
// from a pipe (scripts and tests).
type prompter struct {
	tty *os.File
	br  *bufio.Reader
	out io.Writer
}

func newPrompter(cmd *cobra.Command) *prompter {
	in := cmd.InOrStdin()
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return &prompter{tty: f, out: cmd.ErrOrStderr()}
	}
	return &prompter{br: bufio.NewReader(in), out: cmd.ErrOrStderr()}
}

// secret prompts for one value and shows back only its masked form.
func (p *prompter) secret(label string) (string, error) {
	fmt.Fprintf(p.out, "%s: ", label)
	var v string
	if p.tty != nil {
		b, err := term.ReadPassword(int(p.tty.Fd()))
		if err != nil {
			fmt.Fprintln(p.out)
			return "", fmt.Errorf("read %s: %w", label, err)
		}
		v = string(b)
	} else {
		line, err := p.br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			fmt.Fprintln(p.out)
			return "", fmt.Errorf("read %s: %w", label, err)
		}
		if err != nil && line == "" {
			fmt.Fprintln(p.out)
			return "", fmt.Errorf("read %s: stdin ended", label)
		}
		v = line
	}
	v = strings.TrimSpace(v)
	fmt.Fprintln(p.out, client.MaskKey(v))
	return v, nil
}

// confirm asks a yes/no question on a terminal; without one, --yes is needed.
func (k *keyCtx) confirm(question string) error {
	f, ok := k.cmd.InOrStdin().(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return errors.New("refusing to delete without confirmation: pass --yes")
	}
	fmt.Fprint(k.errw(), question)
	line, _ := bufio.NewReader(f).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
		return errors.New("cancelled")
	}
	return nil
}

// keyRun is the RunE of every key command (login, logout, device …): it
// builds the profile's keyCtx from the shared flags, then runs do.
func keyRun(g *globals, f *keyFlags, do func(k *keyCtx, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		k, err := newKeyCtx(cmd, g, f)
		if err != nil {
			return err
		}
		return do(k, args)
	}
}

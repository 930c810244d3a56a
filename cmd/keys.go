package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/keystore"
)

// verifyTimeout bounds the one API call login makes to check the keys.
const verifyTimeout = 30 * time.Second

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

func newLoginCmd(g *globals) *cobra.Command {
	f := &keyFlags{}
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Store IntaSend API keys for a profile",
		Long: `Prompt for the publishable and secret keys (input is not echoed), check their
format, verify them with one API call, then store them in the keyring (default)
or in an encrypted file (--backend file, for servers without a keyring).

Keys are never taken from flags. When stdin is not a terminal, the publishable
key and the secret key are read from its first two lines.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := newKeyCtx(cmd, g, f)
			if err != nil {
				return err
			}
			return k.login()
		},
	}
	cmd.Flags().StringVar(&f.backend, "backend", "", "where to keep the keys: keyring (default) or file (age-encrypted, for headless servers)")
	f.addPassphraseFD(cmd, false)
	// Hidden: lowering scrypt's cost is for tests (the race detector makes
	// even the default take seconds) and very slow machines, not for users.
	cmd.Flags().IntVar(&f.workFactor, "scrypt-work-factor", 0, "scrypt cost (log2 N, 10–22) of a new encrypted file")
	_ = cmd.Flags().MarkHidden("scrypt-work-factor")
	return cmd
}

func (k *keyCtx) login() error {
	if wf := k.flags.workFactor; wf != 0 && (wf < 10 || wf > 22) {
		return fmt.Errorf("--scrypt-work-factor %d: want 10–22", wf)
	}
	backend := k.flags.backend
	if backend == "" && k.prof != nil {
		backend = k.prof.Backend
	}
	if backend == "" {
		backend = keystore.BackendKeyring
	}
	st, err := k.store(backend)
	if err != nil {
		return err
	}
	ctx := k.cmd.Context()
	// Reading what is there first proves the backend works before the
	// user types anything, and keeps an existing device key.
	old, err := st.Load(ctx, k.name)
	if err != nil && !errors.Is(err, keystore.ErrNotFound) {
		return err
	}
	if old.DeviceKey == "" {
		old.DeviceKey = k.oldBackendDeviceKey(backend)
	}
	pub, sec, env, err := k.promptKeys()
	if err != nil {
		return err
	}
	base, from := k.baseURL(env)
	// client.New refuses it too; here the message can say where it came from.
	if err := client.CheckBaseURL(env, base); err != nil {
		return fmt.Errorf("base URL from %s: %w; nothing was stored", from, err)
	}
	n, err := verifyKeys(ctx, pub, sec, base)
	if err != nil {
		return fmt.Errorf("%w; nothing was stored", err)
	}
	if err := st.Save(ctx, k.name, keystore.Secrets{PublishableKey: pub, SecretKey: sec, DeviceKey: old.DeviceKey}); err != nil {
		return err
	}
	k.dropOldBackend(backend)
	prof := k.prof
	if prof == nil || prof.Environment != string(env) {
		prof = &keystore.Profile{Preferences: preferences(prof)}
	}
	prof.Environment, prof.Backend = string(env), backend
	if k.g.baseURL != "" {
		prof.BaseURL = k.g.baseURL
	}
	k.cfg.Profiles[k.name] = prof
	if err := k.saveConfig(); err != nil {
		return err
	}
	w := k.out()
	fmt.Fprintf(w, "Logged in to IntaSend %s as profile %q.\n", strings.ToUpper(string(env)), k.name)
	fmt.Fprintf(w, "  publishable key  %s\n  secret key       %s\n", client.MaskKey(pub), client.MaskKey(sec))
	fmt.Fprintf(w, "  verified against %s (%d wallets)\n", base, n)
	fmt.Fprintf(w, "  stored in        %s\n", where(st, k.name))
	if old.DeviceKey != "" {
		fmt.Fprintln(w, "  device key       kept (malipo device show)")
	}
	k.noteEnv()
	return nil
}

// baseURL is where login verifies: --base-url, else the profile's own
// (if it is for the same environment), else IntaSend's; and which it was.
func (k *keyCtx) baseURL(env client.Env) (base, from string) {
	if k.g.baseURL != "" {
		return k.g.baseURL, "--base-url"
	}
	if k.prof != nil && k.prof.BaseURL != "" && k.prof.Environment == string(env) {
		return k.prof.BaseURL, "config.toml (the profile's base_url)"
	}
	return keystore.DefaultBaseURL(env), "IntaSend's default"
}

// oldBackendDeviceKey carries the device key over when login moves a
// profile to another backend ("" if there is none or it cannot be read).
func (k *keyCtx) oldBackendDeviceKey(now string) string {
	if k.prof == nil || k.prof.Backend == "" || k.prof.Backend == now {
		return ""
	}
	old, err := k.store(k.prof.Backend)
	if err != nil {
		return ""
	}
	sec, err := old.Load(k.cmd.Context(), k.name)
	if err != nil {
		if !errors.Is(err, keystore.ErrNotFound) {
			fmt.Fprintf(k.errw(), "warning: could not read the device key from the %s backend: %v\n", k.prof.Backend, err)
		}
		return ""
	}
	return sec.DeviceKey
}

// dropOldBackend removes the keys from the backend the profile used before,
// so switching backends leaves no copy behind.
func (k *keyCtx) dropOldBackend(now string) {
	if k.prof == nil || k.prof.Backend == "" || k.prof.Backend == now {
		return
	}
	old, err := k.store(k.prof.Backend)
	if err == nil {
		err = old.Delete(k.cmd.Context(), k.name)
	}
	if err != nil {
		fmt.Fprintf(k.errw(), "warning: could not remove the old keys from the %s backend: %v\n", k.prof.Backend, err)
	}
}

func preferences(p *keystore.Profile) map[string]string {
	if p == nil {
		return nil
	}
	return p.Preferences
}

// where says in words where a profile's secrets are.
func where(st keystore.Store, profile string) string {
	if fs, ok := st.(*keystore.FileStore); ok {
		return "encrypted file " + fs.Path(profile)
	}
	return "the OS keyring (service " + keystore.KeyringService + ")"
}

// promptKeys reads and checks both keys.
func (k *keyCtx) promptKeys() (pub, sec string, env client.Env, err error) {
	p := newPrompter(k.cmd)
	if pub, err = p.secret("Publishable key (ISPubKey_…)"); err != nil {
		return "", "", "", err
	}
	if sec, err = p.secret("Secret key (ISSecretKey_…)"); err != nil {
		return "", "", "", err
	}
	if pub == "" || sec == "" {
		return "", "", "", errors.New("login needs both the publishable key and the secret key")
	}
	if env, err = keystore.CheckKeys(pub, sec); err != nil {
		return "", "", "", err
	}
	return pub, sec, env, nil
}

// verifyKeys makes the one API call that proves the secret key works and
// returns how many wallets the account has.
func verifyKeys(ctx context.Context, pub, sec, base string) (int, error) {
	c, err := client.New(pub, sec, client.WithBaseURL(base),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 2, BaseDelay: 300 * time.Millisecond, MaxDelay: 2 * time.Second}))
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, verifyTimeout)
	defer cancel()
	page, err := c.ListWallets(ctx, 1)
	switch {
	case client.IsUnauthorized(err):
		return 0, fmt.Errorf("IntaSend at %s refused the keys (%v): check they are this account's current keys", base, err)
	case err != nil:
		return 0, fmt.Errorf("could not verify the keys against %s: %w", base, err)
	}
	return page.Count, nil
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

func newLogoutCmd(g *globals) *cobra.Command {
	f := &keyFlags{}
	var keepDevice bool
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "Forget a profile's keys",
		Long: `Remove the profile's API keys and device key from its backend and its settings
from config.toml. With --keep-device the device key (and its id) stay, so you
need not register a new device with IntaSend when you log in again.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := newKeyCtx(cmd, g, f)
			if err != nil {
				return err
			}
			return k.logout(keepDevice)
		},
	}
	cmd.Flags().BoolVar(&keepDevice, "keep-device", false, "keep the device key and its id")
	f.addPassphraseFD(cmd, false)
	return cmd
}

func (k *keyCtx) logout(keepDevice bool) error {
	if k.prof == nil {
		fmt.Fprintf(k.out(), "Profile %q is not logged in; nothing to do.\n", k.name)
		k.noteEnv()
		return nil
	}
	st, err := k.store("")
	if err != nil {
		return err
	}
	ctx := k.cmd.Context()
	if keepDevice {
		old, err := st.Load(ctx, k.name)
		if err != nil && !errors.Is(err, keystore.ErrNotFound) {
			return err
		}
		if err := st.Save(ctx, k.name, keystore.Secrets{DeviceKey: old.DeviceKey}); err != nil {
			return err
		}
	} else {
		if err := st.Delete(ctx, k.name); err != nil {
			return err
		}
		delete(k.cfg.Profiles, k.name)
	}
	if err := k.saveConfig(); err != nil {
		return err
	}
	fmt.Fprintf(k.out(), "Logged out of profile %q: keys removed from %s.\n", k.name, where(st, k.name))
	if keepDevice {
		fmt.Fprintln(k.out(), "The device key was kept.")
	}
	k.noteEnv()
	return nil
}

func newDeviceCmd(g *globals) *cobra.Command {
	f := &keyFlags{}
	cmd := &cobra.Command{
		Use:   "device",
		Short: "Manage the device key that signs approvals",
		Long: `A device key is an RSA-2048 key pair. The private half stays in the profile's
backend (keyring or encrypted file) and signs payout approval nonces; the public
half is registered in IntaSend's dashboard (Settings → API Devices).`,
	}
	f.addPassphraseFD(cmd, true)
	cmd.AddCommand(newDeviceNewCmd(g, f), newDeviceShowCmd(g, f), newDeviceSetIDCmd(g, f), newDeviceRmCmd(g, f))
	return cmd
}

func newDeviceNewCmd(g *globals, f *keyFlags) *cobra.Command {
	var id string
	var force bool
	cmd := &cobra.Command{
		Use:   "new",
		Short: "Make an RSA-2048 device key and print its public half to register with IntaSend",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := newKeyCtx(cmd, g, f)
			if err != nil {
				return err
			}
			return k.deviceNew(id, force)
		},
	}
	cmd.Flags().StringVar(&id, "id", "", "the device id IntaSend gave this key, if already known")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing device key (the old one is lost)")
	return cmd
}

func (k *keyCtx) deviceNew(id string, force bool) error {
	st, err := k.profileStore()
	if err != nil {
		return err
	}
	ctx := k.cmd.Context()
	sec, err := k.loadStored(ctx, st)
	if err != nil {
		return err
	}
	if sec.DeviceKey != "" && !force {
		fp := "?"
		if key, err := client.ParsePrivateKeyPEM([]byte(sec.DeviceKey)); err == nil {
			fp = keystore.Fingerprint(&key.PublicKey)
		}
		return fmt.Errorf("profile %q already has a device key (%s): use `malipo device show`, or --force to replace it", k.name, fp)
	}
	key, err := keystore.NewDeviceKey()
	if err != nil {
		return err
	}
	priv, err := client.MarshalPrivateKeyPEM(key)
	if err != nil {
		return err
	}
	pub, err := client.MarshalPublicKeyPEM(&key.PublicKey)
	if err != nil {
		return err
	}
	sec.DeviceKey = string(priv)
	if err := st.Save(ctx, k.name, sec); err != nil {
		return err
	}
	k.prof.DeviceID = id // a new key never keeps the old key's id
	if err := k.saveConfig(); err != nil {
		return err
	}
	k.printRegisterSteps(st, keystore.Fingerprint(&key.PublicKey), id)
	_, err = k.out().Write(pub)
	return err
}

// printRegisterSteps goes to stderr so stdout carries only the PEM
// (malipo device new > device.pub.pem).
func (k *keyCtx) printRegisterSteps(st keystore.Store, fp, id string) {
	w := k.errw()
	dash := "https://sandbox.intasend.com"
	if k.prof.Environment == string(client.Live) {
		dash = "https://payment.intasend.com"
	}
	fmt.Fprintf(w, "Device key created for profile %q.\n", k.name)
	fmt.Fprintf(w, "  fingerprint  %s\n  private half %s (it never leaves it)\n\n", fp, where(st, k.name))
	fmt.Fprintln(w, "Register the public half with IntaSend:")
	fmt.Fprintf(w, "  1. Sign in to the IntaSend dashboard (%s).\n", dash)
	fmt.Fprintln(w, "  2. Settings → API Devices → add device.")
	fmt.Fprintln(w, "  3. Paste the public key printed below, from -----BEGIN PUBLIC KEY----- to -----END PUBLIC KEY-----.")
	if id == "" {
		fmt.Fprintf(w, "  4. Note the device id IntaSend shows and record it: malipo device set-id ID --profile %s\n\n", k.name)
	} else {
		fmt.Fprintf(w, "  4. Check IntaSend shows device id %s (recorded for this profile).\n\n", id)
	}
}

// loadStored reads the profile's stored secrets (not the environment's).
func (k *keyCtx) loadStored(ctx context.Context, st keystore.Store) (keystore.Secrets, error) {
	sec, err := st.Load(ctx, k.name)
	if errors.Is(err, keystore.ErrNotFound) {
		return keystore.Secrets{}, fmt.Errorf("profile %q has no keys in the %s backend: run `malipo login --profile %s` first", k.name, st.Name(), k.name)
	}
	return sec, err
}

func newDeviceShowCmd(g *globals, f *keyFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "show",
		Short: "Show the device key's fingerprint, id and public PEM",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := newKeyCtx(cmd, g, f)
			if err != nil {
				return err
			}
			return k.deviceShow()
		},
	}
}

func (k *keyCtx) deviceShow() error {
	st, err := k.profileStore()
	if err != nil {
		return err
	}
	sec, err := k.loadStored(k.cmd.Context(), st)
	if err != nil {
		return err
	}
	if sec.DeviceKey == "" {
		return fmt.Errorf("profile %q has no device key: run `malipo device new --profile %s`", k.name, k.name)
	}
	key, err := client.ParsePrivateKeyPEM([]byte(sec.DeviceKey))
	if err != nil {
		return fmt.Errorf("profile %q: stored %w", k.name, err)
	}
	pub, err := client.MarshalPublicKeyPEM(&key.PublicKey)
	if err != nil {
		return err
	}
	id := k.prof.DeviceID
	if id == "" {
		id = "not recorded (malipo device set-id ID)"
	}
	w := k.out()
	fmt.Fprintf(w, "profile      %s\n", k.name)
	fmt.Fprintf(w, "device id    %s\n", id)
	fmt.Fprintf(w, "key          RSA-%d, %s\n", key.N.BitLen(), where(st, k.name))
	fmt.Fprintf(w, "fingerprint  %s\n\n", keystore.Fingerprint(&key.PublicKey))
	_, err = w.Write(pub)
	return err
}

func newDeviceSetIDCmd(g *globals, f *keyFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "set-id ID",
		Short: "Record the device id IntaSend's dashboard gave the registered key",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := newKeyCtx(cmd, g, f)
			if err != nil {
				return err
			}
			if k.prof == nil {
				return fmt.Errorf("profile %q is not logged in: run `malipo login --profile %s` first", k.name, k.name)
			}
			id := strings.TrimSpace(args[0])
			if id == "" || strings.ContainsAny(id, " \t\r\n") {
				return fmt.Errorf("device id %q: want the id shown in IntaSend's dashboard", args[0])
			}
			k.prof.DeviceID = id
			if err := k.saveConfig(); err != nil {
				return err
			}
			fmt.Fprintf(k.out(), "Profile %q: device id %s recorded.\n", k.name, id)
			return nil
		},
	}
}

func newDeviceRmCmd(g *globals, f *keyFlags) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "rm",
		Short: "Delete the device key (approvals will no longer be signed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := newKeyCtx(cmd, g, f)
			if err != nil {
				return err
			}
			return k.deviceRm(yes)
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func (k *keyCtx) deviceRm(yes bool) error {
	st, err := k.profileStore()
	if err != nil {
		return err
	}
	ctx := k.cmd.Context()
	sec, err := k.loadStored(ctx, st)
	if err != nil {
		return err
	}
	if sec.DeviceKey == "" {
		fmt.Fprintf(k.out(), "Profile %q has no device key; nothing to do.\n", k.name)
		return nil
	}
	if !yes {
		if err := k.confirm(fmt.Sprintf("Delete the device key of profile %q? It cannot be recovered. [y/N] ", k.name)); err != nil {
			return err
		}
	}
	sec.DeviceKey = ""
	if err := st.Save(ctx, k.name, sec); err != nil {
		return err
	}
	k.prof.DeviceID = ""
	if err := k.saveConfig(); err != nil {
		return err
	}
	fmt.Fprintf(k.out(), "Device key of profile %q deleted. Remove the device in IntaSend's dashboard too (Settings → API Devices).\n", k.name)
	return nil
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

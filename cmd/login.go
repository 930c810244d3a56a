// login.go: `malipo login` stores a profile's keys after one call proves
// them; `malipo logout` removes them.

package cmd

import (
	"errors"
	"fmt"
	"strings"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/keystore"
	"github.com/spf13/cobra"
)

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
		RunE: keyRun(g, f, func(k *keyCtx, _ []string) error {
			return k.login()
		}),
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
	backend := k.loginBackend()
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
	v, err := k.promptAndVerify()
	if err != nil {
		return err
	}
	if err := st.Save(ctx, k.name, keystore.Secrets{PublishableKey: v.pub, SecretKey: v.sec, DeviceKey: old.DeviceKey}); err != nil {
		return err
	}
	k.dropOldBackend(backend)
	if err := k.saveProfile(v.env, backend); err != nil {
		return err
	}
	k.loggedIn(v, where(st, k.name), old.DeviceKey != "")
	return nil
}

// loginBackend is where the keys go: --backend, else the profile's, else
// the OS keyring.
func (k *keyCtx) loginBackend() string {
	backend := k.flags.backend
	if backend == "" && k.prof != nil {
		backend = k.prof.Backend
	}
	if backend == "" {
		backend = keystore.BackendKeyring
	}
	return backend
}

// verified is what login proved with one API call.
type verified struct {
	pub, sec string
	env      client.Env
	base     string
	wallets  int
}

// promptAndVerify reads the keys and proves them against the base URL
// before anything is stored.
func (k *keyCtx) promptAndVerify() (verified, error) {
	pub, sec, env, err := k.promptKeys()
	if err != nil {
		return verified{}, err
	}
	base, from := k.baseURL(env)
	// client.New refuses it too; here the message can say where it came from.
	if err := client.CheckBaseURL(env, base); err != nil {
		return verified{}, fmt.Errorf("base URL from %s: %w; nothing was stored", from, err)
	}
	n, err := keystore.VerifyKeys(k.cmd.Context(), pub, sec, base)
	if err != nil {
		return verified{}, fmt.Errorf("%w; nothing was stored", err)
	}
	return verified{pub: pub, sec: sec, env: env, base: base, wallets: n}, nil
}

// saveProfile records the profile's environment and backend; a profile
// moved to another environment starts afresh but keeps its preferences.
func (k *keyCtx) saveProfile(env client.Env, backend string) error {
	prof := k.prof
	if prof == nil || prof.Environment != string(env) {
		prof = &keystore.Profile{Preferences: preferences(prof)}
	}
	prof.Environment, prof.Backend = string(env), backend
	if k.g.baseURL != "" {
		prof.BaseURL = k.g.baseURL
	}
	k.cfg.Profiles[k.name] = prof
	return k.saveConfig()
}

// loggedIn tells the user what was stored, with the keys masked.
func (k *keyCtx) loggedIn(v verified, stored string, keptDevice bool) {
	w := k.out()
	fmt.Fprintf(w, "Logged in to IntaSend %s as profile %q.\n", strings.ToUpper(string(v.env)), k.name)
	fmt.Fprintf(w, "  publishable key  %s\n  secret key       %s\n", client.MaskKey(v.pub), client.MaskKey(v.sec))
	fmt.Fprintf(w, "  verified against %s (%d wallets)\n", v.base, v.wallets)
	fmt.Fprintf(w, "  stored in        %s\n", stored)
	if keptDevice {
		fmt.Fprintln(w, "  device key       kept (malipo device show)")
	}
	k.noteEnv()
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
	dk, err := keystore.DeviceKeyIn(k.cmd.Context(), old, k.name)
	if err != nil {
		fmt.Fprintf(k.errw(), "warning: could not read the device key from the %s backend: %v\n", k.prof.Backend, err)
	}
	return dk
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
		RunE: keyRun(g, f, func(k *keyCtx, _ []string) error {
			return k.logout(keepDevice)
		}),
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

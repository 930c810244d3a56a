// device.go: `malipo device` manages the device key payouts are signed
// with (new, show, set-id, rm).

package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/keystore"
	"github.com/spf13/cobra"
)

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
		RunE: keyRun(g, f, func(k *keyCtx, _ []string) error {
			return k.deviceNew(id, force)
		}),
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
		RunE: keyRun(g, f, func(k *keyCtx, _ []string) error {
			return k.deviceShow()
		}),
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
		RunE: keyRun(g, f, func(k *keyCtx, args []string) error {
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
		}),
	}
}

func newDeviceRmCmd(g *globals, f *keyFlags) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "rm",
		Short: "Delete the device key (approvals will no longer be signed)",
		Args:  cobra.NoArgs,
		RunE: keyRun(g, f, func(k *keyCtx, _ []string) error {
			return k.deviceRm(yes)
		}),
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

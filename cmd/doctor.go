package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/keystore"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/sshd"
)

// Check outcomes.
const (
	checkOK   = "ok"
	checkFail = "fail"
	checkSkip = "skip" // not applicable, or an earlier check failed
)

// check is one line of `malipo doctor`.
type check struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// doctorReport is `malipo doctor --json` (docs/schemas/doctor.json).
type doctorReport struct {
	OK      bool    `json:"ok"`
	Profile string  `json:"profile"`
	Checks  []check `json:"checks"`
}

type doctorFlags struct {
	json    bool
	users   string
	hostKey string
	maxSkew time.Duration
	now     func() time.Time // the local clock compared with IntaSend's
}

// doctorTimeout bounds the one API call doctor makes.
const doctorTimeout = 30 * time.Second

func newDoctorCmd(g *globals) *cobra.Command {
	f := &doctorFlags{now: time.Now}
	c := &cobra.Command{
		Use:   "doctor",
		Short: "Check the profile, keys, keyring, API, wallets, device key and clock",
		Long: "Check what malipo needs and say what to fix: the profile and its keys (present,\n" +
			"one environment), the keyring or the encrypted file, IntaSend reachable and the\n" +
			"keys accepted, a wallet able to send payouts, the device key that signs\n" +
			"approvals, the clock against IntaSend's, the payout journal, and with --users\n" +
			"the serve users file and host key. One line per check (✔ ok, ✖ fails, – skipped);\n" +
			"exits 1 if any check fails. It only reads: nothing is sent, created or changed.",
		Example: "  malipo doctor\n  malipo doctor --profile live --json | jq '.checks[] | select(.status==\"fail\")'\n" +
			"  malipo doctor --users /etc/malipo/users.toml",
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDoctor(cmdContext(cmd), cmd.OutOrStdout(), g, f)
		},
	}
	c.Flags().BoolVar(&f.json, "json", false, "print one JSON document (docs/schemas/doctor.json)")
	c.Flags().StringVar(&f.users, "users", "", "also check a malipo serve users `FILE` and its host key")
	c.Flags().StringVar(&f.hostKey, "host-key", "", "the serve host key to check (default: serve's)")
	c.Flags().DurationVar(&f.maxSkew, "max-skew", time.Minute, "largest clock difference with IntaSend that passes")
	c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	return c
}

func runDoctor(ctx context.Context, out io.Writer, g *globals, f *doctorFlags) error {
	r := &doctorReport{Profile: g.profile}
	r.Checks = append(r.Checks, profileCheck(g.profile))
	creds, err := keystore.Load(ctx, g.profile, keystore.LoadOptions{AllowLiveEnv: g.allowLiveEnv, BaseURL: g.baseURL})
	r.Checks = append(r.Checks, credentialChecks(creds, err)...)
	r.Checks = append(r.Checks, apiChecks(ctx, creds, f)...)
	r.Checks = append(r.Checks, deviceCheck(creds), journalCheck(g.profile))
	if f.users != "" {
		r.Checks = append(r.Checks, usersCheck(f.users), hostKeyCheck(f.hostKey))
	}
	failed := 0
	for _, c := range r.Checks {
		if c.Status == checkFail {
			failed++
		}
	}
	r.OK = failed == 0
	if f.json {
		if err := writeJSON(out, r); err != nil {
			return err
		}
	} else {
		writeChecks(out, r.Checks)
	}
	if failed > 0 {
		return &exitError{code: exitRefused, err: fmt.Errorf("doctor: %s failed", plural(failed, "check"))}
	}
	return nil
}

// writeChecks prints one line per check, the fix indented below a failure.
func writeChecks(w io.Writer, checks []check) {
	width := 0
	for _, c := range checks {
		width = max(width, len(c.Name))
	}
	sym := map[string]string{checkOK: "✔", checkFail: "✖", checkSkip: "–"}
	for _, c := range checks {
		fmt.Fprintf(w, "%s %-*s  %s\n", sym[c.Status], width, c.Name, printable(c.Detail))
		if c.Fix != "" {
			fmt.Fprintf(w, "  %*s  fix: %s\n", width, "", printable(c.Fix))
		}
	}
}

func ok(name, detail string) check   { return check{Name: name, Status: checkOK, Detail: detail} }
func skip(name, detail string) check { return check{Name: name, Status: checkSkip, Detail: detail} }
func fail(name, detail, fix string) check {
	return check{Name: name, Status: checkFail, Detail: detail, Fix: fix}
}

// profileCheck: the profile's name and config.toml entry (or MALIPO_* keys).
func profileCheck(profile string) check {
	const name = "profile"
	if err := keystore.CheckProfile(profile); err != nil {
		return fail(name, err.Error(), "use --profile NAME with letters, digits, '.', '_' or '-'")
	}
	dir, err := keystore.ConfigDir()
	if err != nil {
		return fail(name, err.Error(), "set XDG_CONFIG_HOME or HOME")
	}
	cfg, err := keystore.ReadConfig(dir)
	if err != nil {
		return fail(name, err.Error(), "fix or remove "+filepath.Join(dir, keystore.ConfigFile))
	}
	if keystore.EnvKeysSet() {
		return ok(name, fmt.Sprintf("%q, keys from MALIPO_PUBLISHABLE_KEY / MALIPO_SECRET_KEY", profile))
	}
	p := cfg.Profiles[profile]
	if p == nil {
		return fail(name, fmt.Sprintf("%q is not in %s", profile, filepath.Join(dir, keystore.ConfigFile)),
			"malipo login --profile "+profile)
	}
	backend := p.Backend
	if backend == "" {
		backend = keystore.BackendKeyring
	}
	return ok(name, fmt.Sprintf("%q: %s keys in the %s backend", profile, orDash(p.Environment), backend))
}

// credentialChecks turns keystore.Load's answer into the secrets-store
// and keys lines: a locked keyring is a store problem, mismatched keys a
// keys problem, and each gets its own fix.
func credentialChecks(creds *keystore.Credentials, err error) []check {
	const store, keys = "secrets store", "keys"
	if err == nil {
		return []check{ok(store, creds.Backend+" backend"),
			ok(keys, fmt.Sprintf("%s keys, secret %s, base URL %s", creds.Env, client.MaskKey(creds.SecretKey()), creds.BaseURL))}
	}
	msg := err.Error()
	switch {
	case errors.Is(err, keystore.ErrKeyringUnavailable), errors.Is(err, keystore.ErrKeyringLocked), errors.Is(err, keystore.ErrKeyringTimeout):
		return []check{fail(store, msg, "unlock the OS keyring (or log in again with --backend file on a headless machine)"),
			skip(keys, "the keys could not be read")}
	case errors.Is(err, keystore.ErrWrongPassphrase), strings.Contains(msg, keystore.EnvPassphraseFile):
		return []check{fail(store, msg, "set "+keystore.EnvPassphraseFile+" to a 0600 file holding the passphrase, or run in a terminal"),
			skip(keys, "the keys could not be read")}
	case errors.Is(err, keystore.ErrNotFound):
		return []check{ok(store, "reachable"), fail(keys, msg, "malipo login")}
	case errors.Is(err, keystore.ErrLiveEnv):
		return []check{ok(store, "MALIPO_* environment variables"), fail(keys, msg, "add --allow-live-env if live keys in the environment are meant")}
	case errors.Is(err, client.ErrPlainHTTP):
		return []check{ok(store, "answered"), fail(keys, msg, "use an https:// --base-url (http:// only to a malipo sim with test keys)")}
	}
	return []check{skip(store, "not reached"), fail(keys, msg, "malipo login again with a publishable and a secret key of one environment")}
}

// dateRecorder remembers the Date header of the last answer, for the
// clock check, without a second request.
type dateRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	date string
}

func (d *dateRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(req)
	if err == nil {
		d.mu.Lock()
		d.date = resp.Header.Get("Date")
		d.mu.Unlock()
	}
	return resp, err
}

// apiChecks makes one read (the wallets) and judges from it whether
// IntaSend answers, whether it takes the keys, whether a wallet can send
// payouts, and how far the local clock is from IntaSend's.
func apiChecks(ctx context.Context, creds *keystore.Credentials, f *doctorFlags) []check {
	const reach, accepted, disburse, clock = "IntaSend reachable", "keys accepted", "wallet can disburse", "clock"
	if creds == nil {
		return []check{skip(reach, "no keys"), skip(accepted, "no keys"), skip(disburse, "no keys"), skip(clock, "no keys")}
	}
	rec := &dateRecorder{next: http.DefaultTransport}
	cl, err := creds.Client(client.WithHTTPClient(&http.Client{Transport: rec, Timeout: doctorTimeout}),
		client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		return []check{fail(reach, err.Error(), "malipo login again"), skip(accepted, ""), skip(disburse, ""), skip(clock, "")}
	}
	ctx, cancel := context.WithTimeout(ctx, doctorTimeout)
	defer cancel()
	wallets, err := cl.AllWallets(ctx)
	rec.mu.Lock()
	date := rec.date
	rec.mu.Unlock()
	skew := skewCheck(date, f.now(), f.maxSkew)
	switch {
	case err == nil:
		return []check{ok(reach, creds.BaseURL), ok(accepted, "GET wallets/ answered"), disburseCheck(wallets), skew}
	case client.IsUnauthorized(err):
		return []check{ok(reach, creds.BaseURL), fail(accepted, err.Error(),
			"check the keys are this environment's (sandbox vs live) and not revoked; malipo login again"), skip(disburse, "keys refused"), skew}
	}
	return []check{fail(reach, err.Error(), "check the network, proxy and --base-url; try again later if IntaSend is down"),
		skip(accepted, "not reached"), skip(disburse, "not reached"), skew}
}

func disburseCheck(ws []client.Wallet) check {
	const name = "wallet can disburse"
	var can []string
	for _, w := range ws {
		if w.CanDisburse {
			can = append(can, fmt.Sprintf("%s (%s, %s available)", w.ID, orDash(w.Label), w.AvailableBalance.Format(w.Currency)))
		}
	}
	if len(can) == 0 {
		return fail(name, fmt.Sprintf("none of %s can send payouts", plural(len(ws), "wallet")),
			"ask IntaSend to enable payouts on the settlement wallet, or create a WORKING wallet with can_disburse")
	}
	return ok(name, strings.Join(can, "; "))
}

// skewCheck compares IntaSend's Date header with the local clock at the
// answer. A clock far off makes --since, the journal's times and the
// audit log disagree with IntaSend's records.
func skewCheck(date string, local time.Time, maxSkew time.Duration) check {
	const name = "clock"
	if date == "" {
		return skip(name, "IntaSend sent no Date header")
	}
	remote, err := http.ParseTime(date)
	if err != nil {
		return skip(name, fmt.Sprintf("unreadable Date header %q", date))
	}
	skew := local.Sub(remote).Truncate(time.Second)
	if skew.Abs() > maxSkew {
		return fail(name, fmt.Sprintf("this machine's clock is %s off IntaSend's", skew),
			"turn on time sync (timedatectl set-ntp true, or your OS's equivalent)")
	}
	return ok(name, fmt.Sprintf("within %s of IntaSend's", maxSkew))
}

// deviceCheck: approvals need a key and the id IntaSend registered it as.
func deviceCheck(creds *keystore.Credentials) check {
	const name = "device key"
	switch {
	case creds == nil:
		return skip(name, "no keys")
	case creds.HasDeviceKey() && creds.DeviceID != "":
		return ok(name, fmt.Sprintf("%s, registered as device %s", keystore.Fingerprint(creds.DevicePublicKey()), creds.DeviceID))
	case creds.HasDeviceKey():
		return fail(name, "a device key but no device id: approvals cannot name it",
			"register the public key with IntaSend (malipo device show), then malipo device set-id ID")
	case creds.DeviceID != "":
		return fail(name, "device id "+creds.DeviceID+" but no device key to sign with",
			"malipo device new (and register its public key), or restore the key")
	}
	return skip(name, "none: needed only if IntaSend requires signed approvals for this account (malipo device new)")
}

// journalCheck: the payout journal (drafts, the duplicate guard) opens.
func journalCheck(profile string) check {
	const name = "payout journal"
	dir, err := payout.StateDir(profile)
	if err != nil {
		return fail(name, err.Error(), "set XDG_STATE_HOME or HOME")
	}
	j, err := payout.OpenJournal(dir)
	if err != nil {
		return fail(name, err.Error(), "make "+dir+" writable by this user (mode 0700)")
	}
	n := len(j.Entries())
	_ = j.Close()
	return ok(name, fmt.Sprintf("%s (%d batches recorded)", dir, n))
}

// usersCheck loads the users file as serve does (StrictModes included).
func usersCheck(path string) check {
	const name = "serve users file"
	u, err := sshd.LoadUsers(path)
	if err != nil {
		return fail(name, err.Error(), "chmod go-w "+path+" and its folder, make it yours, and fix what the message names (malipo serve --help)")
	}
	return ok(name, fmt.Sprintf("%s: %s", path, plural(len(u.Names()), "user")))
}

// hostKeyCheck: the host key must be readable by its owner only. A
// missing key is fine (serve makes one); doctor never creates it.
func hostKeyCheck(path string) check {
	const name = "serve host key"
	if path == "" {
		base, err := stateBase()
		if err != nil {
			return fail(name, err.Error(), "pass --host-key FILE")
		}
		path = filepath.Join(base, "ssh_host_ed25519_key")
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return ok(name, path+" does not exist yet: malipo serve makes it on first start")
	}
	_, fp, err := sshd.HostKey(path) // exists: only read and checked
	if err != nil {
		return fail(name, err.Error(), "chmod 600 "+path+" (and make it a regular file owned by this user)")
	}
	return ok(name, path+" "+fp)
}

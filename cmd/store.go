package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/malipo/malipo/keystore"
	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/sshd"
	"github.com/malipo/malipo/store"
	"github.com/malipo/malipo/ui/common"
)

// EnvStore names the shared store when --store is not given.
const EnvStore = "MALIPO_STORE"

// storeURL is where serve keeps shared state: --store, else MALIPO_STORE,
// else config.toml's store; "" is the embedded files. A password on the
// command line is refused: ps shows argv to every user of the machine.
func storeURL(flag string) (string, error) {
	if flag != "" {
		if store.HasPassword(flag) {
			return "", errors.New("--store: the URL carries a password, which every user of this machine can read in ps; " +
				"drop it from the URL and put it in a passfile (PGPASSFILE, default ~/.pgpass) or PGPASSWORD")
		}
		return checkStoreURL(flag)
	}
	if u := os.Getenv(EnvStore); u != "" {
		return checkStoreURL(u)
	}
	dir, err := keystore.ConfigDir()
	if err != nil {
		return "", nil
	}
	cfg, err := keystore.ReadConfig(dir)
	if err != nil {
		return "", err
	}
	return checkStoreURL(cfg.Store)
}

func checkStoreURL(u string) (string, error) {
	switch {
	case store.IsEmbedded(u):
		return "", nil
	case store.IsPostgres(u):
		return u, nil
	}
	return "", fmt.Errorf("store %q: want a postgres:// URL, or nothing for the embedded files", store.Redact(u))
}

// openStore connects to the store at u and, when migrate is set, brings
// its schema up to date (under an advisory lock: hosts starting together
// take turns).
func openStore(ctx context.Context, u string, migrate bool, stderr io.Writer) (*store.Store, error) {
	cx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	s, err := store.Open(cx, u)
	if err != nil {
		return nil, err
	}
	if !migrate {
		return s, nil
	}
	done, err := s.Migrate(ctx)
	if err != nil {
		s.Close()
		return nil, err
	}
	if len(done) > 0 {
		fmt.Fprintf(stderr, "malipo: store %s migrated to version %d\n", s, done[len(done)-1])
	}
	return s, nil
}

// newStoreCmd is `malipo store`: the shared store of several serve hosts.
func newStoreCmd() *cobra.Command {
	var u string
	cmd := &cobra.Command{
		Use:   "store",
		Short: "The PostgreSQL store several malipo serve hosts share",
		Long: `malipo serve keeps the payout journal, drafts and the audit log in files on its
machine by default. With --store postgres://… (or MALIPO_STORE, or store = "…"
in config.toml) every host keeps them in one PostgreSQL database instead, so a
maker on one host and an approver on another see the same batches and one
signed audit chain. The URL never needs a password: libpq's PGPASSFILE
(~/.pgpass) and PG* environment variables are read.`,
	}
	migrate := &cobra.Command{
		Use:   "migrate",
		Short: "Bring the store's schema up to date (serve also does at start)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			url, err := storeURL(u)
			if err != nil {
				return err
			}
			if url == "" {
				return errors.New("store migrate: no store named: give --store postgres://…, MALIPO_STORE or store in config.toml")
			}
			s, err := openStore(cmdContext(c), url, true, c.ErrOrStderr())
			if err != nil {
				return err
			}
			defer s.Close()
			v, err := s.Version(cmdContext(c))
			if err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "store %s: schema version %d\n", s, v)
			return nil
		},
	}
	cmd.PersistentFlags().StringVar(&u, "store", "", "postgres:// URL (no password: use PGPASSFILE or PGPASSWORD)")
	cmd.AddCommand(migrate)
	return cmd
}

// serveStore opens --store for serve (nil for the embedded files).
func serveStore(ctx context.Context, f *serveFlags, stderr io.Writer) (*store.Store, error) {
	u, err := storeURL(f.store)
	if err != nil || u == "" {
		return nil, err
	}
	s, err := openStore(ctx, u, true, stderr)
	if err == nil {
		f.audit = "on the store " + s.String()
	}
	return s, err
}

func (f *serveFlags) closeStore() {
	if f.db != nil {
		f.db.Close()
	}
}

// shareJournal, with a store, makes each batch state change write its
// audit record in the same transaction and starts the sweep that settles
// approvals a dead host left in flight. The returned func stops it.
func (f *serveFlags) shareJournal(ctx context.Context, cfg sshd.Config, audit *sshd.AuditLog, host string, stderr io.Writer) func() {
	if f.db == nil {
		return func() {}
	}
	cfg.Journal.SetStateAudit(audit.StateAuditor())
	sctx, stop := context.WithCancel(ctx)
	go sweep(sctx, cfg.Journal, cfg.Client, host, stderr)
	return stop
}

// openServeJournal is the profile's journal: on the store when there is
// one, else its files in dir.
func openServeJournal(db *store.Store, profile, dir string) (*payout.Journal, error) {
	if db != nil {
		return payout.OpenJournalStore(db, profile)
	}
	return payout.OpenJournal(dir)
}

// sweep settles, on every host, approvals a dead host left approving
// (payout.Journal.Sweep) until ctx ends.
func sweep(ctx context.Context, j *payout.Journal, c payout.StatusReader, host string, stderr io.Writer) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		if n, err := j.Sweep(ctx, c, host); err != nil {
			fmt.Fprintf(stderr, "malipo serve: settling approvals: %v\n", err)
		} else if n > 0 {
			fmt.Fprintf(stderr, "malipo serve: settled %d approvals another host left in flight\n", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// runVerifyAuditStore is verify-audit --store: the shared chain.
func runVerifyAuditStore(ctx context.Context, g *globals, out io.Writer, flag, pubHex string, checkpoints []string) error {
	u, err := storeURL(flag)
	if err != nil {
		return err
	}
	if u == "" {
		return errors.New("verify-audit --store: no store named")
	}
	var heads []sshd.Head
	for _, c := range checkpoints {
		h, err := sshd.ParseHead(c)
		if err != nil {
			return err
		}
		heads = append(heads, h)
	}
	pub, err := auditPublicKey(ctx, g, pubHex, false)
	if err != nil {
		return err
	}
	s, err := openStore(ctx, u, false, io.Discard)
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := sshd.VerifyAuditStore(ctx, s, pub, heads...)
	if err != nil {
		return fmt.Errorf("audit chain on %s: %w", s, err)
	}
	fmt.Fprintf(out, "store %s: %d records, chain intact, signed with %s (log %s, first host key %s)",
		s, c.Records, keystore.AuditKeyFingerprint(pub), c.LogID, c.HostKey)
	if len(heads) > 0 {
		fmt.Fprintf(out, "; %d checkpoints found", len(heads))
	}
	fmt.Fprintf(out, "\nhead %s\n", c.Head)
	return nil
}

// cliStore is the shared store named by MALIPO_STORE or config.toml for
// the commands that move money (nil without one). It is not migrated
// here: serve and malipo store migrate do that.
func cliStore() (*store.Store, error) {
	u, err := storeURL("")
	if err != nil || u == "" {
		return nil, err
	}
	return openStore(context.Background(), u, false, io.Discard)
}

// localJournal is the profile's journal as the local console or a command
// opens it and, on a shared store, the audit chain its actions go to.
type localJournal struct {
	j  *payout.Journal
	db *store.Store // nil: the files
	// audit writes the actor's records to the shared chain (nil on the
	// files, which keep no audit log off SSH). When the audit key cannot
	// be opened it refuses every record, and so every journal event: a
	// money move that the chain would miss is not made.
	audit common.Auditor
	// auditErr says why the chain cannot be written (nil when it can).
	auditErr error
}

// openLocalJournal opens the profile's journal for the local console or a
// command (via names which, for the audit records; "" for one that appends
// no event): on the shared store
// when MALIPO_STORE or config.toml names one (so a console or script on a
// serve host meets the same guards as the SSH consoles, and writes the
// same audit chain), else its files.
func openLocalJournal(ctx context.Context, profile, via string) (*localJournal, error) {
	dir, err := payout.StateDir(profile)
	if err != nil {
		return nil, usageError(err)
	}
	db, err := cliStore()
	if err != nil {
		return nil, err
	}
	j, err := openServeJournal(db, profile, dir)
	if err != nil {
		if db != nil {
			db.Close()
		}
		return nil, err
	}
	lj := &localJournal{j: j, db: db}
	switch {
	case db == nil:
	case via == "":
		// A read (history) or a draft appends no event: no key is loaded
		// (no passphrase asked), and an event appended all the same would
		// be refused rather than go unaudited.
		lj.j.SetStateAudit(refusingAuditor{errReadOnly}.state)
	default:
		lj.attachAudit(ctx, profile, via)
	}
	return lj, nil
}

// errReadOnly refuses a journal event from a caller that opened the
// shared journal without its audit chain.
var errReadOnly = errors.New("this command opened the shared journal without its audit chain, so it records nothing")

// attachAudit makes every journal event write its record on the shared
// chain, in its own transaction, as local:<user>@<host>; or, without the
// audit key, refuse.
func (lj *localJournal) attachAudit(ctx context.Context, profile, via string) {
	log, err := openLocalAudit(ctx, lj.db, profile)
	if err != nil {
		lj.auditErr = err
		r := refusingAuditor{err}
		lj.audit = r
		lj.j.SetStateAudit(r.state)
		return
	}
	a := log.For(sshd.Actor{Name: "local:" + lj.j.Initiator(), Profile: profile, Via: via})
	lj.audit = a
	lj.j.SetStateAudit(a.StateAuditor())
}

// openLocalAudit opens the store's chain with the profile's audit key, as
// serve does (never making one: a key made here would sign records no
// host's key verifies).
func openLocalAudit(ctx context.Context, db *store.Store, profile string) (*sshd.AuditLog, error) {
	k, _, err := keystore.LoadAuditKey(ctx, keystore.AuditKeyOptions{Profile: profile})
	if err != nil {
		return nil, fmt.Errorf("the shared store %s keeps one signed audit chain of every money move, and the audit key cannot be opened here (%w), "+
			"so money moves are refused rather than left out of it: give this machine the key every serve host signs with "+
			"(MALIPO_AUDIT_KEY_FILE=/path/to/audit-key, see README \"Two hosts\"), or unset MALIPO_STORE (and store in config.toml) to work on this machine's files", db, err)
	}
	l, err := sshd.OpenAuditStore(ctx, db, k.PrivateKey(), sshd.AuditOptions{})
	if err != nil {
		return nil, fmt.Errorf("the shared store %s: its audit chain cannot be written with this machine's audit key %s (%w), "+
			"so money moves are refused: use the key every serve host signs with (MALIPO_AUDIT_KEY_FILE, see README \"Two hosts\")", db, k.Fingerprint(), err)
	}
	return l, nil
}

// refusingAuditor stands in for a chain that cannot be written: every
// record, and so every action and journal event that needs one, fails
// with why.
type refusingAuditor struct{ err error }

func (r refusingAuditor) Audit(common.AuditEvent) error { return r.err }

func (r refusingAuditor) state(*store.Tx, payout.StateChange) error { return r.err }

// close closes the journal and the store.
func (lj *localJournal) close() {
	_ = lj.j.Close()
	if lj.db != nil {
		lj.db.Close()
	}
}

// openProfileJournal is openLocalJournal for callers that read the
// journal or save drafts, and append no event (done closes it).
func openProfileJournal(profile string) (j *payout.Journal, done func(), err error) {
	lj, err := openLocalJournal(context.Background(), profile, "")
	if err != nil {
		return nil, nil, err
	}
	return lj.j, lj.close, nil
}

// Package sshd serves the malipo console over SSH (docs/design.md §10, issue 7):
// public-key logins checked against a users file, a role per user, one
// Bubble Tea program per session on a shared IntaSend client, an
// append-only audit log, app-level idle logout, panic isolation and a
// graceful drain on shutdown. The IntaSend keys stay in this process.
package sshd

import (
	"bytes"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	gossh "golang.org/x/crypto/ssh"

	"github.com/malipo/malipo/payout"
	"github.com/malipo/malipo/ui/common"
)

// Account is who a key belongs to.
type Account struct {
	Name string
	Role string
}

// Users maps SSH key fingerprints (SHA256:…) to accounts. It is immutable
// once built; a reload builds a new one and swaps it in whole.
type Users struct {
	byFP  map[string]Account
	names []string
	// policy is the approval policy with every user's limits (issue 13).
	policy payout.Policy
}

// usersFile is the TOML shape:
//
//	[[user]]
//	name = "wanjiru"
//	role = "approver"
//	keys = ["ssh-ed25519 AAAAC3Nza... wanjiru@laptop"]
type usersFile struct {
	Policy *policyFile `toml:"policy"`
	User   []struct {
		Name string   `toml:"name"`
		Role string   `toml:"role"`
		Keys []string `toml:"keys"`
		limitsFile
	} `toml:"user"`
}

// validName keeps names safe to show in the status bar and to write in
// the audit log and journal: no spaces, no control characters.
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

var roles = map[string]bool{
	common.RoleViewer: true, common.RoleSupport: true, common.RoleMaker: true, common.RoleApprover: true,
}

// minRSABits refuses RSA keys weaker than OpenSSH's own default floor.
const minRSABits = 2048

// LoadUsers reads and validates a users file.
//
// The file decides who may move money, so one that others could change is
// refused, as OpenSSH's StrictModes refuses an authorized_keys file: it
// must be a regular file owned by the account malipo runs as (or root),
// not writable by group or others, in a directory with the same rules
// (whoever can write the directory can replace the file). Anyone able to
// edit it could otherwise add their own key as an approver.
func LoadUsers(path string) (*Users, error) {
	f, err := openUsersFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxUsersFile+1))
	if err != nil {
		return nil, fmt.Errorf("users file: %w", err)
	}
	if len(data) > maxUsersFile {
		return nil, fmt.Errorf("users file %s is larger than %d bytes", path, maxUsersFile)
	}
	u, err := ParseUsers(data)
	if err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	return u, nil
}

// maxUsersFile bounds what LoadUsers reads: thousands of keys fit.
const maxUsersFile = 4 << 20

// openUsersFile opens path after the StrictModes checks. It checks the
// open file (fstat), not the name, so a file swapped in between the check
// and the read is caught; a FIFO or device is refused before open, which
// could otherwise block.
func openUsersFile(path string) (*os.File, error) {
	before, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("users file: %w", err)
	}
	if !before.Mode().IsRegular() {
		return nil, fmt.Errorf("users file %s is not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("users file: %w", err)
	}
	info, err := f.Stat()
	if err == nil && !os.SameFile(before, info) {
		err = fmt.Errorf("users file %s changed while it was being opened; try again", path)
	}
	if err == nil {
		err = strictModes(path, info)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// strictModes checks the file and the directory (or directories, when path
// is a symbolic link) it lives in.
func strictModes(path string, info os.FileInfo) error {
	if err := safeOwnerAndMode("users file", path, info); err != nil {
		return err
	}
	dirs := []string{filepath.Dir(path)}
	if real, err := filepath.EvalSymlinks(path); err == nil && filepath.Dir(real) != dirs[0] {
		dirs = append(dirs, filepath.Dir(real))
	}
	for _, d := range dirs {
		di, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("users file directory: %w", err)
		}
		if err := safeOwnerAndMode("the users file's directory", d, di); err != nil {
			return err
		}
	}
	return nil
}

// safeOwnerAndMode refuses what is owned by another account than ours or
// root, or writable by group or others, naming the path and the fix.
func safeOwnerAndMode(what, path string, info os.FileInfo) error {
	if uid, ok := ownerUID(info); ok && uid != 0 && uid != os.Geteuid() {
		return fmt.Errorf("%s %s is owned by %s, not by the account malipo runs as (%s) or root: run chown %d %s",
			what, path, accountName(uid), accountName(os.Geteuid()), os.Geteuid(), path)
	}
	if perm := info.Mode().Perm(); perm&0o022 != 0 {
		return fmt.Errorf("%s %s is writable by group or others (mode %04o): run chmod go-w %s", what, path, perm, path)
	}
	return nil
}

// accountName is "uid 65534 (nobody)", or just the number when the account
// database does not know it.
func accountName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		return fmt.Sprintf("uid %d (%s)", uid, u.Username)
	}
	return fmt.Sprintf("uid %d", uid)
}

// ParseUsers validates strictly: every problem is an error, so a typo
// never silently locks someone out or lets a key in under the wrong name.
// Unknown fields, bad names, unknown roles, unparseable keys, keys with
// authorized_keys options (from=, command=: we cannot honour them, so we
// refuse rather than ignore them), certificates, weak RSA keys and a key
// listed twice (for one user or two) are all refused, as is a file with
// no users.
func ParseUsers(data []byte) (*Users, error) {
	var f usersFile
	md, err := toml.NewDecoder(bytes.NewReader(data)).Decode(&f)
	if err != nil {
		return nil, err
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return nil, fmt.Errorf("unknown field(s) %s (a user has name, role, keys and an approver's approve_limit, daily_limit, monthly_limit; [policy] has expire_after, new_payee and [[policy.rule]] with above, approvers, rail)", strings.Join(keys, ", "))
	}
	if len(f.User) == 0 {
		return nil, errors.New("no [[user]] entries: nobody could log in")
	}
	u := &Users{byFP: map[string]Account{}}
	owner := map[string]string{} // fingerprint → user, for duplicate errors
	seen := map[string]bool{}
	limits := map[string]payout.Limits{}
	lines := headerLines(data, "user")
	for i, e := range f.User {
		where := fmt.Sprintf("user %d (%q, line %d)", i+1, e.Name, lineOf(lines, i))
		if !validName.MatchString(e.Name) {
			return nil, fmt.Errorf("%s: name must be 1-64 letters, digits or ._@- and start with a letter or digit", where)
		}
		if seen[strings.ToLower(e.Name)] {
			return nil, fmt.Errorf("%s: name listed twice", where)
		}
		seen[strings.ToLower(e.Name)] = true
		if !roles[e.Role] {
			return nil, fmt.Errorf("%s: role %q is not one of viewer, support, maker, approver", where, e.Role)
		}
		if len(e.Keys) == 0 {
			return nil, fmt.Errorf("%s: no keys", where)
		}
		for k, line := range e.Keys {
			fp, err := parseKey(line)
			if err != nil {
				return nil, fmt.Errorf("%s key %d: %w", where, k+1, err)
			}
			if prev, dup := owner[fp]; dup {
				return nil, fmt.Errorf("%s key %d: %s is already listed for %q; a key belongs to one user", where, k+1, fp, prev)
			}
			owner[fp] = e.Name
			u.byFP[fp] = Account{Name: e.Name, Role: e.Role}
		}
		l, err := buildLimits(e.limitsFile, e.Role, where)
		if err != nil {
			return nil, err
		}
		limits[strings.ToLower(e.Name)] = l
		u.names = append(u.names, e.Name)
	}
	sort.Strings(u.names)
	if u.policy, err = buildPolicy(f.Policy, data, countRole(u.byFP, common.RoleApprover)); err != nil {
		return nil, err
	}
	u.policy.Limits = limits
	return u, nil
}

// parseKey parses one authorized_keys-style line and returns its
// fingerprint.
func parseKey(line string) (string, error) {
	line = strings.TrimSpace(line)
	if line == "" {
		return "", errors.New("empty key")
	}
	pk, _, opts, rest, err := gossh.ParseAuthorizedKey([]byte(line))
	if err != nil {
		return "", fmt.Errorf("not an OpenSSH public key (%v); paste the one line from ~/.ssh/id_ed25519.pub", err)
	}
	if len(opts) > 0 {
		return "", fmt.Errorf("key options (%s) are not supported: remove them", strings.Join(opts, ","))
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return "", errors.New("more than one key in one string: give each key its own string")
	}
	if _, ok := pk.(*gossh.Certificate); ok {
		return "", errors.New("certificates are not supported: list the plain public key")
	}
	if ck, ok := pk.(gossh.CryptoPublicKey); ok {
		if r, ok := ck.CryptoPublicKey().(*rsa.PublicKey); ok && r.N.BitLen() < minRSABits {
			return "", fmt.Errorf("RSA key of %d bits is too weak (need %d or more; ed25519 is better)", r.N.BitLen(), minRSABits)
		}
	}
	return gossh.FingerprintSHA256(pk), nil
}

// Lookup finds the account a key belongs to.
func (u *Users) Lookup(key gossh.PublicKey) (Account, bool) {
	if u == nil || key == nil {
		return Account{}, false
	}
	a, ok := u.byFP[gossh.FingerprintSHA256(key)]
	return a, ok
}

// ByFingerprint finds the account of a key by its SHA256 fingerprint.
func (u *Users) ByFingerprint(fp string) (Account, bool) {
	if u == nil {
		return Account{}, false
	}
	a, ok := u.byFP[fp]
	return a, ok
}

// countRole is how many users have role.
func countRole(byFP map[string]Account, role string) int {
	names := map[string]bool{}
	for _, a := range byFP {
		if a.Role == role {
			names[a.Name] = true
		}
	}
	return len(names)
}

// Policy is the approval policy the file sets, with every user's limits.
// It is shared and must not be changed.
func (u *Users) Policy() *payout.Policy {
	if u == nil {
		return nil
	}
	return &u.policy
}

// Names lists the users, sorted.
func (u *Users) Names() []string { return append([]string(nil), u.names...) }

// Keys is how many keys the file lists.
func (u *Users) Keys() int { return len(u.byFP) }

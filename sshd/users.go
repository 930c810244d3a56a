// Package sshd serves the malipo console over SSH (design §10, issue 7):
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
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	gossh "golang.org/x/crypto/ssh"

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
}

// usersFile is the TOML shape:
//
//	[[user]]
//	name = "wanjiru"
//	role = "approver"
//	keys = ["ssh-ed25519 AAAAC3Nza... wanjiru@laptop"]
type usersFile struct {
	User []struct {
		Name string   `toml:"name"`
		Role string   `toml:"role"`
		Keys []string `toml:"keys"`
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
// The file decides who may move money, so one that others could write is
// refused: anyone able to edit it could add their own key as an approver.
func LoadUsers(path string) (*Users, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("users file: %w", err)
	}
	if info.Mode().Perm()&0o022 != 0 {
		return nil, fmt.Errorf("users file %s is writable by group or others (mode %04o): run chmod go-w %s", path, info.Mode().Perm(), path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("users file: %w", err)
	}
	u, err := ParseUsers(data)
	if err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	return u, nil
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
		return nil, fmt.Errorf("unknown field(s) %s (a user has name, role and keys)", strings.Join(keys, ", "))
	}
	if len(f.User) == 0 {
		return nil, errors.New("no [[user]] entries: nobody could log in")
	}
	u := &Users{byFP: map[string]Account{}}
	owner := map[string]string{} // fingerprint → user, for duplicate errors
	seen := map[string]bool{}
	for i, e := range f.User {
		where := fmt.Sprintf("user %d (%q)", i+1, e.Name)
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
		u.names = append(u.names, e.Name)
	}
	sort.Strings(u.names)
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

// Names lists the users, sorted.
func (u *Users) Names() []string { return append([]string(nil), u.names...) }

// Keys is how many keys the file lists.
func (u *Users) Keys() int { return len(u.byFP) }

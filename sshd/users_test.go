package sshd

import (
	"crypto/rand"
	"crypto/rsa"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

func TestParseUsers(t *testing.T) {
	a, b := newUser(t, "amina", "viewer"), newUser(t, "baraka", "approver")
	ka, kb := a.authorizedKey(), b.authorizedKey()
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	weakPub, _ := gossh.NewPublicKey(&weak.PublicKey)
	kweak := strings.TrimSpace(string(gossh.MarshalAuthorizedKey(weakPub)))
	user := func(name, role string, keys ...string) string {
		var q []string
		for _, k := range keys {
			q = append(q, `"`+k+`"`)
		}
		return "[[user]]\nname = \"" + name + "\"\nrole = \"" + role + "\"\nkeys = [" + strings.Join(q, ", ") + "]\n"
	}
	cases := []struct {
		name, file string
		err        string // "" means valid
	}{
		{"two users", user("amina", "viewer", ka) + user("baraka", "approver", kb), ""},
		{"every role", user("a", "viewer", ka) + user("b", "support", kb), ""},
		{"no users", "# nobody\n", "no [[user]]"},
		{"empty file", "", "no [[user]]"},
		{"unknown role", user("amina", "admin", ka), `role "admin"`},
		{"empty role", user("amina", "", ka), "role"},
		{"bad name", user("ami na", "viewer", ka), "name must be"},
		{"control char in name", user("ami\\u001bna", "viewer", ka), "name must be"},
		{"duplicate name", user("amina", "viewer", ka) + user("Amina", "maker", kb), "listed twice"},
		{"no keys", user("amina", "viewer"), "no keys"},
		{"garbage key", user("amina", "viewer", "ssh-ed25519 notbase64!!"), "not an OpenSSH public key"},
		{"options prefix", user("amina", "viewer", `from=\"10.0.0.1\" `+ka), "key options"},
		{"command option", user("amina", "viewer", `command=\"/bin/sh\" `+ka), "key options"},
		{"two keys in one string", user("amina", "viewer", ka+`\n`+kb), "more than one key"},
		{"same key twice for one user", user("amina", "viewer", ka, ka), "already listed"},
		{"same key for two users", user("amina", "viewer", ka) + user("baraka", "approver", ka), `already listed for "amina"`},
		{"weak rsa", user("amina", "viewer", kweak), "too weak"},
		{"unknown field", user("amina", "viewer", ka) + "admin = true\n", "unknown field"},
		{"typo in field", "[[user]]\nname = \"amina\"\nrol = \"viewer\"\nkeys = [\"" + ka + "\"]\n", "unknown field"},
		{"not toml", "[[user]\n", "toml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := ParseUsers([]byte(c.file))
			if c.err == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted %d keys, want an error about %q", u.Keys(), c.err)
			}
			if !strings.Contains(err.Error(), c.err) {
				t.Errorf("err = %v, want it to mention %q", err, c.err)
			}
		})
	}
}

func TestUsersLookup(t *testing.T) {
	a, b := newUser(t, "amina", "viewer"), newUser(t, "baraka", "approver")
	stranger := newUser(t, "x", "viewer")
	u, err := ParseUsers([]byte(usersTOML(a, b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		key  gossh.PublicKey
		want Account
		ok   bool
	}{
		{a.signer.PublicKey(), Account{"amina", "viewer"}, true},
		{b.signer.PublicKey(), Account{"baraka", "approver"}, true},
		{stranger.signer.PublicKey(), Account{}, false},
		{nil, Account{}, false},
	} {
		got, ok := u.Lookup(c.key)
		if got != c.want || ok != c.ok {
			t.Errorf("Lookup = %+v %v, want %+v %v", got, ok, c.want, c.ok)
		}
	}
	if n := u.Names(); len(n) != 2 || n[0] != "amina" {
		t.Errorf("Names = %v", n)
	}
}

func TestHostKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state", "host_key")
	pem1, fp1, err := HostKey(path)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("host key mode %04o, want 0600", info.Mode().Perm())
	}
	if d, _ := os.Stat(filepath.Dir(path)); d.Mode().Perm() != 0o700 {
		t.Errorf("host key dir mode %04o, want 0700", d.Mode().Perm())
	}
	signer, err := gossh.ParsePrivateKey(pem1)
	if err != nil || signer.PublicKey().Type() != gossh.KeyAlgoED25519 {
		t.Fatalf("host key %v, %v", signer, err)
	}
	// Reused on the next start.
	pem2, fp2, err := HostKey(path)
	if err != nil || fp2 != fp1 || string(pem2) != string(pem1) {
		t.Errorf("second start: %s vs %s, %v", fp2, fp1, err)
	}
	// Readable by others: refused.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := HostKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("loose host key: err = %v", err)
	}
	// Not a key: refused.
	bad := filepath.Join(dir, "bad")
	if err := os.WriteFile(bad, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := HostKey(bad); err == nil {
		t.Error("a non-key file was accepted")
	}
}

// nobody is the uid tests give files to when checking ownership (the
// tests run as root in CI, which may chown).
const nobody = 65534

// TestLoadUsersStrictModes: like OpenSSH's StrictModes, a users file that
// another account could change (through its owner, its mode or its
// directory) is refused, with the path and the fix in the error.
func TestLoadUsersStrictModes(t *testing.T) {
	content := []byte(usersTOML(newUser(t, "amina", "viewer")))
	cases := []struct {
		name  string
		setup func(t *testing.T, dir, file string)
		chown bool   // needs root
		err   string // "" means accepted
	}{
		{"0600 in a 0700 folder", nil, false, ""},
		{"0644 (readable by others)", chmod(0o644, 0o755), false, ""},
		{"0664", chmod(0o664, 0o700), false, "chmod go-w"},
		{"0646", chmod(0o646, 0o700), false, "chmod go-w"},
		{"0666", chmod(0o666, 0o700), false, "chmod go-w"},
		{"0600 in a 0777 folder", chmod(0o600, 0o777), false, "directory"},
		{"0600 in a 0775 folder", chmod(0o600, 0o775), false, "chmod go-w"},
		{"0600 in a sticky 1777 folder", chmod(0o600, 0o1777), false, "writable by group or others"},
		{"0644 owned by nobody", chownTo(nobody, 0, 0o644), true, "chown"},
		{"0600 owned by nobody", chownTo(nobody, 0, 0o600), true, "owned by uid 65534"},
		{"folder owned by nobody", chownDir(nobody), true, "directory"},
		{"folder owned by root", chownDir(0), true, ""},
		{"symlink into a 0777 folder", symlinkFrom(0o777), false, "/open is writable by group or others"},
		{"a FIFO", fifo, false, "not a regular file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.chown && os.Geteuid() != 0 {
				t.Skip("chown needs root")
			}
			dir := filepath.Join(t.TempDir(), "etc")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "users.toml")
			if err := os.WriteFile(file, content, 0o600); err != nil {
				t.Fatal(err)
			}
			if c.setup != nil {
				c.setup(t, dir, file)
			}
			u, err := LoadUsers(file)
			if c.err == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if u.Keys() != 1 {
					t.Fatalf("%d keys", u.Keys())
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted; want an error about %q", c.err)
			}
			if !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "chmod") && !strings.Contains(err.Error(), "chown") && !strings.Contains(err.Error(), dir) {
				t.Errorf("err = %v, want %q and the path or the fix", err, c.err)
			}
		})
	}
}

func chmod(file, dir os.FileMode) func(*testing.T, string, string) {
	return func(t *testing.T, d, f string) {
		t.Helper()
		must(t, os.Chmod(f, file))
		must(t, os.Chmod(d, dir))
	}
}

func chownTo(uid, gid int, mode os.FileMode) func(*testing.T, string, string) {
	return func(t *testing.T, _, f string) {
		t.Helper()
		must(t, os.Chmod(f, mode))
		must(t, os.Chown(f, uid, gid))
	}
}

func chownDir(uid int) func(*testing.T, string, string) {
	return func(t *testing.T, d, _ string) {
		t.Helper()
		must(t, os.Chown(d, uid, 0))
	}
}

// symlinkFrom makes file a link into a folder of the given mode: the real
// file's folder is checked too.
func symlinkFrom(mode os.FileMode) func(*testing.T, string, string) {
	return func(t *testing.T, _, f string) {
		t.Helper()
		other := filepath.Join(t.TempDir(), "open")
		must(t, os.Mkdir(other, 0o700))
		real := filepath.Join(other, "users.toml")
		must(t, os.Rename(f, real))
		must(t, os.Chmod(other, mode))
		must(t, os.Symlink(real, f))
	}
}

func fifo(t *testing.T, _, f string) {
	t.Helper()
	must(t, os.Remove(f))
	must(t, syscall.Mkfifo(f, 0o600))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

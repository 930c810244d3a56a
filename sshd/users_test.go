package sshd

import (
	"crypto/rand"
	"crypto/rsa"
	"os"
	"path/filepath"
	"strings"
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

func TestLoadUsersRefusesAWritableFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.toml")
	if err := os.WriteFile(path, []byte(usersTOML(newUser(t, "amina", "viewer"))), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadUsers(path); err != nil {
		t.Fatalf("a 0644 file (readable, not writable, by others) was refused: %v", err)
	}
	for _, mode := range []os.FileMode{0o664, 0o646, 0o666} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadUsers(path); err == nil || !strings.Contains(err.Error(), "chmod go-w") {
			t.Errorf("mode %04o: err = %v", mode, err)
		}
	}
}

package sshd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gossh "golang.org/x/crypto/ssh"
)

func TestLoginNavigateQuit(t *testing.T) {
	u := newUser(t, "wanjiru", "approver")
	ts := startServer(t, []testUser{u}, nil)
	tm := ts.login(t, u)
	tm.t = t
	tm.waitFor(t, "Payroll")
	tm.waitFor(t, "wanjiru (approver)")
	tm.send("2")
	tm.waitFor(t, "Today")
	tm.send("q")
	tm.waitEnd(t)
	ts.waitRecord(t, "logout", func(r Record) bool { return r.Event == "logout" && r.User == "wanjiru" && r.Result == endQuit })
	// Record 1 is the log's genesis; the login comes next.
	if login := ts.records(t)[1]; login.Event != "login" || !strings.Contains(login.Fingerprint, "SHA256:") {
		t.Errorf("login record without a key fingerprint: %+v", login)
	}
}

func TestRefusedLogins(t *testing.T) {
	u := newUser(t, "wanjiru", "approver")
	stranger := newUser(t, "stranger", "viewer")
	ts := startServer(t, []testUser{u}, nil)
	asked := false
	cases := []struct {
		name string
		auth []gossh.AuthMethod
	}{
		{"unknown key", []gossh.AuthMethod{gossh.PublicKeys(stranger.signer)}},
		{"no auth (none)", nil},
		{"password", []gossh.AuthMethod{gossh.Password("hunter2")}},
		{"keyboard-interactive", []gossh.AuthMethod{gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			asked = true
			return nil, nil
		})}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, err := dial(ts.addr, c.auth...)
			if err == nil {
				cl.Close()
				t.Fatal("logged in")
			}
			if !strings.Contains(err.Error(), "unable to authenticate") {
				t.Errorf("err = %v, want an authentication failure", err)
			}
		})
	}
	if asked {
		t.Error("the server offered keyboard-interactive")
	}
	// The first refusal from a source is written at once; the rest of
	// its minute would be summed up (here there is no rest).
	ts.srv.flushRefusals(true)
	recs := ts.records(t)
	refused := 0
	for _, r := range recs {
		switch r.Event {
		case "login.refused":
			refused++
			if r.Fingerprint != gossh.FingerprintSHA256(stranger.signer.PublicKey()) || r.Result != "refused" ||
				r.Remote != "127.0.0.1" || r.Detail != "key not in the users file (ssh user ops); more from 127.0.0.1 are summed up once a minute" {
				t.Errorf("refusal record %+v", r)
			}
		case "login":
			t.Errorf("a refused client got a session: %+v", r)
		}
	}
	if refused != 1 {
		t.Errorf("%d refusal records, want the one for 127.0.0.1:\n%s", refused, mustRead(t, ts.auditPath))
	}
	if n := ts.srv.Sessions(); n != 0 {
		t.Errorf("%d sessions after refusals", n)
	}
}

func TestNoPTYGetsAMessage(t *testing.T) {
	u := newUser(t, "wanjiru", "approver")
	ts := startServer(t, []testUser{u}, nil)
	tm, err := ts.open(u.signer, false)
	if err != nil {
		t.Fatal(err)
	}
	defer tm.close()
	tm.waitEnd(t)
	if !strings.Contains(tm.screen(), "malipo needs a terminal: ssh -t") {
		t.Errorf("output %q", tm.screen())
	}
	ts.waitRecord(t, "no-PTY refusal", func(r Record) bool {
		return r.Event == "login" && r.Result == "refused" && strings.Contains(r.Detail, "PTY")
	})
}

func TestCommandsRefused(t *testing.T) {
	u := newUser(t, "wanjiru", "approver")
	ts := startServer(t, []testUser{u}, nil)
	c, err := dial(ts.addr, gossh.PublicKeys(u.signer))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 30, 100, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	out, err := sess.CombinedOutput("cat /etc/passwd")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 {
		t.Errorf("err = %v, want exit status 1", err)
	}
	if !strings.Contains(string(out), "runs no commands") || strings.Contains(string(out), "root:") {
		t.Errorf("output %q", out)
	}
}

func TestReloadPicksUpNewUserAndKeepsOldOnBadFile(t *testing.T) {
	a := newUser(t, "amina", "viewer")
	b := newUser(t, "baraka", "maker")
	ts := startServer(t, []testUser{a}, nil)
	if _, err := dial(ts.addr, gossh.PublicKeys(b.signer)); err == nil {
		t.Fatal("baraka logged in before being added")
	}
	if err := os.WriteFile(ts.usersPath, []byte(usersTOML(a, b)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.Reload(); err != nil {
		t.Fatal(err)
	}
	tm := ts.login(t, b)
	tm.waitFor(t, "baraka (maker)")

	// A broken file is refused and the previous list stays.
	if err := os.WriteFile(ts.usersPath, []byte("[[user]]\nname = \"x\"\nrole = \"god\"\nkeys = []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.Reload(); err == nil {
		t.Fatal("a bad users file was accepted")
	}
	tm2 := ts.login(t, a)
	tm2.waitFor(t, "amina (viewer)")
	if !strings.Contains(ts.logs.String(), "keeping the previous one") {
		t.Errorf("the bad reload was not logged: %s", ts.logs.String())
	}
}

// Every privileged decision is audited, not just payouts: a support
// user's M-Pesa request is recorded when confirmed, under their name.
func TestSupportSTKPushIsAudited(t *testing.T) {
	t.Parallel() // its own server; nothing timing-sensitive
	u := newUser(t, "achieng", "support")
	ts := startServer(t, []testUser{u}, nil)
	tm := ts.login(t, u)
	tm.t = t
	tm.waitFor(t, "Payroll")
	tm.send("f")
	ts.waitScreen(t, "achieng", "Fund a wallet by M-Pesa")
	tm.send("0708374149")
	tm.send("\t")
	tm.send("250")
	tm.send("\r")
	ts.waitScreen(t, "achieng", "Request KES 250.00 by M-Pesa")
	tm.send("\t")
	tm.send("\r")
	ts.waitRecord(t, "the STK push confirmation", func(r Record) bool {
		return r.Event == "collect" && r.User == "achieng" && r.Role == "support" && r.Result == "requested" &&
			strings.Contains(r.Detail, "Request KES 250.00 by M-Pesa")
	})
}

// Removing a key, or changing its user's role, ends that user's open
// sessions at the reload; others carry on.
func TestReloadEndsRevokedSessions(t *testing.T) {
	t.Parallel() // its own server; nothing timing-sensitive
	a := newUser(t, "amina", "approver")
	b := newUser(t, "baraka", "maker")
	c := newUser(t, "chebet", "viewer")
	ts := startServer(t, []testUser{a, b, c}, nil)
	ta, tb, tc := ts.login(t, a), ts.login(t, b), ts.login(t, c)
	for _, tm := range []*term{ta, tb, tc} {
		tm.t = t
		tm.waitFor(t, "Payroll")
	}
	demoted := b
	demoted.role = "viewer"
	if err := os.WriteFile(ts.usersPath, []byte(usersTOML(demoted, c)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.Reload(); err != nil {
		t.Fatal(err)
	}
	ta.waitEnd(t)
	tb.waitEnd(t)
	if !strings.Contains(ta.screen(), "Your access was changed") {
		t.Errorf("amina was not told: %q", ta.screen())
	}
	for _, name := range []string{"amina", "baraka"} {
		ts.waitRecord(t, name+"'s revoked logout", func(r Record) bool {
			return r.Event == "logout" && r.User == name && r.Result == endRevoked
		})
	}
	tc.send("2")
	tc.waitFor(t, "Today")
	// Baraka comes back with the new role.
	tb2 := ts.login(t, b)
	tb2.t = t
	tb2.waitFor(t, "baraka (viewer)")
}

func TestSessionCaps(t *testing.T) {
	t.Parallel() // its own server; nothing timing-sensitive
	a, b, c := newUser(t, "amina", "viewer"), newUser(t, "baraka", "viewer"), newUser(t, "chebet", "viewer")
	ts := startServer(t, []testUser{a, b, c}, func(c *Config) { c.MaxSessionsPerUser, c.MaxSessions = 2, 3 })
	for _, u := range []testUser{a, a} {
		tm := ts.login(t, u)
		tm.t = t
		tm.waitFor(t, "Payroll")
	}
	refusedWith := func(u testUser, text string) {
		t.Helper()
		tm, err := ts.open(u.signer, true)
		if err != nil {
			t.Fatal(err)
		}
		defer tm.close()
		tm.waitEnd(t)
		if !strings.Contains(tm.screen(), text) {
			t.Errorf("%s: output %q, want %q", u.name, tm.screen(), text)
		}
	}
	refusedWith(a, "You already have 2 sessions open")
	tb := ts.login(t, b)
	tb.t = t
	tb.waitFor(t, "Payroll")
	refusedWith(c, "The server is full (3 sessions)")
	ts.waitRecord(t, "the refusal", func(r Record) bool {
		return r.Event == "login" && r.User == "chebet" && r.Result == "refused" && strings.Contains(r.Detail, "full")
	})
	if n := ts.srv.Sessions(); n != 3 {
		t.Errorf("%d sessions, want 3", n)
	}
}

// Over SSH a role refusal reaches the signed audit log with who, the role
// and the permission lacked (the harness then verifies the whole log).
func TestRoleRefusalIsAuditedOverSSH(t *testing.T) {
	u := newUser(t, "amina", "viewer")
	ts := startServer(t, []testUser{u}, nil)
	tm := ts.login(t, u)
	tm.t = t
	tm.waitFor(t, "Payroll")
	tm.send("t") // Move money between wallets: approvers only
	tm.waitFor(t, "may not move money")
	ts.waitRecord(t, "transfer refused", func(r Record) bool {
		return r.Event == "transfer" && r.Result == "refused" && r.User == "amina" && r.Role == "viewer" &&
			strings.Contains(r.Detail, "needs permission transfer")
	})
	tm.send("q")
	tm.waitEnd(t)
}

// A SIGHUP reload applies the same StrictModes checks as the start: a
// users file someone else could have changed is refused and the previous
// list stays in force.
func TestReloadRefusesAFileOthersCouldChange(t *testing.T) {
	a, b := newUser(t, "amina", "viewer"), newUser(t, "baraka", "approver")
	ts := startServer(t, []testUser{a}, nil)
	if err := os.WriteFile(ts.usersPath, []byte(usersTOML(a, b)), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(ts.usersPath)
	must(t, os.Chmod(dir, 0o777))
	err := ts.srv.Reload()
	must(t, os.Chmod(dir, 0o700))
	if err == nil || !strings.Contains(err.Error(), "chmod go-w "+dir) {
		t.Fatalf("reload from a 0777 folder: err = %v", err)
	}
	if _, err := dial(ts.addr, gossh.PublicKeys(b.signer)); err == nil {
		t.Fatal("baraka got in through a users file in a world-writable folder")
	}
	if os.Geteuid() == 0 {
		must(t, os.Chown(ts.usersPath, nobody, nobody))
		if err := ts.srv.Reload(); err == nil || !strings.Contains(err.Error(), "chown") {
			t.Fatalf("reload of a file owned by nobody: err = %v", err)
		}
		must(t, os.Chown(ts.usersPath, 0, 0))
	}
	tm := ts.login(t, a)
	tm.waitFor(t, "amina (viewer)")
	if !strings.Contains(ts.logs.String(), "keeping the previous one") {
		t.Errorf("the refused reload was not logged: %s", ts.logs.String())
	}
}

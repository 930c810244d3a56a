package sshd

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pkg/sftp"
	gossh "golang.org/x/crypto/ssh"

	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/ui/common"
	"github.com/malipo/malipo/userdir"
	"github.com/malipo/malipo/views/wallets"
)

// These tests drive the server with the real OpenSSH clients: plain scp
// (which speaks SFTP), scp -O (the legacy protocol) and sftp -b.

// needOpenSSH skips when the client binaries are missing.
func needOpenSSH(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"ssh", "scp", "sftp"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("the OpenSSH client %q is not installed: these tests need real ssh, scp and sftp", bin)
		}
	}
}

// fileServer is a server with folders under state, for users.
type fileServer struct {
	*testServer
	state string
	port  string
}

// testFileMax is the folders' cap in these tests: small, so the oversized
// upload costs nothing.
const testFileMax = 64 << 10

func startFileServer(t *testing.T, users ...testUser) *fileServer {
	t.Helper()
	state := filepath.Join(t.TempDir(), "state")
	ts := startServer(t, users, func(c *Config) { c.StateDir, c.fileMax = state, testFileMax })
	_, port, _ := strings.Cut(ts.addr, ":")
	return &fileServer{testServer: ts, state: state, port: port}
}

// folder is u's folder on the server.
func (fs *fileServer) folder(u testUser) string {
	return filepath.Join(fs.state, "files", userdir.FolderName(u.name))
}

// put writes a file into u's folder as the console or an export would.
func (fs *fileServer) put(t *testing.T, u testUser, name, content string) {
	t.Helper()
	d, err := userdir.Open(fs.state, u.name)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	w, err := d.Create(name, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(content)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// sshClient runs OpenSSH's clients as one user.
type sshClient struct {
	t    *testing.T
	fs   *fileServer
	u    testUser
	key  string
	work string // the client's working folder
}

func (fs *fileServer) client(t *testing.T, u testUser) *sshClient {
	t.Helper()
	dir := t.TempDir()
	block, err := gossh.MarshalPrivateKey(u.priv, "")
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(key, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o700); err != nil {
		t.Fatal(err)
	}
	return &sshClient{t: t, fs: fs, u: u, key: key, work: work}
}

func (c *sshClient) opts() []string {
	return []string{"-F", "/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=10", "-i", c.key}
}

// host is the remote prefix for scp.
func (c *sshClient) host() string { return c.u.name + "@127.0.0.1:" }

// run runs a client with a deadline (a FIFO must never hang it), in the
// client's working folder, and returns its combined output.
func (c *sshClient) run(bin string, args ...string) (string, error) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = c.work
	cmd.Stdin = nil
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		c.t.Fatalf("%s %s did not finish within the deadline; output:\n%s", bin, strings.Join(args, " "), out)
	}
	return string(out), err
}

// scp runs scp; legacy adds -O.
func (c *sshClient) scp(legacy bool, args ...string) (string, error) {
	a := append(c.opts(), "-P", c.fs.port)
	if legacy {
		a = append(a, "-O")
	}
	return c.run("scp", append(a, args...)...)
}

// sftp runs sftp -b with the batch's lines.
func (c *sshClient) sftp(lines ...string) (string, error) {
	batch := filepath.Join(filepath.Dir(c.work), "batch")
	if err := os.WriteFile(batch, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		c.t.Fatal(err)
	}
	a := append(c.opts(), "-P", c.fs.port, "-b", batch, c.u.name+"@127.0.0.1")
	return c.run("sftp", a...)
}

// ssh runs ssh with a command.
func (c *sshClient) ssh(command ...string) (string, error) {
	a := append(c.opts(), "-p", c.fs.port, c.u.name+"@127.0.0.1")
	return c.run("ssh", append(a, command...)...)
}

func (c *sshClient) local(name, content string) string {
	c.t.Helper()
	p := filepath.Join(c.work, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// transferMode is one way a file moves between client and folder.
type transferMode struct {
	name string
	up   func(c *sshClient, local, remote string) (string, error)
	down func(c *sshClient, remote, local string) (string, error)
}

// transferModes are the three ways a file moves: plain scp (SFTP), scp -O
// and sftp -b. up copies the client's local file to remote; down the
// other way.
var transferModes = []transferMode{
	{"scp",
		func(c *sshClient, l, r string) (string, error) { return c.scp(false, l, c.host()+r) },
		func(c *sshClient, r, l string) (string, error) { return c.scp(false, c.host()+r, l) }},
	{"scp -O",
		func(c *sshClient, l, r string) (string, error) { return c.scp(true, l, c.host()+r) },
		func(c *sshClient, r, l string) (string, error) { return c.scp(true, c.host()+r, l) }},
	{"sftp -b",
		func(c *sshClient, l, r string) (string, error) { return c.sftp(fmt.Sprintf("put %q %q", l, r)) },
		func(c *sshClient, r, l string) (string, error) { return c.sftp(fmt.Sprintf("get %q %q", r, l)) }},
}

// transferOutcome checks one transfer: one that may must have worked and
// moved want; one that may not must have failed and left no file.
func transferOutcome(may bool, err, readErr error, got []byte, want string) []testcheck.Cond {
	if may {
		return []testcheck.Cond{testcheck.C("no error", err == nil), testcheck.C("content "+want, string(got) == want)}
	}
	return []testcheck.Cond{testcheck.C("an error", err != nil), testcheck.C("no file", readErr != nil)}
}

// checkRoleTransfer uploads and downloads one file as u through m and
// checks that only makers and approvers may.
func checkRoleTransfer(t *testing.T, fs *fileServer, c *sshClient, u testUser, m transferMode) {
	t.Helper()
	may := u.role == "maker" || u.role == "approver"
	slug := strings.ReplaceAll(m.name, " ", "")
	content := "name,phone,amount\nAmina," + slug + ",100\n"
	up := "salaries-" + slug + ".csv"
	remote := "" // scp's HOST: form, the folder
	if m.name == "sftp -b" {
		remote = up
	}
	out, err := m.up(c, c.local(up, content), remote)
	got, readErr := os.ReadFile(filepath.Join(fs.folder(u), up))
	testcheck.Check(t, "upload by a "+u.role, fmt.Sprintf("err %v, folder has %q (%v); output:\n%s", err, got, readErr, out),
		append(transferOutcome(may, err, readErr, got, content),
			testcheck.C("a refusal that says may not", may || strings.Contains(out, "may not")))...)
	dl := "dl-" + slug + ".csv"
	out, err = m.down(c, "payout-results-1.csv", filepath.Join(c.work, dl))
	got, readErr = os.ReadFile(filepath.Join(c.work, dl))
	testcheck.Check(t, "download by a "+u.role, fmt.Sprintf("err %v, got %q (%v); output:\n%s", err, got, readErr, out),
		transferOutcome(may, err, readErr, got, "tracking,status\nT1,ok\n")...)
}

func TestFilesByRole(t *testing.T) {
	needOpenSSH(t)
	users := []testUser{
		newUser(t, "vera", "viewer"), newUser(t, "sam", "support"),
		newUser(t, "ops", "maker"), newUser(t, "wanjiru", "approver"),
	}
	fs := startFileServer(t, users...)
	for _, u := range users {
		fs.put(t, u, "payout-results-1.csv", "tracking,status\nT1,ok\n")
		c := fs.client(t, u)
		for _, m := range transferModes {
			t.Run(u.role+"/"+m.name, func(t *testing.T) {
				c.t = t
				checkRoleTransfer(t, fs, c, u, m)
			})
		}
	}
	recs := fs.records(t)
	for _, u := range users {
		want := map[string]string{evUpload: resOK, evDownload: resOK}
		if u.role == "viewer" || u.role == "support" {
			want = map[string]string{evUpload: resRefused, evDownload: resRefused, evRefused: resRefused}
		}
		for ev, res := range want {
			if n := countRecords(recs, u.name, ev, res); n == 0 {
				t.Errorf("no %s %s record for %s (%s)", ev, res, u.name, u.role)
			}
		}
	}
}

func countRecords(recs []Record, user, event, result string) int {
	n := 0
	for _, r := range recs {
		if r.User == user && r.Event == event && r.Result == result {
			n++
		}
	}
	return n
}

// outsideState is everything under dir that is not in ops's folder:
// path → content (or "dir", "link", "fifo"), so a test can prove nothing
// outside the folder changed.
func snapshot(t *testing.T, dir, skip string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if p == skip {
			return filepath.SkipDir
		}
		switch {
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[p] = string(data)
		default:
			out[p] = fi.Mode().Type().String()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// plantEscapes plants, as someone with a shell on the server would, a
// canary outside folder, a link to it, a FIFO and a folder inside.
func plantEscapes(t *testing.T, state, folder string) {
	t.Helper()
	canary := filepath.Join(state, "canary.txt")
	testcheck.Must(t, "canary", os.WriteFile(canary, []byte("keep me\n"), 0o600))
	testcheck.Must(t, "link", os.Symlink(canary, filepath.Join(folder, "link.csv")))
	testcheck.Must(t, "fifo", syscall.Mkfifo(filepath.Join(folder, "fifo.csv"), 0o600))
	testcheck.Must(t, "sub", os.Mkdir(filepath.Join(folder, "sub"), 0o700))
}

// escapeAttempt is one scp that must fail without leaking or delivering.
type escapeAttempt struct {
	name string
	run  func(legacy bool) (string, error)
	says string // in the client's output, when not ""
}

// escapeAttempts lists the uploads and downloads that reach outside the
// user's folder, or at what a plain file transfer must not touch.
func escapeAttempts(c *sshClient, x, big, tmpTarget string) []escapeAttempt {
	up := func(local, remote string) func(bool) (string, error) {
		return func(legacy bool) (string, error) { return c.scp(legacy, local, c.host()+remote) }
	}
	down := func(remote string) func(bool) (string, error) {
		return func(legacy bool) (string, error) { return c.scp(legacy, c.host()+remote, filepath.Join(c.work, "got")) }
	}
	return []escapeAttempt{
		{"upload to ../x", up(x, "../x"), ""},
		{"upload to an absolute path", up(x, tmpTarget), ""},
		{"upload to another user's folder", up(x, "../other/x"), ""},
		{"upload through a planted link", up(x, "link.csv"), ""},
		{"upload onto a FIFO", up(x, "fifo.csv"), ""},
		{"upload into a folder", up(x, "sub/x"), ""},
		{"oversized upload", up(big, "big.csv"), "larger than"},
		{"download /etc/passwd", down("/etc/passwd"), ""},
		{"download from another user's folder", down("../other/x"), ""},
		{"download a planted link", down("link.csv"), ""},
		{"download a FIFO", down("fifo.csv"), ""},
		{"download a folder", down("sub"), ""},
		{"download the folder's parent", down(".."), ""},
	}
}

// checkEscape runs one attempt and checks that it failed, said what it
// should, leaked nothing and delivered no file.
func checkEscape(t *testing.T, c *sshClient, a escapeAttempt, legacy bool, state, folder string) {
	t.Helper()
	out, err := a.run(legacy)
	if a.name == "upload to ../x" && !legacy {
		// Over SFTP the folder is "/" and "/.." is "/", as in
		// a chroot: x lands in ops's own folder, nowhere else.
		testcheck.Check(t, "upload to ../x over SFTP", out, testcheck.C("no error", err == nil))
		os.Remove(filepath.Join(folder, "x"))
		return
	}
	_, lerr := os.Lstat(filepath.Join(c.work, "got"))
	testcheck.Check(t, a.name, out,
		testcheck.C("an error", err != nil),
		testcheck.C("says "+a.says, a.says == "" || strings.Contains(out, a.says)),
		testcheck.C("no root: leak", !strings.Contains(out, "root:")),
		testcheck.C("no secret leak", !strings.Contains(out, "secret")),
		testcheck.C("no state path leak", !strings.Contains(out, state)),
		testcheck.C("the client received no file", lerr != nil))
}

// checkSFTPCommands runs every sftp command that could escape, in one
// batch that goes on past failures.
func checkSFTPCommands(t *testing.T, c *sshClient, tmpTarget string) {
	t.Helper()
	out, _ := c.sftp("-mkdir d", "-symlink seed.csv l.csv", "-ln seed.csv h.csv", "-chmod 777 seed.csv", "-chmod 777 sub", "-chmod 777 /",
		"-get ../other/x got", "-get /etc/passwd got", "-put x "+tmpTarget, "-ls /etc", "-cd /tmp", "-cd sub",
		"-get link.csv got", "-get fifo.csv got", "-put x link.csv", "-rename seed.csv ../seed.csv", "-rm ../other/x",
		"-put big.csv big.csv")
	_, lerr := os.Lstat(filepath.Join(c.work, "got"))
	testcheck.Check(t, "sftp commands", out,
		testcheck.C("no root: leak", !strings.Contains(out, "root:")),
		testcheck.C("no secret leak", !strings.Contains(out, "secret")),
		testcheck.C("the oversized put explained", strings.Contains(out, "big.csv is larger than the 64 KiB limit")),
		testcheck.C("the client received no file", lerr != nil))
}

// checkSameFiles fails for each path that changed or appeared.
func checkSameFiles(t *testing.T, before, after map[string]string) {
	t.Helper()
	for p, v := range before {
		if after[p] != v {
			t.Errorf("%s changed: %q → %q", p, v, after[p])
		}
	}
	for p, v := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s appeared outside the folder (%q)", p, v)
		}
	}
}

// checkFolderIntact: ops's folder holds only what was planted and seeded,
// with the contents and modes it had.
func checkFolderIntact(t *testing.T, folder string) {
	t.Helper()
	ents, err := os.ReadDir(folder)
	testcheck.Must(t, "read folder", err)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	data, _ := os.ReadFile(filepath.Join(folder, "seed.csv"))
	testcheck.Check(t, "ops's folder", strings.Join(names, " ")+" / seed.csv="+string(data),
		testcheck.C("holds fifo.csv link.csv seed.csv sub", strings.Join(names, " ") == "fifo.csv link.csv seed.csv sub"),
		testcheck.C("seed.csv unchanged", string(data) == "a,b\n"))
	for p, mode := range map[string]os.FileMode{filepath.Join(folder, "seed.csv"): 0o600, folder: 0o700, filepath.Join(folder, "sub"): 0o700} {
		fi, err := os.Stat(p)
		testcheck.Check(t, p+": mode", err, testcheck.C("stat", err == nil), testcheck.C(mode.String(), err == nil && fi.Mode().Perm() == mode))
	}
}

// checkRefusalsAudited: every kind of refusal is in the log, which never
// names the server's folder.
func checkRefusalsAudited(t *testing.T, fs *fileServer) {
	t.Helper()
	recs := fs.records(t)
	for _, ev := range []string{evUpload, evDownload, evRefused} {
		if countRecords(recs, "ops", ev, resRefused) == 0 {
			t.Errorf("no refused %s record; log:\n%s", ev, mustRead(t, fs.auditPath))
		}
	}
	for _, r := range recs {
		if strings.Contains(r.Detail, fs.state) {
			t.Errorf("the audit log names the server's folder: %+v", r)
		}
	}
}

func TestFilesEscapesFail(t *testing.T) {
	needOpenSSH(t)
	ops, other := newUser(t, "ops", "maker"), newUser(t, "other", "maker")
	fs := startFileServer(t, ops, other)
	fs.put(t, ops, "seed.csv", "a,b\n")
	fs.put(t, other, "x", "other's secret\n")
	folder := fs.folder(ops)
	plantEscapes(t, fs.state, folder)
	tmpTarget := filepath.Join(t.TempDir(), "escaped")
	before := snapshot(t, fs.state, folder)
	c := fs.client(t, ops)
	x := c.local("x", "payload\n")
	big := c.local("big.csv", strings.Repeat("9", testFileMax+1))

	for _, legacy := range []bool{false, true} {
		for _, a := range escapeAttempts(c, x, big, tmpTarget) {
			t.Run(fmt.Sprintf("%s/legacy=%v", a.name, legacy), func(t *testing.T) {
				c.t = t
				checkEscape(t, c, a, legacy, fs.state, folder)
			})
		}
	}
	t.Run("sftp commands", func(t *testing.T) {
		c.t = t
		checkSFTPCommands(t, c, tmpTarget)
	})
	t.Run("a shell command", func(t *testing.T) {
		c.t = t
		out, err := c.ssh("cat", "/etc/passwd")
		testcheck.Check(t, "cat /etc/passwd", out,
			testcheck.C("an error", err != nil),
			testcheck.C("no root: leak", !strings.Contains(out, "root:")),
			testcheck.C("says runs no commands", strings.Contains(out, "runs no commands")))
	})

	// Nothing outside ops's folder changed; inside, only what was there.
	after := snapshot(t, fs.state, folder)
	delete(after, fs.auditPath) // not under state, but be sure
	checkSameFiles(t, before, after)
	_, err := os.Lstat(tmpTarget)
	testcheck.Check(t, tmpTarget, err, testcheck.C("not written", err != nil))
	checkFolderIntact(t, folder)
	checkRefusalsAudited(t, fs)
}

// TestFilesManageOwn: a maker renames and removes own files over sftp,
// audited; the folder stays flat.
func TestFilesManageOwn(t *testing.T) {
	needOpenSSH(t)
	ops := newUser(t, "ops", "maker")
	fs := startFileServer(t, ops)
	fs.put(t, ops, "a.csv", "1\n")
	fs.put(t, ops, "b.csv", "2\n")
	c := fs.client(t, ops)
	out, err := c.sftp("ls -1", "rename a.csv c.csv", "rm b.csv", "ls -1")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "a.csv") || !strings.Contains(out, "b.csv") {
		t.Errorf("ls did not list the folder:\n%s", out)
	}
	ents, _ := os.ReadDir(fs.folder(ops))
	if len(ents) != 1 || ents[0].Name() != "c.csv" {
		t.Errorf("folder holds %v", ents)
	}
	recs := fs.records(t)
	if countRecords(recs, "ops", evRename, resOK) != 1 || countRecords(recs, "ops", evRemove, resOK) != 1 {
		t.Errorf("rename/remove not audited:\n%s", mustRead(t, fs.auditPath))
	}
}

func TestParseSCP(t *testing.T) {
	tests := []struct {
		args   string
		ok     bool
		upload bool
		target string
		err    string
	}{
		{"scp -t .", true, true, "", ""},
		{"scp -v -p -d -t -- .", true, true, "", ""},
		{"scp -t salaries.csv", true, true, "salaries.csv", ""},
		{"scp -f payout-results-1.csv", true, false, "payout-results-1.csv", ""},
		{"scp -p -f -- -odd.csv", true, false, "-odd.csv", ""},
		{"scp -r -t .", true, true, "", "folders are not copied"},
		{"scp -d -t x.csv", true, true, "", "no folders"},
		{"scp -t ../x", true, true, "", "file name only"},
		{"scp -t /tmp/x", true, true, "", "file name only"},
		{"scp -f /etc/passwd", true, false, "", "file name only"},
		{"scp -f .", true, false, "", "file name only"},
		{"scp -f a b", true, false, "", "one file"},
		{"scp -f", true, false, "", "one file"},
		{"scp -S /bin/sh -f x", true, false, "", "not served"},
		{"scp", true, false, "", "neither"},
		{"cat /etc/passwd", false, false, "", ""},
		{"", false, false, "", ""},
	}
	for _, tt := range tests {
		c, ok, err := parseSCP(strings.Fields(tt.args))
		if ok != tt.ok {
			t.Errorf("%q: ok %v", tt.args, ok)
			continue
		}
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil || c.upload != tt.upload || c.target != tt.target {
			t.Errorf("%q: %+v, %v", tt.args, c, err)
		}
	}
}

func TestNameOf(t *testing.T) {
	tests := []struct {
		path, name string
		refused    bool
	}{
		{"/", "", false},
		{"/salaries.csv", "salaries.csv", false},
		{"/tmp/x", "", true},
		{"/other/x", "", true},
		{"/.hidden", "", true},
		{"/a\x01b", "", true},
	}
	for _, tt := range tests {
		name, err := nameOf(tt.path)
		if name != tt.name || (err != nil) != tt.refused {
			t.Errorf("nameOf(%q) = %q, %v", tt.path, name, err)
		}
		if err != nil && !errors.Is(status(err), sftp.ErrSSHFxPermissionDenied) {
			t.Errorf("nameOf(%q): status %v is not a permission error", tt.path, status(err))
		}
	}
}

// TestConsoleGetsOwnFolder: each console's Common.Files is its user's
// folder, the one scp fills, and it is closed at logout.
func TestConsoleGetsOwnFolder(t *testing.T) {
	u := newUser(t, "ops", "maker")
	state := filepath.Join(t.TempDir(), "state")
	got := make(chan *userdir.Dir, 1)
	ts := startServer(t, []testUser{u}, func(c *Config) {
		c.StateDir = state
		c.Views = func(c *common.Common) []common.View {
			got <- c.Files
			return []common.View{wallets.New(c)}
		}
	})
	tm := ts.login(t, u)
	var d *userdir.Dir
	select {
	case d = <-got:
	case <-time.After(patience):
		t.Fatal("no console was built")
	}
	if d == nil || d.User() != "ops" || d.Path() != filepath.Join(state, "files", "ops") {
		t.Fatalf("console's folder: %+v", d)
	}
	tm.send("q")
	tm.waitEnd(t)
	ts.waitRecord(t, "logout", func(r Record) bool { return r.Event == "logout" && r.User == "ops" })
	deadline := time.Now().Add(patience)
	for {
		if _, err := d.List(); err != nil {
			break // closed
		}
		if time.Now().After(deadline) {
			t.Fatal("the folder is still open after logout")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

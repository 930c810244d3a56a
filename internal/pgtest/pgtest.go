// Package pgtest starts a throw-away PostgreSQL cluster for a test: initdb
// into a temporary directory, pg_ctl start on a free loopback port, stop
// and remove at cleanup. PostgreSQL refuses to run as root, so as root
// (CI) the server runs as the unprivileged user nobody (setpriv). Without
// the binaries the test is skipped with a note, except under CI=true,
// where it fails: CI installs Debian's postgresql.
package pgtest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// Cluster is a running throw-away PostgreSQL server.
type Cluster struct {
	dir  string // owned by the server's user
	bin  string
	port int
	uid  int // -1: run as ourselves
	gid  int
}

// URL is a postgres:// URL for database db as the superuser postgres
// (trust authentication on loopback: the cluster lives only for the test).
func (c *Cluster) URL(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// Port is the port the server listens on.
func (c *Cluster) Port() int { return c.port }

// Bin finds the PostgreSQL server binaries: the newest
// /usr/lib/postgresql/*/bin (Debian), else initdb on PATH.
func Bin() (string, bool) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(a, b int) bool { return version(dirs[a]) > version(dirs[b]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, true
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), true
	}
	return "", false
}

func version(dir string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return n
}

// Start initialises and starts a cluster, stopped and removed when t ends.
func Start(t testing.TB) *Cluster {
	t.Helper()
	bin, ok := Bin()
	if !ok {
		if os.Getenv("CI") == "true" {
			t.Fatal("pgtest: PostgreSQL server binaries (initdb, pg_ctl) not found; CI must install Debian's postgresql")
		}
		t.Skip("pgtest: PostgreSQL server binaries not found (install postgresql: apt-get install postgresql); skipping")
	}
	c, err := start(bin)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(c.remove)
	return c
}

func start(bin string) (*Cluster, error) {
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir, bin: bin, uid: -1, gid: -1}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root and there is no user nobody to run PostgreSQL as: %w", err)
		}
		c.uid, _ = strconv.Atoi(u.Uid)
		c.gid, _ = strconv.Atoi(u.Gid)
		if err := os.Chown(dir, c.uid, c.gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	if err := c.run("initdb", "-D", c.data(), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	// A port that was free a moment ago may be taken by now: try a few.
	for range 5 {
		if c.port, err = freePort(); err != nil {
			break
		}
		if err = c.Start(); err == nil {
			return c, nil
		}
	}
	os.RemoveAll(dir)
	return nil, err
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// Start starts the (stopped) server again on its port.
func (c *Cluster) Start() error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", c.port, c.dir)
	return c.run("pg_ctl", "start", "-w", "-t", "60", "-D", c.data(), "-l", filepath.Join(c.dir, "log"), "-o", opts)
}

// Stop stops the server at once (tests of a database that goes away).
func (c *Cluster) Stop() error {
	return c.run("pg_ctl", "stop", "-w", "-t", "60", "-m", "immediate", "-D", c.data())
}

// StopFast stops the server as an operator would (pg_ctl stop -m fast):
// open sessions are ended, then it shuts down cleanly.
func (c *Cluster) StopFast() error {
	return c.run("pg_ctl", "stop", "-w", "-t", "60", "-m", "fast", "-D", c.data())
}

// Log is the server's log so far (for a failing test's message).
func (c *Cluster) Log() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "log"))
	return string(b)
}

func (c *Cluster) remove() {
	_ = c.Stop()
	os.RemoveAll(c.dir)
}

// run runs a PostgreSQL program, as nobody when we are root.
func (c *Cluster) run(prog string, args ...string) error {
	path := filepath.Join(c.bin, prog)
	if c.uid >= 0 {
		args = append([]string{"--reuid", strconv.Itoa(c.uid), "--regid", strconv.Itoa(c.gid), "--clear-groups", "--", path}, args...)
		path = "setpriv"
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %v: %w\n%s", prog, args, err, out.String())
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// RequirePassword makes role log in with a password over TCP (scram) while
// every other role keeps trust: for tests of PGPASSFILE and PGPASSWORD.
// The role must exist; the server reloads its configuration.
func (c *Cluster) RequirePassword(role string) error {
	path := filepath.Join(c.data(), "pg_hba.conf")
	old, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	line := fmt.Sprintf("host all %s 127.0.0.1/32 scram-sha-256\n", role)
	if err := os.WriteFile(path, append([]byte(line), old...), 0o600); err != nil {
		return err
	}
	return c.run("pg_ctl", "reload", "-D", c.data())
}

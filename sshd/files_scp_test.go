package sshd

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/malipo/malipo/internal/testcheck"
	gossh "golang.org/x/crypto/ssh"
)

// TestSCPDownloadWaitsForTheClient plays OpenSSH's scp sink by hand
// (`scp -f NAME`, answering each step) to pin down the order: the server
// ends the session, and audits the download as ok, only after the client
// has acknowledged the whole file. When the server ended it earlier, real
// scp -O died now and then of SIGPIPE writing its last answer ("lost
// connection", exit 1). A client that answers with an error gets a failed
// download.
func TestSCPDownloadWaitsForTheClient(t *testing.T) {
	u := newUser(t, "wanjiru", "approver")
	fs := startFileServer(t, u)
	const body = "name,status\nJane,TS100\n"
	fs.put(t, u, "r.csv", body)

	sess, out, in := scpSink(t, fs, u, "r.csv")
	ack(t, in) // ready
	for _, prefix := range []string{"T", "C0600 23 r.csv"} {
		expectLine(t, out, prefix)
		ack(t, in)
	}
	got := make([]byte, len(body)+1)
	_, err := io.ReadFull(out, got)
	testcheck.Expect(t, "data", fmt.Sprintf("%q, %v", got, err), testcheck.C("no error", err == nil), testcheck.C("the body and a zero", string(got) == body+"\x00"))
	// Every byte is here but not yet acknowledged: not a download yet.
	n := countRecords(fs.records(t), "wanjiru", evDownload, resOK)
	testcheck.Expect(t, "ok downloads audited before the client's answer", n, testcheck.C("none", n == 0))
	ack(t, in)
	testcheck.Must(t, "the session's end (want exit status 0)", sess.Wait())
	fs.waitRecord(t, "the ok download", func(r Record) bool {
		return r.Event == evDownload && r.User == "wanjiru" && r.Result == resOK && r.Detail == "scp: 23 bytes"
	})

	// A sink that cannot write the file says so (2, a reason): failed.
	sess, out, in = scpSink(t, fs, u, "r.csv")
	in.Write([]byte{0})
	expectLine(t, out, "T")
	in.Write([]byte("\x02r.csv: Permission denied\n"))
	err = sess.Wait()
	testcheck.Check(t, "the session after the client refused the file", err, testcheck.C("ended with an error", err != nil))
	fs.waitRecord(t, "the failed download", func(r Record) bool {
		return r.Event == evDownload && r.Result == resFailed && strings.Contains(r.Detail, "Permission denied")
	})
}

// ack sends the scp protocol's "ok" byte.
func ack(t *testing.T, in io.Writer) {
	t.Helper()
	_, err := in.Write([]byte{0})
	testcheck.Must(t, "ack", err)
}

// expectLine reads one protocol line and stops unless it starts with prefix.
func expectLine(t *testing.T, out *bufio.Reader, prefix string) {
	t.Helper()
	line, err := out.ReadString('\n')
	testcheck.Expect(t, fmt.Sprintf("a line starting %q", prefix), fmt.Sprintf("%q, %v", line, err),
		testcheck.C("no error", err == nil), testcheck.C("the prefix", strings.HasPrefix(line, prefix)))
}

// scpSink starts `scp -f name` as u over x/crypto/ssh and returns the
// session, its output and its input.
func scpSink(t *testing.T, fs *fileServer, u testUser, name string) (*gossh.Session, *bufio.Reader, io.WriteCloser) {
	t.Helper()
	c, err := dial(fs.addr, gossh.PublicKeys(u.signer))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	in, err := sess.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Start("scp -f " + name); err != nil {
		t.Fatal(err)
	}
	return sess, bufio.NewReader(stdout), in
}

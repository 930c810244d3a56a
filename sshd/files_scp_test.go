package sshd

import (
	"bufio"
	"io"
	"strings"
	"testing"

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
	if _, err := in.Write([]byte{0}); err != nil { // ready
		t.Fatal(err)
	}
	for _, prefix := range []string{"T", "C0600 23 r.csv"} {
		line, err := out.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, prefix) {
			t.Fatalf("got %q, %v; want a line starting %q", line, err, prefix)
		}
		if _, err := in.Write([]byte{0}); err != nil {
			t.Fatal(err)
		}
	}
	got := make([]byte, len(body)+1)
	if _, err := io.ReadFull(out, got); err != nil || string(got) != body+"\x00" {
		t.Fatalf("data %q, %v", got, err)
	}
	// Every byte is here but not yet acknowledged: not a download yet.
	if n := countRecords(fs.records(t), "wanjiru", evDownload, resOK); n != 0 {
		t.Fatalf("%d ok downloads audited before the client's answer", n)
	}
	if _, err := in.Write([]byte{0}); err != nil {
		t.Fatal(err)
	}
	if err := sess.Wait(); err != nil {
		t.Fatalf("the session ended with %v, want exit status 0", err)
	}
	fs.waitRecord(t, "the ok download", func(r Record) bool {
		return r.Event == evDownload && r.User == "wanjiru" && r.Result == resOK && r.Detail == "scp: 23 bytes"
	})

	// A sink that cannot write the file says so (2, a reason): failed.
	sess, out, in = scpSink(t, fs, u, "r.csv")
	in.Write([]byte{0})
	if line, err := out.ReadString('\n'); err != nil || !strings.HasPrefix(line, "T") {
		t.Fatalf("got %q, %v", line, err)
	}
	in.Write([]byte("\x02r.csv: Permission denied\n"))
	if err := sess.Wait(); err == nil {
		t.Error("the session ended well after the client refused the file")
	}
	fs.waitRecord(t, "the failed download", func(r Record) bool {
		return r.Event == evDownload && r.Result == resFailed && strings.Contains(r.Detail, "Permission denied")
	})
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

package sshd

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"

	"github.com/malipo/malipo/internal/testout"
)

// Issue 10's first "done when", end to end with nothing but OpenSSH on the
// client side: a maker copies a payout CSV into their folder with plain
// scp, opens the console with ssh -tt (a real PTY) and imports it from the
// folder's picker, previews and initiates; an approver approves it with
// the typed confirmation; once IntaSend (the simulator) has settled every
// row, the approver exports the results with E and fetches them with scp
// and scp -O. A viewer can do none of the file steps. The signed audit log
// holds each step in order and money moved exactly once.

// e2eCSV is the file the maker uploads: one payee who is paid and one
// (the simulator's magic 254700000002) whose payout fails, so the results
// show both final states.
const e2eCSV = "Name,Phone,Amount,Narrative\n" +
	"Jane Wanjiku,0708374149,1000,nov salary\n" +
	"Bad Number,0700000002,234.50,bonus\n"

// console is OpenSSH's ssh -tt on a PTY of our own: what the person sees
// is read from the PTY's output with the ANSI sequences stripped.
type console struct {
	t    *testing.T
	user string
	cmd  *exec.Cmd
	tty  *os.File // the PTY's controlling side
	out  *testout.Buffer
	read chan struct{} // closed when the PTY has no more output
	mark int
}

// console starts ssh -tt as c's user in a 120x40 xterm-256color terminal.
// -e none: no escape character, so no key sequence is eaten by ssh.
func (c *sshClient) console(t *testing.T) *console {
	t.Helper()
	args := append(c.opts(), "-tt", "-e", "none", "-p", c.fs.port, c.u.name+"@127.0.0.1")
	cmd := exec.Command("ssh", args...)
	cmd.Dir = c.work
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 120})
	if err != nil {
		t.Fatalf("ssh -tt on a PTY: %v", err)
	}
	cn := &console{t: t, user: c.u.name, cmd: cmd, tty: tty, out: testout.New(), read: make(chan struct{})}
	go func() {
		// Ends with EIO once ssh exits and the PTY closes.
		_, _ = io.Copy(cn.out, tty)
		close(cn.read)
	}()
	t.Cleanup(cn.close)
	return cn
}

// close ends the ssh client (the person closes the laptop) and waits for
// it; the server logs the session out as disconnected.
func (cn *console) close() {
	if cn.cmd.ProcessState == nil {
		_ = cn.cmd.Process.Signal(syscall.SIGTERM)
		_ = cn.cmd.Wait()
	}
	cn.tty.Close()
	<-cn.read
}

// screen is what arrived since the last mark, ANSI stripped.
func (cn *console) screen() string {
	s := cn.out.String()
	return ansi.Strip(s[min(cn.mark, len(s)):])
}

// send types keys, after marking the output so waitFor only looks at what
// they caused.
func (cn *console) send(keys string) {
	cn.mark = cn.out.Len()
	if _, err := io.WriteString(cn.tty, keys); err != nil {
		cn.t.Fatalf("typing %q into %s's ssh: %v", keys, cn.user, err)
	}
}

// waitFor waits until the output since the mark shows text.
func (cn *console) waitFor(text string) {
	cn.t.Helper()
	deadline := time.Now().Add(patience) // the harness's one generous bound
	for !strings.Contains(cn.screen(), text) {
		if time.Now().After(deadline) {
			cn.t.Fatalf("%s's terminal never showed %q; since the last key it shows:\n%s", cn.user, text, cn.screen())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// step is one audit record the path must leave, in this order.
type step struct {
	what                        string
	event, user, target, result string
}

func TestFilesEndToEnd(t *testing.T) {
	needOpenSSH(t)
	t.Parallel() // its own server and clients; nothing timing-sensitive
	maker, approver, viewer := newUser(t, "baraka", "maker"), newUser(t, "wanjiru", "approver"), newUser(t, "vera", "viewer")
	fs := startFileServer(t, maker, approver, viewer)

	// 1. The maker copies the CSV into their folder with plain scp (SFTP).
	mk := fs.client(t, maker)
	if out, err := mk.scp(false, mk.local("salaries.csv", e2eCSV), mk.host()); err != nil {
		t.Fatalf("the maker's scp upload: %v\n%s", err, out)
	}

	// 2. …opens the console, imports the file from the picker, previews
	// and initiates (p: IntaSend prices it and holds it at BP103).
	cm := mk.console(t)
	cm.waitFor("Payroll")
	cm.send("3")
	cm.waitFor("Payouts · Compose")
	cm.send("i")
	cm.waitFor("salaries.csv") // the picker lists the upload
	cm.send("\r")
	cm.waitFor("Imported 2 rows from salaries.csv")
	cm.send("p")
	cm.waitFor("Preview and approve (BP103)")
	tid := pendingBy(t, fs.testServer, "baraka")

	// 3. The approver (another person: four-eyes) opens the pending batch
	// and approves it with the typed amount.
	ap := fs.client(t, approver)
	ca := ap.console(t)
	ca.waitFor("Payroll")
	ca.send("3")
	ca.waitFor("Payouts")
	ca.send("P")
	ca.waitFor("baraka")
	ca.send("\r")
	ca.waitFor("covers it") // status and balance are in: approve acts
	ca.send("A")
	ca.waitFor("Type 1,234.50 to confirm")
	ca.send("\t")
	ca.send("1,234.50")
	ca.waitFor("[ Confirm ]")
	ca.send("\r")
	ca.waitFor("Approved")

	// 4. The simulator settles every row on its own (50 ms steps on the
	// real clock): the open batch tracks it until it is complete.
	ca.waitFor("(BC100)")

	// 5. The approver exports the results into her folder with E…
	name := "payout-results-" + tid + ".csv"
	ca.send("E")
	ca.waitFor(name) // the prompt offers the name
	ca.send("\r")
	ca.waitFor("Results written to your folder")

	// 6. …and fetches them with scp, over SFTP and the legacy protocol.
	for _, legacy := range []bool{false, true} {
		local := filepath.Join(ap.work, "got-"+map[bool]string{false: "sftp", true: "legacy"}[legacy]+".csv")
		if out, err := ap.scp(legacy, ap.host()+name, local); err != nil {
			t.Fatalf("download (legacy=%v): %v\n%s", legacy, err, out)
		}
		checkResults(t, local)
	}

	// 7. A viewer may move no file and has neither import nor export.
	viewerRefused(t, fs, viewer, name)

	// Money moved once, and the signed log tells the story in order.
	if got := fs.demo.Sim.Counters().Approved; got[tid] != 1 || approvals(fs.testServer) != 1 {
		t.Errorf("approvals at IntaSend %v, want exactly one, for %s", got, tid)
	}
	checkAudit(t, fs, []step{
		{"the upload", evUpload, "baraka", "salaries.csv", resOK},
		{"the import", "payout.import", "baraka", "salaries.csv", resOK},
		{"the initiation", "payout.initiate", "baraka", "", resOK},
		{"the approval", "payout.approve", "wanjiru", tid, resOK},
		{"the export", "payout.export", "wanjiru", name, resOK},
		{"the scp download", evDownload, "wanjiru", name, resOK},
		{"the scp -O download", evDownload, "wanjiru", name, resOK},
	})
}

// pendingBy is the tracking id of the batch user initiated, from the
// journal every session shares.
func pendingBy(t *testing.T, ts *testServer, user string) string {
	t.Helper()
	for _, e := range ts.journal.Pending() {
		if e.Initiator == user {
			return e.TrackingID
		}
	}
	t.Fatalf("the journal has no pending batch initiated by %s: %+v", user, ts.journal.Pending())
	return ""
}

// checkResults: the downloaded CSV lists both rows with their final
// status: Jane paid (TS100), the magic failing number failed (TF106).
func checkResults(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("%s: %d lines, %v: %q", filepath.Base(path), len(rows), err, rows)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	want := map[string]string{"Jane Wanjiku": "TS100", "Bad Number": "TF106"}
	for _, r := range rows[1:] {
		if code, ok := want[r[col["name"]]]; !ok || r[col["status_code"]] != code {
			t.Errorf("%s: row %q, want status code %q", filepath.Base(path), r, code)
		}
		delete(want, r[col["name"]])
	}
	if len(want) > 0 {
		t.Errorf("%s lacks rows for %v", filepath.Base(path), want)
	}
}

// viewerRefused: the viewer's scp upload and download are refused (both
// protocols), her folder stays empty, and in the console i and E are
// refused by the shell with the reason; each refusal is audited.
func viewerRefused(t *testing.T, fs *fileServer, viewer testUser, name string) {
	t.Helper()
	vc := fs.client(t, viewer)
	local := vc.local("salaries.csv", e2eCSV)
	for _, legacy := range []bool{false, true} {
		if out, err := vc.scp(legacy, local, vc.host()); err == nil || !strings.Contains(out, "may not") {
			t.Errorf("the viewer's upload (legacy=%v): err %v\n%s", legacy, err, out)
		}
		got := filepath.Join(vc.work, "got.csv")
		if out, err := vc.scp(legacy, vc.host()+name, got); err == nil || !strings.Contains(out, "may not") {
			t.Errorf("the viewer's download (legacy=%v): err %v\n%s", legacy, err, out)
		}
		if _, err := os.Lstat(got); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the viewer received a file (legacy=%v): %v", legacy, err)
		}
	}
	if ents, _ := os.ReadDir(fs.folder(viewer)); len(ents) != 0 {
		t.Errorf("the viewer's folder holds %v", ents)
	}
	cv := vc.console(t)
	cv.waitFor("Payroll")
	cv.send("3")
	cv.waitFor("Payouts")
	cv.send("i")
	cv.waitFor("Your role (viewer) may not import files")
	cv.send("E")
	// The terminal gets only the cells that changed ("exp" over "imp" in
	// the toast), so this one is read from the server's own render of
	// her screen.
	fs.waitScreen(t, "vera", "Your role (viewer) may not export files")
	if strings.Contains(cv.screen(), "your folder") {
		t.Errorf("the viewer was offered a folder:\n%s", cv.screen())
	}
	recs := fs.records(t)
	for _, ev := range []string{evUpload, evDownload, "import", "export"} {
		if countRecords(recs, "vera", ev, resRefused) == 0 {
			t.Errorf("no refused %s record for the viewer", ev)
		}
	}
	for _, r := range recs {
		if r.User == "vera" && r.Result == resOK && r.Event != "login" {
			t.Errorf("the viewer did something: %+v", r)
		}
	}
}

// checkAudit verifies the log's signatures (as serve verify-audit does)
// and finds the steps in order, each after the one before.
func checkAudit(t *testing.T, fs *fileServer, steps []step) {
	t.Helper()
	if c, err := VerifyAuditLog(fs.auditPath, fs.auditPub); err != nil || len(c.Torn) > 0 {
		t.Fatalf("the audit log does not verify: %+v, %v", c, err)
	}
	recs := fs.records(t)
	at := 0
	for _, s := range steps {
		found := false
		for ; at < len(recs) && !found; at++ {
			r := recs[at]
			found = r.Event == s.event && r.User == s.user && r.Result == s.result && (s.target == "" || r.Target == s.target)
		}
		if !found {
			t.Fatalf("no %s record (%s %s %s) after the previous step; log:\n%s", s.what, s.event, s.user, s.result, mustRead(t, fs.auditPath))
		}
	}
}

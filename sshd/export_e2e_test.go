package sshd

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestExportEndToEnd (issue 11 §3): a maker opens the console over OpenSSH,
// narrows Collections to a date range, exports the payments shown with E
// into her folder and fetches the file with plain scp; the CSV holds as
// many payments as the count line said, and the signed audit log has the
// export and the download. A viewer's E does nothing.
func TestExportEndToEnd(t *testing.T) {
	needOpenSSH(t)
	t.Parallel()
	maker, viewer := newUser(t, "baraka", "maker"), newUser(t, "vera", "viewer")
	fs := startFileServer(t, maker, viewer)

	mk := fs.client(t, maker)
	cm := mk.console(t)
	cm.waitFor("Payroll")
	cm.send("2")
	cm.waitFor("payments")
	cm.send("d")
	cm.waitFor("Date range: payments")
	cm.send("\x15\x0b30d\t\x15\x0btoday\r") // ctrl+u ctrl+k clear each field
	cm.waitFor("(d) ·")
	cm.send("E")
	cm.waitFor("Export payments as CSV")
	cm.send("\x15\x0bdec.csv\r")
	cm.waitFor("written to your folder as dec.csv")
	written := cm.screen()

	local := filepath.Join(mk.work, "dec.csv")
	if out, err := mk.scp(false, mk.host()+"dec.csv", local); err != nil {
		t.Fatalf("download: %v\n%s", err, out)
	}
	f, err := os.Open(local)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) < 2 || !strings.HasPrefix(recs[0][0], "Time (") || recs[0][1] != "Invoice" {
		t.Fatalf("the CSV: %v %q", err, recs)
	}
	// The toast says how many were written: the file holds exactly those.
	if want := len(recs) - 1; !strings.Contains(written, " "+strconv.Itoa(want)+" payment") {
		t.Fatalf("%d payments in the file; the console said:\n%s", want, written)
	}

	cv := fs.client(t, viewer).console(t)
	cv.waitFor("Payroll")
	cv.send("2")
	cv.waitFor("payments")
	cv.send("E")
	cv.send("?") // the help draws after E: E opened nothing, and is not offered
	cv.waitFor("Everywhere")
	if s := cv.screen(); strings.Contains(s, "Export payments") || strings.Contains(s, "export CSV") {
		t.Fatalf("a viewer has the export:\n%s", s)
	}

	checkAudit(t, fs, []step{
		{"the export", "collection.export", "baraka", "dec.csv", resOK},
		{"the scp download", evDownload, "baraka", "dec.csv", resOK},
	})
}

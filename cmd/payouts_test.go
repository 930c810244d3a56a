package cmd

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/keystore"
)

// runCheck runs `malipo ARGS…` in process and returns stdout, stderr and
// the error main would turn into exit status 1.
func runCheck(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no stored profile
	t.Setenv(keystore.EnvPublishableKey, "")
	t.Setenv(keystore.EnvSecretKey, "")
	root := newRootCmd()
	var out, errw bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errw)
	root.SetIn(strings.NewReader(stdin))
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), errw.String(), err
}

func writeCSV(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "batch.csv")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// hyperlinkCSV has a row a spreadsheet wrote as a formula with quotes in
// it: not valid CSV. The console's import test uses the same file.
const hyperlinkCSV = "name,phone,amount\nJane,0712345678,100\n=HYPERLINK(\"http://x\",\"Bob\"),0722000111,100\nBad,07,100\n"

// thousandRows is 1,200 rows, the last one bad.
func thousandRows() string {
	var b strings.Builder
	b.WriteString("name,phone,amount\n")
	for i := range 1199 {
		fmt.Fprintf(&b, "P%d,07%08d,%d\n", i, i, 100+i)
	}
	b.WriteString("Bad,07,100\n")
	return b.String()
}

func TestPayoutsCheck(t *testing.T) {
	var big strings.Builder
	big.WriteString("name,phone,amount\n")
	for i := range 5001 {
		fmt.Fprintf(&big, "P%d,07%08d,100\n", i, i)
	}
	cases := []struct {
		name    string
		file    string
		args    []string
		wantOut []string // in order
		notOut  []string
		wantErr string // "" = exit 0
	}{
		{name: "sample file is clean", file: "@../docs/payouts-sample.csv", args: []string{"--rail", "b2c"},
			wantOut: []string{"line 1: warning: column \"Staff No\" is not used for MPESA-B2C payouts; it is ignored\n",
				"MPESA-B2C: 4 rows, 4 good, 0 bad, 1 warning; good rows total KES 14,750.50\n"}},
		{name: "bad rows listed, exit non-zero", file: "name,phone,amount,narrative\nJane,0712345678,100,ok\nBad,0712 34,100,ok\nJohn,0722000111,5,ok\nMary,0733000111,100,November salary and bonus\n",
			args: []string{"--rail", "MPESA-B2C"},
			wantOut: []string{`line 3: account: "0712 34" is too short (a Kenyan mobile number has 9 digits after 0 or 254)` + "\n",
				"line 4: amount: 5.00 is below the MPESA-B2C minimum of 10.00\n",
				"line 5: warning: narrative: 25 characters: the recipient's SMS shows only the first 22\n",
				"MPESA-B2C: 4 rows, 2 good, 2 bad, 1 warning; good rows total KES 200.00\n"},
			wantErr: "2 bad rows of 4"},
		{name: "warnings alone exit 0", file: "name,phone,amount\nJane,0712345678,100\nJane,0712345678,100\n", args: []string{"--rail", "b2c"},
			wantOut: []string{"line 3: warning: account: same account and amount as line 2"}},
		{name: "quiet hides warnings", file: "name,phone,amount\nJane,0712345678,100\nJane,0712345678,100\n", args: []string{"--rail", "b2c", "--quiet"},
			wantOut: []string{"MPESA-B2C: 2 rows, 2 good, 0 bad, 1 warning"}, notOut: []string{"line 3"}},
		{name: "5,001 rows refused", file: big.String(), args: []string{"--rail", "b2c"},
			wantErr: "5,001 rows: IntaSend's maximum is 5,000 per batch; split the file"},
		{name: "missing column refused", file: "name,account,amount\nShop,521234,100\n", args: []string{"--rail", "b2b"},
			wantErr: "missing column(s) for MPESA-B2B: account_type or type"},
		{name: "pesalink offline bank list", file: "name,account,bank,amount\nJane,0123456789,68,1000\nJohn,0123456789,4,1000\n", args: []string{"--rail", "bank"},
			wantOut: []string{`line 3: bank_code: "4" is not a known bank code`}, wantErr: "1 bad row of 2"},
		{name: "a =HYPERLINK row is one bad row, as in the console", file: hyperlinkCSV, args: []string{"--rail", "b2c"},
			wantOut: []string{`line 3: not valid CSV: bare "`, `line 4: account: "07" is too short`,
				"MPESA-B2C: 3 rows, 1 good, 2 bad, 0 warnings; good rows total KES 100.00\n"},
			wantErr: "2 bad rows of 3"},
		{name: "counts are grouped", file: thousandRows(), args: []string{"--rail", "b2c"},
			wantOut: []string{"MPESA-B2C: 1,200 rows, 1,199 good, 1 bad, 0 warnings"}, wantErr: "1 bad row of 1,200"},
		{name: "unknown rail", file: "a\n", args: []string{"--rail", "mpesa-b2x"}, wantErr: `unknown rail "mpesa-b2x"`},
		{name: "rail required", file: "a\n", wantErr: `required flag(s) "rail" not set`},
		{name: "no such file", file: "@/nonexistent/x.csv", args: []string{"--rail", "b2c"}, wantErr: "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := strings.TrimPrefix(c.file, "@")
			if path == c.file {
				path = writeCSV(t, c.file)
			}
			out, _, err := runCheck(t, "", append([]string{"payouts", "check", path}, c.args...)...)
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatalf("exit error %v\n%s", err, out)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("error %v, want %q\n%s", err, c.wantErr, out)
			}
			at := 0
			for _, w := range c.wantOut {
				i := strings.Index(out[at:], w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%s", w, out)
				}
				at += i + len(w)
			}
			if out != "" && !strings.HasSuffix(out, "\n") {
				t.Errorf("output does not end its last line:\n%q", out)
			}
			for _, w := range c.notOut {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestPayoutsCheckStdin(t *testing.T) {
	out, _, err := runCheck(t, "phone,amount\n0712345678,50\n", "payouts", "check", "-", "--rail", "airtime")
	if err != nil || !strings.Contains(out, "AIRTIME: 1 row, 1 good, 0 bad, 0 warnings; good rows total KES 50.00") {
		t.Fatalf("err %v out %q", err, out)
	}
}

// TestPayoutsCheckBankList: with keys and a reachable IntaSend the bank
// list is fetched; when it cannot be, the built-in one is used and the
// command says so on stderr (never printing a key).
func TestPayoutsCheckBankList(t *testing.T) {
	srv := httptest.NewServer(sim.New(sim.Options{FailureRate: -1}))
	defer srv.Close()
	dead := httptest.NewServer(nil)
	dead.Close()
	file := writeCSV(t, "name,account,bank,amount\nJane,0123456789,68,1000\n")
	const pub, sec = "ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f", "ISSecretKey_test_c3b1fa1b-5d1e-4a3e-9e7c-4f0c5a1d8181"
	for _, c := range []struct {
		base, wantNote string
	}{{srv.URL, ""}, {dead.URL, "note: using the built-in bank list"}} {
		root := newRootCmd()
		t.Setenv("XDG_CONFIG_HOME", t.TempDir())
		t.Setenv(keystore.EnvPublishableKey, pub)
		t.Setenv(keystore.EnvSecretKey, sec)
		var out, errw bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&errw)
		root.SetArgs([]string{"payouts", "check", file, "--rail", "PESALINK", "--base-url", c.base})
		if err := root.Execute(); err != nil {
			t.Fatalf("%s: %v\n%s%s", c.base, err, out.String(), errw.String())
		}
		if c.wantNote == "" && errw.Len() > 0 || !strings.Contains(errw.String(), c.wantNote) {
			t.Errorf("%s: stderr %q, want %q", c.base, errw.String(), c.wantNote)
		}
		if strings.Contains(out.String()+errw.String(), "c3b1fa1b") {
			t.Error("a key was printed")
		}
	}
}

// TestPayoutsCheckSpecialFiles: what is not a regular file is refused at
// once with exit status 2; a FIFO used to hang the command forever, so
// the check runs under a deadline that turns a regression into a failure.
func TestPayoutsCheckSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	cases := []struct{ name, path, want string }{
		{"FIFO", fifo, "not a regular file"},
		{"folder", dir, "not a regular file"},
		{"device", os.DevNull, "not a regular file"},
		{"missing", filepath.Join(dir, "nope.csv"), "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			done := make(chan struct{})
			go func() {
				defer close(done)
				_, _, err = runCheck(t, "", "payouts", "check", c.path, "--rail", "b2c")
			}()
			timer := time.NewTimer(20 * time.Second)
			defer timer.Stop()
			select {
			case <-done:
			case <-timer.C:
				if w, oerr := os.OpenFile(fifo, os.O_WRONLY, 0); oerr == nil {
					w.Close() // free the stuck reader
				}
				<-done
				t.Fatalf("payouts check %s blocked", c.name)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if code := exitCode(err); code != 2 {
				t.Errorf("exit status %d, want 2", code)
			}
		})
	}
	// Bad rows still exit 1.
	_, _, err := runCheck(t, "", "payouts", "check", writeCSV(t, "name,phone,amount\nBad,0712 34,100\n"), "--rail", "b2c")
	if err == nil || exitCode(err) != 1 {
		t.Errorf("bad rows: %v, status %d", err, exitCode(err))
	}
}

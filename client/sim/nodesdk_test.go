package sim_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"maps"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/malipo/malipo/client/sim"
)

// nodeSDKDir is the npm project that pins the official Node SDK; .ci/run
// installs it with `npm ci`.
var nodeSDKDir = filepath.Join("testdata", "node-sdk")

// nWant is what one call of run.js must give: success or failure, and
// values at dotted paths of its result (or error body). "*" is any
// non-empty value; "=call:path" is the same value as another call's.
type nWant struct {
	ok   bool
	want map[string]string
}

// nodeSDKCalls is every call run.js makes, by name, with the answer the
// real API gives: the failures are IntaSend's documented validation and
// not-found errors, nothing else.
var nodeSDKCalls = map[string]nWant{
	"wallets.list":                          {true, map[string]string{"results.0.wallet_id": "*"}},
	"wallets.create":                        {true, map[string]string{"wallet_id": "*", "label": "NODE-SDK-OPS", "currency": "KES", "wallet_type": "WORKING"}},
	"wallets.create#bad-currency":           {false, map[string]string{"type": "validation_error", "errors.0.attr": "currency"}},
	"wallets.get":                           {true, map[string]string{"wallet_id": "=wallets.create:wallet_id", "label": "NODE-SDK-OPS"}},
	"wallets.transactions":                  {true, map[string]string{"count": "0"}},
	"wallets.fundMPesa":                     {true, map[string]string{"invoice.state": "PENDING", "invoice.invoice_id": "*"}},
	"wallets.fundCheckout":                  {true, map[string]string{"id": "*", "url": "*", "signature": "*"}},
	"wallets.intraTransfer":                 {true, map[string]string{"destination.wallet_id": "=wallets.create:wallet_id", "origin.wallet_type": "SETTLEMENT"}},
	"wallets.get#after-transfer":            {true, map[string]string{"wallet_id": "=wallets.create:wallet_id", "available_balance": "100.00"}},
	"collection.mpesaStkPush":               {true, map[string]string{"invoice.state": "PENDING", "invoice.invoice_id": "*"}},
	"collection.mpesaStkPush#failing-phone": {true, map[string]string{"invoice.state": "PENDING"}},
	"collection.mpesaStkPush#zero-amount":   {false, map[string]string{"type": "validation_error", "errors.0.attr": "amount"}},
	"collection.status#pending":             {true, map[string]string{"invoice.invoice_id": "=collection.mpesaStkPush:invoice.invoice_id", "invoice.state": "PENDING"}},
	"collection.charge":                     {true, map[string]string{"id": "*", "url": "*", "signature": "*"}},
	"collection.status#complete":            {true, map[string]string{"invoice.state": "COMPLETE"}},
	"collection.status#failed":              {true, map[string]string{"invoice.state": "FAILED", "invoice.failed_reason": "*"}},
	"collection.status#unknown":             {false, map[string]string{"detail": "Not found."}},
	"payouts.mpesa":                         {true, map[string]string{"tracking_id": "*", "nonce": "*"}},
	"payouts.approve":                       {true, map[string]string{"tracking_id": "=payouts.mpesa:tracking_id"}},
	"payouts.status#approved":               {true, map[string]string{"tracking_id": "=payouts.mpesa:tracking_id"}},
	"payouts.mpesa#bad-account":             {false, map[string]string{"type": "validation_error", "errors.0.attr": "transactions.0.account"}},
	"payouts.mpesaB2B":                      {true, map[string]string{"tracking_id": "*"}},
	"payouts.bank":                          {true, map[string]string{"tracking_id": "*"}},
	"payouts.intasend":                      {true, map[string]string{"tracking_id": "*"}},
	"payouts.airtime":                       {true, map[string]string{"tracking_id": "*"}},
	"payouts.initiate":                      {true, map[string]string{"tracking_id": "*"}},
	"payouts.approve#b2b":                   {true, map[string]string{"tracking_id": "=payouts.mpesaB2B:tracking_id"}},
	"payouts.approve#again":                 {false, map[string]string{"type": "validation_error", "errors.0.code": "already_approved"}},
	"payouts.status#done":                   {true, map[string]string{"status_code": "BC100"}},
	"payouts.status#unknown":                {false, map[string]string{"detail": "Not found."}},
	"refunds.create":                        {true, map[string]string{"chargeback_id": "*", "invoice.invoice_id": "=collection.mpesaStkPush:invoice.invoice_id", "amount": "500.00", "status": "PENDING"}},
	"refunds.create#too-much":               {false, map[string]string{"type": "validation_error", "errors.0.attr": "amount"}},
	"refunds.list":                          {true, map[string]string{"results.0.chargeback_id": "=refunds.create:chargeback_id"}},
	"refunds.get":                           {true, map[string]string{"chargeback_id": "=refunds.create:chargeback_id"}},
	"refunds.get#unknown":                   {false, map[string]string{"detail": "Not found."}},
	"wallets.transactions#settlement":       {true, map[string]string{"results.0.transaction_id": "*"}},
	"wallets.list#again":                    {true, map[string]string{"results.0.wallet_id": "*"}},
}

// TestNodeSDK runs every method of the official intasend-node SDK (the
// version package-lock.json pins, unmodified) in a real node process
// against the simulator over TLS on loopback, with keep-alive on as in
// Node 19+, through sim.Serve's wire layer. Each call must succeed or fail
// only as the real API would.
func TestNodeSDK(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not on PATH: this test runs the official IntaSend Node SDK (Node.js 19+)")
	}
	if _, err := os.Stat(filepath.Join(nodeSDKDir, "node_modules", "intasend-node", "package.json")); err != nil {
		t.Skip("intasend-node is not installed: run `npm ci` in client/sim/testdata/node-sdk (.ci/run does)")
	}
	clock := sim.NewManualClock(aStart)
	s := sim.New(sim.Options{Clock: clock, Seed: true, Rand: 11, FailureRate: -1, Timing: aTiming})
	addr, conns, caFile := nServeTLS(t, s)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a hung node must not hang CI
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "run.js")
	cmd.Dir = nodeSDKDir
	_, port, _ := net.SplitHostPort(addr)
	cmd.Env = append(os.Environ(), "SIM_PORT="+port, "NODE_EXTRA_CA_CERTS="+caFile,
		"INTASEND_PUBLISHABLE_KEY="+aPub, "INTASEND_SECRET_KEY="+aSecret)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	got := map[string]aResp{}
	var order []string
	sc := bufio.NewScanner(stdout)
	sc.Buffer(nil, 4<<20)
	for sc.Scan() {
		var line struct {
			Call    string
			OK      bool
			Advance int
			Result  any
			Error   any
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("run.js printed %q: %v", sc.Text(), err)
		}
		if line.Advance > 0 { // step the clock, then let the script go on
			clock.Advance(time.Duration(line.Advance) * time.Second)
			s.Advance()
			_, _ = stdin.Write([]byte("\n"))
			continue
		}
		if _, dup := got[line.Call]; dup {
			t.Errorf("%s reported twice", line.Call)
		}
		body := line.Result
		if !line.OK {
			body = line.Error
		}
		got[line.Call] = aResp{status: map[bool]int{true: 200, false: 400}[line.OK], body: body, raw: sc.Text()}
		order = append(order, line.Call)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading run.js: %v", err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("node run.js: %v\n%s", err, redactKeys(stderr.String()))
	}
	nCheck(t, got, order)
	nCheckEveryMethod(t, order)
	// Keep-alive was on: the calls shared connections, so every GET's
	// stray body sat between two requests on one of them.
	if n := conns.Load(); n == 0 || int(n) > len(order)/4 {
		t.Errorf("%d calls over %d connections: keep-alive was not in use", len(order), n)
	}
	t.Logf("%d calls of intasend-node over %d keep-alive connection(s)", len(order), conns.Load())
}

// nCheck compares each reported call with nodeSDKCalls.
func nCheck(t *testing.T, got map[string]aResp, order []string) {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(nodeSDKCalls)) {
		w := nodeSDKCalls[name]
		r, ok := got[name]
		if !ok {
			t.Errorf("%s: not reported by run.js", name)
			continue
		}
		if (r.status == 200) != w.ok {
			t.Errorf("%s: ok=%v, want ok=%v: %s", name, r.status == 200, w.ok, r.raw)
			continue
		}
		for path, want := range w.want {
			v := r.str(path)
			if ref, isRef := strings.CutPrefix(want, "="); isRef {
				call, p, _ := strings.Cut(ref, ":")
				want = got[call].str(p)
			}
			if v == "" || want != "*" && v != want {
				t.Errorf("%s: %s = %q, want %q: %s", name, path, v, want, r.raw)
			}
		}
	}
	for _, name := range order {
		if _, ok := nodeSDKCalls[name]; !ok {
			t.Errorf("%s: run.js made a call the test does not check", name)
		}
	}
}

// nCheckEveryMethod reads the installed SDK's methods from its compiled
// sources (Wallet.prototype.list = function …) and wants each called.
func nCheckEveryMethod(t *testing.T, order []string) {
	t.Helper()
	called := map[string]bool{}
	for _, name := range order {
		m, _, _ := strings.Cut(name, "#")
		called[m] = true
	}
	accessor := map[string]string{"Wallet": "wallets", "Collection": "collection", "Payouts": "payouts", "Refunds": "refunds"}
	re := regexp.MustCompile(`(\w+)\.prototype\.(\w+) = function`)
	files, _ := filepath.Glob(filepath.Join(nodeSDKDir, "node_modules", "intasend-node", "dist", "*.js"))
	n := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			acc, ok := accessor[m[1]]
			if !ok {
				continue // the IntaSend class's accessors themselves
			}
			n++
			if !called[acc+"."+m[2]] {
				t.Errorf("SDK method %s.%s (%s) is never called by run.js", acc, m[2], filepath.Base(f))
			}
		}
	}
	if n < 20 {
		t.Errorf("found %d SDK methods in %s: the SDK's layout changed?", n, nodeSDKDir)
	}
}

// nServeTLS serves s through sim.Serve over TLS on loopback, with a
// throw-away certificate for sandbox.intasend.com (the host the SDK
// insists on), and returns the address, a count of accepted connections
// and the certificate's PEM file for NODE_EXTRA_CA_CERTS.
func nServeTLS(t testing.TB, s *sim.Server) (string, *atomic.Int64, string) {
	t.Helper()
	cert, pemFile := nCert(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := &atomic.Int64{}
	srv := sim.NewHTTPServer(s)
	srv.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	tlsLn := tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	done := make(chan error, 1)
	go func() { done <- sim.Serve(srv, tlsLn) }()
	t.Cleanup(func() {
		_ = srv.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String(), conns, pemFile
}

// nCert makes a self-signed certificate for sandbox.intasend.com, valid
// for an hour around now (it is made and used within one test run).
func nCert(t testing.TB) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: "sandbox.intasend.com"},
		DNSNames: []string{"sandbox.intasend.com"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pemFile := filepath.Join(t.TempDir(), "sandbox-ca.pem")
	if err := os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pemFile
}

// redactKeys keeps the test keys out of failure output.
func redactKeys(s string) string {
	return strings.NewReplacer(aSecret, "ISSecretKey_test_[redacted]", aPub, "ISPubKey_test_[redacted]").Replace(s)
}

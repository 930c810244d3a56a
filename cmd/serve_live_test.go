package cmd

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/internal/pgtest"
	"github.com/malipo/malipo/internal/testcheck"
)

var webhooksRE = regexp.MustCompile(`webhooks at (\S+) `)

// TestServeWebhooks: `malipo serve --webhooks` as a process: a body
// without the challenge is refused, an event is taken once however often
// it is posted, and `malipo events` lists it from the profile's event log.
// (The screens it reaches: sshd's TestWebhookReachesEveryScreen.)
func TestServeWebhooks(t *testing.T) {
	dir := t.TempDir()
	users := filepath.Join(dir, "users.toml")
	writeUsers(t, users, newPerson(t, "amina", "viewer"))
	state := filepath.Join(dir, "state")
	env := append(os.Environ(), auditKeyEnv(t, state), envWebhookChallenge+"=s3cret")
	p := startServeEnv(t, state, users, env, "--webhooks", "127.0.0.1:0", "--webhooks-path", "/hooks/intasend")
	url := webhooksURL(p)
	testcheck.Expect(t, "webhooks banner", p.stderr.String(), testcheck.C("at /hooks/intasend", strings.HasSuffix(url, "/hooks/intasend")))
	testcheck.Expect(t, "serve's output", "(not shown)", testcheck.C("no challenge", !strings.Contains(p.stderr.String(), "s3cret")))
	event := `{"invoice_id":"INVHOOK1","state":"COMPLETE","value":"1234.50","currency":"KES","challenge":"s3cret"}`
	cases := []struct {
		name, body string
		want       int
	}{
		{"wrong challenge", strings.Replace(event, "s3cret", "guess", 1), http.StatusUnauthorized},
		{"the event", event, http.StatusOK},
		{"the same event again", event, http.StatusOK},
	}
	for _, c := range cases {
		got := postStatus(t, url, c.body)
		testcheck.Check(t, c.name, got, testcheck.C(fmt.Sprint(c.want), got == c.want))
	}
	cmd := exec.Command(malipoBinary(t), "--profile", "demo", "events", "--jsonl")
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+state)
	out, err := cmd.CombinedOutput()
	testcheck.Expect(t, "malipo events", fmt.Sprintf("%v\n%s", err, out), testcheck.C("runs", err == nil))
	got := loggedEvents(out)
	testcheck.Check(t, "event log", fmt.Sprintf("%+v\n%s", got, out), testcheck.C("one event", len(got) == 1))
	if len(got) == 1 {
		testcheck.Check(t, "event log", got[0], testcheck.C("INVHOOK1", got[0].Object == "INVHOOK1"),
			testcheck.C("COMPLETE", got[0].State == "COMPLETE"), testcheck.C("1234.50", got[0].Amount == "1234.50"))
	}
	testcheck.Check(t, "the event log", "(not shown)", testcheck.C("no challenge", !bytes.Contains(out, []byte("s3cret"))))
}

// webhooksURL waits (60 s at most) for serve's webhooks banner and
// returns its address, "" if none came.
func webhooksURL(p *serveProc) string {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if m := webhooksRE.FindStringSubmatch(p.stderr.String()); m != nil {
			return m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	return ""
}

// postStatus posts body to url and returns the status code.
func postStatus(t *testing.T, url, body string) int {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	testcheck.Must(t, "post", err)
	resp.Body.Close()
	return resp.StatusCode
}

// loggedEvents reads `events --jsonl` output back, skipping lines that
// are not events.
func loggedEvents(out []byte) []loggedEvent {
	var got []loggedEvent
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var e loggedEvent
		if json.Unmarshal(line, &e) == nil && e.Object != "" {
			got = append(got, e)
		}
	}
	return got
}

// TestServeWebhooksTLS: with --webhooks-cert and --webhooks-key the
// receiver speaks HTTPS only.
func TestServeWebhooksTLS(t *testing.T) {
	dir := t.TempDir()
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeSelfSigned(t, certPath, keyPath)
	users := filepath.Join(dir, "users.toml")
	writeUsers(t, users, newPerson(t, "amina", "viewer"))
	state := filepath.Join(dir, "state")
	env := append(os.Environ(), auditKeyEnv(t, state), envWebhookChallenge+"=s3cret")
	p := startServeEnv(t, state, users, env, "--webhooks", "127.0.0.1:0", "--webhooks-cert", certPath, "--webhooks-key", keyPath)
	var url string
	deadline := time.Now().Add(60 * time.Second)
	for url == "" && time.Now().Before(deadline) {
		if m := webhooksRE.FindStringSubmatch(p.stderr.String()); m != nil {
			url = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("webhooks at %q:\n%s", url, p.stderr.String())
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := hc.Post(url, "application/json", strings.NewReader(`{"invoice_id":"INVTLS","state":"COMPLETE","challenge":"s3cret"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("over TLS: %d", resp.StatusCode)
	}
	if _, err := http.Post("http"+strings.TrimPrefix(url, "https"), "application/json", strings.NewReader(`{}`)); err == nil {
		// Go's TLS server answers plain HTTP with a 400 of its own; what
		// matters is that no event was taken: the log has one.
		t.Log("plain HTTP got an answer (Go's TLS server's 400)")
	}
	data, _ := os.ReadFile(filepath.Join(state, "malipo", "demo", eventLogName))
	if n := strings.Count(string(data), "\n"); n != 1 || !strings.Contains(string(data), "INVTLS") {
		t.Errorf("event log:\n%s", data)
	}
}

// writeSelfSigned writes a fresh self-signed certificate for 127.0.0.1.
func writeSelfSigned(t *testing.T, certPath, keyPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// webhookURL waits for serve's webhooks banner.
func webhookURL(t *testing.T, p *serveProc) string {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := webhooksRE.FindStringSubmatch(p.stderr.String()); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no webhooks banner:\n%s", p.stderr.String())
	return ""
}

// TestServeWebhooksTwoHostsOneStore: two `malipo serve --webhooks --store`
// processes on one PostgreSQL, as behind a load balancer. One event posted
// to both (IntaSend's retry reaching the other host) is answered 200 by
// each and stored once, by the host it reached first; `malipo events
// --store` lists it once, with its challenge redacted.
func TestServeWebhooksTwoHostsOneStore(t *testing.T) {
	url := pgtest.Start(t).URL("postgres")
	dir := t.TempDir()
	users := filepath.Join(dir, "users.toml")
	writeUsers(t, users, newPerson(t, "amina", "viewer"))
	key := auditKeyEnv(t, filepath.Join(dir, "a")) // one audit key for both hosts
	var hooks []string
	for _, h := range []string{"a", "b"} {
		env := append(os.Environ(), key, envWebhookChallenge+"=s3cret")
		p := startServeEnv(t, filepath.Join(dir, h), users, env, "--webhooks", "127.0.0.1:0", "--store", url)
		hooks = append(hooks, webhookURL(t, p))
		if !strings.Contains(p.stderr.String(), "event log on the store") {
			t.Errorf("host %s does not keep its events on the store:\n%s", h, p.stderr.String())
		}
	}
	event := `{"invoice_id":"INVTWOHOSTS","state":"COMPLETE","value":"99.00","currency":"KES","challenge":"s3cret"}`
	for i, u := range hooks {
		resp, err := http.Post(u, "application/json", strings.NewReader(event))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("host %d answered %d", i, resp.StatusCode)
		}
	}
	cmd := exec.Command(malipoBinary(t), "--profile", "demo", "events", "--jsonl", "--store", url)
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+dir, "XDG_CONFIG_HOME="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("malipo events --store: %v\n%s", err, out)
	}
	var got []loggedEvent
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var e loggedEvent
		if json.Unmarshal(line, &e) == nil && e.Object == "INVTWOHOSTS" {
			got = append(got, e)
		}
	}
	if len(got) != 1 || got[0].State != "COMPLETE" || got[0].Amount != "99.00" {
		t.Errorf("the store's log has %+v, want the event once\n%s", got, out)
	}
	if bytes.Contains(out, []byte("s3cret")) {
		t.Error("the challenge reached the store")
	}
}

// TestPaceSpreads: serve's consoles wait about what they asked, never
// more than a tenth off either way, and not in step: 200 waits of 5 s
// land on many different values across the whole band.
func TestPaceSpreads(t *testing.T) {
	l := &live{}
	const d = 5 * time.Second
	seen := map[time.Duration]bool{}
	lo, hi := d, d
	for range 200 {
		got := l.pace(d)
		if got < d-d/10 || got > d+d/10 {
			t.Fatalf("pace(%s) = %s, outside %s ± 10%%", d, got, d)
		}
		seen[got] = true
		lo, hi = min(lo, got), max(hi, got)
	}
	// 200 uniform draws over a 1 s band: both tenths of it reached, with
	// a chance of missing one below 1e-9.
	testcheck.Expect(t, "200 waits", fmt.Sprint(len(seen), " values ", lo, "…", hi),
		testcheck.C("different", len(seen) > 100),
		testcheck.C("reach below 4.6 s", lo < d-d/10+100*time.Millisecond),
		testcheck.C("reach above 5.4 s", hi > d+d/10-100*time.Millisecond))
	if got := spread(0); got != 0 {
		t.Errorf("spread(0) = %s", got)
	}
}

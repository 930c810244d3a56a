package cmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/internal/testout"
)

func TestSimServesAndStops(t *testing.T) {
	root := newRootCmd()
	out := testout.New()
	root.SetOut(out)
	root.SetErr(out)
	root.SetArgs([]string{"sim", "--addr", "127.0.0.1:0", "--no-generator", "--seed", "5", "--faults", "wallets:latency=1ms"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()

	baseRe := regexp.MustCompile(`http://127\.0\.0\.1:\d+/api/v1/`)
	keyRe := regexp.MustCompile(`ISSecretKey_test_[0-9a-f-]{36}`)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "Ctrl-C") {
		if time.Now().After(deadline) {
			t.Fatalf("no banner: %s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	banner := out.String()
	base, key := baseRe.FindString(banner), keyRe.FindString(banner)
	if base == "" || key == "" || !strings.Contains(banner, "random seed      5") || !strings.Contains(banner, "wallets:latency=1ms") {
		t.Fatalf("banner: %s", banner)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"send-money/status/", strings.NewReader(`{"tracking_id":"nope"}`))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound { // authenticated, and no such batch
		t.Fatalf("status %d %s", resp.StatusCode, body)
	}
	assertKeepsAliveThroughStrayBodies(t, strings.TrimPrefix(strings.TrimSuffix(base, "/api/v1/"), "http://"), key)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("sim returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("sim did not stop")
	}
	if !strings.HasSuffix(out.String(), "malipo sim: stopped\n") {
		t.Errorf("output ends %q", out.String()[len(out.String())-40:])
	}
}

// assertKeepsAliveThroughStrayBodies sends two GETs the way the official
// Node SDK writes them (a JSON body with no framing) on one connection, in
// one write, and wants two 200s: proof the server runs sim.Serve's wire
// layer, not a bare http.Server.
func assertKeepsAliveThroughStrayBodies(t *testing.T, addr, secret string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	get := "GET /api/v1/wallets/ HTTP/1.1\r\nContent-Type: application/json\r\nAuthorization: Bearer " + secret +
		"\r\nHost: sandbox.intasend.com\r\nConnection: keep-alive\r\n\r\n{\"public_key\":\"ISPubKey_test_x\"}"
	if _, err := io.WriteString(conn, get+get); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	for i := range 2 {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("answer %d: %d, want 200", i, resp.StatusCode)
		}
	}
}

func TestSimRefusesBadOptions(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("nope"), 0o600); err != nil {
		t.Fatal(err)
	}
	const live = "ISSecretKey_live_0ad69aaf-7784-4bc4-b64f-e66405b3974b"
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		errHas string
	}{
		{"live secret key flag", []string{"--secret-key", live}, nil, "live keys are refused"},
		{"live key from env", nil, map[string]string{"MALIPO_SIM_SECRET_KEY": live}, "MALIPO_SIM_SECRET_KEY: live keys are refused"},
		{"publishable as secret", []string{"--secret-key", "ISPubKey_test_0ad69aaf-7784-4bc4"}, nil, "want ISSecretKey"},
		{"malformed publishable", []string{"--publishable-key", "pk_test_123"}, nil, "--publishable-key"},
		{"bad faults", []string{"--faults", "approve:boom"}, nil, "unknown kind"},
		{"bad device", []string{"--device", "1=" + junk}, nil, "device 1"},
		{"device without id", []string{"--device", junk}, nil, "ID=PUBKEY.pem"},
		{"failure rate", []string{"--failure-rate", "2"}, nil, "--failure-rate"},
		{"bad address", []string{"--addr", "256.0.0.1:1"}, nil, "listen on"},
		{"webhook without challenge", []string{"--webhook", "http://127.0.0.1:1/h"}, nil, "needs --webhook-challenge"},
		{"webhook not a URL", []string{"--webhook", "127.0.0.1:1/h", "--webhook-challenge", "c"}, nil, "absolute http"},
		{"unknown clock", []string{"--clock", "fast"}, nil, "--clock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			root := newRootCmd()
			var out bytes.Buffer
			root.SetOut(&out)
			root.SetErr(&out)
			root.SetArgs(append([]string{"sim", "--no-generator", "--addr", "127.0.0.1:0"}, tt.args...))
			err := root.Execute()
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("err %v, want %q", err, tt.errHas)
			}
			if strings.Contains(err.Error(), live) || strings.Contains(out.String(), live) {
				t.Errorf("the key leaked: %v / %s", err, out.String())
			}
		})
	}
}

// TestSimDeliversWebhooks runs `malipo sim` with a webhook, a secret and a
// manual clock: the banner hides the challenge and secret, the control API
// triggers a payment and moves the clock, and the background sender posts
// the three collection events to a real receiver.
func TestSimDeliversWebhooks(t *testing.T) {
	const challenge, secret = "chal-6c1e9a", "whsec-44d0b2"
	t.Setenv("MALIPO_SIM_WEBHOOK_CHALLENGE", challenge)
	t.Setenv("MALIPO_SIM_WEBHOOK_SECRET", secret)
	rcvURL, got := signedReceiver(t, secret)

	root := newRootCmd()
	out := testout.New()
	root.SetOut(out)
	root.SetErr(out)
	root.SetArgs([]string{"sim", "--addr", "127.0.0.1:0", "--no-generator", "--no-seed", "--seed", "3",
		"--clock", "manual", "--webhook", rcvURL + "/hook"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("sim returned %v", err)
		}
	}()
	if !out.WaitFor(0, "Ctrl-C", 5*time.Second) {
		t.Fatalf("no banner: %s", out.String())
	}
	banner := out.String()
	m := regexp.MustCompile(`control API +(http://\S+/_sim/) +\(Authorization: Bearer (\S+)\)`).FindStringSubmatch(banner)
	testcheck.Expect(t, "banner", banner, testcheck.C("the control API", m != nil),
		testcheck.C("no challenge", !strings.Contains(banner, challenge)), testcheck.C("no secret", !strings.Contains(banner, secret)),
		testcheck.C("signed", strings.Contains(banner, "signed (X-IntaSend-Signature)")),
		testcheck.C("manual clock", strings.Contains(banner, "manual: stands still")))
	postSimControl(t, m[1], m[2], "trigger", `{"event":"collection.complete","amount":"100"}`)
	postSimControl(t, m[1], m[2], "clock/advance", `{"by":"1m"}`)
	states := receiveStates(t, got, challenge, 3)
	testcheck.Check(t, "states", states, testcheck.C("PENDING PROCESSING COMPLETE", strings.Join(states, " ") == "PENDING PROCESSING COMPLETE"))
}

// signedReceiver is a webhook receiver that passes on each body, marked
// bad_signature when it was not signed with secret.
func signedReceiver(t *testing.T, secret string) (string, <-chan map[string]any) {
	t.Helper()
	got := make(chan map[string]any, 10)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		if r.Header.Get(sim.HeaderSignature) != sim.SignWebhook(secret, raw) {
			body["bad_signature"] = true
		}
		got <- body
	}))
	t.Cleanup(rcv.Close)
	return rcv.URL, got
}

// postSimControl posts body to the simulator's control API at base+path with
// the bearer token and stops the test unless it answers 200.
func postSimControl(t *testing.T, base, token, path, body string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	testcheck.Must(t, path, err)
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	testcheck.Expect(t, path, fmt.Sprintf("%d %s", res.StatusCode, raw), testcheck.C("200", res.StatusCode == http.StatusOK))
}

// receiveStates takes n signed payloads carrying the challenge (10 s for
// each at most) and returns their states.
func receiveStates(t *testing.T, got <-chan map[string]any, challenge string, n int) []string {
	t.Helper()
	var states []string
	for len(states) < n {
		select {
		case b := <-got:
			testcheck.Expect(t, "payload", b, testcheck.C("the challenge", b["challenge"] == challenge), testcheck.C("signed", b["bad_signature"] == nil))
			states = append(states, fmt.Sprint(b["state"]))
		case <-time.After(10 * time.Second):
			t.Fatalf("got only %v", states)
		}
	}
	return states
}

// startSim runs `malipo sim args…` until the test ends and returns its
// output so far once the banner is complete, and a function that stops it
// and returns everything it printed.
func startSim(t *testing.T, args ...string) (banner string, stop func() string) {
	t.Helper()
	root := newRootCmd()
	out := testout.New()
	root.SetOut(out)
	root.SetErr(out)
	root.SetArgs(append([]string{"sim", "--addr", "127.0.0.1:0", "--no-generator"}, args...))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	stop = func() string {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("sim returned %v", err)
		}
		return out.String()
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "Ctrl-C") {
		if time.Now().After(deadline) {
			stop()
			t.Fatalf("no banner: %s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return out.String(), stop
}

// TestSimMasksPinnedSecret: a pinned secret key (flag or environment)
// never appears in anything `malipo sim` prints; the banner shows its
// masked form, and the curl lines read it from $MALIPO_SIM_SECRET_KEY and
// work once it is set.
func TestSimMasksPinnedSecret(t *testing.T) {
	const (
		secret = "ISSecretKey_test_5b9e2c1d-7a4f-4e3b-9c8d-0f1e2d3c4b5a"
		pub    = "ISPubKey_test_5b9e2c1d-7a4f-4e3b-9c8d-0f1e2d3c9f9f"
	)
	for _, tc := range []struct {
		name, hint string
		args       []string
		env        map[string]string
	}{
		{"flag", "export it there", []string{"--secret-key", secret, "--publishable-key", pub}, nil},
		{"environment", "as this simulator did", nil,
			map[string]string{envSimSecret: secret, "MALIPO_SIM_PUBLISHABLE_KEY": pub}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(envSimSecret, "")
			t.Setenv("MALIPO_SIM_PUBLISHABLE_KEY", "")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			banner, stop := startSim(t, tc.args...)
			for _, want := range []string{client.MaskKey(secret), client.MaskKey(pub), `"Authorization: Bearer $MALIPO_SIM_SECRET_KEY"`, tc.hint} {
				if !strings.Contains(banner, want) {
					t.Errorf("banner lacks %q:\n%s", want, banner)
				}
			}
			// The curl line works once the variable holds the key.
			line := regexp.MustCompile(`curl -s -H "([^"]+)" (\S+wallets/)`).FindStringSubmatch(banner)
			if line == nil {
				t.Fatalf("no curl line:\n%s", banner)
			}
			req, _ := http.NewRequest(http.MethodGet, line[2], nil)
			k, v, _ := strings.Cut(os.Expand(line[1], func(string) string { return secret }), ": ")
			req.Header.Set(k, v)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("the curl line's request: status %d", resp.StatusCode)
			}
			all := stop()
			for _, leak := range []string{secret, "0f1e2d3c4b5a", "5b9e2c1d-7a4f"} {
				if strings.Contains(all, leak) {
					t.Errorf("output shows the secret (%s):\n%s", leak, all)
				}
			}
		})
	}
}

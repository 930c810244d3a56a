package cmd

import (
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
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/internal/testout"
)

// received is one POST a test receiver got.
type received struct {
	path   string
	header http.Header
	body   map[string]any
}

// newReceiver is a real HTTP receiver on loopback that answers with the
// statuses in order (then 200) and hands every request to the channel.
func newReceiver(t *testing.T, statuses ...int) (string, <-chan received) {
	t.Helper()
	got := make(chan received, 32)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		got <- received{r.URL.Path, r.Header.Clone(), body}
		if i := int(n.Add(1)) - 1; i < len(statuses) {
			w.WriteHeader(statuses[i])
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, got
}

// startListen runs `malipo listen args…` on a free loopback port and
// returns its webhook URL, its output so far, and a stop that returns all
// it printed.
func startListen(t *testing.T, args ...string) (hookURL string, output func() string, stop func() string) {
	t.Helper()
	root := newRootCmd()
	out := testout.New()
	root.SetOut(out)
	root.SetErr(out)
	root.SetArgs(append([]string{"listen", "--addr", "127.0.0.1:0"}, args...))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	stopped := false
	stop = func() string {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("listen returned %v", err)
			}
		}
		return out.String()
	}
	t.Cleanup(func() { stop() })
	waitFor(t, "the listen banner", func() bool { return strings.Contains(out.String(), "Ctrl-C stops") }, out.String)
	m := regexp.MustCompile(`webhooks at (http://\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("banner: %s", out.String())
	}
	return m[1], out.String, stop
}

// waitFor polls cond until it holds, with a generous deadline for a loaded machine.
func waitFor(t *testing.T, what string, cond func() bool, show func() string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second) // generous: a loaded machine is slow, never wrong
	for !cond() {
		if time.Now().After(deadline) {
			detail := ""
			if show != nil {
				detail = ":\n" + show()
			}
			t.Fatalf("timed out waiting for %s%s", what, detail)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition, not synchronising on time
	}
}

// waitUntil is waitFor with nothing more to show on failure.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitFor(t, what, cond, nil)
}

// take reads n requests from a receiver.
func take(t *testing.T, got <-chan received, n int) []received {
	t.Helper()
	var out []received
	for len(out) < n {
		select {
		case r := <-got:
			out = append(out, r)
		case <-time.After(20 * time.Second):
			t.Fatalf("got %d of %d requests", len(out), n)
		}
	}
	return out
}

// TestListenTriggerForward is issue 15's done-when: `malipo sim` posts to
// `malipo listen`, `malipo trigger --advance` makes a collection settle,
// the --forward-to target receives every event as sent, the event log has
// them newest first, and `malipo events resend` replays one. The challenge
// appears in nothing malipo prints or keeps.
func TestListenTriggerForward(t *testing.T) {
	const challenge, token = "chal-e2e-5f1c9a", "simctl_e2e_7d2b"
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	t.Setenv(envWebhookChallenge, challenge)
	t.Setenv("MALIPO_SIM_WEBHOOK_CHALLENGE", challenge)
	t.Setenv(envSimControlToken, token)
	target, got := newReceiver(t)
	hookURL, listenOut, stopListen := startListen(t, "--forward-to", target+"/hooks")
	banner, stopSim := startSim(t, "--no-seed", "--seed", "3", "--clock", "manual", "--webhook", hookURL)
	defer stopSim()
	m := regexp.MustCompile(`control API +http://(\S+)/_sim/`).FindStringSubmatch(banner)
	testcheck.Expect(t, "sim banner", banner, testcheck.C("names the control API", m != nil))

	out, errOut, code := runCLI(t, "trigger", "collection.complete", "--base-url", "http://"+m[1]+"/api/v1/", "--advance")
	testcheck.Expect(t, "trigger", fmt.Sprintf("%d %s %s", code, out, errOut), testcheck.C("exit 0", code == 0),
		testcheck.C("started", strings.Contains(out, "collection.complete started: collection ")),
		testcheck.C("advanced", strings.Contains(out, "advanced the simulator's clock by")))
	checkForwarded(t, take(t, got, 3), challenge)
	waitFor(t, "three forwards shown", func() bool { return strings.Count(listenOut(), "  → ") == 3 }, listenOut)

	logged, table := checkEventLog(t, state)
	out, errOut, code = runCLI(t, "events", "resend", logged[0].ID, "--to", target+"/replay")
	testcheck.Expect(t, "resend", fmt.Sprintf("%d %s %s", code, out, errOut), testcheck.C("exit 0", code == 0), testcheck.C("200 OK", strings.Contains(out, "200 OK")))
	r := take(t, got, 1)[0]
	testcheck.Check(t, "replayed", fmt.Sprintf("%s %v %v", r.path, r.header, r.body),
		testcheck.C("to /replay", r.path == "/replay"), testcheck.C("the challenge", r.body["challenge"] == challenge),
		testcheck.C("COMPLETE", r.body["state"] == "COMPLETE"), testcheck.C("the logged id", r.header.Get(sim.HeaderEventID) == logged[0].ID))

	all := stopListen()
	testcheck.Contains(t, "listen output", all, "(3 accepted, 0 rejected)")
	raw, _ := os.ReadFile(filepath.Join(state, "malipo", "default", eventLogName))
	for what, s := range map[string]string{"listen": all, "events": out + table, "event log": string(raw)} {
		testcheck.Check(t, what, "(not shown: it would show the secret)", testcheck.C("does not show the challenge", !strings.Contains(s, challenge)))
	}
}

// checkForwarded: each forward went to /hooks as sent (challenge, event
// type and id headers), and the three states of a collection arrived.
func checkForwarded(t *testing.T, rs []received, challenge string) {
	t.Helper()
	var states []string
	for _, r := range rs {
		testcheck.Expect(t, "forwarded", fmt.Sprintf("%s %v %v", r.path, r.header, r.body),
			testcheck.C("to /hooks", r.path == "/hooks"), testcheck.C("the challenge", r.body["challenge"] == challenge),
			testcheck.C("collection event type", r.header.Get(sim.HeaderEventType) == sim.EventCollection),
			testcheck.C("an event id", r.header.Get(sim.HeaderEventID) != ""))
		states = append(states, fmt.Sprint(r.body["state"]))
	}
	slices.Sort(states) // forwards run side by side: their order is not kept
	testcheck.Check(t, "forwarded states", states, testcheck.C("COMPLETE PENDING PROCESSING", strings.Join(states, " ") == "COMPLETE PENDING PROCESSING"))
}

// checkEventLog: `events --json` lists the three events newest first, as
// the schema says; the log file is private; the table shows money and ids.
func checkEventLog(t *testing.T, state string) ([]loggedEvent, string) {
	t.Helper()
	out, _, code := runCLI(t, "events", "--json")
	validate(t, schemas(t)("events.json"), out)
	var logged []loggedEvent
	err := json.Unmarshal([]byte(out), &logged)
	testcheck.Expect(t, "events --json", fmt.Sprintf("%d %v %s", code, err, out),
		testcheck.C("exit 0", code == 0), testcheck.C("JSON", err == nil), testcheck.C("3 events", len(logged) == 3))
	testcheck.Check(t, "newest first", logged,
		testcheck.C("COMPLETE first", logged[0].State == "COMPLETE"), testcheck.C("PENDING last", logged[2].State == "PENDING"),
		testcheck.C("amount 100.00", logged[0].Amount == "100.00"))
	fi, err := os.Stat(filepath.Join(state, "malipo", "default", eventLogName))
	testcheck.Check(t, "event log", err, testcheck.C("stat", err == nil), testcheck.C("mode 0600", err == nil && fi.Mode().Perm() == 0o600))
	table, _, _ := runCLI(t, "events")
	testcheck.Contains(t, "events table", table, "KES 100.00", logged[0].ID)
	return logged, table
}

// TestListenRejects: a bad challenge is 401, a bad or missing signature
// 403, and neither is logged; each rejection is counted and shown, never
// with the secrets.
func TestListenRejects(t *testing.T) {
	const challenge, secret = "chal-rej-31b7", "whsec-rej-9e4a"
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv(envWebhookChallenge, challenge)
	t.Setenv(envWebhookSecret, secret)
	hookURL, _, stop := startListen(t)
	good := `{"invoice_id":"INV1","state":"COMPLETE","value":"10.00","currency":"KES","challenge":"` + challenge + `"}`
	for _, tc := range []struct {
		name, method, path, body, sig string
		want                          int
	}{
		{"good", http.MethodPost, "", good, "sign", http.StatusOK},
		{"wrong challenge", http.MethodPost, "", strings.Replace(good, challenge, "nope", 1), "sign", http.StatusUnauthorized},
		{"no challenge", http.MethodPost, "", `{"invoice_id":"INV1"}`, "sign", http.StatusUnauthorized},
		{"no signature", http.MethodPost, "", good, "", http.StatusForbidden},
		{"bad signature", http.MethodPost, "", good, "00ff", http.StatusForbidden},
		{"not JSON", http.MethodPost, "", "hello", "sign", http.StatusBadRequest},
		{"GET", http.MethodGet, "", "", "", http.StatusMethodNotAllowed},
		{"other path", http.MethodPost, "/other", good, "sign", http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := hookURL
			if tc.path != "" {
				u = strings.TrimSuffix(hookURL, "/intasend") + tc.path
			}
			req, _ := http.NewRequest(tc.method, u, strings.NewReader(tc.body))
			switch tc.sig {
			case "sign":
				req.Header.Set(sim.HeaderSignature, sim.SignWebhook(secret, []byte(tc.body)))
			case "":
			default:
				req.Header.Set(sim.HeaderSignature, tc.sig)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tc.want {
				t.Errorf("status %d, want %d", res.StatusCode, tc.want)
			}
		})
	}
	all := stop()
	if !strings.Contains(all, "(1 accepted, 5 rejected)") || !strings.Contains(all, "✖ 403") ||
		strings.Contains(all, challenge) || strings.Contains(all, secret) {
		t.Errorf("listen output:\n%s", all)
	}
	out, _, _ := runCLI(t, "events", "--jsonl")
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, `"object":"INV1"`) || !strings.Contains(out, redactedChallenge) {
		t.Errorf("events --jsonl:\n%s", out)
	}
}

// TestListenForwardRetries: a forward target that fails first with a 503
// gets the event again, and listen shows the attempt that succeeded.
func TestListenForwardRetries(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	t.Setenv(envWebhookChallenge, "")
	target, got := newReceiver(t, http.StatusServiceUnavailable)
	hookURL, output, _ := startListen(t, "--forward-to", target)
	res, err := http.Post(hookURL, "application/json", strings.NewReader(`{"tracking_id":"TRK1","status_code":"BC100","status":"Completed","total_amount":"250.00"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	take(t, got, 2)
	waitFor(t, "the forward's result", func() bool { return strings.Contains(output(), "200 OK (attempt 2)") }, output)
	if !strings.Contains(output(), "NO challenge check") || !strings.Contains(output(), "send_money") {
		t.Errorf("listen output:\n%s", output())
	}
}

// TestTriggerErrors: the exit codes a script tests.
func TestTriggerErrors(t *testing.T) {
	t.Setenv(envSimControlToken, "")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	banner, stopSim := startSim(t, "--no-seed", "--control-token", "simctl_right")
	defer stopSim()
	simURL := "http://" + regexp.MustCompile(`control API +http://(\S+)/_sim/`).FindStringSubmatch(banner)[1]
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"unknown event", []string{"trigger", "collection.maybe", "--base-url", simURL, "--control-token", "x"}, exitUsage},
		{"no base url", []string{"trigger", "collection.complete", "--control-token", "x"}, exitUsage},
		{"no token", []string{"trigger", "collection.complete", "--base-url", simURL}, exitUsage},
		{"wrong token", []string{"trigger", "collection.complete", "--base-url", simURL, "--control-token", "simctl_wrong"}, exitRefused},
		{"unreachable", []string{"trigger", "collection.complete", "--base-url", closed, "--control-token", "x"}, exitUnreachable},
		{"ok", []string{"trigger", "send_money.failed", "--base-url", simURL, "--control-token", "simctl_right", "--json"}, exitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, tc.args...)
			if code != tc.want {
				t.Errorf("exit %d, want %d: %s %s", code, tc.want, out, errOut)
			}
			if strings.Contains(out+errOut, "simctl_right") {
				t.Errorf("the token was printed")
			}
		})
	}
}

func TestEventsHelpExamples(t *testing.T) {
	for _, args := range [][]string{{"listen"}, {"events"}, {"events", "resend"}, {"trigger"}} {
		out, _, code := runCLI(t, append(args, "--help")...)
		if code != 0 || !strings.Contains(out, "Examples:\n") || !strings.Contains(out, "malipo "+strings.Join(args, " ")) {
			t.Errorf("%v --help has no example:\n%s", args, out)
		}
	}
}

package cmd

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
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
	var url string
	deadline := time.Now().Add(60 * time.Second)
	for url == "" && time.Now().Before(deadline) {
		if m := webhooksRE.FindStringSubmatch(p.stderr.String()); m != nil {
			url = m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	if url == "" || !strings.HasSuffix(url, "/hooks/intasend") {
		t.Fatalf("no webhooks banner:\n%s", p.stderr.String())
	}
	if strings.Contains(p.stderr.String(), "s3cret") {
		t.Fatal("the challenge was printed")
	}
	post := func(body string) int {
		t.Helper()
		resp, err := http.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
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
		if got := post(c.body); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
	cmd := exec.Command(malipoBinary(t), "--profile", "demo", "events", "--jsonl")
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+state)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("malipo events: %v\n%s", err, out)
	}
	var got []loggedEvent
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var e loggedEvent
		if json.Unmarshal(line, &e) == nil && e.Object != "" {
			got = append(got, e)
		}
	}
	if len(got) != 1 || got[0].Object != "INVHOOK1" || got[0].State != "COMPLETE" || got[0].Amount != "1234.50" {
		t.Errorf("event log: %+v\n%s", got, out)
	}
	if bytes.Contains(out, []byte("s3cret")) {
		t.Error("the challenge reached the event log")
	}
}

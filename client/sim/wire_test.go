package sim_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/malipo/malipo/client/sim"
)

// wServe runs a simulator (manual clock, seeded, no random failures)
// through sim.Serve on loopback, as malipo sim does, and returns its
// address.
func wServe(t *testing.T) string {
	t.Helper()
	s := sim.New(sim.Options{Clock: sim.NewManualClock(aStart), Seed: true, Rand: 7, FailureRate: -1})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := sim.NewHTTPServer(s)
	done := make(chan error, 1)
	go func() { done <- sim.Serve(srv, ln) }()
	t.Cleanup(func() {
		_ = srv.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// nodeGET is byte for byte what intasend-node 1.1.2 on Node 20 writes for
// a GET (captured from the wire): no Content-Length, no chunking, and the
// JSON body right after the head, in the same write.
func nodeGET(path string) string {
	return "GET " + path + " HTTP/1.1\r\nContent-Type: application/json\r\nAuthorization: Bearer " + aSecret +
		"\r\nINTASEND_PUBLIC_API_KEY: " + aPub + "\r\nHost: sandbox.intasend.com\r\nConnection: keep-alive\r\n\r\n" +
		`{"public_key":"` + aPub + `"}`
}

// nodePOST is what it writes for a POST: chunked, one chunk.
func nodePOST(path, body string) string {
	return "POST " + path + " HTTP/1.1\r\nContent-Type: application/json\r\nAuthorization: Bearer " + aSecret +
		"\r\nINTASEND_PUBLIC_API_KEY: " + aPub + "\r\nHost: sandbox.intasend.com\r\nConnection: keep-alive\r\n" +
		"Transfer-Encoding: chunked\r\n\r\n" + strconv.FormatInt(int64(len(body)), 16) + "\r\n" + body + "\r\n0\r\n\r\n"
}

// wAnswer is one response as read off the wire.
type wAnswer struct {
	status int
	ctype  string
	allow  string
	body   map[string]any
}

// wExchange writes each of sends on one connection, reading after each
// the responses it expects (want[i] answers), and returns every answer.
// The connection must end (EOF) after the last answer when closes is set.
func wExchange(t *testing.T, addr string, sends []string, answers []int, closes bool) []wAnswer {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A failure must not hang the test; the deadline is far beyond any
	// loopback answer and is never what a passing test waits for.
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	br := bufio.NewReader(conn)
	var out []wAnswer
	for i, s := range sends {
		if _, err := io.WriteString(conn, s); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		for range answers[i] {
			out = append(out, wRead(t, br))
		}
	}
	if closes {
		// Go closes after a framing error; with the rest of a huge head
		// unread, the kernel may reset rather than end the connection.
		if _, err := br.ReadByte(); err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("connection still open after the last answer (%v)", err)
		}
	}
	return out
}

func wRead(t *testing.T, br *bufio.Reader) wAnswer {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	a := wAnswer{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), allow: resp.Header.Get("Allow")}
	var list []any
	if json.Unmarshal(raw, &a.body) != nil && json.Unmarshal(raw, &list) != nil {
		t.Fatalf("status %d: body is not JSON: %q", resp.StatusCode, raw)
	}
	return a
}

func TestWireStrayBodies(t *testing.T) {
	get := nodeGET("/api/v1/wallets/")
	big := `{"public_key":"` + strings.Repeat("x", 70<<10) + `"}`
	tests := []struct {
		name    string
		sends   []string
		answers []int // responses expected after each send
		want    []int // their status codes, in order
		closes  bool
	}{
		{"two node GETs one after the other", []string{get, get}, []int{1, 1}, []int{200, 200}, false},
		{"two node GETs pipelined in one write", []string{get + get}, []int{2}, []int{200, 200}, false},
		{"GET by id, then a list", []string{nodeGET("/api/v1/chargebacks/nope/"), get}, []int{1, 1}, []int{404, 200}, false},
		{"chunked with extensions, several chunks and a trailer", []string{"POST /api/v1/payment/status/ HTTP/1.1\r\nHost: x\r\nX-IntaSend-Public-API-Key: " + aPub +
			"\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\n{\"inv\r\n10\r\noice_id\":\"NOPE\"}\r\n0\r\nX-Trailer: 1\r\n\r\n" + get},
			[]int{2}, []int{404, 200}, false},
		{"chunked POST between stray GETs", []string{get, nodePOST("/api/v1/payment/status/", `{"invoice_id":"NOPE","public_key":"`+aPub+`"}`), get},
			[]int{1, 1, 1}, []int{200, 404, 200}, false},
		{"a stray array", []string{strings.Replace(get, `{"public_key":"`+aPub+`"}`, `[1,2]`, 1) + get}, []int{2}, []int{200, 200}, false},
		{"a Content-Length body is never dropped", []string{"POST /api/v1/payment/status/ HTTP/1.1\r\nHost: x\r\nX-IntaSend-Public-API-Key: " + aPub +
			"\r\nContent-Length: 21\r\n\r\n" + `{"invoice_id":"NOPE"}` + get}, []int{2}, []int{404, 200}, false},
		{"a stray that is not JSON is left for Go to refuse", []string{get[:len(get)-len(`{"public_key":"`+aPub+`"}`)] + "{nope}" + get}, []int{2}, []int{200, 400}, true},
		{"a stray over 64 KiB is left for Go to refuse", []string{get[:len(get)-len(`{"public_key":"`+aPub+`"}`)] + big + get}, []int{2}, []int{200, 400}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := wServe(t)
			got := wExchange(t, addr, tt.sends, tt.answers, tt.closes)
			for i, a := range got {
				if a.status != tt.want[i] || a.ctype != "application/json" {
					t.Errorf("answer %d: %d %q, want %d application/json (%v)", i, a.status, a.ctype, tt.want[i], a.body)
				}
			}
		})
	}
}

// Every error, Go's own framing errors included, answers DRF's JSON shape.
func TestWireErrorsAreJSON(t *testing.T) {
	hugeHeader := "GET /api/v1/wallets/ HTTP/1.1\r\nHost: x\r\nX-Pad: " + strings.Repeat("a", 1<<20+8192) + "\r\n\r\n"
	tests := []struct {
		name   string
		send   string
		status int
		detail string
		allow  string
		closes bool
	}{
		{"the fallback, through the wire layer", "DELETE /api/v1/wallets/ HTTP/1.1\r\nHost: x\r\n\r\n", 405, `Method "DELETE" not allowed.`, "GET, HEAD, POST", false},
		{"malformed request line", "HELLO\r\n\r\n", 400, "Bad Request", "", true},
		{"HTTP/1.1 without Host", "GET /api/v1/wallets/ HTTP/1.1\r\n\r\n", 400, "Bad Request: missing required Host header", "", true},
		{"unsupported transfer coding", "POST /api/v1/wallets/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "Unsupported transfer encoding", "", true},
		{"header too large", hugeHeader, 431, "Request Header Fields Too Large", "", true},
	}
	addr := wServe(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := wExchange(t, addr, []string{tt.send}, []int{1}, tt.closes)[0]
			if a.status != tt.status || a.ctype != "application/json" || a.body["detail"] != tt.detail || a.allow != tt.allow {
				t.Errorf("got %d %q %v Allow %q; want %d application/json detail %q Allow %q",
					a.status, a.ctype, a.body, a.allow, tt.status, tt.detail, tt.allow)
			}
		})
	}
}

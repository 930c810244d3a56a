package demo

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/malipo/malipo/client/sim"
)

// The demo's loopback server is built like malipo sim's (sim.Serve): two
// GETs written the way the official Node SDK writes them (a JSON body with
// no framing) on one connection both answer 200, and an unknown route
// answers DRF's JSON.
func TestDemoServesThroughTheWireLayer(t *testing.T) {
	d, err := Start(Options{Sim: &sim.Options{Clock: sim.NewManualClock(time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)), Rand: 1, Seed: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	u, err := url.Parse(d.URL)
	if err != nil {
		t.Fatal(err)
	}
	_, secret := Keys()
	get := "GET /api/v1/wallets/ HTTP/1.1\r\nContent-Type: application/json\r\nAuthorization: Bearer " + secret +
		"\r\nHost: sandbox.intasend.com\r\nConnection: keep-alive\r\n\r\n{\"public_key\":\"ISPubKey_test_x\"}"
	missing := "GET /api/v1/nowhere/ HTTP/1.1\r\nHost: x\r\n\r\n"
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, get+get+missing); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	for i, want := range []int{200, 200, 404} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("answer %d: %d %s, want %d application/json", i, resp.StatusCode, resp.Header.Get("Content-Type"), want)
		}
	}
}

// TestDemoClockIsNairobi: the console's clock on the demo is in IntaSend's
// zone whatever the machine's (TZ=America/St_Johns go test ./demo/ shows
// it), on the simulator's manual clock and on the real one.
func TestDemoClockIsNairobi(t *testing.T) {
	at := time.Date(2026, 3, 14, 22, 30, 0, 0, time.UTC) // already the 15th in Nairobi
	tests := []struct {
		name  string
		clock sim.Clock
	}{
		{"manual clock", sim.NewManualClock(at)},
		{"real clock", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Start(Options{Sim: &sim.Options{Clock: tt.clock, Rand: 1}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = d.Close() })
			now := d.Now()
			if off := now.Format("-07:00"); off != "+03:00" || now.Location().String() != "Africa/Nairobi" && now.Location().String() != "EAT" {
				t.Fatalf("demo clock in %s %s, want Africa/Nairobi +03:00", now.Location(), off)
			}
			if tt.clock != nil && (now.Day() != 15 || !now.Equal(at)) {
				t.Fatalf("manual clock reads %s, want %s in Nairobi", now, at)
			}
		})
	}
}

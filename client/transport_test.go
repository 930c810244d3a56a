package client_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/client/sim"
	"github.com/malipo/malipo/internal/testcheck"
)

// Keys never go out in clear: live keys need https, test keys may use
// http only to this machine (a malipo sim). New is where every client is
// made, so the rule holds whatever the URL's source.
func TestNewRefusesPlainHTTP(t *testing.T) {
	const (
		testPubK  = "ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f"
		testSecK  = "ISSecretKey_test_c3b1fa1b-5d1e-4a3e-9e7c-4f0c5a1d8181"
		livePubK  = "ISPubKey_live_91ffc81a-8ac4-419e-8008-7091caa8d73f"
		liveSecK  = "ISSecretKey_live_c3b1fa1b-5d1e-4a3e-9e7c-4f0c5a1d9999"
		wantPlain = true
	)
	tests := []struct {
		name, pub, sec, base string
		plain                bool // refused as plain HTTP (else: accepted)
		other                bool // refused for another reason (scheme)
	}{
		{"live https", livePubK, liveSecK, "https://payment.intasend.com/api/v1/", false, false},
		{"live default host", livePubK, liveSecK, "", false, false},
		{"live http remote", livePubK, liveSecK, "http://payment.intasend.com/api/v1/", wantPlain, false},
		{"live http loopback", livePubK, liveSecK, "http://127.0.0.1:8089", wantPlain, false},
		{"live http localhost", livePubK, liveSecK, "http://localhost:8089/api/v1/", wantPlain, false},
		{"live publishable key alone", livePubK, "", "http://127.0.0.1:8089", wantPlain, false},
		{"live secret key alone", "", liveSecK, "HTTP://[::1]:8089", wantPlain, false},
		{"test http 127.0.0.1", testPubK, testSecK, "http://127.0.0.1:8089", false, false},
		{"test http 127.9.9.9", testPubK, testSecK, "http://127.9.9.9:8089", false, false},
		{"test http ::1", testPubK, testSecK, "http://[::1]:8089/api/v1/", false, false},
		{"test http localhost", testPubK, testSecK, "http://LOCALHOST:8089", false, false},
		{"test https remote", testPubK, testSecK, "https://sandbox.intasend.com/api/v1/", false, false},
		{"test http remote", testPubK, testSecK, "http://sandbox.intasend.com/api/v1/", wantPlain, false},
		{"test http LAN", testPubK, testSecK, "http://192.168.1.20:8089", wantPlain, false},
		{"test http 0.0.0.0", testPubK, testSecK, "http://0.0.0.0:8089", wantPlain, false},
		{"test http localhost lookalike", testPubK, testSecK, "http://localhost.example.com:8089", wantPlain, false},
		{"test http user:password", testPubK, testSecK, "http://u:hunter2@10.0.0.1:8089", wantPlain, false},
		{"ftp", testPubK, testSecK, "ftp://127.0.0.1/", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []client.Option
			if tt.base != "" {
				opts = append(opts, client.WithBaseURL(tt.base))
			}
			_, err := client.New(tt.pub, tt.sec, opts...)
			wantNewOutcome(t, err, tt.plain, tt.other)
			if err == nil {
				return
			}
			checkNoKeyLeak(t, err)
			if tt.base != "" {
				cerr := client.CheckBaseURL(envOf(tt.pub, tt.sec), tt.base)
				testcheck.Check(t, "CheckBaseURL", cerr, testcheck.C("refused", cerr != nil), testcheck.C("New's error "+err.Error(), cerr != nil && cerr.Error() == err.Error()))
			}
		})
	}
}

// wantNewOutcome checks New's error: ErrPlainHTTP when plain, another
// (scheme) error when other, none when neither.
func wantNewOutcome(t *testing.T, err error, plain, other bool) {
	t.Helper()
	testcheck.Expect(t, "New", err,
		testcheck.C("ErrPlainHTTP", !plain || errors.Is(err, client.ErrPlainHTTP)),
		testcheck.C("a scheme error, not ErrPlainHTTP", !other || (err != nil && !errors.Is(err, client.ErrPlainHTTP))),
		testcheck.C("a client", plain || other || err == nil))
}

// checkNoKeyLeak: no part of a key or password shows in the error.
func checkNoKeyLeak(t *testing.T, err error) {
	t.Helper()
	for _, leak := range []string{"9999", "8181", "d73f", "hunter2"} {
		testcheck.Check(t, "error", err, testcheck.C("no leak of "+leak, !strings.Contains(err.Error(), leak)))
	}
}

func envOf(pub, sec string) client.Env {
	for _, k := range []string{pub, sec} {
		if _, env, err := client.ParseKey(k); err == nil {
			return env
		}
	}
	return ""
}

// A live key is refused before anything is sent, even to a simulator on
// this machine (which would refuse it too, but only after seeing it).
func TestLiveKeyNeverReachesAPlainHTTPServer(t *testing.T) {
	e := newEnv(t, sim.Options{})
	_, err := client.New("", "ISSecretKey_live_c3b1fa1b-5d1e-4a3e-9e7c-4f0c5a1d8181", client.WithBaseURL(e.url))
	if !errors.Is(err, client.ErrPlainHTTP) {
		t.Fatalf("New = %v, want ErrPlainHTTP", err)
	}
	if n := len(e.srv.Counters().Requests); n != 0 {
		t.Fatalf("the simulator saw %d requests", n)
	}
}

package text

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/tuitest"
)

// closedAddr is a loopback address nothing listens on: connecting to it
// is refused at once, with no timing involved.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestNetworkErrorsInWords: the client's real error for a refused
// connection reads as a sentence that names the address; the raw error
// stays available for the detail line.
func TestNetworkErrorsInWords(t *testing.T) {
	addr := closedAddr(t)
	cl, err := client.New(tuitest.TestPub, tuitest.TestSecret,
		client.WithBaseURL("http://"+addr+"/api/v1/"), client.WithRetry(client.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = cl.ListWallets(context.Background(), 1)
	if err == nil {
		t.Fatal("no error from a closed port")
	}
	if got, want := ErrText(err), "cannot reach IntaSend at "+addr+" (connection refused)"; got != want {
		t.Errorf("ErrText = %q, want %q", got, want)
	}
	if d := ErrDetail(err); !strings.Contains(d, "dial tcp") || !strings.Contains(d, "refused") {
		t.Errorf("ErrDetail = %q, want the raw error", d)
	}
}

func TestNetText(t *testing.T) {
	op := func(err error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(10, 0, 0, 1), Port: 443}, Err: err}
	}
	for _, tc := range []struct {
		name string
		err  error
		sent bool
		want string
	}{
		{"refused", op(&net.OpError{Err: syscall.ECONNREFUSED}), false, "cannot reach IntaSend at 10.0.0.1:443 (connection refused)"},
		{"no such host", &net.DNSError{Err: "no such host", Name: "payment.intasend.com", IsNotFound: true}, false,
			"cannot reach IntaSend: no address found for payment.intasend.com"},
		{"timeout before sending", op(context.DeadlineExceeded), false, "cannot reach IntaSend at 10.0.0.1:443 (timed out)"},
		{"timeout after sending", context.DeadlineExceeded, true, "IntaSend did not answer in time (the request was sent)"},
		{"dropped after sending", io.ErrUnexpectedEOF, true, "the connection to IntaSend dropped after the request was sent"},
		{"cancelled", context.Canceled, false, "the request to IntaSend was cancelled"},
		{"anything else", errors.New("tls: handshake failure"), false, "cannot reach IntaSend"},
	} {
		te := &client.TransportError{Method: "GET", Path: "wallets/", Sent: tc.sent, Err: tc.err}
		if got := ErrText(te); got != tc.want {
			t.Errorf("%s: ErrText = %q, want %q", tc.name, got, tc.want)
		}
		if got := ErrDetail(te); got != te.Error() {
			t.Errorf("%s: ErrDetail = %q, want %q", tc.name, got, te.Error())
		}
		if strings.Contains(ErrText(te), "intasend GET") {
			t.Errorf("%s: words carry the raw error: %q", tc.name, ErrText(te))
		}
	}
	api := &client.APIError{Status: 400, Detail: "Amount too small"}
	if ErrDetail(api) != "" || ErrDetail(errors.New("plain")) != "" || ErrDetail(nil) != "" {
		t.Error("ErrDetail repeats what ErrText already says")
	}
}

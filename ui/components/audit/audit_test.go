package audit

import (
	"errors"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/ui/common"
)

func TestEvent(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		result string
		detail bool
	}{
		{"success", nil, OK, false},
		{"refused by IntaSend", &client.APIError{Status: 400, Detail: "Amount exceeds the refundable value"}, Refused, true},
		{"throttled", &client.APIError{Status: 429}, Failed, true},
		{"server error", &client.APIError{Status: 503}, Ambiguous, true},
		{"answer lost after sending", &client.TransportError{Sent: true, Err: errors.New("EOF")}, Ambiguous, true},
		{"never sent", &client.TransportError{Sent: false, Err: errors.New("connection refused")}, Failed, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := Event("refund.create", "INV1234", client.Units(150), "", tt.err)
			if ev.Result != tt.result || (ev.Detail != "") != tt.detail {
				t.Fatalf("result %q detail %q, want %q (detail %v)", ev.Result, ev.Detail, tt.result, tt.detail)
			}
			if ev.Action != "refund.create" || ev.Target != "INV1234" || ev.Amount != client.Units(150) || ev.Currency != "KES" {
				t.Fatalf("event %+v", ev)
			}
		})
	}
}

func TestWarning(t *testing.T) {
	if Warning(nil) != nil {
		t.Fatal("a warning without an error")
	}
	msg, ok := Warning(errors.New("disk full"))().(common.ToastMsg)
	if !ok || msg.Kind != common.ToastWarn || msg.Text == "" {
		t.Fatalf("warning %#v", msg)
	}
}

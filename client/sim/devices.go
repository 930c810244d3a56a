package sim

import (
	"crypto/rsa"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/malipo/malipo/client"
)

// Registered devices (docs/intasend-api.md §3, the legacy PSD2 scheme IntaSend's docs
// still describe). A batch initiated with a registered device_id approves
// only when its nonce field carries the lower-case hex RSASSA-PKCS1-v1_5
// SHA-256 signature of the nonce, made with that device's private key.
// With no devices registered, device_id is only echoed, as the SDKs since
// December 2022 expect.

// ParseDeviceFlag reads a --device value "ID=path/to/public.pem" (SPKI
// "BEGIN PUBLIC KEY", as IntaSend's dashboard takes, or PKCS#1).
func ParseDeviceFlag(v string) (string, *rsa.PublicKey, error) {
	id, path, ok := strings.Cut(v, "=")
	id, path = strings.TrimSpace(id), strings.TrimSpace(path)
	if !ok || id == "" || path == "" {
		return "", nil, fmt.Errorf("device %q: want ID=PUBKEY.pem", v)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", nil, fmt.Errorf("device %s: %w", id, err)
	}
	pub, err := client.ParsePublicKeyPEM(data)
	if err != nil {
		return "", nil, fmt.Errorf("device %s (%s): %w", id, path, err)
	}
	if pub.N.BitLen() < 2048 {
		return "", nil, fmt.Errorf("device %s: %d-bit key; IntaSend devices use RSA-2048", id, pub.N.BitLen())
	}
	return id, pub, nil
}

// noDeviceDetail is IntaSend's answer for an unregistered device_id (GB
// send-money.md "Failed request"), sent as {"details": ...}.
const noDeviceDetail = "Device id not found"

// errNoDevice: the device_id is not registered while devices are in use.
var errNoDevice = errors.New("device id not found")

// deviceKey finds the public key for a batch's device_id. It returns nil
// and no error when approvals for this batch need no signature.
func (s *Server) deviceKey(deviceID string) (*rsa.PublicKey, error) {
	if deviceID == "" || len(s.opts.Devices) == 0 {
		return nil, nil
	}
	pub, ok := s.opts.Devices[deviceID]
	if !ok || pub == nil {
		return nil, errNoDevice
	}
	return pub, nil
}

// checkApprovalNonce verifies what an approve request sent as its nonce
// against the batch. It returns the refusal detail, or "" when accepted.
func (s *Server) checkApprovalNonce(b *batch, sent string) string {
	pub, err := s.deviceKey(b.DeviceID)
	if err != nil {
		return noDeviceDetail
	}
	if pub == nil {
		if sent != b.Nonce {
			return "Invalid nonce"
		}
		return ""
	}
	if sent == b.Nonce {
		return "Nonce must be signed with the key of device " + b.DeviceID
	}
	if client.VerifyNonce(pub, b.Nonce, strings.ToLower(sent)) != nil {
		return "Invalid nonce signature"
	}
	return ""
}

package keystore

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
)

// DeviceKeyBits is the size IntaSend's docs recommend; its PKCS#8 PEM
// (~1.7 kB) fits every OS keyring's limit (Windows: 2560 bytes).
const DeviceKeyBits = 2048

// NewDeviceKey makes an RSA-2048 device key.
func NewDeviceKey() (*rsa.PrivateKey, error) {
	k, err := rsa.GenerateKey(rand.Reader, DeviceKeyBits)
	if err != nil {
		return nil, fmt.Errorf("generate device key: %w", err)
	}
	return k, nil
}

// Fingerprint is "SHA256:" and the unpadded base64 of the SHA-256 of the
// public key's SPKI DER, as OpenSSH prints key fingerprints. Reproduce it
// with: openssl pkey -pubin -in device.pem -outform DER | openssl dgst
// -sha256 -binary | base64 | tr -d =
func Fingerprint(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "SHA256:?"
	}
	sum := sha256.Sum256(der)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

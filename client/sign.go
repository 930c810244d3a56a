package client

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
)

// Signer signs a send-money approval nonce with a device's private key
// (docs/intasend-api.md §3). The console gets one from the keystore without learning
// where the key lives.
type Signer interface {
	SignNonce(nonce string) (string, error)
}

// RSASigner signs with an RSA private key held in memory.
type RSASigner struct{ key *rsa.PrivateKey }

// NewRSASigner wraps key.
func NewRSASigner(key *rsa.PrivateKey) *RSASigner { return &RSASigner{key: key} }

// SignNonce implements Signer.
func (s *RSASigner) SignNonce(nonce string) (string, error) { return SignNonce(s.key, nonce) }

// String keeps the key out of any %v a caller might print.
func (s *RSASigner) String() string { return "RSASigner{•••}" }

// GoString keeps the key out of %#v.
func (s *RSASigner) GoString() string { return s.String() }

// SignNonce is IntaSend's legacy device scheme: RSASSA-PKCS1-v1_5 over the
// SHA-256 of the nonce's bytes, as lower-case hex. PKCS#1 v1.5 is
// deterministic, so a fixed key and nonce always give the same signature.
func SignNonce(key *rsa.PrivateKey, nonce string) (string, error) {
	if key == nil {
		return "", errors.New("sign nonce: no device key")
	}
	digest := sha256.Sum256([]byte(nonce))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("sign nonce: %w", err)
	}
	return hex.EncodeToString(sig), nil
}

// VerifyNonce checks a hex signature of nonce made by SignNonce.
func VerifyNonce(pub *rsa.PublicKey, nonce, sigHex string) error {
	sig, err := hex.DecodeString(sigHex)
	if err != nil {
		return fmt.Errorf("signature is not hex: %w", err)
	}
	digest := sha256.Sum256([]byte(nonce))
	return rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig)
}

// ParsePrivateKeyPEM reads an RSA private key in PKCS#8 (BEGIN PRIVATE KEY,
// from openssl genpkey) or PKCS#1 (BEGIN RSA PRIVATE KEY, from pycryptodome).
func ParsePrivateKeyPEM(data []byte) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("device key: no PEM block found")
	}
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("device key: %w", err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("device key: %T is not an RSA key", k)
		}
		return rk, nil
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("device key: %w", err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("device key: unexpected PEM block %q", block.Type)
}

// ParsePublicKeyPEM reads an RSA public key in SPKI form (BEGIN PUBLIC KEY),
// the form IntaSend's dashboard takes, or PKCS#1 (BEGIN RSA PUBLIC KEY).
func ParsePublicKeyPEM(data []byte) (*rsa.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("public key: no PEM block found")
	}
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("public key: %T is not an RSA key", k)
		}
		return rk, nil
	case "RSA PUBLIC KEY":
		return x509.ParsePKCS1PublicKey(block.Bytes)
	}
	return nil, fmt.Errorf("public key: unexpected PEM block %q", block.Type)
}

// MarshalPrivateKeyPEM writes key as PKCS#8 PEM, the form the keystore keeps.
func MarshalPrivateKeyPEM(key *rsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// MarshalPublicKeyPEM writes pub as SPKI PEM, the form to paste into
// IntaSend's dashboard (Settings → API Devices).
func MarshalPublicKeyPEM(pub *rsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

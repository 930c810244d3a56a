package client_test

import (
	"crypto/rand"
	"crypto/rsa"
	"os"
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
)

// TestSignNonceOpenSSLVector checks SignNonce against a signature made by
// openssl itself (see testdata/README.md): same key, same nonce, same bytes.
func TestSignNonceOpenSSLVector(t *testing.T) {
	keyPEM, err := os.ReadFile("testdata/device-key.pem")
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := os.ReadFile("testdata/device-pub.pem")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/nonce-1aiw02.sig.hex")
	if err != nil {
		t.Fatal(err)
	}
	key, err := client.ParsePrivateKeyPEM(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := client.ParsePublicKeyPEM(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	got, err := client.NewRSASigner(key).SignNonce("1aiw02")
	if err != nil {
		t.Fatal(err)
	}
	if got != strings.TrimSpace(string(want)) {
		t.Fatalf("SignNonce differs from openssl dgst -sha256 -sign:\n got %s\nwant %s", got, want)
	}
	if len(got) != 512 || strings.ToLower(got) != got {
		t.Fatalf("want 512 lower-case hex chars, got %d", len(got))
	}
	if err := client.VerifyNonce(pub, "1aiw02", string(want)); err != nil {
		t.Fatalf("VerifyNonce refuses openssl's signature: %v", err)
	}
	if err := client.VerifyNonce(pub, "1aiw03", string(want)); err == nil {
		t.Fatal("VerifyNonce accepted the signature for another nonce")
	}
	if s := client.NewRSASigner(key).String(); strings.Contains(s, "PRIVATE") || s != "RSASigner{•••}" {
		t.Fatalf("signer String leaks: %q", s)
	}
}

func TestSignRoundTrip(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	privPEM, err := client.MarshalPrivateKeyPEM(key)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, err := client.MarshalPublicKeyPEM(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	key2, err := client.ParsePrivateKeyPEM(privPEM)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := client.ParsePublicKeyPEM(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	for _, nonce := range []string{"1aiw02", "a", "ZZZZZZ", ""} {
		sig, err := client.SignNonce(key2, nonce)
		if err != nil {
			t.Fatal(err)
		}
		if err := client.VerifyNonce(pub, nonce, sig); err != nil {
			t.Errorf("nonce %q: %v", nonce, err)
		}
		again, _ := client.SignNonce(key, nonce)
		if again != sig {
			t.Errorf("nonce %q: PKCS#1 v1.5 should be deterministic", nonce)
		}
	}
	bad := []struct{ name, pem string }{
		{"empty", ""},
		{"not pem", "hello"},
		{"wrong block", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"},
		{"garbage der", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"},
	}
	for _, b := range bad {
		if _, err := client.ParsePrivateKeyPEM([]byte(b.pem)); err == nil {
			t.Errorf("ParsePrivateKeyPEM(%s) succeeded", b.name)
		}
		if _, err := client.ParsePublicKeyPEM([]byte(b.pem)); err == nil {
			t.Errorf("ParsePublicKeyPEM(%s) succeeded", b.name)
		}
	}
	if err := client.VerifyNonce(pub, "x", "zz-not-hex"); err == nil {
		t.Error("VerifyNonce accepted non-hex")
	}
	if _, err := client.SignNonce(nil, "x"); err == nil {
		t.Error("SignNonce(nil) succeeded")
	}
}

package sim

import (
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/testcheck"
)

// The openssl test vector (testdata/README.md): client.SignNonce must give
// exactly what `openssl dgst -sha256 -sign device-key.pem | xxd -p` gave,
// and the simulator must accept it.
func TestOpenSSLNonceVector(t *testing.T) {
	keyPEM, err := os.ReadFile("testdata/device-key.pem")
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
	got, err := client.SignNonce(key, "1aiw02")
	if err != nil {
		t.Fatal(err)
	}
	if got != strings.TrimSpace(string(want)) {
		t.Fatalf("SignNonce differs from openssl:\n got %s\nwant %s", got, want)
	}
	id, pub, err := ParseDeviceFlag("7=testdata/device-pub.pem")
	if err != nil || id != "7" {
		t.Fatalf("ParseDeviceFlag: %q %v", id, err)
	}
	if err := client.VerifyNonce(pub, "1aiw02", strings.TrimSpace(string(want))); err != nil {
		t.Fatalf("openssl signature does not verify: %v", err)
	}
	// The simulator's own check, on a batch carrying the vector's nonce.
	s := New(Options{Devices: map[string]*rsa.PublicKey{"7": pub}})
	b := &batch{DeviceID: "7", Nonce: "1aiw02"}
	if d := s.checkApprovalNonce(b, strings.TrimSpace(string(want))); d != "" {
		t.Fatalf("simulator refused the openssl vector: %s", d)
	}
}

func TestParseDeviceFlag(t *testing.T) {
	dir := t.TempDir()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallPEM, err := client.MarshalPublicKeyPEM(&small.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	smallPath := write("small.pem", smallPEM)
	junk := write("junk.pem", []byte("not a key"))
	tests := []struct {
		flag, wantID, errHas string
	}{
		{"dev-1=testdata/device-pub.pem", "dev-1", ""},
		{" 1 = testdata/device-pub.pem", "1", ""},
		{"testdata/device-pub.pem", "", "ID=PUBKEY.pem"},
		{"=testdata/device-pub.pem", "", "ID=PUBKEY.pem"},
		{"x=", "", "ID=PUBKEY.pem"},
		{"x=" + filepath.Join(dir, "missing.pem"), "", "no such file"},
		{"x=" + junk, "", "PEM"},
		{"x=" + smallPath, "", "1024-bit"},
		{"x=testdata/device-key.pem", "", "public key"},
	}
	for _, tt := range tests {
		t.Run(tt.flag, func(t *testing.T) {
			id, pub, err := ParseDeviceFlag(tt.flag)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("err %v, want it to mention %q", err, tt.errHas)
				}
				return
			}
			if err != nil || id != tt.wantID || pub == nil || pub.N.BitLen() != 2048 {
				t.Fatalf("id %q pub %v err %v", id, pub != nil, err)
			}
		})
	}
}

func TestSignedApprovals(t *testing.T) {
	devKey, err := rsa.GenerateKey(rand.Reader, 2048)
	testcheck.Must(t, "device key", err)
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	testcheck.Must(t, "other key", err)
	e := newPayEnv(t, Options{Devices: map[string]*rsa.PublicKey{"1": &devKey.PublicKey}}, client.Units(1000))
	item := `{"account":"254712345678","amount":"100"}`
	withDevice := func(dev string) string {
		return `{"provider":"MPESA-B2C","currency":"KES","device_id":` + dev + `,"transactions":[` + item + `]}`
	}

	// An unknown device is refused at initiate, in the GB sample's shape.
	status, raw := e.do("send-money/initiate/", withDevice(`"9"`))
	testcheck.Expect(t, "unknown device", fmt.Sprintf("%d %s", status, raw), testcheck.C("400", status == 400),
		testcheck.C("GB sample's shape", strings.TrimSpace(string(raw)) == `{"details":"Device id not found"}`))

	// device_id as a number, as the GB sample echoes it.
	b, initRaw := e.batchOK("send-money/initiate/", withDevice(`1`))
	testcheck.Expect(t, "device_id", b.DeviceID, testcheck.C("1", deref(b.DeviceID) == "1"))
	replaceNonce := func(v string) string {
		return strings.Replace(string(initRaw), `"nonce":"`+b.Nonce+`"`, `"nonce":"`+v+`"`, 1)
	}
	otherSig, _ := client.SignNonce(otherKey, b.Nonce)
	wrongNonceSig, _ := client.SignNonce(devKey, b.Nonce+"x")
	goodSig, err := client.SignNonce(devKey, b.Nonce)
	testcheck.Must(t, "sign nonce", err)
	refusals := []struct{ name, body, detail string }{
		{"unsigned nonce", string(initRaw), "Nonce must be signed with the key of device 1"},
		{"other device's key", replaceNonce(otherSig), "Invalid nonce signature"},
		{"signature of another nonce", replaceNonce(wrongNonceSig), "Invalid nonce signature"},
		{"not hex", replaceNonce("zz" + goodSig[2:]), "Invalid nonce signature"},
		{"truncated", replaceNonce(goodSig[:510]), "Invalid nonce signature"},
	}
	for _, r := range refusals {
		status, raw := e.do("send-money/approve/", r.body)
		d := e.wantErr(400, raw, status, "nonce", "invalid")
		testcheck.Check(t, r.name+" detail", d, testcheck.C(r.detail, d == r.detail))
	}
	info, _ := e.s.Batch(b.TrackingID)
	testcheck.Expect(t, "batch after refused approvals", info.StatusCode, testcheck.C("unchanged BP103", info.StatusCode == "BP103"))
	// What the SDKs did before December 2022: the hex signature replaces the nonce.
	ok, _ := e.batchOK("send-money/approve/", replaceNonce(goodSig))
	testcheck.Expect(t, "signed approval", ok.StatusCode, testcheck.C("BP104", ok.StatusCode == "BP104"))
	status, raw = e.do("send-money/approve/", replaceNonce(goodSig))
	e.wantErr(400, raw, status, "", "already_approved")

	// Without a device_id, approval needs no signature even when devices exist.
	b2, raw2 := e.batchOK("send-money/initiate/", b2c(item))
	testcheck.Check(t, "device_id without one", deref(b2.DeviceID), testcheck.C("none", b2.DeviceID == nil))
	e.batchOK("send-money/approve/", string(raw2))

	c := e.s.Counters()
	testcheck.Check(t, "counters", c, testcheck.C("signed batch approved once", c.Approved[b.TrackingID] == 1),
		testcheck.C("unsigned batch approved once", c.Approved[b2.TrackingID] == 1),
		testcheck.C("every refusal counted", c.RefusedByTracking[b.TrackingID] == len(refusals)+1))
}

// With no devices registered, device_id is only echoed (the SDKs since 2022).
func TestDeviceIDWithoutDevices(t *testing.T) {
	e := newPayEnv(t, Options{}, client.Units(1000))
	b, raw := e.batchOK("send-money/initiate/", `{"provider":"MPESA-B2C","currency":"KES","device_id":"abc","transactions":[{"account":"254712345678","amount":"100"}]}`)
	if b.DeviceID == nil || *b.DeviceID != "abc" {
		t.Fatalf("device_id %v", b.DeviceID)
	}
	if ok, _ := e.batchOK("send-money/approve/", string(raw)); ok.StatusCode != "BP104" {
		t.Fatal(fmt.Sprint(ok.StatusCode))
	}
}

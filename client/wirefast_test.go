package client

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// fastSeeds are payment status answers in the shapes the API, the SDK
// samples and the simulator use, and near misses.
var fastSeeds = []string{
	statusBody, `{}`, `{"invoice":null,"meta":null}`, ` {"invoice":{}} `,
	strings.NewReplacer(`"account":"254708374149"`, `"account":254708374149`, `"value":"100.00"`, `"value":100.5e0`,
		`"retry_count":0`, `"retry_count":"2"`).Replace(statusBody),
	strings.NewReplacer(`"invoice_id":"GOP53BG",`, ``, `"customer_id":"FG0PO7H"`, `"id":7`).Replace(statusBody),
	strings.Replace(statusBody, `"customer":{"customer_id"`, `"customer":null,"x":{"customer_id"`, 1),
	strings.Replace(statusBody, `"state":"FAILED"`, `"State":"FAILED"`, 1),
	strings.Replace(statusBody, `"state":"FAILED"`, `"state":"FAILED","state":"COMPLETE"`, 1),
	strings.Replace(statusBody, `"payment_link":null`, `"payment_link":{"id":"x"}`, 1),
	strings.Replace(statusBody, `"charges":"0.00"`, `"charges":"abc"`, 1),
	strings.Replace(statusBody, `"host":"http`, `"host":"h\u00e9ttp`, 1),
}

// Whenever the fast path reads an answer it must give exactly what
// json.Unmarshal into a PaymentStatus gives (through Invoice's and
// Customer's UnmarshalJSON); the bodies are the seeds and random
// mutations of them.
func TestPaymentStatusFastMatchesUnmarshal(t *testing.T) {
	if _, ok := fastPaymentStatus([]byte(statusBody)); !ok {
		t.Fatal("the simulator's answer does not take the fast path")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte(`{}[]":,. 0179-eE\nutrfalsxé` + "\t")
	fast := 0
	for i := range 30000 {
		body := []byte(fastSeeds[i%len(fastSeeds)])
		for range i % 3 {
			body = mutateJSON(rng, body, alphabet)
		}
		if checkFastStatus(t, body) {
			fast++
		}
	}
	if fast < 3000 {
		t.Fatalf("only %d bodies took the fast path: the test checks too little", fast)
	}
}

func FuzzPaymentStatusFast(f *testing.F) {
	for _, s := range fastSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkFastStatus(t, body) })
}

func mutateJSON(rng *rand.Rand, b, alphabet []byte) []byte {
	b = append([]byte(nil), b...)
	pos := rng.IntN(len(b) + 1)
	switch ch := alphabet[rng.IntN(len(alphabet))]; rng.IntN(3) {
	case 0:
		b = append(b[:pos], append([]byte{ch}, b[pos:]...)...)
	case 1:
		if pos < len(b) {
			b = append(b[:pos], b[pos+1:]...)
		}
	default:
		if pos < len(b) {
			b[pos] = ch
		}
	}
	return b
}

// checkFastStatus reports whether the fast path took body, failing t when
// it disagrees with encoding/json.
func checkFastStatus(t *testing.T, body []byte) bool {
	t.Helper()
	got, ok := fastPaymentStatus(body)
	if !ok {
		return false
	}
	var want PaymentStatus
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatalf("%s: fast path took it, encoding/json says %v", body, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n fast %+v\n want %+v", body, got, want)
	}
	return true
}

package sim

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// flatSeeds are bodies the SDKs and the console send, and near misses.
var flatSeeds = []string{
	``, ` `, `{}`, ` { } `, `{"invoice_id":"ABC"}`,
	`{"invoice_id":"ABC","public_key":"ISPubKey_test_x"}`,
	`{"INVOICE_ID":"A","invoice_id":"B","Public_Key":"k"}`,
	`{"tracking_id":"T1"} `, "{\n\t\"tracking_id\" : \"T1\"\r\n}",
	`{"tracking_id":1}`, `{"tracking_id":null}`, `{"a":{"b":"c"}}`, `{"a":["b"]}`,
	`{"a":"\u0041"}`, `{"a":"é"}`, `{"a":"b"}x`, `{"a":"b",}`, `{"a" "b"}`, `{"a":"b"`,
	`[]`, `"x"`, `{"invoice_id":"ABC","checkout_id":"C","signature":"S","public_key":" k "}`,
	`{"":"x"}`, `{"invoice_id":""}`,
}

// A body flatObject accepts must decode to exactly what encoding/json
// gives, for every type the flat path fills; the bodies are the seeds and
// random mutations of them.
func TestFlatObjectAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	alphabet := []byte("{}[]\":, \t\r\n\\abiIdk_0é\x01")
	accepted := 0
	for i := range 50000 {
		body := []byte(flatSeeds[i%len(flatSeeds)])
		for range i % 4 {
			body = mutate(rng, body, alphabet)
		}
		if checkFlatAgrees(t, body) {
			accepted++
		}
	}
	if accepted < 1000 {
		t.Fatalf("only %d bodies took the flat path: the test checks too little", accepted)
	}
}

func FuzzFlatObjectAgrees(f *testing.F) {
	for _, s := range flatSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkFlatAgrees(t, body) })
}

func mutate(rng *rand.Rand, b []byte, alphabet []byte) []byte {
	b = append([]byte(nil), b...)
	switch pos := rng.IntN(len(b) + 1); rng.IntN(3) {
	case 0:
		b = append(b[:pos], append([]byte{alphabet[rng.IntN(len(alphabet))]}, b[pos:]...)...)
	case 1:
		if pos < len(b) {
			b = append(b[:pos], b[pos+1:]...)
		}
	default:
		if pos < len(b) {
			b[pos] = alphabet[rng.IntN(len(alphabet))]
		}
	}
	return b
}

// checkFlatAgrees reports whether the flat path took body, failing t when
// its result differs from encoding/json's.
func checkFlatAgrees(t *testing.T, body []byte) bool {
	t.Helper()
	c := &reqCtx{body: body, r: &http.Request{Header: http.Header{}}}
	if _, ok := c.flatBody(); !ok {
		return false
	}
	decoded := body
	if len(trimWS(body)) == 0 {
		decoded = []byte("{}") // as decode reads an empty body
	}
	var wantPS, gotPS paymentStatusBody
	if err := json.Unmarshal(decoded, &wantPS); err != nil {
		t.Fatalf("%q: flat, but encoding/json says %v", body, err)
	}
	if !c.decodeFlat(&gotPS) || gotPS != wantPS {
		t.Fatalf("%q: flat %+v, encoding/json %+v", body, gotPS, wantPS)
	}
	var wantMap, gotMap map[string]json.RawMessage
	if err := json.Unmarshal(decoded, &wantMap); err != nil || !c.decodeFlat(&gotMap) || !reflect.DeepEqual(gotMap, wantMap) {
		t.Fatalf("%q: flat map %q, encoding/json %q (%v)", body, gotMap, wantMap, err)
	}
	var key struct {
		PublicKey string `json:"public_key"`
	}
	_ = json.Unmarshal(body, &key) // findPublicKey's slow path
	if got := c.findPublicKey(); got != strings.TrimSpace(key.PublicKey) {
		t.Fatalf("%q: public key %q, encoding/json %q", body, got, key.PublicKey)
	}
	return true
}

func trimWS(b []byte) []byte { return b[skipWS(b, 0):] }

package sim

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/malipo/malipo/client"
)

// trickyStrings are what the fast string path must hand to encoding/json.
var trickyStrings = []string{"", "plain", "254708374149", "2026-03-02T09:00:00.000000+03:00", `a"b`, `a\b`,
	"tab\there", "line\nbreak", "\x00\x1f", "<a & b>", "Wanjirũ", "\u2028\u2029", "bad\xffutf8", "~\x7f"}

// fill sets every field of v (a pointer) to random values, recursively, so a
// field a view gains is covered without this test changing.
func fill(rng *rand.Rand, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(trickyStrings[rng.IntN(len(trickyStrings))])
	case reflect.Bool:
		v.SetBool(rng.IntN(2) == 1)
	case reflect.Int, reflect.Int64, reflect.Int32:
		v.SetInt(rng.Int64N(1<<40) - 1<<39)
	case reflect.Pointer:
		if rng.IntN(3) == 0 {
			v.SetZero()
			return
		}
		p := reflect.New(v.Type().Elem())
		fill(rng, p.Elem())
		v.Set(p)
	case reflect.Slice:
		if rng.IntN(4) == 0 {
			v.SetZero()
			return
		}
		s := reflect.MakeSlice(v.Type(), rng.IntN(4), rng.IntN(4)+4)
		for i := range s.Len() {
			fill(rng, s.Index(i))
		}
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			fill(rng, v.Field(i))
		}
	case reflect.Interface:
		var ws []walletJSON // pageJSON.Results on the wallet list
		p := reflect.ValueOf(&ws).Elem()
		fill(rng, p)
		v.Set(p)
	default:
		panic("fill: unhandled kind " + v.Kind().String())
	}
}

// Every hand-written encoder writes what encoding/json writes with
// writeJSON's settings, byte for byte.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	views := []any{walletJSON{}, pageJSON{}, invoiceJSON{}, &customerJSON{}, metaJSON{}, paymentStatusJSON{},
		payWalletJSON{}, payTxJSON{}, batchJSON{}}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, view := range views {
		typ := reflect.TypeOf(view)
		for range 300 {
			p := reflect.New(typ)
			fill(rng, p.Elem())
			v := p.Elem().Interface()
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(v); err != nil {
				t.Fatal(err)
			}
			got, ok := appendFast(nil, v)
			if pg, isPage := v.(pageJSON); isPage && pg.Results.([]walletJSON) == nil {
				if ok {
					t.Fatalf("a page of nil results took the fast path")
				}
				continue
			}
			if !ok {
				t.Fatalf("%s has no fast encoder", typ)
			}
			if got = append(got, '\n'); !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("%s:\n got %s\nwant %s", typ, got, want.Bytes())
			}
		}
	}
	if got, _ := appendFast(nil, (*customerJSON)(nil)); string(got) != "null" {
		t.Errorf("nil customer: %s", got)
	}
}

// A batch written in pieces is the same bytes as written whole.
func TestStreamedBatchMatches(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var v batchJSON
	fill(rng, reflect.ValueOf(&v).Elem())
	v.Transactions = make([]payTxJSON, 500) // ~250 KB: several pieces
	for i := range v.Transactions {
		fill(rng, reflect.ValueOf(&v.Transactions[i]).Elem())
	}
	var streamed []byte
	pieces := 0
	last := v.streamJSON(nil, func(b []byte) []byte {
		streamed = append(streamed, b...)
		pieces++
		return b[:0]
	})
	streamed = append(streamed, last...)
	if whole := v.appendJSON(nil); !bytes.Equal(streamed, whole) || pieces < 2 {
		t.Fatalf("%d pieces; streamed %d bytes, whole %d", pieces, len(streamed), len(whole))
	}
}

// A status answer built a transaction at a time is what batchJSON gives.
func TestBatchAnswerMatchesBatchJSON(t *testing.T) {
	e := newPayEnv(t, Options{}, client.Units(100_000))
	items := `{"name":"Jane Doe","account":"254708374149","amount":"150","narrative":"Salary"},` +
		`{"account":"254700000002","amount":"20.5"},{"name":"Wanjiru K","account":"254712345678","amount":"99"}`
	st, raw := e.do("send-money/initiate/", `{"provider":"MPESA-B2C","currency":"KES","requires_approval":"NO","transactions":[`+items+`]}`)
	if st != 200 {
		t.Fatalf("%d %s", st, raw)
	}
	e.clock.Advance(3 * DefaultTiming.BatchStep) // some transactions on their way
	for _, withNonce := range []bool{false, true} {
		e.s.lock()
		var cp *batch
		for _, b := range e.s.pay.order {
			cp = b.snapshot()
		}
		e.s.mu.Unlock()
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(e.s.batchJSON(cp, withNonce)); err != nil {
			t.Fatal(err)
		}
		got, ok := appendFast(nil, e.s.batchAnswer(cp, withNonce))
		if got = append(got, '\n'); !ok || !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("nonce %v:\n got %s\nwant %s", withNonce, got, want.Bytes())
		}
	}
}

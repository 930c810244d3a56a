package sim

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
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

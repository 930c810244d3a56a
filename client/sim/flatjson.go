package sim

import (
	"bytes"
	"encoding/json"
)

// Most request bodies on the hot routes are one flat object of short
// ASCII strings: {"invoice_id":"…","public_key":"…"}, {"tracking_id":"…"}.
// encoding/json spent more CPU on them (a validity scan, then reflection,
// then a second full decode to look for the public key) than the handler
// spent on the answer. A body of that shape is scanned once here, and
// what the scan cannot prove plain goes to encoding/json as before, so an
// answer never depends on which path decoded it (TestFlatObjectAgrees
// checks the two against each other).

// flatKV is one member of a flat object: key and val are the exact bytes
// between the quotes, which for a plain string is its value; raw is the
// value with its quotes, as json.RawMessage holds it.
type flatKV struct{ key, val, raw []byte }

// flatObject parses body when it is, apart from JSON white space, an
// object whose keys and values are all strings of printable ASCII with no
// escapes (or an empty body, which decode reads as {}). ok is false for
// anything else: nested values, numbers, escapes, non-ASCII, trailing
// bytes, a syntax error. The members are appended to dst[:0], so a
// request keeps its few in an array of its own (reqCtx.flatBuf).
func flatObject(dst []flatKV, body []byte) (kvs []flatKV, ok bool) {
	kvs = dst[:0]
	p := skipWS(body, 0)
	if p == len(body) {
		return nil, true
	}
	if body[p] != '{' {
		return nil, false
	}
	p = skipWS(body, p+1)
	if p < len(body) && body[p] == '}' {
		return kvs, skipWS(body, p+1) == len(body)
	}
	for {
		var kv flatKV
		if kv.key, p, ok = plainString(body, p); !ok {
			return nil, false
		}
		kv.key = kv.key[1 : len(kv.key)-1]
		if p = skipWS(body, p); p >= len(body) || body[p] != ':' {
			return nil, false
		}
		if kv.raw, p, ok = plainString(body, skipWS(body, p+1)); !ok {
			return nil, false
		}
		kv.val = kv.raw[1 : len(kv.raw)-1]
		kvs = append(kvs, kv)
		if p = skipWS(body, p); p >= len(body) {
			return nil, false
		}
		switch body[p] {
		case ',':
			p = skipWS(body, p+1)
		case '}':
			return kvs, skipWS(body, p+1) == len(body)
		default:
			return nil, false
		}
	}
}

// plainString reads a string of printable ASCII without escapes starting
// at body[p] (its opening quote); it returns it with its quotes and the
// offset after the closing one.
func plainString(body []byte, p int) ([]byte, int, bool) {
	if p >= len(body) || body[p] != '"' {
		return nil, p, false
	}
	for i := p + 1; i < len(body); i++ {
		switch ch := body[i]; {
		case ch == '"':
			return body[p : i+1], i + 1, true
		case ch < 0x20 || ch > 0x7e || ch == '\\':
			return nil, p, false
		}
	}
	return nil, p, false
}

// skipWS skips JSON white space from body[p].
func skipWS(body []byte, p int) int {
	for p < len(body) && (body[p] == ' ' || body[p] == '\t' || body[p] == '\n' || body[p] == '\r') {
		p++
	}
	return p
}

// flatField is what json.Unmarshal into a struct with a string field
// tagged name would set: the last member whose key matches the name, the
// way encoding/json matches it (exactly or, failing that, without regard
// to ASCII case; keys here are ASCII, so no other folding applies).
func flatField(kvs []flatKV, name string) (string, bool) {
	val, found := "", false
	for _, kv := range kvs {
		if bytes.EqualFold(kv.key, []byte(name)) {
			val, found = string(kv.val), true
		}
	}
	return val, found
}

// flatRawMap adds to m what json.Unmarshal into a map[string]json.RawMessage
// adds for the same body: exact keys, the last duplicate winning, each
// value with its quotes (a copy: RawMessage copies too).
func flatRawMap(m map[string]json.RawMessage, kvs []flatKV) {
	for _, kv := range kvs {
		m[string(kv.key)] = append(json.RawMessage(nil), kv.raw...)
	}
}

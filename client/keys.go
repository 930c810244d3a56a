package client

import (
	"errors"
	"fmt"
	"strings"
)

// Env is the IntaSend environment a key belongs to.
type Env string

const (
	Sandbox Env = "sandbox"
	Live    Env = "live"
)

// Base URLs the official SDKs use (docs/intasend-api.md §1.1).
const (
	SandboxBaseURL = "https://sandbox.intasend.com/api/v1/"
	LiveBaseURL    = "https://payment.intasend.com/api/v1/"
)

// KeyKind says which of IntaSend's two API keys a string is.
type KeyKind string

const (
	PublishableKey KeyKind = "ISPubKey"
	SecretKey      KeyKind = "ISSecretKey"
)

// ErrKeyFormat is wrapped by every key format failure.
var ErrKeyFormat = errors.New("invalid IntaSend key")

// ParseKey checks a key's shape, ISPubKey_{test|live}_… or
// ISSecretKey_{test|live}_…, and says which kind and environment it is.
// The error never contains the key itself.
func ParseKey(key string) (KeyKind, Env, error) {
	for _, kind := range []KeyKind{PublishableKey, SecretKey} {
		rest, ok := strings.CutPrefix(key, string(kind)+"_")
		if !ok {
			continue
		}
		envPart, tail, ok := strings.Cut(rest, "_")
		if !ok || (envPart != "test" && envPart != "live") {
			return kind, "", fmt.Errorf("%w: %s must continue with _test_ or _live_", ErrKeyFormat, kind)
		}
		if !keyIDOK(tail) {
			return kind, "", fmt.Errorf("%w: %s_%s_ must be followed by the key's id (letters, digits and dashes, like a UUID)", ErrKeyFormat, kind, envPart)
		}
		env := Sandbox
		if envPart == "live" {
			env = Live
		}
		return kind, env, nil
	}
	return "", "", fmt.Errorf("%w: expected ISPubKey_test_…, ISPubKey_live_…, ISSecretKey_test_… or ISSecretKey_live_…", ErrKeyFormat)
}

// keyIDOK accepts the id part of a key: IntaSend's are UUIDs; we take any
// run of 12 to 64 letters, digits and dashes, so a key cut short in a
// copy-paste (ISSecretKey_test_91ffc81a) is refused rather than tried.
func keyIDOK(id string) bool {
	if len(id) < 12 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// MaskKey shows only a key's kind, environment and last four characters:
// ISSecretKey_test_••••8181. Use it wherever a key might reach a screen or log.
func MaskKey(key string) string {
	if key == "" {
		return ""
	}
	prefix := ""
	if kind, env, err := ParseKey(key); err == nil {
		e := "test"
		if env == Live {
			e = "live"
		}
		prefix = string(kind) + "_" + e + "_"
	}
	last := ""
	if len(key) > len(prefix)+8 {
		last = key[len(key)-4:]
	}
	return prefix + "••••" + last
}

package client

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ErrPlainHTTP is wrapped by every refusal of a base URL that would carry
// IntaSend keys in clear.
var ErrPlainHTTP = errors.New("refusing to send IntaSend keys over plain HTTP")

// CheckBaseURL says whether keys of env may be sent to the base URL raw.
// https:// always; http:// only with test keys and only to this machine (a
// malipo sim on 127.0.0.1, ::1 or localhost): a live key in clear on the
// wire is a live key anyone on the path can use. New applies it to every
// client, so no command can bypass it; callers that know where a URL came
// from (a flag, config.toml) call it first for a clearer message.
func CheckBaseURL(env Env, raw string) error {
	u, err := parseBase(raw)
	if err != nil {
		return err
	}
	return checkBase(env, u)
}

func checkBase(env Env, u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
	default:
		return fmt.Errorf("base URL %s: scheme %q: want https:// (or http:// to a malipo sim on this machine)", u.Redacted(), u.Scheme)
	}
	if env == Live {
		return fmt.Errorf("%w: live keys need an https:// base URL, not %s", ErrPlainHTTP, u.Redacted())
	}
	if !loopback(u.Hostname()) {
		return fmt.Errorf("%w: test keys may use http:// only to this machine (127.0.0.1, ::1 or localhost, e.g. malipo sim), not %s; use https://",
			ErrPlainHTTP, u.Redacted())
	}
	return nil
}

// loopback reports whether host names this machine without a DNS lookup:
// a loopback IP literal, or localhost (which resolvers keep on loopback,
// RFC 6761).
func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

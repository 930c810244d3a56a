package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Phone is a Kenyan mobile number in the form IntaSend wants: 254 followed by
// nine digits starting 7 or 1 (2547XXXXXXXX, 2541XXXXXXXX), with no '+'.
type Phone string

// ErrPhone is wrapped by every phone normalisation failure.
var ErrPhone = errors.New("invalid phone number")

// ParsePhone normalises the ways people write Kenyan mobile numbers
// (0712 345 678, +254712345678, 254-712-345678, 712345678, 00254712345678)
// and refuses anything else with a reason a person can act on.
func ParsePhone(s string) (Phone, error) {
	d, err := phoneDigits(s)
	if err != nil {
		return "", err
	}
	if d, err = nationalNumber(s, d); err != nil {
		return "", err
	}
	return Phone("254" + d), nil
}

// phoneDigits keeps the digits of s, allowing the separators people write
// and a leading '+'.
func phoneDigits(s string) (string, error) {
	var digits strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			digits.WriteRune(r)
		case r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
		case r == '+' && i == 0:
		default:
			return "", fmt.Errorf("%w %q: unexpected character %q", ErrPhone, s, r)
		}
	}
	if digits.Len() == 0 {
		return "", fmt.Errorf("%w %q: empty", ErrPhone, s)
	}
	return digits.String(), nil
}

// nationalNumber strips the country or trunk prefix from the digits d of
// orig and checks what is left is a Kenyan mobile's nine digits.
func nationalNumber(orig, d string) (string, error) {
	switch {
	case strings.HasPrefix(d, "00254"):
		d = d[5:]
	case strings.HasPrefix(d, "254"):
		d = d[3:]
	case strings.HasPrefix(d, "0"):
		d = d[1:]
	case len(d) == 9:
	default:
		return "", fmt.Errorf("%w %q: not a Kenyan number (start with 07, 01, +254 or 254)", ErrPhone, orig)
	}
	switch {
	case len(d) < 9:
		return "", fmt.Errorf("%w %q: too short (a Kenyan mobile number has 9 digits after 0 or 254)", ErrPhone, orig)
	case len(d) > 9:
		return "", fmt.Errorf("%w %q: too long (a Kenyan mobile number has 9 digits after 0 or 254)", ErrPhone, orig)
	case d[0] != '7' && d[0] != '1':
		return "", fmt.Errorf("%w %q: not a mobile number (Kenyan mobiles start 07 or 01)", ErrPhone, orig)
	}
	return d, nil
}

// MustPhone is ParsePhone for constants in code and tests.
func MustPhone(s string) Phone {
	p, err := ParsePhone(s)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the normalised form, 2547XXXXXXXX.
func (p Phone) String() string { return string(p) }

// Display renders for people: +254 712 345 678.
func (p Phone) Display() string {
	s := string(p)
	if len(s) != 12 {
		return s
	}
	return "+" + s[:3] + " " + s[3:6] + " " + s[6:9] + " " + s[9:]
}

// UnmarshalJSON accepts a string or a bare number (SDKs send both) and
// keeps what IntaSend sent; use ParsePhone to validate input.
func (p *Phone) UnmarshalJSON(b []byte) error {
	var v FlexString
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*p = Phone(v)
	return nil
}

// FlexString decodes a JSON string, number or null into a string: IntaSend's
// samples carry accounts as 254723890353 as well as "254723890353".
type FlexString string

func (f *FlexString) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = ""
		return nil
	}
	if s, ok := plainJSONString(b); ok {
		*f = FlexString(s)
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = FlexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("expected a string or number, got %s", b)
	}
	*f = FlexString(n.String())
	return nil
}

// plainJSONString returns the text of a JSON string made of printable ASCII
// with no escapes, which is what ids and accounts are, without a second
// run of the JSON decoder; ok is false for anything else.
func plainJSONString(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return "", false
	}
	inner := b[1 : len(b)-1]
	for _, c := range inner {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return "", false
		}
	}
	return string(inner), true
}

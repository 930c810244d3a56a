package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Amount is an exact sum of money in cents (hundredths of the currency unit).
// IntaSend sends amounts as decimal strings ("38.00") and sometimes as JSON
// numbers (38, 38.5); Amount decodes both from their text, never through a
// float, so no cent is ever lost to rounding.
type Amount int64

// MaxAmount bounds parsed amounts so sums of thousands of them cannot overflow.
const MaxAmount Amount = 1_000_000_000_000_00 // one trillion units

// ErrAmountSyntax is wrapped by every amount parsing failure.
var ErrAmountSyntax = errors.New("invalid amount")

// Cents builds an Amount from a count of cents.
func Cents(c int64) Amount { return Amount(c) }

// Units builds an Amount from whole currency units (shillings).
func Units(u int64) Amount { return Amount(u * 100) }

// ParseAmount reads a decimal such as "1234.5", "1,234.50", "KES 10" or "-3".
// At most two decimal places are allowed (trailing zeros beyond them are fine);
// anything else is refused with a reason rather than rounded.
func ParseAmount(s string) (Amount, error) {
	neg, signed, num := amountSign(s)
	if num == "" && !signed {
		return 0, fmt.Errorf("%w %q: empty", ErrAmountSyntax, s)
	}
	a, err := amountDigits(s, num)
	if err != nil {
		return 0, err
	}
	if neg {
		a = -a
	}
	return a, nil
}

// amountSign takes one sign, before or after the currency: "-3", "KES -3"
// and "-KES 3" (what Format writes) all mean minus three. It returns the
// number left, without the currency.
func amountSign(s string) (neg, signed bool, num string) {
	sign := func() {
		s = strings.TrimSpace(s)
		if !signed && s != "" && (s[0] == '-' || s[0] == '+') {
			neg, signed, s = s[0] == '-', true, s[1:]
		}
	}
	sign()
	s = strings.TrimPrefix(strings.TrimPrefix(s, "KES"), "KSh")
	sign()
	return neg, signed, s
}

// amountDigits reads the unsigned decimal num (of orig, for the errors):
// thousands commas, at most two decimal places that are not zeros.
func amountDigits(orig, num string) (Amount, error) {
	num = strings.ReplaceAll(num, ",", "")
	whole, frac, hasDot := strings.Cut(num, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, fmt.Errorf("%w %q: no digits", ErrAmountSyntax, orig)
	}
	if !allDigits(whole) || !allDigits(frac) {
		return 0, fmt.Errorf("%w %q: only digits, one decimal point and thousands commas are allowed", ErrAmountSyntax, orig)
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 2 {
		return 0, fmt.Errorf("%w %q: more than two decimal places", ErrAmountSyntax, orig)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 13 {
		return 0, fmt.Errorf("%w %q: too large", ErrAmountSyntax, orig)
	}
	var units int64
	if whole != "" {
		units, _ = strconv.ParseInt(whole, 10, 64) // digits only, ≤13 of them: cannot fail
	}
	cents, _ := strconv.ParseInt(frac, 10, 64)
	a := Amount(units*100 + cents)
	if a > MaxAmount {
		return 0, fmt.Errorf("%w %q: too large", ErrAmountSyntax, orig)
	}
	return a, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MustAmount is ParseAmount for constants in code and tests.
func MustAmount(s string) Amount {
	a, err := ParseAmount(s)
	if err != nil {
		panic(err)
	}
	return a
}

// Cents returns the amount as a count of cents.
func (a Amount) Cents() int64 { return int64(a) }

// Decimal renders the plain API form, "1234.50".
func (a Amount) Decimal() string {
	var buf [24]byte
	return string(a.AppendDecimal(buf[:0]))
}

// AppendDecimal appends the plain API form, "1234.50", to dst. Every
// amount of every answer goes through it, so it avoids fmt.
func (a Amount) AppendDecimal(dst []byte) []byte {
	v := int64(a)
	if v < 0 {
		if v == math.MinInt64 {
			return append(dst, "-92233720368547758.08"...)
		}
		dst = append(dst, '-')
		v = -v
	}
	dst = strconv.AppendInt(dst, v/100, 10)
	c := v % 100
	return append(dst, '.', byte('0'+c/10), byte('0'+c%10))
}

// String renders with thousands separators, "1,234.50".
func (a Amount) String() string {
	d := a.Decimal()
	sign := ""
	if strings.HasPrefix(d, "-") {
		sign, d = "-", d[1:]
	}
	whole, frac, _ := strings.Cut(d, ".")
	var b strings.Builder
	b.WriteString(sign)
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	b.WriteByte('.')
	b.WriteString(frac)
	return b.String()
}

// Format renders for people: "KES 1,234.50" (negative: "-KES 1,234.50").
func (a Amount) Format(currency string) string {
	if currency == "" {
		currency = "KES"
	}
	if a < 0 {
		return "-" + currency + " " + (-a).String()
	}
	return currency + " " + a.String()
}

// KES is Format("KES").
func (a Amount) KES() string { return a.Format("KES") }

// MarshalJSON writes the decimal string IntaSend uses ("38.00").
func (a Amount) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 24)
	b = append(b, '"')
	b = a.AppendDecimal(b)
	return append(b, '"'), nil
}

// UnmarshalJSON accepts a JSON number, a decimal string, or null (zero).
func (a *Amount) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*a = 0
		return nil
	}
	var text string
	if b[0] == '"' {
		s, plain := plainJSONString(b) // "38.00": no second decode
		if !plain {
			if err := json.Unmarshal(b, &s); err != nil {
				return fmt.Errorf("%w: %v", ErrAmountSyntax, err)
			}
		}
		if strings.TrimSpace(s) == "" {
			*a = 0
			return nil
		}
		text = s
	} else {
		text = string(b)
	}
	v, err := ParseAmount(text)
	if err != nil {
		return err
	}
	*a = v
	return nil
}

package client_test

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/malipo/malipo/client"
)

// FuzzParseAmount: parsing never panics, and whatever parses survives a
// round trip through every form the client writes.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"0", "38.00", "1,234.50", "-3", "KES 10", ".5", "5.", "1.005", "10.500",
		"1000000000000.00", "1000000000000.01", "99999999999999999999", "", "-", "+.1", "0x10", "1e3", "٣", "1,2,3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := client.ParseAmount(s)
		if err != nil {
			return
		}
		if a > client.MaxAmount || a < -client.MaxAmount {
			t.Fatalf("ParseAmount(%q) = %d, beyond MaxAmount", s, a)
		}
		for _, form := range []string{a.Decimal(), a.String(), a.KES()} {
			b, err := client.ParseAmount(form)
			if err != nil || b != a {
				t.Fatalf("ParseAmount(%q) = %d; reparsing %q gave %d, %v", s, a, form, b, err)
			}
		}
		data, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		var back client.Amount
		if err := json.Unmarshal(data, &back); err != nil || back != a {
			t.Fatalf("JSON round trip of %d via %s gave %d, %v", a, data, back, err)
		}
	})
}

var normalPhone = regexp.MustCompile(`^254[17]\d{8}$`)

// FuzzParsePhone: a phone that parses is always in IntaSend's form, and
// parsing it again changes nothing.
func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"0712345678", "+254712345678", "254712345678", "712345678", "0112345678",
		"0712 345 678", "0712-345-678", "00254712345678", "0201234567", "071234567", "+", "", "٠٧١٢٣٤٥٦٧٨", "2547123456789"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := client.ParsePhone(s)
		if err != nil {
			return
		}
		if !normalPhone.MatchString(string(p)) {
			t.Fatalf("ParsePhone(%q) = %q, not 2547…/2541…", s, p)
		}
		if q, err := client.ParsePhone(string(p)); err != nil || q != p {
			t.Fatalf("ParsePhone(%q) = %q, not idempotent: %q, %v", s, p, q, err)
		}
		if q, err := client.ParsePhone(p.Display()); err != nil || q != p {
			t.Fatalf("Display %q does not parse back: %q, %v", p.Display(), q, err)
		}
	})
}

package client_test

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in      string
		cents   int64
		wantErr string // substring of the error; "" means success
	}{
		{"0", 0, ""},
		{"38", 3800, ""},
		{"38.00", 3800, ""},
		{"38.5", 3850, ""},
		{"38.50", 3850, ""},
		{"0.01", 1, ""},
		{".5", 50, ""},
		{"5.", 500, ""},
		{"1,234.50", 123450, ""},
		{"1,234,567.89", 123456789, ""},
		{"  42.10 ", 4210, ""},
		{"KES 10", 1000, ""},
		{"KSh 2,500", 250000, ""},
		{"-3", -300, ""},
		{"-0.75", -75, ""},
		{"-KES 1,234.50", -123450, ""}, // what Format writes
		{"KES -5", -500, ""},
		{"-KES -5", 0, "only digits"},
		{"+7", 700, ""},
		{"10.500", 1050, ""}, // trailing zeros beyond two places are exact
		{"007.10", 710, ""},  // leading zeros
		{"999999999999.99", 99999999999999, ""},
		{"1000000000000.00", 100000000000000, ""}, // MaxAmount
		{"1000000000000.01", 0, "too large"},
		{"1.005", 0, "more than two decimal places"},
		{"0.001", 0, "more than two decimal places"},
		{"10000000000000", 0, "too large"},
		{"99999999999999999999", 0, "too large"},
		{"", 0, "empty"},
		{"   ", 0, "empty"},
		{".", 0, "no digits"},
		{"-", 0, "no digits"},
		{"1e3", 0, "only digits"},
		{"12a", 0, "only digits"},
		{"1.2.3", 0, "only digits"},
		{"--1", 0, "only digits"},
		{"NaN", 0, "only digits"},
		{"0x10", 0, "only digits"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := client.ParseAmount(tt.in)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseAmount(%q) = %v, want an error containing %q", tt.in, got, tt.wantErr)
				}
				if !errors.Is(err, client.ErrAmountSyntax) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseAmount(%q) error = %v, want ErrAmountSyntax containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got.Cents() != tt.cents {
				t.Fatalf("ParseAmount(%q) = %d, %v; want %d", tt.in, got.Cents(), err, tt.cents)
			}
		})
	}
}

func TestAmountFormat(t *testing.T) {
	tests := []struct {
		cents             int64
		decimal, str, kes string
	}{
		{0, "0.00", "0.00", "KES 0.00"},
		{1, "0.01", "0.01", "KES 0.01"},
		{3800, "38.00", "38.00", "KES 38.00"},
		{123450, "1234.50", "1,234.50", "KES 1,234.50"},
		{100000000, "1000000.00", "1,000,000.00", "KES 1,000,000.00"},
		{-123450, "-1234.50", "-1,234.50", "-KES 1,234.50"},
		{-5, "-0.05", "-0.05", "-KES 0.05"},
		{-100, "-1.00", "-1.00", "-KES 1.00"},
		{math.MaxInt64, "92233720368547758.07", "92,233,720,368,547,758.07", "KES 92,233,720,368,547,758.07"},
	}
	for _, tt := range tests {
		a := client.Cents(tt.cents)
		if a.Decimal() != tt.decimal || a.String() != tt.str || a.KES() != tt.kes {
			t.Errorf("%d cents: Decimal %q String %q KES %q; want %q %q %q", tt.cents, a.Decimal(), a.String(), a.KES(), tt.decimal, tt.str, tt.kes)
		}
	}
	if got := client.Units(12).Format("USD"); got != "USD 12.00" {
		t.Errorf("Units(12).Format(USD) = %q", got)
	}
}

func TestAmountJSON(t *testing.T) {
	tests := []struct {
		in      string
		cents   int64
		wantErr bool
	}{
		{`"38.00"`, 3800, false},
		{`38`, 3800, false},
		{`38.5`, 3850, false},
		{`0.0`, 0, false},
		{`"1,234.50"`, 123450, false},
		{`null`, 0, false},
		{`""`, 0, false},
		{`"-10.36"`, -1036, false},
		{`10.355`, 0, true}, // never rounded
		{`"abc"`, 0, true},
		{`1e2`, 0, true}, // exponent form is refused rather than guessed
		{`true`, 0, true},
		{`"1000000000000000"`, 0, true},
	}
	for _, tt := range tests {
		var v struct {
			A client.Amount `json:"a"`
		}
		v.A = 999 // null must reset it
		err := json.Unmarshal([]byte(`{"a":`+tt.in+`}`), &v)
		if tt.wantErr {
			if err == nil {
				t.Errorf("%s: decoded %v, want an error", tt.in, v.A)
			}
			continue
		}
		if err != nil || v.A.Cents() != tt.cents {
			t.Errorf("%s: got %d, %v; want %d", tt.in, v.A.Cents(), err, tt.cents)
		}
	}
	out, err := json.Marshal(map[string]client.Amount{"amount": client.MustAmount("38")})
	if err != nil || string(out) != `{"amount":"38.00"}` {
		t.Errorf("marshal = %s, %v; want the decimal string IntaSend uses", out, err)
	}
}

func TestParsePhone(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  string
	}{
		{"0712345678", "254712345678", ""},
		{"+254712345678", "254712345678", ""},
		{"254712345678", "254712345678", ""},
		{"712345678", "254712345678", ""},
		{"0112345678", "254112345678", ""},
		{"+254 112 345 678", "254112345678", ""},
		{"0712 345 678", "254712345678", ""},
		{"0712-345-678", "254712345678", ""},
		{"(0712) 345.678", "254712345678", ""},
		{"00254712345678", "254712345678", ""},
		{" 254708374149 ", "254708374149", ""},
		{"", "", "empty"},
		{"+", "", "empty"},
		{"0201234567", "", "not a mobile number"}, // Nairobi landline
		{"254201234567", "", "not a mobile number"},
		{"071234567", "", "too short"},
		{"07123456789", "", "too long"},
		{"2547123456789", "", "too long"},
		{"12345", "", "not a Kenyan number"},
		{"+255712345678", "", "not a Kenyan number"}, // Tanzania
		{"0712abc678", "", "unexpected character"},
		{"07123+45678", "", "unexpected character"},
		{"tel:0712345678", "", "unexpected character"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := client.ParsePhone(tt.in)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, client.ErrPhone) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParsePhone(%q) = %q, %v; want ErrPhone with %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("ParsePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
	if d := client.MustPhone("0712345678").Display(); d != "+254 712 345 678" {
		t.Errorf("Display = %q", d)
	}
}

func TestPhoneAndFlexStringJSON(t *testing.T) {
	var v struct {
		P client.Phone      `json:"p"`
		F client.FlexString `json:"f"`
		N client.FlexString `json:"n"`
	}
	if err := json.Unmarshal([]byte(`{"p":254723890353,"f":"abc","n":null}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.P != "254723890353" || v.F != "abc" || v.N != "" {
		t.Fatalf("got %+v", v)
	}
	if err := json.Unmarshal([]byte(`{"f":{}}`), &v); err == nil {
		t.Fatal("an object decoded as a FlexString")
	}
}

// FlexString takes plain strings without a second decode; every string
// must still decode exactly as encoding/json decodes it.
func TestFlexStringMatchesJSONStrings(t *testing.T) {
	inputs := []string{`""`, `"abc"`, `"254 723"`, `"a\"b"`, `"a\\b"`, `"\u00e9"`, `"é"`, `"\t"`,
		`"~"`, "\"\x7f\"", "\"\xff\"", `"a/b"`, `"\/"`}
	for c := range 256 {
		inputs = append(inputs, `"`+string(rune(c))+`"`, "\"x"+string([]byte{byte(c)})+"\"")
	}
	for _, in := range inputs {
		var want string
		wantErr := json.Unmarshal([]byte(in), &want)
		var got client.FlexString
		gotErr := json.Unmarshal([]byte(in), &got)
		if (gotErr != nil) != (wantErr != nil) || string(got) != want {
			t.Errorf("%q: FlexString %q (%v), string %q (%v)", in, got, gotErr, want, wantErr)
		}
	}
}

func TestParseKey(t *testing.T) {
	const uuid = "91ffc81a-8ac4-419e-8008-7091caa8d73f"
	tests := []struct {
		key     string
		kind    client.KeyKind
		env     client.Env
		wantErr bool
	}{
		{"ISPubKey_test_" + uuid, client.PublishableKey, client.Sandbox, false},
		{"ISPubKey_live_" + uuid, client.PublishableKey, client.Live, false},
		{"ISSecretKey_test_" + uuid, client.SecretKey, client.Sandbox, false},
		{"ISSecretKey_live_" + uuid, client.SecretKey, client.Live, false},
		{"ISSecretKey_prod_" + uuid, "", "", true},
		{"ISSecretKey_test_", "", "", true},
		{"ISSecretKey_test_abc", "", "", true},
		{"ISPublicKey_test_" + uuid, "", "", true}, // GB's wrong prefix
		{"TPPublicKey_" + uuid, "", "", true},
		{"LfqRDqvfvwv77BhxuDsdXN04NyUx97", "", "", true},
		{"", "", "", true},
		{"ISSecretKey_test_has space inside", "", "", true},
		{"ISSecretKey_test_91ffc81a", "", "", true},       // cut short in a copy-paste
		{"ISSecretKey_test_" + uuid + "\n", "", "", true}, // a newline from a pasted line
		{"ISSecretKey_test_" + uuid + `"`, "", "", true},  // a stray quote
		{"ISSecretKey_test_0123456789abcdef", client.SecretKey, client.Sandbox, false},
	}
	for _, tt := range tests {
		kind, env, err := client.ParseKey(tt.key)
		if tt.wantErr {
			if err == nil || !errors.Is(err, client.ErrKeyFormat) {
				t.Errorf("ParseKey(%s): err = %v, want ErrKeyFormat", client.MaskKey(tt.key), err)
			} else if len(tt.key) > 20 && strings.Contains(err.Error(), tt.key[len(tt.key)-12:]) {
				t.Errorf("ParseKey error leaks the key: %v", err)
			}
			continue
		}
		if err != nil || kind != tt.kind || env != tt.env {
			t.Errorf("ParseKey(%s) = %s %s %v; want %s %s", client.MaskKey(tt.key), kind, env, err, tt.kind, tt.env)
		}
	}
}

func TestMaskKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"ISSecretKey_test_91ffc81a-8ac4-419e-8008-7091caa88181", "ISSecretKey_test_••••8181"},
		{"ISPubKey_live_91ffc81a-8ac4-419e-8008-7091caa8d73f", "ISPubKey_live_••••d73f"},
		{"", ""},
		{"short", "••••"},
		{"LfqRDqvfvwv77BhxuDsdXN04NyUx97", "••••Ux97"},
	}
	for _, tt := range tests {
		if got := client.MaskKey(tt.in); got != tt.want {
			t.Errorf("MaskKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNewKeys(t *testing.T) {
	const pub, sec = "ISPubKey_test_91ffc81a-8ac4-419e-8008-7091caa8d73f", "ISSecretKey_test_91ffc81a-8ac4-419e-8008-7091caa88181"
	const livePub = "ISPubKey_live_91ffc81a-8ac4-419e-8008-7091caa8d73f"
	tests := []struct {
		name     string
		pub, sec string
		opts     []client.Option
		wantBase string
		wantErr  bool
	}{
		{"sandbox", pub, sec, nil, client.SandboxBaseURL, false},
		{"live", livePub, "", nil, client.LiveBaseURL, false},
		{"override", pub, sec, []client.Option{client.WithBaseURL("http://127.0.0.1:8089")}, "http://127.0.0.1:8089/api/v1/", false},
		{"no keys", "", "", nil, "", true},
		{"swapped", sec, pub, nil, "", true},
		{"mixed envs", livePub, sec, nil, "", true},
		{"bad base", pub, sec, []client.Option{client.WithBaseURL("not a url")}, "", true},
	}
	for _, tt := range tests {
		c, err := client.New(tt.pub, tt.sec, tt.opts...)
		if tt.wantErr {
			if err == nil {
				t.Errorf("%s: New succeeded", tt.name)
			} else if strings.Contains(err.Error(), "8181") || strings.Contains(err.Error(), "d73f") {
				t.Errorf("%s: error leaks a key: %v", tt.name, err)
			}
			continue
		}
		if err != nil || c.BaseURL() != tt.wantBase {
			t.Errorf("%s: New = %v, %v; want base %s", tt.name, c, err, tt.wantBase)
			continue
		}
		if s := c.String() + " " + c.GoString(); strings.Contains(s, "7091caa88181") {
			t.Errorf("%s: String leaks the secret key: %s", tt.name, s)
		}
	}
}

package sim_test

import (
	"net/http"
	"testing"

	"github.com/malipo/malipo/client/sim"
)

func TestBankCodes(t *testing.T) {
	e := aNew(t, sim.Options{})
	// PY calls it without a Bearer; RS sends the public key header.
	for _, hdr := range [][]string{{"Authorization", aNoAuth}, {"Authorization", aNoAuth, "X-IntaSend-Public-API-Key", aPub}, nil} {
		r := e.call("GET", "send-money/bank-codes/ke/", nil, hdr...).want(t, http.StatusOK)
		list, ok := r.body.([]any)
		if !ok {
			t.Fatalf("bank codes are not a bare array: %s", r.raw)
		}
		codes := map[string]string{}
		for i := range list {
			codes[r.str(aItoa(i)+".bank_code")] = r.str(aItoa(i) + ".bank_name")
		}
		// Every code of the OAS bank_code enum is listed, with a name.
		for _, c := range []string{"1", "2", "3", "7", "10", "11", "12", "14", "16", "17", "18", "19", "23", "25", "31", "35", "43",
			"49", "50", "51", "53", "54", "55", "57", "63", "66", "68", "70", "72", "74", "76", "78", "61", "65", "89", "97"} {
			if codes[c] == "" {
				t.Fatalf("bank code %s missing: %s", c, r.raw)
			}
		}
		if codes["1"] != "KCB" || codes["68"] != "Equity Bank" || codes["2"] != "Standard Charted Bank KE" {
			t.Fatalf("names: %v", codes)
		}
	}
	e.call("GET", "send-money/bank-codes/ke", nil, "Authorization", aNoAuth).want(t, http.StatusOK)
	for code, want := range map[string]bool{"68": true, "1": true, "97": true, "99": false, "": false, "01": false} {
		if got := e.sim.BankCode(code); got != want {
			t.Errorf("BankCode(%q) = %v", code, got)
		}
	}
	if name, ok := e.sim.BankName("11"); !ok || name != "Cooperative Bank" {
		t.Errorf("BankName(11) = %q, %v", name, ok)
	}
}

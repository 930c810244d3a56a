package cmd

import (
	"strings"
	"testing"

	"github.com/malipo/malipo/client"
)

// TestExplain: the command reads the console's table (client.ExplainCode),
// in words or as JSON matching docs/schemas/explain.json; an unknown code
// exits 2 with the nearest codes.
func TestExplain(t *testing.T) {
	schema := schemas(t)
	tests := []struct {
		code string
		want []string
	}{
		{"BF105", []string{"BF105 (batch code)", "Fund the wallet"}},
		{"tf105", []string{"TF105 (transaction code)", "do not resend"}},
		{"TH107", []string{"Under observation", "do not resend"}},
		{"BE111", []string{"ended early", "TC108"}},
		{"TS100", []string{"Successful"}},
		{"BP103", []string{"waiting for your approval"}},
		{"1", []string{"balance is insufficient"}},
		{"1032", []string{"Request cancelled by user"}},
		{"1037", []string{"DS timeout"}},
		{"2001", []string{"wrong M-Pesa PIN"}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			out, errw, code := runCLI(t, "explain", tt.code)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errw)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("lacks %q:\n%s", w, out)
				}
			}
			js, _, code := runCLI(t, "explain", tt.code, "--json")
			if code != 0 {
				t.Fatalf("--json exit %d", code)
			}
			validate(t, schema("explain.json"), js)
		})
	}
	// The console's words for rows in doubt are the table's.
	if w := client.CodeWords("TF105"); w != inDoubtFromTable() {
		t.Errorf("TF105 words %q", w)
	}
	all, _, code := runCLI(t, "explain", "--all", "--json")
	if code != 0 {
		t.Fatal("--all --json failed")
	}
	validate(t, schema("explain-all.json"), all)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"explain", "BF15"}, "did you mean BF105"},
		{[]string{"explain", "QQQQQQQQ"}, "explain --all lists every code"},
		{[]string{"explain"}, "accepts 1 arg"},
		{[]string{"explain", "--all", "TF105"}, "unknown command"},
	} {
		_, errw, code := runCLI(t, c.args...)
		if code != exitUsage || !strings.Contains(errw, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errw, c.want)
		}
	}
}

func inDoubtFromTable() string {
	c, _ := client.ExplainCode(client.TxObserved)
	return c.Words
}

package cmd

import (
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// placeholder is what a flag's value may be called in help: a type name
// (string, duration …) or a metavariable in capitals (URL, ID=PUBKEY.pem).
var placeholder = regexp.MustCompile(`^([a-z][a-zA-Z0-9]*|[A-Z][A-Za-z0-9_=.:/-]*)$`)

// TestFlagHelpNamesValues: pflag takes a back-quoted word in a flag's usage
// as the name of its value, so "a `malipo sim`" printed
// "--base-url malipo sim   IntaSend API base URL". Every flag of every
// command must name its value with a placeholder.
func TestFlagHelpNamesValues(t *testing.T) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		check := func(f *pflag.Flag) {
			name, usage := pflag.UnquoteUsage(f)
			if name != "" && !placeholder.MatchString(name) {
				t.Errorf("%s --%s: value shown as %q (usage %q)", c.CommandPath(), f.Name, name, usage)
			}
		}
		c.LocalFlags().VisitAll(check)
		c.PersistentFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd())

	var b strings.Builder
	root := newRootCmd()
	root.SetOut(&b)
	root.SetArgs([]string{"--help"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`--base-url URL\s+IntaSend API base URL \(e\.g\. http://127\.0\.0\.1:8089/api/v1/ for a malipo sim\)`).MatchString(b.String()) {
		t.Errorf("--base-url help:\n%s", b.String())
	}
}

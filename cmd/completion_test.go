package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCompletionScripts: cobra writes a script for each shell.
func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string]string{"bash": "__start_malipo", "zsh": "#compdef malipo", "fish": "complete -c malipo", "powershell": "Register-ArgumentCompleter"} {
		out, errw, code := runCLI(t, "completion", shell)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("completion %s: exit %d %s; lacks %q", shell, code, errw, want)
		}
	}
}

// wordsByRef loads bash-completion's _get_comp_words_by_ref, which
// cobra's script calls, or (where the package is not installed) a minimal
// one: the words split on blanks only, as COMP_WORDS already are here.
const wordsByRef = `for f in /usr/share/bash-completion/bash_completion /etc/bash_completion /opt/homebrew/etc/profile.d/bash_completion.sh; do
  [ -r "$f" ] && { . "$f"; break; }
done
if ! declare -F _get_comp_words_by_ref >/dev/null; then
  _get_comp_words_by_ref() {
    cur="${COMP_WORDS[COMP_CWORD]}"; prev="${COMP_WORDS[COMP_CWORD-1]}"
    words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD
  }
fi
`

// TestBashCompletion runs the generated bash script in a real bash, as a
// person pressing Tab would: the script calls `malipo __complete` (this
// test binary, through a malipo wrapper on PATH) and fills COMPREPLY.
func TestBashCompletion(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	script, _, code := runCLI(t, "completion", "bash")
	if code != 0 {
		t.Fatal("no bash script")
	}
	if err := os.WriteFile(filepath.Join(dir, "malipo.bash"), []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	wrapper := "#!/bin/sh\nMALIPO_CMD_TEST_MAIN=1 exec '" + os.Args[0] + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "malipo"), []byte(wrapper), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "salaries.csv"), []byte(batchCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line string   // what is typed before Tab
		want []string // among the candidates
		not  []string
	}{
		{"malipo pay", []string{"payouts"}, nil},
		{"malipo payouts ", []string{"approve", "check", "draft", "history", "initiate", "status"}, nil},
		{"malipo payouts initiate salaries.csv --ra", []string{"--rail"}, nil},
		{"malipo payouts initiate salaries.csv --rail ", []string{"MPESA-B2C", "PESALINK", "AIRTIME"}, nil},
		{"malipo payouts approve 5ZXL8QW --con", []string{"--confirm"}, nil},
		{"malipo refund NR5XKGY 500 --reason d", []string{"delayed", "duplicate"}, []string{"other"}},
		{"malipo stk-", []string{"stk-push"}, nil},
		{"malipo mcp --allow", []string{"--allow-money", "--allow-live-env"}, nil},
		{"malipo completion ", []string{"bash", "zsh", "fish"}, nil},
		{"malipo payouts check ", []string{"salaries.csv"}, []string{"notes.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			prog := wordsByRef + `source ./malipo.bash
line="$1"
read -r -a COMP_WORDS <<< "$line"
[[ "$line" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMP_LINE="$line"; COMP_POINT=${#line}
__start_malipo
printf '%s\n' "${COMPREPLY[@]}"`
			cmd := exec.Command(bash, "--norc", "--noprofile", "-c", prog, "bash", tt.line)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("bash: %v\n%s", err, out)
			}
			got := strings.Fields(string(out))
			for _, w := range tt.want {
				if !slices.ContainsFunc(got, func(g string) bool { return strings.TrimSpace(g) == w }) {
					t.Errorf("%q completes to %q; want %q among them", tt.line, got, w)
				}
			}
			for _, n := range tt.not {
				if slices.Contains(got, n) {
					t.Errorf("%q offers %q: %q", tt.line, n, got)
				}
			}
		})
	}
}

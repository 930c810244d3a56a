package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

// RunOptions say where a console program runs: the local terminal (zero
// value) or an SSH session (Input, Output, Environ, size and profile from
// the session).
type RunOptions struct {
	// NoColor drops colours (--no-color). NO_COLOR in Environ (or the
	// process environment) is honoured by Bubble Tea's detection already.
	NoColor bool
	// ColorProfile forces a profile (SSH sessions detect theirs per session).
	ColorProfile *colorprofile.Profile
	// Input and Output default to the process's terminal.
	Input  io.Reader
	Output io.Writer
	// Environ is the client's environment (TERM, NO_COLOR, …) for
	// detection; nil means the process's.
	Environ []string
	// Width and Height seed the size before the first resize message.
	Width, Height int
	// Extra are appended last (for example wish's middleware options).
	Extra []tea.ProgramOption
}

// ProgramOptions turns RunOptions into Bubble Tea options. `--no-color`
// selects the Ascii profile: colours go, bold, underline and reverse stay
// (NoTTY would strip those too, and the selection would vanish).
func ProgramOptions(ctx context.Context, o RunOptions) []tea.ProgramOption {
	opts := []tea.ProgramOption{tea.WithContext(ctx)}
	if o.Input != nil {
		opts = append(opts, tea.WithInput(o.Input))
	}
	if o.Output != nil {
		opts = append(opts, tea.WithOutput(o.Output))
	}
	if o.Environ != nil {
		opts = append(opts, tea.WithEnvironment(o.Environ))
	}
	switch {
	case o.NoColor:
		opts = append(opts, tea.WithColorProfile(colorprofile.Ascii))
	case o.ColorProfile != nil:
		opts = append(opts, tea.WithColorProfile(*o.ColorProfile))
	}
	if o.Width > 0 && o.Height > 0 {
		opts = append(opts, tea.WithWindowSize(o.Width, o.Height))
	}
	return append(opts, o.Extra...)
}

// NewProgram builds the Bubble Tea program for m. The caller runs it and
// calls m.Close afterwards; Run does both.
func NewProgram(ctx context.Context, m *Model, o RunOptions) *tea.Program {
	return tea.NewProgram(m, ProgramOptions(ctx, o)...)
}

// Run runs the console until the user quits or ctx ends, then releases
// what the shell started. A cancelled context is a normal end, not an error.
//
// The console's requests derive from a context cancelled when Run returns,
// so none outlives the program. What the views left pending (ExitNotes) is
// printed once the console's screen is gone: to Output when set, else to
// stderr.
func Run(ctx context.Context, m *Model, o RunOptions) error {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	m.c.Ctx = runCtx
	_, err := NewProgram(runCtx, m, o).Run()
	cancel()
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	out := o.Output
	if out == nil {
		out = os.Stderr
	}
	PrintExitNotes(out, m.ExitNotes())
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// PrintExitNotes writes each note's lines prefixed "malipo: ", so what was
// left pending is the last thing on the terminal.
func PrintExitNotes(w io.Writer, notes []string) {
	for _, n := range notes {
		for _, l := range strings.Split(n, "\n") {
			fmt.Fprintln(w, "malipo: "+l)
		}
	}
}

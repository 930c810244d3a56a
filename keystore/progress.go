package keystore

import (
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// Progress reports slow work: it is called as the work starts, with what
// is being done ("unlocking secrets-default.age"), and the function it
// returns is called when the work ends.
type Progress func(what string) (stop func())

// spinnerFrames turn once per SpinnerInterval.
var spinnerFrames = [...]string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// SpinnerInterval is how often the spinner moves.
const SpinnerInterval = 100 * time.Millisecond

// Spinner draws "⠋ what…" on w, turning every interval, and erases the
// line when the work ends. This is the command line before the console
// starts (no Bubble Tea program exists yet), so a goroutine draws; stop
// waits for it, so nothing is written after stop returns.
func Spinner(w io.Writer, interval time.Duration) Progress {
	return func(what string) func() {
		draw := func(i int) { fmt.Fprintf(w, "\r%s %s…", spinnerFrames[i%len(spinnerFrames)], what) }
		draw(0) // at once: the first frame must not wait for a tick
		done, finished := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(finished)
			t := time.NewTicker(interval)
			defer t.Stop()
			for i := 1; ; i++ {
				select {
				case <-done:
					return
				case <-t.C:
					draw(i)
				}
			}
		}()
		return func() {
			close(done)
			<-finished
			fmt.Fprint(w, "\r\x1b[K")
		}
	}
}

// TerminalSpinner is Spinner on w when w is a terminal, else nil (no
// progress: escape codes would only litter a log or a pipe).
func TerminalSpinner(w io.Writer) Progress {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return Spinner(w, SpinnerInterval)
}

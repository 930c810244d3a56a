// Package teabase is the baseline the SSH benchmarks measure malipo
// against: a minimal Bubble Tea program served over wish the way `malipo
// serve` serves the console (same host key type, same Bubble Tea
// middleware, any PTY), which swaps two full screens of text on 1 and 2.
// What it costs per key, per idle session and per login is what any
// Bubble Tea program costs over SSH; malipo's figures are read as a ratio
// to it (docs/performance.md). Only tests import it.
package teabase

import (
	"bytes"
	"fmt"
	"net"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	bm "charm.land/wish/v2/bubbletea"
)

// The words the client waits for: every letter differs between them, so
// the renderer, which sends only changed cells, sends each whole.
const (
	// First is on screen 1, shown at login and after 1.
	First = "FIRST"
	// Second is on screen 2, shown after 2.
	Second = "OCEAN"
)

// Serve serves the baseline program on ln with the host key hostPEM,
// accepting any public key, until the returned server is closed.
func Serve(ln net.Listener, hostPEM []byte) (*ssh.Server, error) {
	srv, err := wish.NewServer(
		wish.WithHostKeyPEM(hostPEM),
		wish.WithPublicKeyAuth(func(ssh.Context, ssh.PublicKey) bool { return true }),
		wish.WithMiddleware(bm.Middleware(func(ssh.Session) (tea.Model, []tea.ProgramOption) {
			return Model{screen: 1}, []tea.ProgramOption{tea.WithoutSignalHandler()}
		})),
	)
	if err != nil {
		return nil, err
	}
	go func() { _ = srv.Serve(ln) }()
	return srv, nil
}

// Model is the baseline program: two full 100x30 screens of text, 1 and 2
// switch between them, q quits.
type Model struct{ screen int }

// Init starts nothing: the program waits for keys.
func (m Model) Init() tea.Cmd { return nil }

// Update switches screens on 1 and 2 and quits on q.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "1":
			m.screen = 1
		case "2":
			m.screen = 2
		case "q":
			return m, tea.Quit
		}
	}
	return m, nil
}

// View is the screen: 30 rows, each the screen's word, its number and a
// run of one letter to the 99th column.
func (m Model) View() tea.View {
	var s bytes.Buffer
	name := map[int]string{1: First, 2: Second}[m.screen]
	for row := range 30 {
		line := fmt.Sprintf("%s %02d: ", name, row)
		s.WriteString(line + strings.Repeat(string(rune('a'+(row+m.screen)%26)), 99-len(line)))
		if row < 29 {
			s.WriteByte('\n')
		}
	}
	v := tea.NewView(s.String())
	v.AltScreen = true
	return v
}

package bankpicker

import (
	"fmt"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/malipo/malipo/client"
)

// BenchmarkBankFilterKeystroke is one keystroke in the filter over the
// full list: the key through Update (text input, fuzzy match, exact-code
// pass, cursor reset) and the frame drawn after it. Each iteration types
// "u" after "eq" or deletes it again, so every op changes the query.
// The list is the simulator's (IntaSend's 36 banks); "x1000" is a made-up
// list of 1,000 to show how it scales.
func BenchmarkBankFilterKeystroke(b *testing.B) {
	f := newFixture(b)
	real := f.picker(b, f.cache(), 80, 20).Banks()
	big := make([]client.Bank, 1000)
	for i := range big {
		bk := real[i%len(real)]
		big[i] = client.Bank{Name: fmt.Sprintf("%s %d", bk.Name, i), Code: fmt.Sprint(100 + i)}
	}
	for _, tc := range []struct {
		name  string
		banks []client.Bank
	}{{"banks=36", real}, {"banks=1000", big}} {
		b.Run(tc.name, func(b *testing.B) {
			p := New(f.c, NewCache(WithPath("")))
			p.SetSize(80, 20)
			p.Focus()
			p, _ = p.Update(LoadedMsg{Banks: tc.banks, Source: FromNetwork})
			typeText(&p, "eq")
			keys := []tea.KeyPressMsg{{Code: 'u', Text: "u"}, {Code: tea.KeyBackspace}}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				p, _ = p.Update(keys[i%2])
				_ = p.View()
			}
		})
	}
}

package sim

import "fmt"

// STUB (sim-A): demo data and the live generator of incoming collections.
func (s *Server) seed() {}

func (s *Server) startGenerator() {}

// randomPhone makes a plausible Safaricom number that is never a magic one.
func (s *Server) randomPhone() string {
	prefixes := []string{"70", "71", "72", "74", "79", "11"}
	for {
		p := fmt.Sprintf("254%s%07d", prefixes[s.rng.IntN(len(prefixes))], s.rng.IntN(10_000_000))
		if _, magic := magicPhones[p]; !magic {
			return p
		}
	}
}

package sim

// STUB (sim-A): bank codes.
type bank struct {
	Name string `json:"bank_name"`
	Code string `json:"bank_code"`
}

func defaultBanks() []bank { return nil }

func (s *Server) routesBanks() {}

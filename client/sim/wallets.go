package sim

// STUB (sim-A): wallets endpoints.
func (s *Server) routesWallets() {}

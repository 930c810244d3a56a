package sim

// STUB (sim-A): account transactions endpoints.
func (s *Server) routesTransactions() {}

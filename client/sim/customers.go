package sim

// STUB (sim-A): customers.
func (s *Server) routesCustomers() {}

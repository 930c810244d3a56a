package sim

// STUB (sim-A): demo data and the live generator of incoming collections.
func (s *Server) seed() {}

func (s *Server) startGenerator() {}

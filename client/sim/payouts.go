package sim

// STUB (sim-B): send-money initiate/approve/status/cancel.
type payState struct{}

func (st *payState) init() {}

func (s *Server) routesPayouts() {}

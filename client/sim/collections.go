package sim

// STUB (sim-A): checkout, STK push, payment status.
type collState struct{}

func (st *collState) init() {}

func (s *Server) routesCollections() {}

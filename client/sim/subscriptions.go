package sim

// STUB (sim-A): subscriptions.
type subState struct{}

func (st *subState) init() {}

func (s *Server) routesSubscriptions() {}

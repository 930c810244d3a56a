package sim

// STUB (sim-A): payment links.
type linkState struct{}

func (st *linkState) init() {}

func (s *Server) routesPaymentLinks() {}

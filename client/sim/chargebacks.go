package sim

// STUB (sim-A): chargebacks.
type refundState struct{}

func (st *refundState) init() {}

func (s *Server) routesChargebacks() {}

package sim

// routes registers every endpoint. Each API area registers its own routes
// in its own file.
func (s *Server) routes() {
	s.routesWallets()
	s.routesTransactions()
	s.routesCollections()
	s.routesPayouts()
	s.routesBanks()
	s.routesChargebacks()
	s.routesSubscriptions()
	s.routesPaymentLinks()
	s.routesCustomers()
	s.routesExtras()
	s.routesControl()
	s.routesPages()
}

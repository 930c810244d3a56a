package sim

// PUT subscriptions-plans/{id}/ and PUT subscriptions-customers/{id}/ (OAS
// subscriptionsPlans_update, subscriptionsCustomers_update): a full update
// with the create body's fields and rules; the answer is 200 with the
// updated object. Subscriptions keep pointing at the same plan, so a new
// amount applies from the next charge; charges already made keep theirs.

import "net/http"

func (s *Server) updatePlan(c *reqCtx) {
	in, ok := planFromBody(c)
	if !ok {
		return
	}
	s.lock()
	defer s.mu.Unlock()
	p := s.subs.plans[c.r.PathValue("id")]
	if p == nil {
		c.notFound()
		return
	}
	p.Name, p.Frequency, p.FrequencyUnit = in.Name, in.Frequency, in.FrequencyUnit
	p.BillingCycles, p.Currency, p.Amount = in.BillingCycles, in.Currency, in.Amount
	p.UpdatedAt = s.clock.Now()
	c.json(http.StatusOK, planView(p))
}

func (s *Server) updateSubCustomer(c *reqCtx) {
	in, ok := subCustomerFromBody(c)
	if !ok {
		return
	}
	s.lock()
	defer s.mu.Unlock()
	cu := s.subs.custs[c.r.PathValue("id")]
	if cu == nil {
		c.notFound()
		return
	}
	in.ID, in.CreatedAt, in.UpdatedAt = cu.ID, cu.CreatedAt, s.clock.Now()
	*cu = *in
	c.json(http.StatusOK, subCustomerView(cu))
}

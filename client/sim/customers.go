package sim

// Payment customers (docs/intasend-api.md §2.9): GET customers/, GET customers/{id}/
// and, as the Python SDK calls it, GET customers/{id}/transactions/.
// Customers are created implicitly by STK pushes and checkout payments.

import (
	"strings"
)

func (s *Server) routesCustomers() {
	s.handle("GET", "customers/", authSecret, s.listCustomers)
	s.handle("GET", "customers/{id}/", authSecret, s.getCustomer)
	s.handle("GET", "customers/{id}/transactions/", authSecret, s.customerInvoices)
}

// listCustomers filters on first_name, last_name, phone_number, email and
// country (case-insensitive exact matches), newest first.
func (s *Server) listCustomers(c *reqCtx) {
	q := c.r.URL.Query()
	s.lock()
	defer s.mu.Unlock()
	out := []*customerJSON{}
	for i := len(s.coll.custOrder) - 1; i >= 0; i-- {
		cu := s.coll.custOrder[i]
		match := true
		for _, f := range [][2]string{
			{q.Get("first_name"), cu.FirstName}, {q.Get("last_name"), cu.LastName},
			{q.Get("phone_number"), cu.Phone}, {q.Get("email"), cu.Email}, {q.Get("country"), cu.Country},
		} {
			if f[0] != "" && !strings.EqualFold(f[0], f[1]) {
				match = false
			}
		}
		if match {
			out = append(out, customerView(cu))
		}
	}
	paginate(c, out)
}

func (s *Server) getCustomer(c *reqCtx) { getByID(s, c, s.coll.customers, customerView) }

// customerInvoices lists a customer's invoices, newest first.
func (s *Server) customerInvoices(c *reqCtx) {
	s.lock()
	defer s.mu.Unlock()
	id := c.r.PathValue("id")
	if s.coll.customers[id] == nil {
		c.notFound()
		return
	}
	out := []invoiceJSON{}
	for i := len(s.coll.invOrder) - 1; i >= 0; i-- {
		if inv := s.coll.invOrder[i]; inv.CustomerID == id {
			out = append(out, s.invoiceView(inv))
		}
	}
	paginate(c, out)
}

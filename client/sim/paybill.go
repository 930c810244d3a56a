package sim

// M-Pesa PayBill accounts (OAS mpesaPaybillAccounts_list/create/read):
// GET/POST mpesa-paybill-accounts/, GET mpesa-paybill-accounts/{id}/.
//
// The OAS marks every field read-only ({paybill, account, created_at,
// updated_at}) and reads one by an integer id. The simulator therefore lets
// POST carry an optional paybill (5–7 digits) and assigns the rest: account
// is the next integer account number under IntaSend's simulated PayBill,
// and each answer carries its integer "id" so it can be read back.

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
)

// simPaybill is the PayBill number the simulator lends accounts under when
// the body names none.
const simPaybill = "4075001"

var rePaybill = regexp.MustCompile(`^[0-9]{5,7}$`)

type paybillAccount struct {
	ID                   int64
	Paybill              string
	Account              int64
	CreatedAt, UpdatedAt time.Time
}

type paybillJSON struct {
	ID        int64  `json:"id"`
	Paybill   string `json:"paybill"`
	Account   int64  `json:"account"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func paybillView(p *paybillAccount) paybillJSON {
	return paybillJSON{ID: p.ID, Paybill: p.Paybill, Account: p.Account, CreatedAt: ts(p.CreatedAt), UpdatedAt: ts(p.UpdatedAt)}
}

func (s *Server) createPaybill(c *reqCtx) {
	var b struct {
		Paybill client.FlexString `json:"paybill"`
	}
	if !c.decode(&b) {
		return
	}
	pb := strings.TrimSpace(string(b.Paybill))
	var k checks
	if pb == "" {
		pb = simPaybill
	}
	k.text("paybill", pb, false, 7, rePaybill)
	if k.reply(c) {
		return
	}
	s.lock()
	defer s.mu.Unlock()
	now := s.clock.Now()
	n := int64(len(s.paybills) + 1)
	p := &paybillAccount{ID: n, Paybill: pb, Account: 100_000 + n, CreatedAt: now, UpdatedAt: now}
	s.paybills = append(s.paybills, p)
	c.json(http.StatusCreated, paybillView(p))
}

func (s *Server) listPaybills(c *reqCtx) {
	s.lock()
	defer s.mu.Unlock()
	paginate(c, newestOf(s.paybills, paybillView))
}

func (s *Server) getPaybill(c *reqCtx) {
	s.lock()
	defer s.mu.Unlock()
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil || id < 1 || id > int64(len(s.paybills)) {
		c.notFound()
		return
	}
	c.json(http.StatusOK, paybillView(s.paybills[id-1]))
}

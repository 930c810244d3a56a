package sim

// Demo data (Options.Seed) and the live generator of incoming collections
// (Options.Generator).
//
// Seed: everything is drawn from the simulator's seeded random source with
// times relative to the clock's now, so the same Options.Rand and start time
// give the same data. It loads:
//   - the KES SETTLEMENT wallet ("default") ending at about KES 1,250,000,
//     and WORKING wallets "Payroll" and "Marketing" (can disburse) and
//     "Reserve", with 30 days of statement lines: an opening balance,
//     collections (SALE + CHARGE), supplier payouts (PAYOUT + CHARGE),
//     transfers between wallets (ADJUSTMENT), salaries out of Payroll;
//   - ~200 past collections (about 85% M-Pesa, the rest card; about 12%
//     FAILED with realistic reasons) from ~40 returning customers;
//   - chargebacks: two COMPLETED, one DISPUTED, one PENDING (completes two
//     days after it was raised);
//   - subscription plans, customers and subscriptions that are ACTIVE (with
//     past charges and the next one scheduled), PENDING (setup never
//     finished), CANCELED and COMPLETED;
//   - two payment links.
// Past payout batches are sim-B's (payouts.go); the seed only writes the
// ledger lines such payouts leave.
//
// Generator: about every Timing.Generator (jittered) a customer pays in:
// KES 50–5,000 mostly (a few larger), ~85% M-Pesa STK, the rest card, through
// the same PENDING → PROCESSING → COMPLETE | FAILED machine, crediting the
// settlement wallet. Events run lazily when requests arrive, so after a long
// quiet spell the generator skips ahead and makes at most genBacklog
// collections for the gap, keeping the next request fast.

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/malipo/malipo/client"
)

// genBacklog caps how many collections the generator makes for one gap.
const genBacklog = 50

var (
	demoFirstNames = []string{"Grace", "Brian", "Faith", "Kevin", "Mercy", "Dennis", "Joy", "Collins", "Esther",
		"Victor", "Ann", "Peter", "Sharon", "James", "Lucy", "Samuel", "Purity", "Daniel", "Caroline", "Joseph",
		"Winnie", "Felix", "Naliaka", "Wanjiru", "Achieng", "Chebet", "Moraa", "Akinyi", "Kiprop", "Mutua"}
	demoLastNames = []string{"Kamau", "Otieno", "Mwangi", "Wanjiku", "Ochieng", "Kiprotich", "Mutua", "Njoroge",
		"Omondi", "Kariuki", "Wambua", "Cheruiyot", "Onyango", "Kimani", "Barasa", "Wafula", "Nyaga", "Koech",
		"Auma", "Githinji"}
	demoSuppliers = []string{"Twiga Foods", "Kens Packaging", "Nairobi Printers", "Mombasa Freight", "Rift Valley Dairy",
		"Savannah Hardware", "Lakeside Logistics", "Kilimani Office Supplies"}
)

// randomPhone makes a plausible Safaricom number that is never a magic one.
func (s *Server) randomPhone() string {
	prefixes := []string{"70", "71", "72", "74", "79", "11"}
	for {
		p := fmt.Sprintf("254%s%07d", prefixes[s.rng.IntN(len(prefixes))], s.rng.IntN(10_000_000))
		if _, magic := magicPhones[p]; !magic {
			return p
		}
	}
}

// demoPerson is a customer of the demo business.
type demoPerson struct{ first, last, phone, email string }

func (s *Server) newDemoPerson() demoPerson {
	first := demoFirstNames[s.rng.IntN(len(demoFirstNames))]
	last := demoLastNames[s.rng.IntN(len(demoLastNames))]
	email := fmt.Sprintf("%s.%s%d@example.com", strings.ToLower(first), strings.ToLower(last), s.rng.IntN(100))
	return demoPerson{first, last, s.randomPhone(), email}
}

// demoAmount draws a collection: mostly KES 50–5,000, a few larger; card
// payments carry cents.
func (s *Server) demoAmount(provider string) client.Amount {
	var units int64
	switch r := s.rng.Float64(); {
	case r < 0.70:
		units = 50 + s.rng.Int64N(1450)
	case r < 0.95:
		units = 1500 + s.rng.Int64N(3500)
	default:
		units = 5000 + s.rng.Int64N(20000)
	}
	if units > 200 && s.rng.IntN(2) == 0 {
		units -= units % 50
	}
	a := client.Units(units)
	if provider == "CARD-PAYMENT" {
		a += client.Cents(s.rng.Int64N(100))
	}
	return a
}

// demoProvider is M-Pesa about 85% of the time, else card.
func (s *Server) demoProvider() string {
	if s.rng.Float64() < 0.85 {
		return "M-PESA"
	}
	return "CARD-PAYMENT"
}

// demoCollection creates an invoice for person paying amount at time at.
func (s *Server) demoCollection(p demoPerson, provider string, amount client.Amount, at time.Time) *invoice {
	account := p.phone
	if provider == "CARD-PAYMENT" {
		account = p.email
	}
	cust := s.customerFor(p.phone, p.email, p.first, p.last, provider, at)
	apiRef := ""
	if s.rng.IntN(3) > 0 {
		apiRef = fmt.Sprintf("ORDER-%05d", s.rng.IntN(100_000))
	}
	return s.newInvoice(invoiceSpec{provider: provider, currency: "KES", account: account, apiRef: apiRef,
		amount: amount, cust: cust}, at)
}

// ---- seed ----

// seedEvent is one dated step of the demo history; steps are applied in
// time order so statement lines and running balances are consistent.
type seedEvent struct {
	at    time.Time
	apply func(at time.Time)
}

func (s *Server) seed() {
	now := s.clock.Now()
	start := now.AddDate(0, 0, -30)
	settle := s.settlementWallet("KES")
	settle.CreatedAt, settle.UpdatedAt = now.AddDate(-1, 0, 0), now.AddDate(-1, 0, 0)
	payroll := s.addWallet("Payroll", "KES", "WORKING", true, now.AddDate(0, -6, 0))
	marketing := s.addWallet("Marketing", "KES", "WORKING", true, now.AddDate(0, -4, 0))
	reserve := s.addWallet("Reserve", "KES", "WORKING", false, now.AddDate(0, -2, 0))

	// A provisional opening balance keeps every step solvent; it is trued
	// up at the end so the settlement wallet lands near the target.
	opening, _ := s.post(settle, client.Units(5_000_000), "ADJUSTMENT", "AVAILABLE", "Opening balance", "", start.Add(-time.Hour))

	var evs []seedEvent
	add := func(at time.Time, f func(time.Time)) { evs = append(evs, seedEvent{at, f}) }
	day := func(d int, hour int) time.Time { // d days before now, at about hour o'clock
		return now.AddDate(0, 0, -d).Add(-time.Duration(now.In(nairobi).Hour()-hour) * time.Hour).
			Add(time.Duration(s.rng.IntN(3600)) * time.Second)
	}
	paid := s.seedCollections(start, now, add)
	s.seedChargebacks(paid, now, add)
	s.seedMoneyOut(settle, payroll, marketing, reserve, day, add)
	after := s.seedSubscriptions(now, add)
	for len(evs) > 0 { // earliest first; steps may add later steps
		i := 0
		for j := range evs {
			if evs[j].at.Before(evs[i].at) {
				i = j
			}
		}
		ev := evs[i]
		evs = slices.Delete(evs, i, i+1)
		if ev.at.Before(now) {
			ev.apply(ev.at)
		}
	}
	after()
	s.seedLinks(now)
	s.trueUpOpening(settle, opening, client.Units(1_250_000)+client.Cents(s.rng.Int64N(100_000_00)))
}

// paidSeed is a seeded collection that will complete: its invoice exists
// once its step has been applied.
type paidSeed struct {
	at  time.Time
	inv **invoice
}

// seedCollections adds ~200 past collections over the 30 days and returns
// the successful ones in time order.
func (s *Server) seedCollections(start, now time.Time, add func(time.Time, func(time.Time))) []paidSeed {
	people := make([]demoPerson, 40)
	for i := range people {
		people[i] = s.newDemoPerson()
	}
	span := now.Sub(start) - 10*time.Minute
	var paid []paidSeed
	for range 200 {
		at := start.Add(time.Duration(s.rng.Int64N(int64(span))))
		p := people[s.rng.IntN(len(people))]
		provider := s.demoProvider()
		amount := s.demoAmount(provider)
		var f *failure
		if s.rng.Float64() < 0.12 {
			list := mpesaFailures
			if provider != "M-PESA" {
				list = cardFailures
			}
			f = &list[s.rng.IntN(len(list))]
		}
		ref := new(*invoice)
		if f == nil {
			paid = append(paid, paidSeed{at, ref})
		}
		add(at, func(at time.Time) {
			inv := s.demoCollection(p, provider, amount, at.Add(-25*time.Second))
			inv.State = "PROCESSING"
			s.settleInvoice(inv, f, at, false)
			*ref = inv
		})
	}
	slices.SortStableFunc(paid, func(a, b paidSeed) int { return a.at.Compare(b.at) })
	return paid
}

// seedMoneyOut adds supplier payouts, wallet top-ups and salaries.
func (s *Server) seedMoneyOut(settle, payroll, marketing, reserve *wallet, day func(int, int) time.Time, add func(time.Time, func(time.Time))) {
	payout := func(w *wallet, amount client.Amount, who string) func(time.Time) {
		ref := s.newID(7)
		fee := client.Units(10 + s.rng.Int64N(90))
		return func(at time.Time) {
			if _, err := s.post(w, -amount, "PAYOUT", "AVAILABLE", fmt.Sprintf("Payout %s to %s", ref, who), "", at); err == nil {
				_, _ = s.post(w, -fee, "CHARGE", "AVAILABLE", "Payout charges "+ref, "", at)
			}
		}
	}
	transfer := func(from, to *wallet, amount client.Amount, narrative string) func(time.Time) {
		return func(at time.Time) {
			if _, err := s.post(from, -amount, "ADJUSTMENT", "AVAILABLE", narrative, "", at); err == nil {
				_, _ = s.post(to, amount, "ADJUSTMENT", "AVAILABLE", narrative, "", at)
			}
		}
	}
	for d := 29; d > 0; d -= 2 + s.rng.IntN(3) { // supplier payments every few days
		amount := client.Units(15_000 + s.rng.Int64N(45_000))
		add(day(d, 11), payout(settle, amount, demoSuppliers[s.rng.IntN(len(demoSuppliers))]))
	}
	for _, d := range []int{28, 5} { // salaries: fund Payroll, pay six people the next day
		add(day(d, 9), transfer(settle, payroll, client.Units(180_000), "Payroll funding"))
		for range 6 {
			p := s.newDemoPerson()
			add(day(d-1, 10), payout(payroll, client.Units(22_000+s.rng.Int64N(6_000)), p.first+" "+p.last))
		}
	}
	add(day(20, 14), transfer(settle, marketing, client.Units(60_000), "Marketing budget"))
	for d := 18; d > 1; d -= 4 {
		add(day(d, 15), payout(marketing, client.Units(4_000+s.rng.Int64N(6_000)), "Ad campaign"))
	}
	add(day(15, 16), transfer(settle, reserve, client.Units(250_000), "Monthly reserve"))
	add(day(2, 16), transfer(settle, reserve, client.Units(100_000), "Top up reserve"))
}

// trueUpOpening changes the provisional opening balance so the wallet ends
// near target, shifting every running balance after it, without letting any
// running balance go below zero.
func (s *Server) trueUpOpening(w *wallet, opening *walletTx, target client.Amount) {
	if opening == nil {
		return
	}
	delta := target - w.Current
	lowest := w.Current
	for _, t := range w.Tx {
		lowest = min(lowest, t.RunningBalance)
	}
	if lowest+delta < 0 {
		delta = -lowest
	}
	opening.Value += delta
	for _, t := range w.Tx {
		t.RunningBalance += delta
	}
	w.Current += delta
	w.Available += delta
}

// seedChargebacks raises four refunds on past collections: two COMPLETED,
// one DISPUTED, one still PENDING (it completes two days after it was raised).
func (s *Server) seedChargebacks(paid []paidSeed, now time.Time, add func(time.Time, func(time.Time))) {
	n := len(paid)
	if n < 8 {
		return
	}
	type spec struct {
		p               paidSeed
		reason, details string
		end             string // COMPLETED, DISPUTED or PENDING
		half            bool
	}
	for i, sp := range []spec{
		{paid[n/5], "Duplicate payment", "Customer paid twice for the same order", "COMPLETED", false},
		{paid[n/3], "Delayed delivery", "Order arrived a week late", "COMPLETED", true},
		{paid[n/2], "Wrong service", "Customer says the wrong size was delivered", "DISPUTED", false},
		{paid[n-3], "Unavailable service", "Item out of stock after payment", "PENDING", false},
	} {
		at := sp.p.at.Add(time.Duration(2+i) * time.Hour)
		if sp.end == "PENDING" || !at.Before(now) {
			at = now.Add(-30 * time.Minute)
		}
		add(at, func(at time.Time) {
			inv := *sp.p.inv
			amount := inv.Value
			if sp.half {
				amount = inv.Value / 2
			}
			cb, err := s.newChargeback(inv, amount, sp.reason, sp.details, at)
			if err != nil {
				return
			}
			switch sp.end {
			case "COMPLETED":
				add(at.Add(3*time.Hour), func(done time.Time) { s.completeChargeback(cb, done) })
			case "DISPUTED":
				add(at.Add(26*time.Hour), func(done time.Time) { s.disputeChargeback(cb, done) })
			default:
				s.at(at.Add(48*time.Hour), func(done time.Time) { s.completeChargeback(cb, done) })
			}
		})
	}
}

// seedSubscriptions loads plans, customers and subscriptions in every state;
// past charges are steps of the history. The returned func, run after the
// history, cancels what must end CANCELED and schedules the next charges.
func (s *Server) seedSubscriptions(now time.Time, add func(time.Time, func(time.Time))) func() {
	gold := &plan{Name: "Gold Monthly", Frequency: 1, FrequencyUnit: "M", Currency: "KES", Amount: client.Units(2_500)}
	box := &plan{Name: "Weekly Veg Box", Frequency: 1, FrequencyUnit: "W", BillingCycles: 12, Currency: "KES", Amount: client.Units(800)}
	trial := &plan{Name: "Three Week Trial", Frequency: 1, FrequencyUnit: "W", BillingCycles: 3, Currency: "KES", Amount: client.Units(500)}
	for _, p := range []*plan{gold, box, trial} {
		s.addPlan(p, now.AddDate(0, -3, 0))
	}
	type spec struct {
		p        *plan
		daysAgo  int
		status   string // final status wanted
		cancelAt int    // days ago, for CANCELED
	}
	var finish []func()
	for _, sp := range []spec{
		{gold, 29, "ACTIVE", 0}, {gold, 22, "ACTIVE", 0}, {gold, 11, "ACTIVE", 0},
		{box, 25, "ACTIVE", 0}, {box, 28, "CANCELED", 15}, {trial, 27, "COMPLETED", 0}, {gold, 0, "PENDING", 0},
	} {
		p := s.newDemoPerson()
		created := now.AddDate(0, 0, -sp.daysAgo).Add(-2 * time.Hour)
		cu := &subCustomer{Email: p.email, FirstName: p.first, LastName: p.last, Country: "KE",
			Reference: fmt.Sprintf("CUST-%04d", s.rng.IntN(10_000))}
		s.addSubCustomer(cu, created.Add(-time.Hour))
		day, _ := parseDay(created.In(nairobi).Format("2006-01-02"))
		sb := s.addSubscription(cu, sp.p, day, "", "", s.defaultHost(), created)
		if sp.status == "PENDING" { // the customer never finished setup
			continue
		}
		sb.Status, sb.UpdatedAt = "ACTIVE", created.Add(10*time.Minute)
		stop := now
		if sp.status == "CANCELED" {
			stop = now.AddDate(0, 0, -sp.cancelAt)
		}
		for t, n := sb.UpdatedAt, 0; t.Before(stop) && n < 100; t, n = sp.p.next(t), n+1 {
			add(t, func(at time.Time) { s.charge(sb, at, false) })
		}
		finish = append(finish, func() {
			switch {
			case sp.status == "CANCELED":
				sb.Status, sb.NextBilling, sb.UpdatedAt = "CANCELED", time.Time{}, stop
			case sb.Status == "ACTIVE":
				s.scheduleCharge(sb, sb.NextBilling)
			}
		})
	}
	return func() {
		for _, f := range finish {
			f()
		}
	}
}

// seedLinks adds two payment links.
func (s *Server) seedLinks(now time.Time) {
	host := s.defaultHost()
	for i, l := range []*payLink{
		{Title: "Donations", Currency: "KES", MobileTariff: "BUSINESS-PAYS", CardTariff: "BUSINESS-PAYS", IsActive: true},
		{Title: "Workshop ticket", Currency: "KES", Amount: 1500, UsageLimit: 50, MobileTariff: "CUSTOMER-PAYS", CardTariff: "BUSINESS-PAYS", IsActive: true},
	} {
		at := now.AddDate(0, 0, -40+10*i)
		l.ID, l.CreatedAt, l.UpdatedAt = s.newUUID(), at, at
		l.URL = host + "/pay/" + l.ID + "/"
		l.QRCode = host + "/media/qrcodes/" + l.ID + ".png"
		s.links.byID[l.ID] = l
		s.links.order = append(s.links.order, l)
	}
}

// ---- generator ----

func (s *Server) startGenerator() {
	s.genArm(s.clock.Now())
}

func (s *Server) genArm(from time.Time) {
	s.at(from.Add(s.jitter(s.opts.Timing.Generator)), s.generate)
}

// generate makes one incoming collection at time at and re-arms itself.
func (s *Server) generate(at time.Time) {
	window := time.Duration(genBacklog) * s.opts.Timing.Generator
	if now := s.clock.Now(); now.Sub(at) > window {
		s.at(now.Add(-window), s.generate) // skip the quiet spell
		return
	}
	var p demoPerson
	if known := s.coll.custOrder; len(known) > 0 && s.rng.IntN(5) < 2 {
		c := known[s.rng.IntN(len(known))]
		p = demoPerson{c.FirstName, c.LastName, c.Phone, c.Email}
	} else {
		p = s.newDemoPerson()
	}
	provider := s.demoProvider()
	if provider == "CARD-PAYMENT" && p.email == "" {
		provider = "M-PESA"
	}
	if provider == "M-PESA" && p.phone == "" {
		p.phone = s.randomPhone()
	}
	inv := s.demoCollection(p, provider, s.demoAmount(provider), at)
	s.runInvoice(inv, at)
	s.genArm(at)
}

package settle_test

import (
	"testing"
	"time"

	"github.com/malipo/malipo/client"
	"github.com/malipo/malipo/internal/testcheck"
	"github.com/malipo/malipo/settle"
)

var eat = time.FixedZone("EAT", 3*3600)

func line(id string, at time.Time, typ string, value, running string, inv *client.Invoice, narrative string) client.WalletTransaction {
	return client.WalletTransaction{ID: id, CreatedAt: at, TransType: typ, Value: client.MustAmount(value),
		RunningBalance: client.MustAmount(running), Invoice: inv, Narrative: narrative}
}

// TestBuild: lines (newest first, as IntaSend lists them) grouped per day;
// empty days carry the balance; a running balance that disagrees with the
// values is caught.
func TestBuild(t *testing.T) {
	d0 := time.Date(2026, 3, 1, 0, 0, 0, 0, eat)
	mp := &client.Invoice{ID: "I1", Provider: "M-PESA"}
	lines := []client.WalletTransaction{ // newest first
		line("T6", d0.Add(80*time.Hour), "SALE", "5", "1005", mp, ""),                          // after the window
		line("T5", d0.Add(49*time.Hour), "ADJUSTMENT", "-10", "999.99", nil, "Top up reserve"), // 1 cent off
		line("T4", d0.Add(10*time.Hour), "ADJUSTMENT", "-30", "1010", mp, "Refund of invoice I1"),
		line("T3", d0.Add(10*time.Hour), "CHARGE", "-5", "1040", nil, "Charge: payout"),
		line("T2", d0.Add(10*time.Hour), "CHARGE", "-3", "1045", mp, "Collection charges"),
		line("T1", d0.Add(10*time.Hour), "SALE", "100", "1048", mp, ""),
	}
	s := settle.Build("W", "KES", lines, client.Units(1005), d0, d0.AddDate(0, 0, 3))
	if len(s.Days) != 3 {
		t.Fatalf("%d days", len(s.Days))
	}
	d := s.Days[0]
	testcheck.Check(t, "day 1", d, testcheck.C("opening 948", d.Opening == client.Units(948)), testcheck.C("closing 1010", d.Closing == client.Units(1010)),
		testcheck.C("net 62", d.Net == client.Units(62)), testcheck.C("adds up", d.AddsUp),
		testcheck.C("M-Pesa collections 100", d.Amount(settle.Collections("M-PESA")) == client.Units(100)),
		testcheck.C("collection charges -3", d.Amount(settle.CollectionCharges) == client.Units(-3)),
		testcheck.C("payout charges -5", d.Amount(settle.PayoutCharges) == client.Units(-5)), testcheck.C("refunds -30", d.Amount(settle.Refunds) == client.Units(-30)))
	e := s.Days[1]
	testcheck.Check(t, "empty day", e, testcheck.C("opening 1010", e.Opening == client.Units(1010)), testcheck.C("closing 1010", e.Closing == client.Units(1010)),
		testcheck.C("no categories", len(e.Categories) == 0), testcheck.C("adds up", e.AddsUp))
	e = s.Days[2]
	testcheck.Check(t, "day 3 (off by a cent)", e, testcheck.C("does not add up", !e.AddsUp), testcheck.C("net -10", e.Net == client.Units(-10)),
		testcheck.C("movement -10.01", e.Movement == client.MustAmount("-10.01")), testcheck.C("transfers out -10", e.Amount(settle.TransfersOut) == client.Units(-10)))
	testcheck.Check(t, "total", s.Total, testcheck.C("net 52", s.Total.Net == client.Units(52)), testcheck.C("opening 948", s.Total.Opening == client.Units(948)))
}

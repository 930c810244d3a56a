// Package payout is the batch domain shared by the console and the CLI:
// rails and their per-row rules, CSV import, drafts, the crash-safe
// journal with its duplicate guard, and results export. It imports no UI.
//
// The per-row rules mirror the simulator's validation of
// send-money/initiate/ (client/sim/payouts_validate.go), which follows
// IntaSend's OpenAPI schema: anything this package accepts, IntaSend (and
// the simulator) accepts.
package payout

import (
	"fmt"
	"strings"

	"github.com/malipo/malipo/client"
)

// Rail is a send-money provider (IntaSend's "provider" field).
type Rail string

// The five rails, spelled as IntaSend wants them.
const (
	B2C      Rail = client.MPesaB2C
	B2B      Rail = client.MPesaB2B
	PesaLink Rail = client.PesaLink
	P2P      Rail = client.IntaSendP2P
	Airtime  Rail = client.Airtime
)

// MaxRows is IntaSend's tested ceiling of transactions per batch.
const MaxRows = 5000

// Rails lists every rail in the order pickers show them.
func Rails() []Rail { return []Rail{B2C, B2B, PesaLink, P2P, Airtime} }

var railAliases = map[string]Rail{
	"mpesa-b2c": B2C, "b2c": B2C, "mpesa": B2C, "m-pesa": B2C,
	"mpesa-b2b": B2B, "b2b": B2B, "paybill": B2B, "till": B2B,
	"pesalink": PesaLink, "bank": PesaLink,
	"intasend": P2P, "p2p": P2P,
	"airtime": Airtime,
}

// ParseRail reads a rail by its IntaSend name or an alias (b2c, b2b, bank,
// p2p, airtime), ignoring case.
func ParseRail(s string) (Rail, error) {
	if r, ok := railAliases[strings.ToLower(strings.TrimSpace(s))]; ok {
		return r, nil
	}
	return "", fmt.Errorf("unknown rail %q: use MPESA-B2C (b2c), MPESA-B2B (b2b), PESALINK (bank), INTASEND (p2p) or AIRTIME", s)
}

// String is the IntaSend name.
func (r Rail) String() string { return string(r) }

// Label is the name people know the rail by.
func (r Rail) Label() string {
	switch r {
	case B2C:
		return "M-Pesa B2C"
	case B2B:
		return "M-Pesa B2B"
	case PesaLink:
		return "PesaLink bank"
	case P2P:
		return "IntaSend P2P"
	case Airtime:
		return "Airtime"
	}
	return string(r)
}

// Valid reports whether r is one of the five rails.
func (r Rail) Valid() bool {
	switch r {
	case B2C, B2B, PesaLink, P2P, Airtime:
		return true
	}
	return false
}

// Limits is the rail's per-transaction range; max 0 means no ceiling. The
// figures are the simulator's (client/sim/payouts.go payoutLimits).
func (r Rail) Limits() (lo, hi client.Amount) {
	switch r {
	case B2C:
		return client.Units(10), client.Units(150000)
	case B2B:
		return client.Units(10), client.Units(250000)
	case PesaLink:
		return client.Units(100), client.Units(999999)
	case Airtime:
		return client.Units(10), client.Units(10000)
	}
	return client.Cents(1), 0
}

// Phone reports whether the rail's account is a mobile number (2547…/2541…).
func (r Rail) Phone() bool { return r == B2C || r == Airtime }

// Currencies the rail pays out in; M-Pesa, PesaLink and airtime are KES only.
func (r Rail) Currencies() []string {
	if r == P2P {
		return []string{"KES", "USD", "EUR", "GBP"}
	}
	return []string{"KES"}
}

// AccountLabel names the account column for this rail in messages and
// headers.
func (r Rail) AccountLabel() string {
	switch r {
	case B2C, Airtime:
		return "phone"
	case B2B:
		return "paybill/till"
	case PesaLink:
		return "bank account"
	}
	return "account"
}

package ui

import "github.com/malipo/malipo/ui/common"

// Roles of design §10, each a superset of the one before.
const (
	RoleViewer   = "viewer"   // balances, collections
	RoleSupport  = "support"  // + STK push, checkout links, refunds
	RoleMaker    = "maker"    // + compose and initiate payouts
	RoleApprover = "approver" // + approve/cancel payouts, transfers, admin
)

// allowed is the one place that decides whether a role may do something.
// The palette, the confirmation dialog and anything else that offers or
// performs an action ask here, so no view can bypass it (k9s #3822 was such
// a bypass). An empty role is a local session: the keys' owner may do
// everything. An unknown role may only look.
func allowed(role string, p common.Permission) bool {
	if role == "" || p == common.PermView {
		return true
	}
	rank := map[string]int{RoleViewer: 1, RoleSupport: 2, RoleMaker: 3, RoleApprover: 4}[role]
	need := map[common.Permission]int{
		common.PermCollect:  2,
		common.PermRefund:   2,
		common.PermInitiate: 3,
		common.PermTransfer: 4,
		common.PermApprove:  4,
		common.PermAdmin:    4,
	}[p]
	// An unknown permission needs more than any role has: fail closed.
	if need == 0 {
		need = 5
	}
	return rank >= need
}

// Allowed exports the same check for the SSH server (issue 7), so the server
// and the console can never disagree about a role.
func Allowed(role string, p common.Permission) bool { return allowed(role, p) }

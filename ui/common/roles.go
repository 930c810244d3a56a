package common

import "cmp"

// Roles of docs/design.md §10, each a superset of the one before.
const (
	RoleViewer   = "viewer"   // balances, collections
	RoleSupport  = "support"  // + STK push, checkout links, refunds
	RoleMaker    = "maker"    // + compose and initiate payouts
	RoleApprover = "approver" // + approve/cancel payouts, transfers, admin
)

// Allowed is the one place that decides whether a role may do something.
// The shell's palette and confirmation dialog, the views' key bindings and
// the SSH server all ask here, so they can never disagree and no view can
// bypass it (k9s #3822 was such a bypass). An empty role is a local
// session: the keys' owner may do everything. An unknown role may only look.
func Allowed(role string, p Permission) bool {
	if role == "" || p == PermView {
		return true
	}
	rank := map[string]int{RoleViewer: 1, RoleSupport: 2, RoleMaker: 3, RoleApprover: 4}[role]
	need := map[Permission]int{
		PermCollect:  2,
		PermRefund:   2,
		PermInitiate: 3,
		PermTransfer: 4,
		PermApprove:  4,
		PermAdmin:    4,
		// Files carry payroll data (names, phones, amounts): makers and
		// up, who compose and read payout batches anyway.
		PermImport: 3,
		PermExport: 3,
	}[p]
	// An unknown permission needs more than any role has: fail closed.
	if need == 0 {
		need = 5
	}
	return rank >= need
}

// Can reports whether this session's role may use p. Views use it to leave
// actions unbound (not merely refused) for roles that may not use them.
func (c *Common) Can(p Permission) bool { return Allowed(c.EffectiveRole(), p) }

// Who is who acts in this console: the SSH user, else the local Self.
func (c *Common) Who() string { return cmp.Or(c.User, c.Self) }

// EffectiveRole is the role checks use. An empty role means "local, the
// keys' owner" only when there is no SSH user: a named user without a role
// (a misconfigured users file) gets "none", which may only look. Fail
// closed, never open.
func (c *Common) EffectiveRole() string {
	if c.Role == "" && c.User != "" {
		return "none"
	}
	return c.Role
}

package app

import "github.com/malipo/malipo/ui/common"

// Role names, re-exported for callers that only import the shell.
const (
	RoleViewer   = common.RoleViewer
	RoleSupport  = common.RoleSupport
	RoleMaker    = common.RoleMaker
	RoleApprover = common.RoleApprover
)

// allowed is common.Allowed: the one role check, shared with the views.
func allowed(role string, p common.Permission) bool { return common.Allowed(role, p) }

// Allowed exports the same check for the SSH server (issue 7).
func Allowed(role string, p common.Permission) bool { return common.Allowed(role, p) }

// role is the role the shell's checks use (common.EffectiveRole: a named
// SSH user without a role may only look).
func (m *Model) role() string { return m.c.EffectiveRole() }

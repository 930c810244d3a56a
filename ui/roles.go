package ui

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

// roleNone is what a remote user without a role gets: view only.
const roleNone = "none"

// role is the role the checks use. An empty role means "local, the keys'
// owner" only when there is no SSH user; a user without a role (a
// misconfigured users file) may only look: fail closed, never open.
func (m *Model) role() string {
	if m.c.Role == "" && m.c.User != "" {
		return roleNone
	}
	return m.c.Role
}

package auth

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// RoleAdmin is authd's own role: it guards the /admin API. Every other
// name is for the applications that read the roles claim.
const RoleAdmin = "admin"

// MaxRoles is how many roles a user may hold (API.md).
const MaxRoles = 20

// roleName is API.md's rule for a role name. It holds no comma, which is
// what lets the stores keep roles as one comma-joined column.
var roleName = regexp.MustCompile(`^[a-z][a-z0-9_.-]{0,31}$`)

// NormalizeRoles checks names against API.md's rules and returns them
// sorted without duplicates, never nil; a bad name or too many is a 400
// on field.
func NormalizeRoles(field string, names []string) ([]string, error) {
	out := make([]string, 0, len(names))
	for _, n := range names {
		if !roleName.MatchString(n) {
			return nil, validationError([]FieldError{{Field: field,
				Message: fmt.Sprintf("role %q must match [a-z][a-z0-9_.-]{0,31}", cut(printable(n), 40))}})
		}
		out = append(out, n)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > MaxRoles {
		return nil, validationError([]FieldError{{Field: field, Message: fmt.Sprintf("at most %d roles", MaxRoles)}})
	}
	return out, nil
}

// HasRole reports whether u holds role.
func (u User) HasRole(role string) bool { return slices.Contains(u.Roles, role) }

// JoinRoles is how the stores keep roles in one column: sorted names
// joined by commas, "" for none.
func JoinRoles(roles []string) string { return strings.Join(roles, ",") }

// SplitRoles reads a column JoinRoles wrote; never nil.
func SplitRoles(col string) []string {
	if col == "" {
		return []string{}
	}
	return strings.Split(col, ",")
}

package httpapi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/authd/authd/internal/auth"
)

// TestSchemaLimitsMatchRules reads the served OpenAPI document and holds
// each documented limit of a request body to the constant the rule
// enforces. Struct tags cannot name a constant, so this test is what keeps
// the two equal: changing either alone fails it.
func TestSchemaLimitsMatchRules(t *testing.T) {
	t.Parallel()
	type property struct {
		MinLength *int   `json:"minLength"`
		MaxLength *int   `json:"maxLength"`
		Pattern   string `json:"pattern"`
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]property `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	newEnv(t, envOptions{}).openAPI(t, &doc)
	prop := func(schema, field string) property {
		p, ok := doc.Components.Schemas[schema].Properties[field]
		if !ok {
			t.Fatalf("%s.%s is not in the document", schema, field)
		}
		return p
	}
	tests := []struct {
		schema, field string
		min, max      int // 0: the schema must give no such limit
	}{
		{"RegisterRequest", "username", auth.UsernameMinLen, auth.UsernameMaxLen},
		{"RegisterRequest", "email", 0, auth.EmailMaxLen},
		{"RegisterRequest", "password", auth.PasswordMinBytes, auth.PasswordMaxBytes},
		{"PasswordRequest", "new_password", auth.PasswordMinBytes, auth.PasswordMaxBytes},
	}
	for _, tt := range tests {
		t.Run(tt.schema+"."+tt.field, func(t *testing.T) {
			p := prop(tt.schema, tt.field)
			if got := limit(p.MinLength); got != tt.min {
				t.Errorf("minLength = %d, want %d", got, tt.min)
			}
			if got := limit(p.MaxLength); got != tt.max {
				t.Errorf("maxLength = %d, want %d", got, tt.max)
			}
		})
	}
	// The schema gives the username's characters as a pattern and its
	// length as minLength and maxLength; auth.UsernamePattern says both at
	// once. Put together, they must be the same expression.
	u := prop("RegisterRequest", "username")
	class, ok := strings.CutSuffix(u.Pattern, "+$")
	if got := class + fmt.Sprintf("{%d,%d}$", limit(u.MinLength), limit(u.MaxLength)); !ok || got != auth.UsernamePattern {
		t.Errorf("username pattern %q with lengths %d–%d is %q, want auth.UsernamePattern %q",
			u.Pattern, limit(u.MinLength), limit(u.MaxLength), got, auth.UsernamePattern)
	}
}

func limit(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

package httpapi

import (
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/authd/authd/internal/auth"
)

// newAPI is the huma API of the server on mux, with every operation's
// context wrapped in contractStatus.
func (s *Server) newAPI(mux *http.ServeMux) huma.API {
	api := humago.New(mux, s.humaConfig())
	api.UseMiddleware(func(ctx huma.Context, next func(huma.Context)) {
		next(contractStatus{ctx})
	})
	return api
}

// contractStatus is huma's context with one status changed. huma answers a
// request whose parameters fail their schema (or cannot be parsed) with
// 422, a status API.md's error table does not have: the body is already a
// VALIDATION_ERROR (see transportCode), and this makes the status agree
// with it. huma sets the status after the transformer has run, so the
// transformer cannot change it; its package-level NewError hook could,
// but only for every huma API in the process.
type contractStatus struct{ humaContext }

// humaContext names huma.Context for embedding: embedded under its own
// name, the field would hide the interface's Context method.
type humaContext = huma.Context

// SetStatus passes status on, 400 in place of 422.
func (c contractStatus) SetStatus(status int) {
	if status == http.StatusUnprocessableEntity {
		status = auth.CodeValidation.Status()
	}
	c.humaContext.SetStatus(status)
}

// Unwrap lets humago.Unwrap reach the request and the response writer.
func (c contractStatus) Unwrap() huma.Context { return c.humaContext }

// frameworkFields names the fields of a huma validation error: each detail's
// location without its "path."/"query."/"header." prefix (so a path
// parameter is named as API.md names it), or "body" when huma gave none
// (its 400s are about the body as a whole, "request body is required").
// huma's wording holds nothing internal.
func frameworkFields(em *huma.ErrorModel) []auth.FieldError {
	var out []auth.FieldError
	for _, d := range em.Errors {
		if d == nil || d.Location == "" {
			continue
		}
		field := d.Location
		for _, in := range []string{"path.", "query.", "header."} {
			field = strings.TrimPrefix(field, in)
		}
		out = append(out, auth.FieldError{Field: field, Message: d.Message})
	}
	if len(out) == 0 {
		out = []auth.FieldError{{Field: "body", Message: em.Detail}}
	}
	return out
}

package httpapi

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
)

// TestEndSessionOddIDs: whatever the path names, an id that is not a live
// session of the caller is 404 SESSION_NOT_FOUND in the one error shape,
// never a validation answer, and nothing reaches the store that it cannot
// hold (PostgreSQL refuses NUL and invalid UTF-8 in text).
func TestEndSessionOddIDs(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		e := newEnv(t, envOptions{store: store})
		access := str(e.mustRegister(t, "odile").json, "access_token")
		stranger := sessionID(t, str(e.mustRegister(t, "otto").json, "access_token"))
		ids := []struct{ name, path string }{
			{"65 characters", strings.Repeat("a", 65)},
			{"10,000 characters", strings.Repeat("b", 10000)},
			{"one character", "x"},
			{"a space", "%20"},
			{"a tab", "%09"},
			{"a dash", "-"},
			{"NUL", "%00"},
			{"NUL inside a well-formed id", stranger[:10] + "%00" + stranger[11:]},
			{"invalid UTF-8", "%FF%FE"},
			{"unicode", "s%C3%A9ssion-%E2%80%AE"},
			{"22 characters, not base64url", strings.Repeat("*", 22)},
			{"padded", stranger + "%3D%3D"},
			{"another user's", stranger},
			{"unknown", "3q2-7wYk1mXo0dS5aQ9h-A"},
		}
		for _, id := range ids {
			t.Run(id.name, func(t *testing.T) {
				wantError(t, e.bearer(t, http.MethodDelete, "/auth/sessions/"+id.path, access, "", ""), http.StatusNotFound, "SESSION_NOT_FOUND")
			})
		}
		// An id with a slash in it is another path, which no route serves:
		// the router's 404 NOT_FOUND, in the same shape.
		wantError(t, e.bearer(t, http.MethodDelete, "/auth/sessions/%2F", access, "", ""), http.StatusNotFound, "NOT_FOUND")
		wantError(t, e.bearer(t, http.MethodDelete, "/auth/sessions/"+stranger+"/x", access, "", ""), http.StatusNotFound, "NOT_FOUND")
		wantStatus(t, "the stranger's session lives", e.me(t, str(e.login(t, "otto").json, "access_token")), http.StatusOK)
	})
}

// TestNoUnprocessableEntity: API.md's error table has no 422, so the
// document declares none for any operation.
func TestNoUnprocessableEntity(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]any `json:"responses"`
		} `json:"paths"`
	}
	e.openAPI(t, &doc)
	ops := 0
	for path, item := range doc.Paths {
		for method, op := range item {
			ops++
			for status := range op.Responses {
				if status == "422" || status == "4XX" || status == "default" {
					t.Errorf("%s %s declares a %s response", strings.ToUpper(method), path, status)
				}
			}
		}
	}
	if ops == 0 {
		t.Fatal("the document has no operations")
	}
}

// TestParameterValidationIs400: a parameter that fails its schema, which
// huma answers 422 on its own, is a 400 VALIDATION_ERROR naming the
// parameter. No operation of authd constrains a parameter today, so the
// test adds one to a real server.
func TestParameterValidationIs400(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	type input struct {
		Code  string `path:"code" maxLength:"3"`
		Count int    `query:"count" minimum:"1"`
	}
	register(e.handler.(*Server).api, huma.Operation{
		OperationID: "probe", Method: http.MethodGet, Path: "/probe/{code}",
	}, func(context.Context, *input) (*struct{}, error) { return nil, nil })

	for _, c := range []struct{ name, path, field string }{
		{"path parameter too long", "/probe/abcd", "code"},
		{"query parameter too small", "/probe/abc?count=0", "count"},
		{"query parameter not a number", "/probe/abc?count=many", "count"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(t, http.MethodGet, c.path, "", "")
			wantError(t, r, http.StatusBadRequest, "VALIDATION_ERROR")
			if got := fieldErrors(r); !slices.Equal(got, []string{c.field}) {
				t.Errorf("fields = %v, want [%s]; body %s", got, c.field, r.raw)
			}
		})
	}
	wantStatus(t, "a valid request", e.do(t, http.MethodGet, "/probe/abc?count=2", "", ""), http.StatusNoContent)
}

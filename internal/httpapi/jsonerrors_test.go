package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/authd/authd/internal/auth"
)

// TestDocsErrorsAreJSON: the docs handlers answer errors through net/http's
// plain-text helpers; what reaches the client is the one error shape, with
// the handler's status and headers.
func TestDocsErrorsAreJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	tests := []struct {
		name, method, path string
		headers            []string
		status             int
		code               auth.Code
		header, value      string // a header the handler set that must survive
	}{
		{"unknown swagger asset", http.MethodGet, "/docs/assets/nope.js", nil, 404, auth.CodeNotFound, "", ""},
		{"unknown redoc asset", http.MethodGet, "/redoc/assets/x", nil, 404, auth.CodeNotFound, "", ""},
		{"range past an asset's end", http.MethodGet, "/docs/assets/authd-init.js", []string{"Range", "bytes=99999999-"}, 416, auth.CodeRangeNotSatisfiable, "Content-Range", "bytes */"},
		{"range past a page's end", http.MethodGet, "/redoc", []string{"Range", "bytes=99999999-"}, 416, auth.CodeRangeNotSatisfiable, "Content-Range", "bytes */"},
		{"method on a page", http.MethodPost, "/docs", nil, 405, auth.CodeMethodNotAllowed, "Allow", "GET"},
		{"unknown path", http.MethodGet, "/nope", nil, 404, auth.CodeNotFound, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, tt.method, tt.path, "", "", tt.headers...)
			wantError(t, r, tt.status, tt.code)
			if tt.header != "" && !strings.HasPrefix(r.header.Get(tt.header), tt.value) {
				t.Errorf("%s = %q, want it to start with %q", tt.header, r.header.Get(tt.header), tt.value)
			}
			if strings.Contains(r.raw, "page not found") || strings.Contains(r.raw, "invalid range") {
				t.Errorf("net/http's plain text leaked: %s", r.raw)
			}
		})
	}
}

// TestDocsSuccessesPassThrough: what is not an error is left alone.
func TestDocsSuccessesPassThrough(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	r := e.do(t, http.MethodGet, "/docs/assets/authd-init.js", "", "", "Range", "bytes=0-9")
	if r.status != http.StatusPartialContent || len(r.raw) != 10 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/javascript") {
		t.Errorf("satisfiable range: %d, %d bytes, %q", r.status, len(r.raw), r.header.Get("Content-Type"))
	}
	if r := e.do(t, http.MethodGet, "/docs", "", ""); r.status != http.StatusOK || !strings.Contains(r.raw, "<html") {
		t.Errorf("/docs: %d", r.status)
	}
	// A huma operation's own error is JSON already and keeps its detail.
	r = e.do(t, http.MethodGet, "/auth/me", "", "")
	wantError(t, r, http.StatusUnauthorized, auth.CodeInvalidToken)
	if r.json["detail"] != "Missing bearer token" {
		t.Errorf("detail = %v, want the handler's", r.json["detail"])
	}
}

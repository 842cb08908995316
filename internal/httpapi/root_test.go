package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/authd/authd/internal/auth"
)

// TestRoot checks that / points at the documentation: JSON for a client,
// a page of links for a browser, and that only / itself answers so.
func TestRoot(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	links := map[string]string{"docs": "/docs", "redoc": "/redoc", "openapi": "/openapi.json"}

	r := e.do(t, http.MethodGet, "/", "", "")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /: %d %s %s", r.status, r.header.Get("Content-Type"), r.raw)
	}
	for name, path := range links {
		if r.json[name] != path {
			t.Errorf("GET / %s = %v, want %s", name, r.json[name], path)
		}
		if got := e.do(t, http.MethodGet, path, "", ""); got.status != http.StatusOK {
			t.Errorf("%s (linked from /) = %d", path, got.status)
		}
	}
	if r.header.Get("Vary") != "Accept" || r.header.Get("Cache-Control") != noStore {
		t.Errorf("headers: Vary %q, Cache-Control %q", r.header.Get("Vary"), r.header.Get("Cache-Control"))
	}

	page := e.do(t, http.MethodGet, "/", "", "", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	if page.status != http.StatusOK || !strings.HasPrefix(page.header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / from a browser: %d %s", page.status, page.header.Get("Content-Type"))
	}
	for _, path := range links {
		if !strings.Contains(page.raw, `href="`+path+`"`) {
			t.Errorf("page lacks a link to %s:\n%s", path, page.raw)
		}
	}

	wantError(t, e.do(t, http.MethodGet, "/nothing-here", "", ""), http.StatusNotFound, auth.CodeNotFound)
	wantError(t, e.do(t, http.MethodPost, "/", "application/json", "{}"), http.StatusMethodNotAllowed, auth.CodeMethodNotAllowed)
}

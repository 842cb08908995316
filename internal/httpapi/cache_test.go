package httpapi

import (
	"net/http"
	"testing"
)

// TestUserDataIsNotCached: every answer that holds user data or tokens says
// Cache-Control: no-store, errors included; only the public key set may be
// kept. TestDocumentedExamplesWork checks the same for every operation of
// the document, including operations added later.
func TestUserDataIsNotCached(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	reg := e.mustRegister(t, "cachy")
	access, refresh := str(reg.json, "access_token"), str(reg.json, "refresh_token")
	tests := []struct {
		name string
		r    response
		want string
	}{
		{"register", reg, "no-store"},
		{"login json", e.do(t, http.MethodPost, "/auth/login", mediaJSON, `{"username":"cachy","password":"`+passwordOf("cachy")+`"}`), "no-store"},
		{"login form", e.do(t, http.MethodPost, "/auth/login", mediaForm, `grant_type=password&username=cachy&password=`+passwordOf("cachy")), "no-store"},
		{"refresh", e.postJSON(t, "/auth/refresh", map[string]string{"refresh_token": refresh}), "no-store"},
		{"me", e.do(t, http.MethodGet, "/auth/me", "", "", "Authorization", "Bearer "+access), "no-store"},
		{"sessions", e.do(t, http.MethodGet, "/auth/sessions", "", "", "Authorization", "Bearer "+access), "no-store"},
		{"me refused", e.do(t, http.MethodGet, "/auth/me", "", ""), "no-store"},
		{"login refused", e.do(t, http.MethodPost, "/auth/login", mediaJSON, `{"username":"cachy","password":"wrong-password"}`), "no-store"},
		{"jwks is public", e.do(t, http.MethodGet, "/.well-known/jwks.json", "", ""), "public, max-age=300"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.r.status >= 500 {
				t.Fatalf("status %d: %s", tt.r.status, tt.r.raw)
			}
			if got := tt.r.header.Values("Cache-Control"); len(got) != 1 || got[0] != tt.want {
				t.Errorf("Cache-Control = %q, want %q (status %d)", got, tt.want, tt.r.status)
			}
		})
	}
}

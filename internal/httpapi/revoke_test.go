package httpapi

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/authd/authd/internal/auth"
)

// TestRevoke: RFC 7009 on both engines. A refresh token or an access token
// ends its session; anything else, and a second revocation, is the same
// 200 with an empty body.
func TestRevoke(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		e := newEnv(t, envOptions{store: store})
		revoke := func(t *testing.T, form url.Values) {
			t.Helper()
			r := e.do(t, http.MethodPost, revokePath, mediaForm, form.Encode())
			if r.status != http.StatusOK || r.raw != "" {
				t.Fatalf("revoke: %d %q, want 200 with an empty body", r.status, r.raw)
			}
			if got := r.header.Get("Cache-Control"); got != noStore {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
		}
		me := func(access string) response {
			return e.do(t, http.MethodGet, "/auth/me", "", "", "Authorization", "Bearer "+access)
		}
		refresh := func(tok string) response {
			return e.postJSON(t, "/auth/refresh", map[string]string{"refresh_token": tok})
		}

		// Either token of a session ends it all; revoking it again is a 200 too.
		for _, tt := range []struct{ name, username, field, hint string }{
			{"refresh token", "rhea", "refresh_token", "refresh_token"},
			{"access token", "ares", "access_token", "access_token"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				reg := e.mustRegister(t, tt.username)
				access, rt := str(reg.json, "access_token"), str(reg.json, "refresh_token")
				revoke(t, url.Values{"token": {str(reg.json, tt.field)}, "token_type_hint": {tt.hint}})
				wantError(t, refresh(rt), http.StatusUnauthorized, auth.CodeSessionRevoked)
				wantError(t, me(access), http.StatusUnauthorized, auth.CodeSessionRevoked)
				revoke(t, url.Values{"token": {str(reg.json, tt.field)}}) // already revoked
			})
		}
		t.Run("wrong hint", func(t *testing.T) {
			reg := e.mustRegister(t, "hera")
			rt := str(reg.json, "refresh_token")
			revoke(t, url.Values{"token": {rt}, "token_type_hint": {"access_token"}, "resource": {"https://api.example"}})
			wantError(t, refresh(rt), http.StatusUnauthorized, auth.CodeSessionRevoked)
		})
		t.Run("garbage and strangers", func(t *testing.T) {
			keep := e.mustRegister(t, "iris")
			for _, tok := range []string{"garbage", "eyJhbGciOiJub25lIn0.e30.", exampleRefreshToken, str(keep.json, "refresh_token") + "x"} {
				revoke(t, url.Values{"token": {tok}, "token_type_hint": {"unknown_kind"}})
			}
			if r := refresh(str(keep.json, "refresh_token")); r.status != http.StatusOK {
				t.Errorf("a bystander's session ended: %d %s", r.status, r.raw)
			}
		})
		t.Run("errors", func(t *testing.T) {
			for _, tt := range []struct {
				name, ct, body string
				status         int
				code           auth.Code
				oauth2         string
			}{
				{"no token", mediaForm, "token_type_hint=refresh_token", 400, auth.CodeValidation, "invalid_request"},
				{"empty token", mediaForm, "token=", 400, auth.CodeValidation, "invalid_request"},
				{"two tokens", mediaForm, "token=a&token=b", 400, auth.CodeValidation, "invalid_request"},
				{"malformed form", mediaForm, "token=%zz", 400, auth.CodeValidation, "invalid_request"},
				{"json", mediaJSON, `{"token":"x"}`, 415, auth.CodeUnsupportedMedia, ""},
			} {
				t.Run(tt.name, func(t *testing.T) {
					r := e.do(t, http.MethodPost, revokePath, tt.ct, tt.body)
					if tt.oauth2 == "" {
						wantError(t, r, tt.status, tt.code)
						return
					}
					wantOAuth2Error(t, r, tt.status, tt.code, tt.oauth2)
				})
			}
		})
	})
}

package httpapi

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
)

// TestRefreshGrant: the form refresh grant at /auth/login answers as
// POST /auth/refresh does: same body keys, same headers, tokens that work.
func TestRefreshGrant(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		// A clock that stands still, so both doors' expires_in count from
		// the same instant.
		e := newEnv(t, envOptions{store: store, now: authtest.NewClock(time.Now()).Now})
		reg := e.mustRegister(t, "paula")

		grant := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {str(reg.json, "refresh_token")},
			"scope": {"openid"}, "client_id": {"app"}, "client_secret": {""}}
		form := e.do(t, http.MethodPost, "/auth/login", mediaForm, grant.Encode())
		if form.status != http.StatusOK {
			t.Fatalf("refresh grant: %d %s", form.status, form.raw)
		}
		door := e.postJSON(t, "/auth/refresh", map[string]string{"refresh_token": str(form.json, "refresh_token")})
		if door.status != http.StatusOK {
			t.Fatalf("/auth/refresh with the grant's refresh token: %d %s", door.status, door.raw)
		}
		if a, b := slices.Sorted(maps.Keys(form.json)), slices.Sorted(maps.Keys(door.json)); !slices.Equal(a, b) {
			t.Errorf("body keys: refresh grant %v, /auth/refresh %v", a, b)
		}
		for _, k := range []string{"token_type", "expires_in"} {
			if form.json[k] != door.json[k] {
				t.Errorf("%s: refresh grant %v, /auth/refresh %v", k, form.json[k], door.json[k])
			}
		}
		for _, h := range []string{"Cache-Control", "Content-Type"} {
			if form.header.Get(h) != door.header.Get(h) || form.header.Get(h) == "" {
				t.Errorf("%s: refresh grant %q, /auth/refresh %q", h, form.header.Get(h), door.header.Get(h))
			}
		}
		if form.header.Get("Cache-Control") != noStore {
			t.Errorf("Cache-Control = %q, want no-store", form.header.Get("Cache-Control"))
		}
		me := e.do(t, http.MethodGet, "/auth/me", "", "", "Authorization", "Bearer "+str(form.json, "access_token"))
		if me.status != http.StatusOK || me.json["username"] != "paula" {
			t.Errorf("/auth/me with the grant's access token: %d %s", me.status, me.raw)
		}
		// RFC 6749 §3.2: a parameter without a value counts as omitted, so an
		// empty grant_type is the password grant.
		pw := e.do(t, http.MethodPost, "/auth/login", mediaForm, "grant_type=&username=paula&password="+passwordOf("paula"))
		if pw.status != http.StatusOK || str(pw.json, "user", "username") != "paula" {
			t.Errorf("empty grant_type: %d %s", pw.status, pw.raw)
		}
	})
}

// TestRefreshGrantSharesRotation: the two refresh doors are one
// implementation, so rotation, the reuse grace and reuse detection hold
// across them: a token spent at one door is spent at the other.
func TestRefreshGrantSharesRotation(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		clock := authtest.NewClock(time.Now())
		e := newEnv(t, envOptions{store: store, now: clock.Now, grace: 10 * time.Second})
		r0 := str(e.mustRegister(t, "ursula").json, "refresh_token")
		grant := func(tok string) response {
			return e.do(t, http.MethodPost, "/auth/login", mediaForm, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok}}.Encode())
		}
		door := func(tok string) response {
			return e.postJSON(t, "/auth/refresh", map[string]string{"refresh_token": tok})
		}

		first := grant(r0)
		r1 := str(first.json, "refresh_token")
		if first.status != http.StatusOK || r1 == "" || r1 == r0 {
			t.Fatalf("refresh grant: %d %s; want a new refresh token", first.status, first.raw)
		}
		// Within the grace, the token the grant spent gets the grant's answer at the other door.
		if again := door(r0); again.status != http.StatusOK || str(again.json, "refresh_token") != r1 {
			t.Fatalf("/auth/refresh with the token the grant spent, within the grace: %d %s; want 200 with the grant's refresh token", again.status, again.raw)
		}
		second := door(r1)
		r2 := str(second.json, "refresh_token")
		if second.status != http.StatusOK || r2 == "" || r2 == r1 {
			t.Fatalf("/auth/refresh after the grant: %d %s; want a new refresh token", second.status, second.raw)
		}

		clock.Add(11 * time.Second) // past the grace
		wantOAuth2Error(t, grant(r1), http.StatusBadRequest, auth.CodeRefreshReused, "invalid_grant")
		// The reuse ended the whole session, for both doors.
		wantOAuth2Error(t, grant(r2), http.StatusBadRequest, auth.CodeSessionRevoked, "invalid_grant")
		wantError(t, door(r2), http.StatusUnauthorized, auth.CodeSessionRevoked)
	})
}

// TestTokenEndpointErrors: every error of a form request to /auth/login
// carries the RFC 6749 §5.2 member "error" beside the usual fields, and a
// refused grant is §5.2's 400 with the error_code JSON gets (401 or 403
// there); a JSON request keeps the one shape and the table's status.
func TestTokenEndpointErrors(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		clock := authtest.NewClock(time.Now())
		e := newEnv(t, envOptions{store: store, now: clock.Now, refreshTTL: time.Hour})
		expired := str(e.mustRegister(t, "quentin").json, "refresh_token")
		clock.Add(2 * time.Hour)
		reg := e.mustRegister(t, "rosa")
		access, refresh := str(reg.json, "access_token"), str(reg.json, "refresh_token")
		inactive := e.mustRegister(t, "sam")
		_, inactiveRefresh := e.deactivatedWithSession(t, int64(inactive.json["user"].(map[string]any)["id"].(float64)), "sam", clock.Now())
		refreshGrant := func(tok string) string {
			return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok}}.Encode()
		}
		tests := []struct {
			name   string
			ct     string
			body   string
			status int
			code   auth.Code
			error  string // "" for JSON: no member
		}{
			{"missing password", mediaForm, "username=rosa", 400, auth.CodeValidation, "invalid_request"},
			{"missing username", mediaForm, "grant_type=password&password=" + passwordOf("rosa"), 400, auth.CodeValidation, "invalid_request"},
			{"missing refresh_token", mediaForm, "grant_type=refresh_token", 400, auth.CodeValidation, "invalid_request"},
			{"empty refresh_token", mediaForm, "grant_type=refresh_token&refresh_token=", 400, auth.CodeValidation, "invalid_request"},
			{"refresh grant with a password", mediaForm, refreshGrant(refresh) + "&username=rosa&password=" + passwordOf("rosa"), 400, auth.CodeValidation, "invalid_request"},
			{"password grant with a refresh token", mediaForm, "username=rosa&password=" + passwordOf("rosa") + "&refresh_token=" + refresh, 400, auth.CodeValidation, "invalid_request"},
			{"duplicate field", mediaForm, "username=rosa&username=sam&password=" + passwordOf("rosa"), 400, auth.CodeValidation, "invalid_request"},
			{"duplicate grant_type", mediaForm, "grant_type=password&grant_type=password&username=rosa&password=" + passwordOf("rosa"), 400, auth.CodeValidation, "invalid_request"},
			{"malformed form", mediaForm, "username=%zz&password=x", 400, auth.CodeValidation, "invalid_request"},
			{"empty body", mediaForm, "", 400, auth.CodeValidation, "invalid_request"},
			{"body too large", mediaForm, "username=rosa&password=" + strings.Repeat("p", 70<<10), 413, auth.CodePayloadTooLarge, "invalid_request"},
			{"wrong password", mediaForm, "username=rosa&password=wrong-password", 400, auth.CodeInvalidCredentials, "invalid_grant"},
			{"unknown user", mediaForm, "username=nobody&password=wrong-password", 400, auth.CodeInvalidCredentials, "invalid_grant"},
			{"inactive user", mediaForm, "username=sam&password=" + passwordOf("sam"), 400, auth.CodeUserInactive, "invalid_grant"},
			{"bad refresh token", mediaForm, refreshGrant("garbage"), 400, auth.CodeInvalidToken, "invalid_grant"},
			{"access token as refresh token", mediaForm, refreshGrant(access), 400, auth.CodeInvalidToken, "invalid_grant"},
			{"expired refresh token", mediaForm, refreshGrant(expired), 400, auth.CodeTokenExpired, "invalid_grant"},
			{"refresh of an inactive user", mediaForm, refreshGrant(inactiveRefresh), 400, auth.CodeUserInactive, "invalid_grant"},
			{"grant_type foo", mediaForm, "grant_type=foo&username=rosa&password=" + passwordOf("rosa"), 400, auth.CodeValidation, "unsupported_grant_type"},
			{"grant_type client_credentials", mediaForm, "grant_type=client_credentials&client_id=a&client_secret=b", 400, auth.CodeValidation, "unsupported_grant_type"},
			{"json wrong password", mediaJSON, `{"username":"rosa","password":"wrong-password"}`, 401, auth.CodeInvalidCredentials, ""},
			{"json missing password", mediaJSON, `{"username":"rosa"}`, 400, auth.CodeValidation, ""},
			{"json grant_type", mediaJSON, `{"grant_type":"refresh_token","refresh_token":"x"}`, 400, auth.CodeValidation, ""},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := e.do(t, http.MethodPost, "/auth/login", tt.ct, tt.body)
				if tt.error == "" {
					wantError(t, r, tt.status, tt.code) // refuses any extra member
					return
				}
				wantOAuth2Error(t, r, tt.status, tt.code, tt.error)
			})
		}
		// The refresh door keeps its JSON shape for the same failures.
		wantError(t, e.postJSON(t, "/auth/refresh", map[string]string{"refresh_token": expired}), http.StatusUnauthorized, auth.CodeTokenExpired)
	})
}

// wantOAuth2Error asserts the error shape plus its RFC 6749 §5.2 member.
func wantOAuth2Error(t *testing.T, r response, status int, code auth.Code, oauth2Error string) {
	t.Helper()
	if r.json["error"] != oauth2Error {
		t.Errorf("error = %v, want %s; body %s", r.json["error"], oauth2Error, r.raw)
	}
	delete(r.json, "error")
	wantError(t, r, status, code)
}

// TestOAuth2ErrorMember: the member and the status for each error a token
// request can get, including those §5.2 has no code for: only a refused
// grant moves to 400; throttling stays 429 and the rest keep the table's.
func TestOAuth2ErrorMember(t *testing.T) {
	t.Parallel()
	unsupported := fieldProblem("grant_type", "bad")
	unsupported.Err = errUnsupportedGrant
	tests := []struct {
		name   string
		err    *auth.Error
		want   string
		status int
	}{
		{"validation", fieldProblem("username", "bad"), "invalid_request", 400},
		{"unsupported grant", unsupported, "unsupported_grant_type", 400},
		{"too large", &auth.Error{Code: auth.CodePayloadTooLarge}, "invalid_request", 413},
		{"too slow", &auth.Error{Code: auth.CodeRequestTimeout}, "invalid_request", 408},
		{"credentials", &auth.Error{Code: auth.CodeInvalidCredentials}, "invalid_grant", 400},
		{"token", &auth.Error{Code: auth.CodeInvalidToken}, "invalid_grant", 400},
		{"expired", &auth.Error{Code: auth.CodeTokenExpired}, "invalid_grant", 400},
		{"inactive", &auth.Error{Code: auth.CodeUserInactive}, "invalid_grant", 400},
		{"unverified", &auth.Error{Code: auth.CodeEmailNotVerified}, "invalid_grant", 400},
		{"reused", &auth.Error{Code: auth.CodeRefreshReused}, "invalid_grant", 400},
		{"revoked", &auth.Error{Code: auth.CodeSessionRevoked}, "invalid_grant", 400},
		{"second factor", &auth.Error{Code: auth.CodeMFARequired}, "mfa_required", 401},
		{"cross-site", &auth.Error{Code: auth.CodeForbidden}, "", 403},
		{"rate limited", &auth.Error{Code: auth.CodeRateLimited}, "", 429},
		{"overloaded", &auth.Error{Code: auth.CodeOverloaded}, "", 503},
		{"breaker open", &auth.Error{Code: auth.CodeBreakerOpen}, "", 503},
		{"database", &auth.Error{Code: auth.CodeDatabase}, "", 500},
		{"internal", &auth.Error{Code: auth.CodeInternal}, "", 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := oauth2Error(tt.err); got != tt.want {
				t.Errorf("oauth2Error(%s) = %q, want %q", tt.err.Code, got, tt.want)
			}
			if got := (&tokenFailure{err: tt.err}).GetStatus(); got != tt.status {
				t.Errorf("status of %s = %d, want %d", tt.err.Code, got, tt.status)
			}
		})
	}
}

// TestTokenFormIgnoresUnknownParameters: parameters a form does not use
// (RFC 6749 §3.2; what client libraries add: resource, audience) are
// ignored, even repeated; the same key in a JSON body is still refused.
func TestTokenFormIgnoresUnknownParameters(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	reg := e.mustRegister(t, "uma")
	extra := url.Values{"resource": {"https://api.example", "https://other.example"}, "audience": {"api"}, "nonce": {""}}
	password := url.Values{"grant_type": {"password"}, "username": {"uma"}, "password": {passwordOf("uma")}}
	refresh := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {str(reg.json, "refresh_token")}}
	for name, form := range map[string]url.Values{"password grant": password, "refresh grant": refresh} {
		t.Run(name, func(t *testing.T) {
			for k, v := range extra {
				form[k] = v
			}
			r := e.do(t, http.MethodPost, tokenPath, mediaForm, form.Encode())
			if r.status != http.StatusOK || str(r.json, "access_token") == "" {
				t.Errorf("status = %d, want 200 with tokens; body %s", r.status, r.raw)
			}
		})
	}
	r := e.postJSON(t, tokenPath, map[string]string{"username": "uma", "password": passwordOf("uma"), "resource": "https://api.example"})
	wantError(t, r, http.StatusBadRequest, "VALIDATION_ERROR")
	if got := fieldErrors(r); len(got) != 1 || got[0] != "resource" {
		t.Errorf("fields = %v, want [resource]", got)
	}
}

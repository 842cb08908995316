package httpapi

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
)

// TestBearerChallenge: every 401 of every bearer operation carries
// WWW-Authenticate: Bearer (RFC 6750 §3), with error="invalid_token" exactly
// when a token was sent and refused. The operations come from the OpenAPI
// document (those with a security requirement), so one added later is
// covered without a change here.
func TestBearerChallenge(t *testing.T) {
	t.Parallel()
	const accessTTL = 15 * time.Minute
	clock := authtest.NewClock(time.Now().UTC())
	e := newEnv(t, envOptions{accessTTL: accessTTL, now: clock.Now})
	expired := str(e.mustRegister(t, "tess").json, "access_token")
	clock.Add(accessTTL + time.Minute)
	ended := str(e.login(t, "tess").json, "access_token")
	wantStatus(t, "logout", e.bearer(t, http.MethodPost, "/auth/logout", ended, "", ""), http.StatusNoContent)
	live := str(e.login(t, "tess").json, "access_token")

	const invalid = `Bearer error="invalid_token"`
	tokens := []struct {
		name, authorization, challenge string
		code                           auth.Code
	}{
		{"no token", "", "Bearer", auth.CodeInvalidToken},
		{"another scheme", "Basic dGVzczpwYXNzd29yZC10ZXNz", "Bearer", auth.CodeInvalidToken},
		{"empty bearer", "Bearer ", "Bearer", auth.CodeInvalidToken},
		{"garbage token", "Bearer not.a.jwt", invalid, auth.CodeInvalidToken},
		{"expired token", "Bearer " + expired, invalid, auth.CodeTokenExpired},
		{"ended session", "Bearer " + ended, invalid, auth.CodeSessionRevoked},
	}
	// API.md's Logout: logging out of a session that has already ended is 204.
	notRefused := map[string]bool{"POST /auth/logout/ended session": true}
	for _, op := range bearerOperations(t, e) {
		for _, tok := range tokens {
			name := op.method + " " + op.path + "/" + tok.name
			if notRefused[name] {
				continue
			}
			t.Run(name, func(t *testing.T) {
				r := e.do(t, op.method, op.url, op.contentType, op.body, authorization(tok.authorization)...)
				wantChallenge(t, r, tok.code, tok.challenge)
			})
		}
	}

	// 401s that are not about a missing or bad access token still name the
	// scheme on a bearer operation.
	others := []struct {
		name, method, path, authorization, body, challenge string
		code                                               auth.Code
	}{
		{"wrong current password", http.MethodPost, "/auth/password", "Bearer " + live,
			`{"current_password":"wrong-password","new_password":"brand-new-secret"}`, "Bearer", auth.CodeInvalidCredentials},
		{"logout with a bad refresh token", http.MethodPost, "/auth/logout", "",
			`{"refresh_token":"not-a-refresh-token"}`, invalid, auth.CodeInvalidToken},
	}
	for _, c := range others {
		t.Run(c.name, func(t *testing.T) {
			wantChallenge(t, e.do(t, c.method, c.path, mediaJSON, c.body, authorization(c.authorization)...), c.code, c.challenge)
		})
	}
	// A 401 of an operation without bearer security is no bearer challenge.
	r := e.do(t, http.MethodPost, "/auth/login", mediaJSON, `{"username":"tess","password":"wrong-password"}`)
	wantError(t, r, http.StatusUnauthorized, auth.CodeInvalidCredentials)
	if got := r.header.Get("WWW-Authenticate"); got != "" {
		t.Errorf("login's 401: WWW-Authenticate = %q, want none", got)
	}
}

// authorization is the header pair for an Authorization value; none for "".
func authorization(value string) []string {
	if value == "" {
		return nil
	}
	return []string{"Authorization", value}
}

// wantChallenge asserts a 401 with code that carries exactly one
// WWW-Authenticate, challenge.
func wantChallenge(t *testing.T, r response, code auth.Code, challenge string) {
	t.Helper()
	wantError(t, r, http.StatusUnauthorized, code)
	if got := r.header.Values("WWW-Authenticate"); !slices.Equal(got, []string{challenge}) {
		t.Errorf("WWW-Authenticate = %q, want %q", got, challenge)
	}
}

// bearerOperation is an operation of the document that takes a bearer
// token, with a request that reaches its authentication.
type bearerOperation struct {
	method, path, url, contentType, body string
}

// bearerOperations lists the operations of the served document that name a
// security requirement, and checks that each documents the header on its
// 401. A path parameter gets a well-formed session id; a body, when the
// operation takes one, is an empty JSON object (each handler authenticates
// before it judges the fields).
func bearerOperations(t *testing.T, e *env) []bearerOperation {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]struct {
			Security    []map[string][]string `json:"security"`
			RequestBody *struct{}             `json:"requestBody"`
			Responses   map[string]struct {
				Headers map[string]any `json:"headers"`
			} `json:"responses"`
		} `json:"paths"`
	}
	e.openAPI(t, &doc)
	param := regexp.MustCompile(`\{[^}]+\}`)
	var ops []bearerOperation
	for path, item := range doc.Paths {
		for method, op := range item {
			if len(op.Security) == 0 {
				continue
			}
			if op.Responses["401"].Headers["WWW-Authenticate"] == nil {
				t.Errorf("%s %s: the document's 401 has no WWW-Authenticate header", method, path)
			}
			o := bearerOperation{method: strings.ToUpper(method), path: path, url: param.ReplaceAllString(path, auth.NewSessionID())}
			if op.RequestBody != nil {
				o.contentType, o.body = mediaJSON, "{}"
			}
			ops = append(ops, o)
		}
	}
	slices.SortFunc(ops, func(a, b bearerOperation) int { return strings.Compare(a.path+a.method, b.path+b.method) })
	want := []string{"DELETE /auth/sessions/{id}", "GET /auth/me", "GET /auth/sessions", "POST /auth/logout", "POST /auth/password"}
	for _, w := range want {
		if !slices.ContainsFunc(ops, func(o bearerOperation) bool { return o.method+" "+o.path == w }) {
			t.Fatalf("the document lists %v as bearer operations; %s is missing", ops, w)
		}
	}
	return ops
}

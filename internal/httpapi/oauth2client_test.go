package httpapi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
)

// TestOAuth2ClientLibrary drives authd with golang.org/x/oauth2, the way an
// app developer would: the password grant, /auth/me through the library's
// HTTP client, the library's own refresh when the access token expires, and
// a refresh that fails as RFC 6749 §5.2 invalid_grant.
//
// Time: the server runs on an injected clock, and x/oauth2 judges expiry by
// time.Now against Token.Expiry, which no test can move. So each time the
// test lets time pass, it moves the server's clock and shifts the Expiry of
// the token the library holds back by the same amount: both sides see the
// same minutes go by, and nothing sleeps.
func TestOAuth2ClientLibrary(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		clock := authtest.NewClock(time.Now())
		e := newEnv(t, envOptions{store: store, now: clock.Now, accessTTL: 15 * time.Minute, refreshTTL: time.Hour})
		e.mustRegister(t, "olivia")

		reqs := &requestRecorder{}
		ctx := context.WithValue(t.Context(), oauth2.HTTPClient, &http.Client{Transport: reqs})
		conf := &oauth2.Config{Endpoint: oauth2.Endpoint{
			TokenURL: e.url + "/auth/login",
			// Client credentials in the body (none here): the default probe
			// would send every failed grant twice, once per style.
			AuthStyle: oauth2.AuthStyleInParams,
		}}

		var tok *oauth2.Token
		step(t, "password grant", func(t *testing.T) {
			var err error
			tok, err = conf.PasswordCredentialsToken(ctx, "olivia", passwordOf("olivia"))
			if err != nil {
				t.Fatalf("PasswordCredentialsToken: %v", err)
			}
			if tok.AccessToken == "" || tok.RefreshToken == "" || tok.Type() != "Bearer" || tok.ExpiresIn != 900 {
				t.Errorf("token = %+v", tok)
			}
			if left := time.Until(tok.Expiry); left < 14*time.Minute || left > 15*time.Minute {
				t.Errorf("Expiry in %v, want about 15m", left)
			}
			user, _ := tok.Extra("user").(map[string]any)
			if user["username"] != "olivia" {
				t.Errorf(`Extra("user") = %v`, tok.Extra("user"))
			}
		})

		src := conf.TokenSource(ctx, tok)
		client := oauth2.NewClient(ctx, src)
		me := func(t *testing.T) {
			t.Helper()
			res, err := client.Get(e.url + "/auth/me")
			if err != nil {
				t.Fatalf("GET /auth/me through the library: %v", err)
			}
			r := read(t, res)
			if r.status != http.StatusOK || r.json["username"] != "olivia" {
				t.Fatalf("/auth/me: %d %s", r.status, r.raw)
			}
		}
		current := func(t *testing.T) *oauth2.Token {
			t.Helper()
			cur, err := src.Token()
			if err != nil {
				t.Fatalf("TokenSource.Token: %v", err)
			}
			return cur
		}

		step(t, "me through the library's client", func(t *testing.T) {
			me(t)
			if cur := current(t); cur.AccessToken != tok.AccessToken {
				t.Error("the library replaced a fresh token")
			}
			wantRequests(t, reqs, "POST /auth/login password", "GET /auth/me")
		})

		step(t, "automatic refresh after the access token expires", func(t *testing.T) {
			elapse(clock, tok, 16*time.Minute)
			old := e.do(t, http.MethodGet, "/auth/me", "", "", "Authorization", "Bearer "+tok.AccessToken)
			wantError(t, old, http.StatusUnauthorized, auth.CodeTokenExpired)

			me(t) // the library refreshes first, unasked
			cur := current(t)
			if cur.AccessToken == tok.AccessToken || time.Until(cur.Expiry) < 14*time.Minute {
				t.Errorf("after refresh: token = %+v", cur)
			}
			if cur.RefreshToken == "" || cur.RefreshToken == tok.RefreshToken {
				t.Error("the refresh grant did not rotate the refresh token")
			}
			me(t) // the new token is fresh: no second refresh
			wantRequests(t, reqs, "POST /auth/login password", "GET /auth/me",
				"POST /auth/login refresh_token", "GET /auth/me", "GET /auth/me")
		})

		step(t, "failed refresh surfaces invalid_grant", func(t *testing.T) {
			elapse(clock, current(t), 2*time.Hour) // past the refresh TTL
			_, err := client.Get(e.url + "/auth/me")
			wantRetrieveError(t, err, http.StatusBadRequest, auth.CodeTokenExpired)
			// One refresh grant, sent once, and no /auth/me without a token.
			wantRequests(t, reqs, "POST /auth/login password", "GET /auth/me",
				"POST /auth/login refresh_token", "GET /auth/me", "GET /auth/me",
				"POST /auth/login refresh_token")
		})

		step(t, "replayed refresh token surfaces invalid_grant and ends the session", func(t *testing.T) {
			login, err := conf.PasswordCredentialsToken(ctx, "olivia", passwordOf("olivia"))
			if err != nil {
				t.Fatalf("PasswordCredentialsToken: %v", err)
			}
			spent := login.RefreshToken
			owner := conf.TokenSource(ctx, login)
			elapse(clock, login, 16*time.Minute)
			if _, err := owner.Token(); err != nil { // the library's refresh spends the first token
				t.Fatalf("refresh: %v", err)
			}
			clock.Add(time.Minute) // past the reuse grace
			thief := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: spent, Expiry: time.Now().Add(-time.Minute)})
			_, err = thief.Token()
			wantRetrieveError(t, err, http.StatusBadRequest, auth.CodeRefreshReused)
			cur, err := owner.Token()
			if err != nil {
				t.Fatalf("owner's token: %v", err)
			}
			elapse(clock, cur, 16*time.Minute)
			_, err = owner.Token()
			wantRetrieveError(t, err, http.StatusBadRequest, auth.CodeSessionRevoked)
		})
	})
}

// wantRetrieveError asserts a refused grant as x/oauth2 reports it: an
// *oauth2.RetrieveError whose ErrorCode is invalid_grant, with the status
// and the body's error_code.
func wantRetrieveError(t *testing.T, err error, status int, code auth.Code) {
	t.Helper()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a RetrieveError", err)
	}
	if re.ErrorCode != "invalid_grant" || re.Response.StatusCode != status {
		t.Errorf("ErrorCode = %q, status = %d; want invalid_grant, %d", re.ErrorCode, re.Response.StatusCode, status)
	}
	var body struct {
		ErrorCode auth.Code `json:"error_code"`
	}
	if err := jsonUnmarshal(re.Body, &body); err != nil || body.ErrorCode != code {
		t.Errorf("body = %s, want error_code %s", re.Body, code)
	}
}

// step runs one stage of a story whose later stages need the earlier ones.
func step(t *testing.T, name string, f func(t *testing.T)) {
	t.Helper()
	if !t.Run(name, f) {
		t.FailNow()
	}
}

// elapse lets d pass for both sides: the server's injected clock, and the
// token the library holds, whose Expiry it compares with time.Now.
func elapse(clock *authtest.Clock, tok *oauth2.Token, d time.Duration) {
	clock.Add(d)
	tok.Expiry = tok.Expiry.Add(-d)
}

// requestRecorder is the transport of every request the library sends: it
// notes each one's method, path and, for a form, its grant_type.
type requestRecorder struct {
	mu   sync.Mutex
	seen []string
}

func (rr *requestRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	line := req.Method + " " + req.URL.Path
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(body)
		if err != nil {
			return nil, err
		}
		if vals, err := url.ParseQuery(string(b)); err == nil && vals.Has("grant_type") {
			line += " " + vals.Get("grant_type")
		}
	}
	rr.mu.Lock()
	rr.seen = append(rr.seen, line)
	rr.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// lines returns the requests seen so far.
func (rr *requestRecorder) lines() []string {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return slices.Clone(rr.seen)
}

// wantRequests asserts every request the library has sent so far.
func wantRequests(t *testing.T, rr *requestRecorder, want ...string) {
	t.Helper()
	rr.mu.Lock()
	defer rr.mu.Unlock()
	if !slices.Equal(rr.seen, want) {
		t.Errorf("requests sent = %q\nwant %q", rr.seen, want)
	}
}

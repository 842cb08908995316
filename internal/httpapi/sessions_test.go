package httpapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/admin"
	"github.com/authd/authd/internal/auth/authtest"
	"github.com/authd/authd/internal/metrics"
	"github.com/authd/authd/internal/token"
)

// sessionID reads the sid claim of an access token.
func sessionID(t *testing.T, access string) string {
	t.Helper()
	var c struct {
		SID string `json:"sid"`
	}
	if tokenClaims(t, access, &c); c.SID == "" {
		t.Fatalf("no sid in %s", access)
	}
	return c.SID
}

// tokenClaims decodes the claims of an access token into v, unverified.
func tokenClaims(t *testing.T, access string, v any) {
	t.Helper()
	parts := strings.Split(access, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", access)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("claims %s: %v", b, err)
	}
}

// refresherOf is the refresher of a server whose HS256 secret is secret.
func refresherOf(t *testing.T, secret string) *token.Refresher {
	t.Helper()
	ks, err := token.SecretKeys([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := ks.MACKeys()
	if err != nil {
		t.Fatal(err)
	}
	r, err := token.NewRefresher(keys)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (e *env) refresh(t *testing.T, rt string) response {
	t.Helper()
	return e.postJSON(t, "/auth/refresh", map[string]string{"refresh_token": rt})
}

func (e *env) bearer(t *testing.T, method, path, access, contentType, body string) response {
	t.Helper()
	return e.do(t, method, path, contentType, body, "Authorization", "Bearer "+access)
}

func (e *env) me(t *testing.T, access string) response {
	t.Helper()
	return e.bearer(t, http.MethodGet, "/auth/me", access, "", "")
}

func (e *env) login(t *testing.T, name string, headers ...string) response {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"username": name, "password": passwordOf(name)})
	r := e.do(t, http.MethodPost, "/auth/login", "application/json", string(b), headers...)
	if r.status != http.StatusOK {
		t.Fatalf("login %s: %d %s", name, r.status, r.raw)
	}
	return r
}

// counter is the stored rotation counter of the session of access.
func (e *env) counter(t *testing.T, access string) int64 {
	t.Helper()
	s, _, err := e.store.SessionWithUser(t.Context(), sessionID(t, access))
	if err != nil {
		t.Fatal(err)
	}
	return s.Counter
}

// logHas reports whether one line of the log holds every part.
func logHas(e *env, parts ...string) bool {
	for _, line := range strings.Split(e.logs.String(), "\n") {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(line, p)
		}
		if all && line != "" {
			return true
		}
	}
	return false
}

func wantStatus(t *testing.T, what string, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: %d %s, want %d", what, r.status, r.raw, status)
	}
}

// TestRefreshRotation walks a session through API.md's rules: rotation,
// the grace answer, reuse detection and what follows it.
func TestRefreshRotation(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		clock := authtest.NewClock(time.Now().UTC().Truncate(time.Second))
		e := newEnv(t, envOptions{store: store, now: clock.Now, grace: 10 * time.Second})
		reg := e.mustRegister(t, "rita")
		rt0, access0 := str(reg.json, "refresh_token"), str(reg.json, "access_token")
		if len(rt0) != token.RefreshLen || strings.Count(rt0, ".") != 0 {
			t.Errorf("refresh token %q is not opaque", rt0)
		}

		first := e.refresh(t, rt0)
		wantStatus(t, "first refresh", first, http.StatusOK)
		rt1 := str(first.json, "refresh_token")
		if rt1 == rt0 || first.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("refresh did not rotate (%q) or Cache-Control %q", rt1, first.header.Get("Cache-Control"))
		}
		if sessionID(t, str(first.json, "access_token")) != sessionID(t, access0) {
			t.Error("the new access token names another session")
		}

		clock.Add(10 * time.Second) // the last second of the grace
		again := e.refresh(t, rt0)
		wantStatus(t, "spent token within the grace", again, http.StatusOK)
		if got := str(again.json, "refresh_token"); got != rt1 {
			t.Errorf("grace answer refresh_token = %q, want the first answer's %q", got, rt1)
		}
		if me := e.me(t, str(again.json, "access_token")); me.status != http.StatusOK {
			t.Errorf("access token of the grace answer: %d %s", me.status, me.raw)
		}
		if c := e.counter(t, access0); c != 1 {
			t.Errorf("counter = %d after one rotation and a grace answer, want 1", c)
		}

		clock.Add(time.Second) // past the grace
		wantError(t, e.refresh(t, rt0), http.StatusUnauthorized, auth.CodeRefreshReused)
		if !logHas(e, `"level":"WARN"`, `"message":"refresh token reused: session ended"`, sessionID(t, access0)) {
			t.Errorf("no WARN line for the reuse:\n%s", e.logs)
		}
		// The whole session ended: its newest refresh token and its access tokens.
		wantError(t, e.refresh(t, rt1), http.StatusUnauthorized, auth.CodeSessionRevoked)
		wantError(t, e.me(t, access0), http.StatusUnauthorized, auth.CodeSessionRevoked)
		wantError(t, e.me(t, str(first.json, "access_token")), http.StatusUnauthorized, auth.CodeSessionRevoked)
		for _, secret := range []string{rt0, rt1} {
			if logHas(e, secret) {
				t.Error("a refresh token reached the log")
			}
		}
	})
}

// TestRefreshSpentTwice: a token spent two rotations ago is reuse even
// inside the grace, since its successor was spent too.
func TestRefreshSpentTwice(t *testing.T) {
	t.Parallel()
	clock := authtest.NewClock(time.Now().UTC().Truncate(time.Second))
	e := newEnv(t, envOptions{now: clock.Now})
	rt0 := str(e.mustRegister(t, "sam").json, "refresh_token")
	rt1 := str(e.refresh(t, rt0).json, "refresh_token")
	wantStatus(t, "second rotation", e.refresh(t, rt1), http.StatusOK)
	wantError(t, e.refresh(t, rt0), http.StatusUnauthorized, auth.CodeRefreshReused)
}

// TestParallelRefresh: 20 refreshes of one token at once all succeed with
// one identical refresh token, and the session rotated once.
func TestParallelRefresh(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		e := newEnv(t, envOptions{store: store})
		reg := e.mustRegister(t, "tess")
		rt := str(reg.json, "refresh_token")
		const n = 20
		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			results = make([]response, n)
		)
		for i := range n {
			wg.Go(func() {
				<-start
				results[i] = e.refresh(t, rt)
			})
		}
		close(start)
		wg.Wait()
		tokens := map[string]int{}
		for i, r := range results {
			if r.status != http.StatusOK {
				t.Errorf("refresh #%d: %d %s", i, r.status, r.raw)
				continue
			}
			tokens[str(r.json, "refresh_token")]++
		}
		if len(tokens) != 1 {
			t.Errorf("%d different refresh tokens, want 1: %v", len(tokens), tokens)
		}
		if c := e.counter(t, str(reg.json, "access_token")); c != 1 {
			t.Errorf("counter = %d, want 1", c)
		}
	})
}

// TestSessionLifetimes: idle expiry (refresh TTL after the last rotation)
// and the absolute max age, however often the session is refreshed.
func TestSessionLifetimes(t *testing.T) {
	t.Parallel()
	clock := authtest.NewClock(time.Now().UTC().Truncate(time.Second))
	e := newEnv(t, envOptions{now: clock.Now, accessTTL: time.Minute, refreshTTL: time.Hour, maxAge: 150 * time.Minute})
	reg := e.mustRegister(t, "uma")
	rt := str(reg.json, "refresh_token")
	for i := range 2 { // refreshed every 59 minutes: alive at 59 and 118 minutes
		clock.Add(59 * time.Minute)
		r := e.refresh(t, rt)
		wantStatus(t, "refresh within the idle TTL", r, http.StatusOK)
		rt = str(r.json, "refresh_token")
		_ = i
	}
	clock.Add(32 * time.Minute) // 150 minutes after login: the max age
	wantError(t, e.refresh(t, rt), http.StatusUnauthorized, auth.CodeTokenExpired)

	idle := e.login(t, "uma")
	clock.Add(time.Hour)
	wantError(t, e.refresh(t, str(idle.json, "refresh_token")), http.StatusUnauthorized, auth.CodeTokenExpired)
}

func TestLogout(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		e := newEnv(t, envOptions{store: store})
		reg := e.mustRegister(t, "vic")
		a, b, c := reg, e.login(t, "vic"), e.login(t, "vic")
		other := e.mustRegister(t, "wes")
		acc := func(r response) string { return str(r.json, "access_token") }

		// others: b stays, a and c end.
		wantStatus(t, "logout others", e.bearer(t, http.MethodPost, "/auth/logout", acc(b), "application/json", `{"scope":"others"}`), http.StatusNoContent)
		wantError(t, e.me(t, acc(a)), http.StatusUnauthorized, auth.CodeSessionRevoked)
		wantError(t, e.me(t, acc(c)), http.StatusUnauthorized, auth.CodeSessionRevoked)
		wantStatus(t, "me of the caller", e.me(t, acc(b)), http.StatusOK)
		// current, with no body: b ends; again is 204.
		wantStatus(t, "logout", e.bearer(t, http.MethodPost, "/auth/logout", acc(b), "", ""), http.StatusNoContent)
		wantError(t, e.me(t, acc(b)), http.StatusUnauthorized, auth.CodeSessionRevoked)
		wantError(t, e.refresh(t, str(b.json, "refresh_token")), http.StatusUnauthorized, auth.CodeSessionRevoked)
		wantStatus(t, "logout of an ended session", e.bearer(t, http.MethodPost, "/auth/logout", acc(b), "application/json", `{"scope":"current"}`), http.StatusNoContent)
		// others and all need a live session.
		wantError(t, e.bearer(t, http.MethodPost, "/auth/logout", acc(b), "application/json", `{"scope":"all"}`), http.StatusUnauthorized, auth.CodeSessionRevoked)
		// all: every session of the user, none of another user's.
		d, f := e.login(t, "vic"), e.login(t, "vic")
		wantStatus(t, "logout all", e.bearer(t, http.MethodPost, "/auth/logout", acc(d), "application/json", `{"scope":"all"}`), http.StatusNoContent)
		wantError(t, e.me(t, acc(d)), http.StatusUnauthorized, auth.CodeSessionRevoked)
		wantError(t, e.me(t, acc(f)), http.StatusUnauthorized, auth.CodeSessionRevoked)
		wantStatus(t, "other user's session", e.me(t, acc(other)), http.StatusOK)
		// By refresh token, without a bearer; spent or not, once or twice.
		g := e.login(t, "vic")
		body := `{"refresh_token":"` + str(g.json, "refresh_token") + `"}`
		wantStatus(t, "logout by refresh token", e.do(t, http.MethodPost, "/auth/logout", "application/json", body), http.StatusNoContent)
		wantError(t, e.me(t, acc(g)), http.StatusUnauthorized, auth.CodeSessionRevoked)
		wantStatus(t, "logout by refresh token again", e.do(t, http.MethodPost, "/auth/logout", "application/json", body), http.StatusNoContent)
		if !logHas(e, `"message":"session ended"`, `"reason":"logout"`, sessionID(t, acc(g))) {
			t.Errorf("no session ended line:\n%s", e.logs)
		}
	})
}

func TestLogoutRefusals(t *testing.T) {
	t.Parallel()
	clock := authtest.NewClock(time.Now().UTC().Truncate(time.Second))
	e := newEnv(t, envOptions{now: clock.Now, accessTTL: time.Minute, refreshTTL: time.Hour})
	reg := e.mustRegister(t, "xena")
	access, rt := str(reg.json, "access_token"), str(reg.json, "refresh_token")
	forged, _ := token.NewRefresher([][]byte{[]byte(strings.Repeat("f", 32))})
	forgedRT, _ := forged.Mint(sessionID(t, access), 0)
	tests := []struct {
		name, auth, contentType, body string
		status                        int
		code                          auth.Code
	}{
		{"nothing", "", "", "", 401, auth.CodeInvalidToken},
		{"basic auth", "Basic Zm9vOmJhcg==", "", "", 401, auth.CodeInvalidToken},
		{"forged bearer", "Bearer " + access[:len(access)-4] + "AAAA", "", "", 401, auth.CodeInvalidToken},
		{"refresh token as bearer", "Bearer " + rt, "", "", 401, auth.CodeInvalidToken},
		{"forged refresh token", "", "application/json", `{"refresh_token":"` + forgedRT + `"}`, 401, auth.CodeInvalidToken},
		{"malformed refresh token", "", "application/json", `{"refresh_token":"x"}`, 401, auth.CodeInvalidToken},
		{"unknown scope", "Bearer " + access, "application/json", `{"scope":"everything"}`, 400, auth.CodeValidation},
		{"bearer and refresh token", "Bearer " + access, "application/json", `{"refresh_token":"` + rt + `"}`, 400, auth.CodeValidation},
		{"scope without bearer", "", "application/json", `{"scope":"all","refresh_token":"` + rt + `"}`, 400, auth.CodeValidation},
		{"unknown field", "Bearer " + access, "application/json", `{"scope":"all","user":1}`, 400, auth.CodeValidation},
		{"not JSON", "Bearer " + access, "text/plain", `scope=all`, 415, auth.CodeUnsupportedMedia},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, e.do(t, http.MethodPost, "/auth/logout", tt.contentType, tt.body, "Authorization", tt.auth), tt.status, tt.code)
		})
	}
	wantStatus(t, "session still live", e.me(t, access), http.StatusOK)
	clock.Add(2 * time.Hour)
	t.Run("expired bearer", func(t *testing.T) {
		wantError(t, e.bearer(t, http.MethodPost, "/auth/logout", access, "", ""), http.StatusUnauthorized, auth.CodeTokenExpired)
	})
	t.Run("expired refresh token", func(t *testing.T) {
		wantError(t, e.do(t, http.MethodPost, "/auth/logout", "application/json", `{"refresh_token":"`+rt+`"}`), http.StatusUnauthorized, auth.CodeTokenExpired)
	})
}

func TestSessionList(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		clock := authtest.NewClock(time.Now().UTC().Truncate(time.Second))
		e := newEnv(t, envOptions{store: store, now: clock.Now})
		longUA := strings.Repeat("é", 300)
		e.mustRegister(t, "yara")
		clock.Add(time.Second)
		older := e.login(t, "yara", "User-Agent", "older-agent")
		clock.Add(time.Second)
		newer := e.login(t, "yara", "User-Agent", longUA)
		e.mustRegister(t, "zed")
		// An ended session is not listed.
		wantStatus(t, "logout", e.bearer(t, http.MethodPost, "/auth/logout", str(e.login(t, "yara").json, "access_token"), "", ""), http.StatusNoContent)

		r := e.bearer(t, http.MethodGet, "/auth/sessions", str(older.json, "access_token"), "", "")
		wantStatus(t, "list", r, http.StatusOK)
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control = %q", r.header.Get("Cache-Control"))
		}
		list, _ := r.json["sessions"].([]any)
		if len(list) != 3 {
			t.Fatalf("%d sessions, want 3 (register and two logins): %s", len(list), r.raw)
		}
		first, second := list[0].(map[string]any), list[1].(map[string]any)
		if first["id"] != sessionID(t, str(newer.json, "access_token")) || first["current"] != false ||
			first["user_agent"] != strings.Repeat("é", auth.MaxUserAgent) || first["ip"] != "127.0.0.1" {
			t.Errorf("newest session = %v", first)
		}
		if second["id"] != sessionID(t, str(older.json, "access_token")) || second["current"] != true || second["user_agent"] != "older-agent" {
			t.Errorf("second session = %v", second)
		}
		for _, k := range []string{"created_at", "last_used_at", "expires_at"} {
			if _, err := time.Parse(time.RFC3339, str(second, k)); err != nil {
				t.Errorf("%s = %v", k, second[k])
			}
		}
		wantError(t, e.do(t, http.MethodGet, "/auth/sessions", "", ""), http.StatusUnauthorized, auth.CodeInvalidToken)
	})
}

func TestEndSessionByID(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		e := newEnv(t, envOptions{store: store})
		a := str(e.mustRegister(t, "abe").json, "access_token")
		b := str(e.login(t, "abe").json, "access_token")
		stranger := str(e.mustRegister(t, "bea").json, "access_token")
		del := func(access, id string) response {
			return e.bearer(t, http.MethodDelete, "/auth/sessions/"+id, access, "", "")
		}
		wantError(t, del(stranger, sessionID(t, b)), http.StatusNotFound, auth.CodeSessionNotFound)
		wantStatus(t, "other user's session untouched", e.me(t, b), http.StatusOK)
		wantStatus(t, "delete own other session", del(a, sessionID(t, b)), http.StatusNoContent)
		wantError(t, e.me(t, b), http.StatusUnauthorized, auth.CodeSessionRevoked)
		wantError(t, del(a, sessionID(t, b)), http.StatusNotFound, auth.CodeSessionNotFound)
		wantError(t, del(a, "not-a-session"), http.StatusNotFound, auth.CodeSessionNotFound)
		wantError(t, del(a, auth.NewSessionID()), http.StatusNotFound, auth.CodeSessionNotFound)
		wantError(t, e.do(t, http.MethodDelete, "/auth/sessions/"+sessionID(t, a), "", ""), http.StatusUnauthorized, auth.CodeInvalidToken)
		wantStatus(t, "delete own current session", del(a, sessionID(t, a)), http.StatusNoContent)
		wantError(t, e.me(t, a), http.StatusUnauthorized, auth.CodeSessionRevoked)
	})
}

func TestChangePassword(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		e := newEnv(t, envOptions{store: store})
		caller := e.mustRegister(t, "cleo")
		other := e.login(t, "cleo")
		access := str(caller.json, "access_token")
		change := func(body string) response {
			return e.bearer(t, http.MethodPost, "/auth/password", access, "application/json", body)
		}
		wantError(t, change(`{"current_password":"wrong-password","new_password":"brand-new-secret"}`), http.StatusUnauthorized, auth.CodeInvalidCredentials)
		short := change(`{"current_password":"` + passwordOf("cleo") + `","new_password":"short"}`)
		wantError(t, short, http.StatusBadRequest, auth.CodeValidation)
		if got := fieldErrors(short); len(got) != 1 || got[0] != "new_password" {
			t.Errorf("field errors = %v, want [new_password]", got)
		}
		wantError(t, change(`{"current_password":"`+passwordOf("cleo")+`"}`), http.StatusBadRequest, auth.CodeValidation)
		wantError(t, e.do(t, http.MethodPost, "/auth/password", "application/json", `{"current_password":"`+passwordOf("cleo")+`","new_password":"brand-new-secret"}`), http.StatusUnauthorized, auth.CodeInvalidToken)
		wantStatus(t, "other session before the change", e.me(t, str(other.json, "access_token")), http.StatusOK)

		wantStatus(t, "change", change(`{"current_password":"`+passwordOf("cleo")+`","new_password":"brand-new-secret"}`), http.StatusNoContent)
		wantStatus(t, "calling session stays", e.me(t, access), http.StatusOK)
		wantError(t, e.me(t, str(other.json, "access_token")), http.StatusUnauthorized, auth.CodeSessionRevoked)
		wantError(t, e.refresh(t, str(other.json, "refresh_token")), http.StatusUnauthorized, auth.CodeSessionRevoked)
		wantError(t, e.postJSON(t, "/auth/login", map[string]string{"username": "cleo", "password": passwordOf("cleo")}), http.StatusUnauthorized, auth.CodeInvalidCredentials)
		wantStatus(t, "login with the new password", e.postJSON(t, "/auth/login", map[string]string{"username": "cleo", "password": "brand-new-secret"}), http.StatusOK)
		if logHas(e, "brand-new-secret") {
			t.Error("the new password reached the log")
		}
	})
}

// TestRefreshDuringOutage: a refresh or logout against a database that
// fails answers 5xx, never 401, so the client keeps its session.
func TestRefreshDuringOutage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	reg := e.mustRegister(t, "dora")
	e.store.Close()
	for name, r := range map[string]response{
		"refresh": e.refresh(t, str(reg.json, "refresh_token")),
		"logout":  e.bearer(t, http.MethodPost, "/auth/logout", str(reg.json, "access_token"), "", ""),
		"me":      e.me(t, str(reg.json, "access_token")),
	} {
		if r.status < 500 {
			t.Errorf("%s with the database down: %d %s, want 5xx", name, r.status, r.raw)
		}
		if r.json["error_code"] != string(auth.CodeDatabase) {
			t.Errorf("%s: error_code = %v, want DATABASE_ERROR", name, r.json["error_code"])
		}
	}
}

// TestPurgeSessions: ended and expired sessions are deleted a day after
// they end, by the server's own loop, which stops when its context ends;
// the session that only expired is counted as ended for "expired" when it
// is purged, the one logged out is not counted again, and the sessions the
// operator's deactivation ended are counted for "deactivated" when they
// are purged, not before (the operator's process is not scraped) and not
// again.
func TestPurgeSessions(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		clock := authtest.NewClock(time.Now().UTC().Truncate(time.Second))
		m := metrics.New("test")
		e := newEnv(t, envOptions{store: store, now: clock.Now, accessTTL: time.Minute, refreshTTL: time.Hour, maxAge: 48 * time.Hour,
			observer: m})
		endedFor := func(reason auth.EndReason) float64 {
			t.Helper()
			s := scrape(t, m)
			return s.Values[`authd_sessions_ended_total{reason="`+string(reason)+`"}`]
		}
		ended := e.mustRegister(t, "ivy")
		idle := e.login(t, "ivy")
		wantStatus(t, "logout", e.bearer(t, http.MethodPost, "/auth/logout", str(ended.json, "access_token"), "", ""), http.StatusNoContent)
		deactivated := []response{e.mustRegister(t, "jay"), e.login(t, "jay")}
		if _, err := admin.New(e.deps).SetActive(t.Context(), auth.ActorCLI, "jay", false); err != nil {
			t.Fatal(err)
		}
		if got := endedFor(auth.EndDeactivated); got != 0 {
			t.Errorf("after deactivating: deactivated = %v, want 0 (counted at purge)", got)
		}
		clock.Add(30 * time.Minute)
		recent := e.login(t, "ivy") // expires 1 h 30 min after the start: too recent to purge
		exists := func(r response) bool {
			_, _, err := e.store.SessionWithUser(t.Context(), sessionID(t, str(r.json, "access_token")))
			if err != nil && !errors.Is(err, auth.ErrSessionNotFound) {
				t.Fatal(err)
			}
			return err == nil
		}

		clock.Add(24 * time.Hour) // 24 h 30 min after the logout, 23 h 30 min after idle expired
		if n, err := e.svc.PurgeSessions(t.Context()); err != nil || n != 3 || exists(ended) || !exists(idle) ||
			exists(deactivated[0]) || exists(deactivated[1]) {
			t.Fatalf("first purge: %d, %v; ended kept %t, idle kept %t, deactivated kept %t %t",
				n, err, exists(ended), exists(idle), exists(deactivated[0]), exists(deactivated[1]))
		}
		for reason, want := range map[auth.EndReason]float64{auth.EndExpired: 0, auth.EndDeactivated: 2} {
			if got := endedFor(reason); got != want {
				t.Errorf("after purging the ended sessions: %s = %v, want %v", reason, got, want)
			}
		}
		clock.Add(time.Hour)
		ctx, cancel := context.WithCancel(t.Context())
		stopped := make(chan struct{})
		go func() {
			defer close(stopped)
			e.svc.PurgeLoop(ctx, time.Millisecond)
		}()
		// The loop reports the purged sessions after deleting them: wait
		// for the count, not only for the row to go.
		deadline := time.Now().Add(10 * time.Second)
		for (exists(idle) || endedFor(auth.EndExpired) == 0) && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
		<-stopped
		if exists(idle) || !exists(recent) {
			t.Errorf("after the loop: idle kept %t, recent kept %t; want false, true", exists(idle), exists(recent))
		}
		for reason, want := range map[auth.EndReason]float64{auth.EndExpired: 1, auth.EndLogout: 1, auth.EndDeactivated: 2} {
			if got := endedFor(reason); got != want {
				t.Errorf("authd_sessions_ended_total{reason=%q} = %v, want %v", reason, got, want)
			}
		}
		if !logHas(e, `"message":"sessions purged"`) {
			t.Errorf("no sessions purged line:\n%s", e.logs)
		}
	})
}

package httpapi

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
	"github.com/authd/authd/internal/metrics"
	"github.com/authd/authd/internal/metrics/metricstest"
)

// TestSessionCap: a user at AUTHD_SESSIONS_PER_USER_MAX who logs in once
// more loses the least recently used session (not the oldest opened): its
// tokens answer 401 SESSION_REVOKED, it leaves the list, and it is counted
// for "cap" in authd_sessions_ended_total.
func TestSessionCap(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, store string) {
		clock := authtest.NewClock(time.Now().UTC().Truncate(time.Second))
		m := metrics.New("test")
		e := newEnv(t, envOptions{store: store, now: clock.Now, observer: m, sessionsMax: 3})
		first := e.mustRegister(t, "cleo")
		clock.Add(time.Second)
		second := e.login(t, "cleo")
		clock.Add(time.Second)
		third := e.login(t, "cleo")
		clock.Add(time.Second)
		// The first session is used again: now the second is the least
		// recently used.
		rotated := e.refresh(t, str(first.json, "refresh_token"))
		wantStatus(t, "refresh of the first session", rotated, http.StatusOK)
		clock.Add(time.Second)
		fourth := e.login(t, "cleo")

		wantError(t, e.refresh(t, str(second.json, "refresh_token")), http.StatusUnauthorized, auth.CodeSessionRevoked)
		wantError(t, e.me(t, str(second.json, "access_token")), http.StatusUnauthorized, auth.CodeSessionRevoked)
		for _, r := range []response{rotated, third, fourth} {
			wantStatus(t, "a session within the cap", e.me(t, str(r.json, "access_token")), http.StatusOK)
		}
		ids := e.listed(t, str(fourth.json, "access_token"), "id")
		want := []string{sessionID(t, str(fourth.json, "access_token")), sessionID(t, str(third.json, "access_token")),
			sessionID(t, str(first.json, "access_token"))}
		if !slices.Equal(ids, want) {
			t.Errorf("listed sessions %v, want %v (newest first, the second ended)", ids, want)
		}
		if !logHas(e, `"message":"sessions ended"`, `"reason":"cap"`, `"count":1`) {
			t.Errorf("no log line for the capped session:\n%s", e.logs)
		}
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		if got := metricstest.Parse(t, rec.Body.String()).Values[`authd_sessions_ended_total{reason="cap"}`]; got != 1 {
			t.Errorf(`authd_sessions_ended_total{reason="cap"} = %v, want 1`, got)
		}
	})
}

// listed is field of each session GET /auth/sessions lists for the holder
// of access, in the list's order.
func (e *env) listed(t *testing.T, access, field string) []string {
	t.Helper()
	r := e.bearer(t, http.MethodGet, "/auth/sessions", access, "", "")
	wantStatus(t, "list sessions", r, http.StatusOK)
	var out []string
	sessions, _ := r.json["sessions"].([]any)
	for _, s := range sessions {
		m, _ := s.(map[string]any)
		out = append(out, str(m, field))
	}
	return out
}

package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
)

// TestRefreshGraceOnlyForTheRotatingClient: within the grace, a spent
// refresh token gets the successor only from the client IP that rotated it
// (its /64 for IPv6); from any other it is reuse and the whole session
// ends, by POST /auth/refresh and by the token endpoint's refresh grant.
func TestRefreshGraceOnlyForTheRotatingClient(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, store string) {
		clock := authtest.NewClock(time.Now().UTC().Truncate(time.Second))
		e := newEnv(t, envOptions{store: store, now: clock.Now, grace: 10 * time.Second, opts: Options{TrustedProxies: loopback}})
		refreshFrom := func(ip, rt string) response {
			b, _ := json.Marshal(map[string]string{"refresh_token": rt})
			return e.do(t, http.MethodPost, "/auth/refresh", "application/json", string(b), "X-Forwarded-For", ip)
		}
		grantFrom := func(ip, rt string) response {
			form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}.Encode()
			return e.do(t, http.MethodPost, "/auth/login", "application/x-www-form-urlencoded", form, "X-Forwarded-For", ip)
		}
		const home, away = "2001:db8:1::2", "198.51.100.9"

		reg := e.mustRegister(t, "gail")
		rt0 := str(reg.json, "refresh_token")
		first := refreshFrom(home, rt0)
		wantStatus(t, "rotation from home", first, http.StatusOK)
		rt1 := str(first.json, "refresh_token")
		clock.Add(5 * time.Second)
		for _, ip := range []string{home, "2001:db8:1::3"} {
			again := refreshFrom(ip, rt0)
			wantStatus(t, "replay within the grace from the rotating /64", again, http.StatusOK)
			if got := str(again.json, "refresh_token"); got != rt1 {
				t.Errorf("grace answer from %s: refresh_token %q, want the first answer's %q", ip, got, rt1)
			}
		}
		wantError(t, refreshFrom(away, rt0), http.StatusUnauthorized, auth.CodeRefreshReused)
		wantError(t, refreshFrom(home, rt1), http.StatusUnauthorized, auth.CodeSessionRevoked)
		wantError(t, e.me(t, str(first.json, "access_token")), http.StatusUnauthorized, auth.CodeSessionRevoked)
		if !logHas(e, `"message":"refresh token reused: session ended"`, sessionID(t, str(reg.json, "access_token"))) {
			t.Errorf("no WARN line for the replay from another client:\n%s", e.logs)
		}

		// The refresh grant of the token endpoint follows the same rule.
		rt0 = str(e.login(t, "gail", "X-Forwarded-For", home).json, "refresh_token")
		wantStatus(t, "rotation by the refresh grant", grantFrom(home, rt0), http.StatusOK)
		// RFC 6749 §5.2: a refused grant is 400 invalid_grant, with the contract's code.
		r := grantFrom("2001:db8:1:1::2", rt0)
		if r.status != http.StatusBadRequest || r.json["error_code"] != string(auth.CodeRefreshReused) || r.json["error"] != "invalid_grant" {
			t.Errorf("refresh grant replayed from another /64: %d %s, want 400 REFRESH_TOKEN_REUSED invalid_grant", r.status, r.raw)
		}
	})
}

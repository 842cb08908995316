package httpapi

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth/authtest"
)

// TestExpiresInNeverOverstates: on a clock 0.7 s past a whole second, every
// token answer (register, JSON login, password grant, refresh, refresh
// grant) says expires_in no later than the access token's exp: a client
// that adds it to the time of the answer never holds an expired token it
// thinks is valid. Whole seconds of TTL are still promised in full.
func TestExpiresInNeverOverstates(t *testing.T) {
	t.Parallel()
	start := time.Unix(1_900_000_000, 700_000_000)
	clock := authtest.NewClock(start)
	e := newEnv(t, envOptions{now: clock.Now, accessTTL: 30 * time.Second})
	reg := e.mustRegister(t, "erin")
	form := func(v url.Values) response {
		return e.do(t, http.MethodPost, tokenPath, mediaForm, v.Encode())
	}
	answers := map[string]func() response{
		"register": func() response { return reg },
		"json login": func() response {
			return e.postJSON(t, tokenPath, map[string]string{"username": "erin", "password": passwordOf("erin")})
		},
		"password grant": func() response {
			return form(url.Values{"grant_type": {"password"}, "username": {"erin"}, "password": {passwordOf("erin")}, "resource": {"https://api.example"}})
		},
		"refresh": func() response {
			return e.postJSON(t, "/auth/refresh", map[string]string{"refresh_token": str(reg.json, "refresh_token")})
		},
		"refresh grant": func() response {
			login := e.postJSON(t, tokenPath, map[string]string{"username": "erin", "password": passwordOf("erin")})
			return form(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {str(login.json, "refresh_token")}})
		},
	}
	for name, answer := range answers {
		t.Run(name, func(t *testing.T) {
			r := answer()
			if r.status != http.StatusOK && r.status != http.StatusCreated {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			in, _ := r.json["expires_in"].(float64)
			exp := accessExp(t, str(r.json, "access_token"))
			if answered := start.Add(time.Duration(in) * time.Second); answered.After(exp) {
				t.Errorf("expires_in %v from %v is %v, after the token's exp %v", in, start, answered, exp)
			}
			if in != 30 {
				t.Errorf("expires_in = %v, want the whole TTL, 30", in)
			}
		})
	}
}

// accessExp reads the exp claim of an access token, unverified.
func accessExp(t *testing.T, access string) time.Time {
	t.Helper()
	var c struct {
		Exp int64 `json:"exp"`
	}
	tokenClaims(t, access, &c)
	return time.Unix(c.Exp, 0)
}

package httpapi

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
	"github.com/authd/authd/internal/otp"
)

// totpAt is the code of secret at now plus skew steps.
func totpAt(t *testing.T, secret string, now time.Time, skew int64) string {
	t.Helper()
	c, err := otp.TOTP{}.Code(secret, auth.TOTPStep(now)+skew)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMFAFlow walks API.md's two-factor section over HTTP on both
// databases: enrol, confirm, a login's MFA_REQUIRED (JSON and form), the
// second step, and the changes that need a code.
func TestMFAFlow(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		clock := authtest.NewClock(authtest.Start())
		e := newEnv(t, envOptions{store: store, now: clock.Now})
		access := str(e.mustRegister(t, "alice").json, "access_token")
		bearer := []string{"Authorization", "Bearer " + access}
		post := func(path string, body string) response {
			return e.do(t, http.MethodPost, path, "application/json", body, bearer...)
		}
		r := post("/auth/mfa/totp", `{"password":"`+passwordOf("alice")+`"}`)
		if r.status != http.StatusOK || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("enrol: %d %s", r.status, r.raw)
		}
		secret := str(r.json, "secret")
		u, err := url.Parse(str(r.json, "otpauth_url"))
		if err != nil || u.Scheme != "otpauth" || u.Query().Get("secret") != secret || u.Query().Get("issuer") != "authd" {
			t.Errorf("otpauth_url %q", str(r.json, "otpauth_url"))
		}
		wantError(t, post("/auth/mfa/totp/confirm", `{"code":"000000"}`), http.StatusUnauthorized, auth.CodeInvalidCode)
		r = post("/auth/mfa/totp/confirm", `{"code":"`+totpAt(t, secret, clock.Now(), 0)+`"}`)
		codes, _ := r.json["recovery_codes"].([]any)
		if r.status != http.StatusOK || len(codes) != 10 {
			t.Fatalf("confirm: %d %s", r.status, r.raw)
		}
		wantError(t, post("/auth/mfa/totp", `{"password":"`+passwordOf("alice")+`"}`), http.StatusConflict, auth.CodeMFAAlreadyEnabled)
		clock.Add(30 * time.Second)

		// A login with the right password asks for the second factor.
		r = e.postJSON(t, "/auth/login", map[string]string{"username": "alice", "password": passwordOf("alice")})
		tok := str(r.json, "mfa_token")
		methods, _ := r.json["mfa_methods"].([]any)
		if r.status != http.StatusUnauthorized || r.json["error_code"] != "MFA_REQUIRED" || tok == "" || len(methods) != 2 || r.json["access_token"] != nil {
			t.Fatalf("login: %d %s", r.status, r.raw)
		}
		wantError(t, e.postJSON(t, "/auth/login", map[string]string{"username": "alice", "password": "wrong-" + passwordOf("alice")}),
			http.StatusUnauthorized, auth.CodeInvalidCredentials)
		form := url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {passwordOf("alice")}}.Encode()
		r = e.do(t, http.MethodPost, "/auth/login", "application/x-www-form-urlencoded", form)
		if r.json["error"] != "mfa_required" || str(r.json, "mfa_token") == "" {
			t.Errorf("form login: %d %s", r.status, r.raw)
		}

		wantError(t, e.postJSON(t, "/auth/login/mfa", map[string]string{"mfa_token": tok, "code": "123456"}), http.StatusUnauthorized, auth.CodeInvalidCode)
		r = e.postJSON(t, "/auth/login/mfa", map[string]string{"mfa_token": tok, "code": totpAt(t, secret, clock.Now(), 0)})
		if u, _ := r.json["user"].(map[string]any); r.status != http.StatusOK || str(r.json, "access_token") == "" || u["username"] != "alice" || u["mfa_enabled"] != true {
			t.Fatalf("second step: %d %s", r.status, r.raw)
		}
		if me := e.do(t, http.MethodGet, "/auth/me", "", "", "Authorization", "Bearer "+str(r.json, "access_token")); me.json["mfa_enabled"] != true {
			t.Errorf("me with two-factor on: %s", me.raw)
		}
		var claims struct {
			AMR []string `json:"amr"`
			AAL string   `json:"aal"`
		}
		tokenClaims(t, str(r.json, "access_token"), &claims)
		if claims.AAL != "aal2" || len(claims.AMR) != 2 || claims.AMR[1] != "otp" {
			t.Errorf("second-step token: amr %v aal %q; want [pwd otp] aal2", claims.AMR, claims.AAL)
		}
		r = e.postJSON(t, "/auth/refresh", map[string]string{"refresh_token": str(r.json, "refresh_token")})
		claims.AMR, claims.AAL = nil, ""
		tokenClaims(t, str(r.json, "access_token"), &claims)
		if r.status != http.StatusOK || claims.AAL != "aal2" || len(claims.AMR) != 2 {
			t.Errorf("refreshed token: %d amr %v aal %q; want aal2 kept", r.status, claims.AMR, claims.AAL)
		}
		r = e.do(t, http.MethodGet, "/auth/sessions", "", "", "Authorization", "Bearer "+str(r.json, "access_token"))
		aals := map[string]int{}
		for _, item := range r.json["sessions"].([]any) {
			aals[str(item.(map[string]any), "aal")]++
		}
		if aals["aal2"] != 1 || aals["aal1"] != 1 {
			t.Errorf("sessions' aal = %v; want one aal1 (registered) and one aal2", aals)
		}
		wantError(t, e.postJSON(t, "/auth/login/mfa", map[string]string{"mfa_token": tok, "code": totpAt(t, secret, clock.Now(), 1)}),
			http.StatusUnauthorized, auth.CodeInvalidToken)
		wantError(t, e.postJSON(t, "/auth/login/mfa", map[string]string{"mfa_token": tok}), http.StatusBadRequest, auth.CodeValidation)

		// The password change needs a code.
		pw := `"current_password":"` + passwordOf("alice") + `","new_password":"` + passwordOf("alice2") + `"`
		r = post("/auth/password", `{`+pw+`}`)
		if r.status != http.StatusUnauthorized || r.json["error_code"] != "MFA_REQUIRED" || r.json["mfa_token"] != nil {
			t.Errorf("password change without a code: %d %s", r.status, r.raw)
		}
		wantError(t, post("/auth/password", `{`+pw+`,"code":"999999"}`), http.StatusUnauthorized, auth.CodeInvalidCode)
		if r := post("/auth/password", `{`+pw+`,"code":"`+codes[0].(string)+`"}`); r.status != http.StatusNoContent {
			t.Fatalf("password change with a recovery code: %d %s", r.status, r.raw)
		}

		// New recovery codes and turning it off need a code.
		clock.Add(30 * time.Second)
		wantError(t, post("/auth/mfa/recovery-codes", `{"code":"`+codes[0].(string)+`"}`), http.StatusUnauthorized, auth.CodeInvalidCode)
		r = post("/auth/mfa/recovery-codes", `{"code":"`+totpAt(t, secret, clock.Now(), 0)+`"}`)
		fresh, _ := r.json["recovery_codes"].([]any)
		if r.status != http.StatusOK || len(fresh) != 10 {
			t.Fatalf("recovery codes: %d %s", r.status, r.raw)
		}
		del := func(body string) response {
			return e.do(t, http.MethodDelete, "/auth/mfa/totp", "application/json", body, bearer...)
		}
		wantError(t, del(`{"code":"`+codes[1].(string)+`"}`), http.StatusUnauthorized, auth.CodeInvalidCode)
		if r := del(`{"code":"` + fresh[0].(string) + `"}`); r.status != http.StatusNoContent {
			t.Fatalf("disable: %d %s", r.status, r.raw)
		}
		r = e.postJSON(t, "/auth/login", map[string]string{"username": "alice", "password": passwordOf("alice2")})
		if r.status != http.StatusOK {
			t.Fatalf("login after disable: %d %s", r.status, r.raw)
		}
		claims.AMR, claims.AAL = nil, ""
		tokenClaims(t, str(r.json, "access_token"), &claims)
		if claims.AAL != "aal1" || len(claims.AMR) != 1 || claims.AMR[0] != "pwd" {
			t.Errorf("password-only token: amr %v aal %q; want [pwd] aal1", claims.AMR, claims.AAL)
		}

		// Each change is in the user's own security activity, written with it.
		events := e.do(t, http.MethodGet, "/auth/events", "", "", "Authorization", "Bearer "+str(r.json, "access_token"))
		got := map[string]int{}
		for _, ev := range events.json["events"].([]any) {
			got[ev.(map[string]any)["action"].(string)]++
		}
		for action, n := range map[string]int{"mfa.enabled": 1, "mfa.recovery_code_used": 1,
			"mfa.recovery_codes_regenerated": 1, "mfa.disabled": 1} {
			if got[action] != n {
				t.Errorf("%s events: %d, want %d (all: %v)", action, got[action], n, got)
			}
		}
	})
}

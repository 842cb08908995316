package httpapi

import (
	"net/http"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth/authtest"
)

// exampleClock is the examples' fixed clock: a TOTP code computed from
// it is the code the server expects.
func exampleClock() time.Time { return authtest.Start() }

// mfaExamples bring the fixture user to where a two-factor example can
// work, and put what the example stands for (the code, the mfa_token, a
// recovery code) in live, computed from the secret the server made.
var mfaExamples = map[string]func(t *testing.T, e *env, live map[string]string){
	"confirmTOTP": func(t *testing.T, e *env, live map[string]string) {
		live["code"] = totpAt(t, mfaEnrol(t, e, live), exampleClock(), 0)
	},
	"disableTOTP":   mfaOn,
	"recoveryCodes": mfaOn,
	"loginMFA": func(t *testing.T, e *env, live map[string]string) {
		mfaOn(t, e, live)
		r := e.postJSON(t, "/auth/login", map[string]string{"username": exampleUsername, "password": examplePassword})
		if r.status != http.StatusUnauthorized || str(r.json, "mfa_token") == "" {
			t.Fatalf("login of the fixture with two-factor: %d %s", r.status, r.raw)
		}
		live["mfa_token"] = str(r.json, "mfa_token")
	},
}

// mfaEnrol starts enrolment of the fixture and returns its secret.
func mfaEnrol(t *testing.T, e *env, live map[string]string) string {
	t.Helper()
	r := e.do(t, http.MethodPost, "/auth/mfa/totp", mediaJSON, `{"password":"`+examplePassword+`"}`,
		"Authorization", "Bearer "+live["access_token"])
	if r.status != http.StatusOK {
		t.Fatalf("enrol the fixture: %d %s", r.status, r.raw)
	}
	return str(r.json, "secret")
}

// mfaOn turns two-factor on for the fixture with the code of now; the
// example gets the code of the next step (fresh, and within the skew)
// and a recovery code.
func mfaOn(t *testing.T, e *env, live map[string]string) {
	t.Helper()
	secret := mfaEnrol(t, e, live)
	r := e.do(t, http.MethodPost, "/auth/mfa/totp/confirm", mediaJSON, `{"code":"`+totpAt(t, secret, exampleClock(), 0)+`"}`,
		"Authorization", "Bearer "+live["access_token"])
	codes, _ := r.json["recovery_codes"].([]any)
	if r.status != http.StatusOK || len(codes) == 0 {
		t.Fatalf("confirm the fixture: %d %s", r.status, r.raw)
	}
	live["code"] = totpAt(t, secret, exampleClock(), 1)
	live["recovery_code"], _ = codes[0].(string)
}

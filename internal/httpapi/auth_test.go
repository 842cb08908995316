package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
)

func TestRegisterAndLoginFlow(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		// A clock that stands still: expires_in counts from the answer, and a
		// real clock could cross a second between the token and the answer.
		before := time.Now().UTC().Truncate(time.Second)
		e := newEnv(t, envOptions{store: store, now: authtest.NewClock(time.Now()).Now})
		r := e.register(t, "Alice", "Alice@Example.com", "correct-horse-battery")
		if r.status != http.StatusCreated {
			t.Fatalf("register: %d %s", r.status, r.raw)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control = %q", r.header.Get("Cache-Control"))
		}
		user, _ := r.json["user"].(map[string]any)
		if user["username"] != "Alice" || user["email"] != "alice@example.com" || user["is_active"] != true ||
			user["last_login"] != nil || user["id"] == nil {
			t.Errorf("user = %v", user)
		}
		if _, ok := user["hashed_password"]; ok {
			t.Error("hash in response")
		}
		created, err := time.Parse(time.RFC3339, str(user, "created_at"))
		if err != nil || created.Before(before) || !strings.HasSuffix(str(user, "created_at"), "Z") {
			t.Errorf("created_at = %v", user["created_at"])
		}
		if r.json["token_type"] != "bearer" || r.json["expires_in"] != float64(900) ||
			str(r.json, "access_token") == "" || str(r.json, "refresh_token") == "" {
			t.Errorf("token fields = %v", r.json)
		}

		logins := []struct {
			name string
			body map[string]string
		}{
			{"username", map[string]string{"username": "Alice", "password": "correct-horse-battery"}},
			{"username other case", map[string]string{"username": "aLICE", "password": "correct-horse-battery"}},
			{"email", map[string]string{"email": "alice@example.com", "password": "correct-horse-battery"}},
			{"email other case", map[string]string{"email": "ALICE@example.COM", "password": "correct-horse-battery"}},
			{"email in username", map[string]string{"username": "alice@example.com", "password": "correct-horse-battery"}},
		}
		for _, l := range logins {
			lr := e.postJSON(t, "/auth/login", l.body)
			if lr.status != http.StatusOK || str(lr.json, "user", "username") != "Alice" {
				t.Errorf("login by %s: %d %s", l.name, lr.status, lr.raw)
			}
			if lr.header.Get("Cache-Control") != "no-store" {
				t.Errorf("login Cache-Control = %q", lr.header.Get("Cache-Control"))
			}
			if str(lr.json, "user", "last_login") == "" {
				t.Errorf("login by %s: last_login not set: %s", l.name, lr.raw)
			}
		}

		form := url.Values{"grant_type": {"password"}, "username": {"Alice"}, "password": {"correct-horse-battery"}, "scope": {""}, "client_id": {"x"}, "client_secret": {"y"}}
		fr := e.do(t, http.MethodPost, "/auth/login", "application/x-www-form-urlencoded", form.Encode())
		if fr.status != http.StatusOK || str(fr.json, "access_token") == "" {
			t.Fatalf("form login: %d %s", fr.status, fr.raw)
		}

		me := e.do(t, http.MethodGet, "/auth/me", "", "", "Authorization", "Bearer "+str(fr.json, "access_token"))
		if me.status != http.StatusOK || me.json["username"] != "Alice" || str(me.json, "last_login") == "" {
			t.Errorf("me: %d %s", me.status, me.raw)
		}

		rf := e.postJSON(t, "/auth/refresh", map[string]string{"refresh_token": str(fr.json, "refresh_token")})
		if rf.status != http.StatusOK || rf.json["token_type"] != "bearer" || str(rf.json, "access_token") == "" ||
			str(rf.json, "refresh_token") == "" || rf.json["expires_in"] != float64(900) {
			t.Errorf("refresh: %d %s", rf.status, rf.raw)
		}
		if _, ok := rf.json["user"]; ok {
			t.Error("refresh answer holds a user; API.md names only tokens")
		}
		if rf.header.Get("Cache-Control") != "no-store" {
			t.Errorf("refresh Cache-Control = %q", rf.header.Get("Cache-Control"))
		}
		me2 := e.do(t, http.MethodGet, "/auth/me", "", "", "Authorization", "bearer "+str(rf.json, "access_token"))
		if me2.status != http.StatusOK {
			t.Errorf("me with refreshed token: %d %s", me2.status, me2.raw)
		}
	})
}

func TestRegisterConflicts(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		e := newEnv(t, envOptions{store: store})
		e.mustRegister(t, "bob")
		tests := []struct{ name, username, email string }{
			{"same username", "bob", "other@example.com"},
			{"username other case", "BOB", "other2@example.com"},
			{"same email", "bobby", "bob@example.com"},
			{"email other case", "bobby2", "BOB@EXAMPLE.COM"},
		}
		for _, tt := range tests {
			wantError(t, e.register(t, tt.username, tt.email, "tulip-orbit-42"), http.StatusConflict, auth.CodeUserExists)
		}
	})
}

func TestConcurrentRegistration(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		e := newEnv(t, envOptions{store: store})
		const n = 20
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b, _ := json.Marshal(map[string]string{"username": "racer", "email": fmt.Sprintf("racer%d@example.com", i), "password": "tulip-orbit-42"})
				req, _ := http.NewRequest(http.MethodPost, e.url+"/auth/register", strings.NewReader(string(b)))
				req.Header.Set("Content-Type", "application/json")
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				res.Body.Close()
				statuses[i] = res.StatusCode
			}()
		}
		wg.Wait()
		count := map[int]int{}
		for _, s := range statuses {
			count[s]++
		}
		if count[201] != 1 || count[409] != n-1 {
			t.Errorf("statuses = %v, want one 201 and %d 409", count, n-1)
		}
	})
}

func TestRegisterValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	long := func(n int) string { return strings.Repeat("a", n) }
	email := func(local string) string { return local + "@example.com" }
	tests := []struct {
		name, username, email, password string
		field                           string // "" means accepted
	}{
		{"username 3 ok", "abc", email("u3"), "tulip-orbit-1", ""},
		{"username 2", "ab", email("u2"), "tulip-orbit-1", "username"},
		{"username 50 ok", long(50), email("u50"), "tulip-orbit-1", ""},
		{"username 51", long(51), email("u51"), "tulip-orbit-1", "username"},
		{"username chars ok", "a_b.c-D9", email("uc"), "tulip-orbit-1", ""},
		{"username space inside", "a b c", email("us"), "tulip-orbit-1", "username"},
		{"username leading space", " abc", email("ul"), "tulip-orbit-1", "username"},
		{"username trailing space", "abcd ", email("ut"), "tulip-orbit-1", "username"},
		{"username non-ascii", "héllo", email("un"), "tulip-orbit-1", "username"},
		{"username empty", "", email("ue"), "tulip-orbit-1", "username"},
		{"email 100 ok", "e100", long(88) + "@example.com", "tulip-orbit-1", ""},
		{"email 101", "e101", long(89) + "@example.com", "tulip-orbit-1", "email"},
		{"email display name", "edn", "Alice <alice@example.com>", "tulip-orbit-1", "email"},
		{"email angle brackets", "eab", "<alice@example.com>", "tulip-orbit-1", "email"},
		{"email no at", "ena", "alice.example.com", "tulip-orbit-1", "email"},
		{"email no dot in domain", "end", "alice@localhost", "tulip-orbit-1", "email"},
		{"email two addresses", "eta", "a@example.com, b@example.com", "tulip-orbit-1", "email"},
		{"email leading space", "els", " els@example.com", "tulip-orbit-1", "email"},
		{"email empty", "eem", "", "tulip-orbit-1", "email"},
		{"password 8 ok", "p8", email("p8"), "k9#mQ2vL", "username"}, // username too short; password fine
		{"password 8 bytes ok", "pw8", email("pw8"), "k9#mQ2vL", ""},
		{"password 7", "pw7", email("pw7"), "1234567", "password"},
		{"password 72 ok", "pw72", email("pw72"), strings.Repeat("k9", 36), ""},
		{"password 73", "pw73", email("pw73"), long(73), "password"},
		{"password 72 bytes multibyte ok", "pwmb", email("pwmb"), strings.Repeat("éè", 18), ""},
		{"password 74 bytes multibyte", "pwmb2", email("pwmb2"), strings.Repeat("é", 37), "password"},
		{"password spaces kept", "pwsp", email("pwsp"), "  spaced  ", ""},
		{"password empty", "pwe", email("pwe"), "", "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.register(t, tt.username, tt.email, tt.password)
			if tt.field == "" {
				if r.status != http.StatusCreated {
					t.Errorf("want 201, got %d %s", r.status, r.raw)
				}
				return
			}
			wantError(t, r, http.StatusBadRequest, auth.CodeValidation)
			if !strings.Contains(strings.Join(fieldErrors(r), ","), tt.field) {
				t.Errorf("errors = %v, want field %s", fieldErrors(r), tt.field)
			}
		})
	}
	t.Run("all fields reported at once", func(t *testing.T) {
		r := e.register(t, "", "", "")
		wantError(t, r, http.StatusBadRequest, auth.CodeValidation)
		if got := strings.Join(fieldErrors(r), ","); got != "username,email,password" {
			t.Errorf("errors = %s", got)
		}
	})
}

func TestRegisterRefusesStateFields(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	for _, field := range []string{"is_active", "id", "created_at", "hashed_password", "role"} {
		t.Run(field, func(t *testing.T) {
			body := `{"username":"mallory","email":"mallory@example.com","password":"tulip-orbit-42","` + field + `":false}`
			r := e.do(t, http.MethodPost, "/auth/register", "application/json", body)
			wantError(t, r, http.StatusBadRequest, auth.CodeValidation)
			if fe := fieldErrors(r); len(fe) != 1 || fe[0] != field || !strings.Contains(r.raw, field) {
				t.Errorf("errors = %v, want %s named: %s", fe, field, r.raw)
			}
		})
	}
	if r := e.postJSON(t, "/auth/login", map[string]string{"username": "mallory", "password": "tulip-orbit-42"}); r.status != http.StatusUnauthorized {
		t.Errorf("a refused registration created the user: %d", r.status)
	}
}

func TestLoginFailures(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		e := newEnv(t, envOptions{store: store})
		pw72 := strings.Repeat("k9", 36)
		e.mustRegister(t, "carol")
		if r := e.register(t, "dave", "dave@example.com", pw72); r.status != http.StatusCreated {
			t.Fatalf("register 72-byte password: %d %s", r.status, r.raw)
		}
		tests := []struct {
			name   string
			ct     string
			body   string
			status int
			code   auth.Code
		}{
			{"wrong password", "application/json", `{"username":"carol","password":"wrong-password"}`, 401, auth.CodeInvalidCredentials},
			{"unknown user", "application/json", `{"username":"nobody","password":"wrong-password"}`, 401, auth.CodeInvalidCredentials},
			{"unknown email", "application/json", `{"email":"nobody@example.com","password":"wrong-password"}`, 401, auth.CodeInvalidCredentials},
			{"72 bytes plus suffix", "application/json", `{"username":"dave","password":"` + pw72 + `x"}`, 401, auth.CodeInvalidCredentials},
			{"72 bytes plus long suffix", "application/json", `{"username":"dave","password":"` + pw72 + strings.Repeat("y", 100) + `"}`, 401, auth.CodeInvalidCredentials},
			{"missing password", "application/json", `{"username":"carol"}`, 400, auth.CodeValidation},
			{"missing identifier", "application/json", `{"password":"x"}`, 400, auth.CodeValidation},
			{"both identifiers", "application/json", `{"username":"carol","email":"carol@example.com","password":"` + passwordOf("carol") + `"}`, 400, auth.CodeValidation},
			{"unknown field", "application/json", `{"username":"carol","password":"` + passwordOf("carol") + `","remember":true}`, 400, auth.CodeValidation},
			// Form requests, whose errors add the OAuth2 member: TestTokenEndpointErrors.
			{"xml", "application/xml", "<login/>", 415, auth.CodeUnsupportedMedia},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantError(t, e.do(t, http.MethodPost, "/auth/login", tt.ct, tt.body), tt.status, tt.code)
			})
		}
		if r := e.postJSON(t, "/auth/login", map[string]string{"username": "dave", "password": pw72}); r.status != http.StatusOK {
			t.Errorf("exact 72-byte password: %d %s", r.status, r.raw)
		}
		// The unknown-user and wrong-password answers are the same but for
		// timestamp and request_id.
		a := e.postJSON(t, "/auth/login", map[string]string{"username": "carol", "password": "wrong-password"})
		b := e.postJSON(t, "/auth/login", map[string]string{"username": "nobody", "password": "wrong-password"})
		for _, r := range []response{a, b} {
			delete(r.json, "timestamp")
			delete(r.json, "request_id")
		}
		if fmt.Sprint(a.json) != fmt.Sprint(b.json) {
			t.Errorf("bodies differ: %v vs %v", a.json, b.json)
		}
		var reasons []string
		for _, l := range e.logs.Lines(t) {
			if l["message"] == "login failed" {
				reasons = append(reasons, str(l, "reason"))
				if l["level"] != "INFO" {
					t.Errorf("login failed at %v", l["level"])
				}
			}
		}
		for _, want := range []string{"wrong_password", "unknown_user", "password_too_long"} {
			if !strings.Contains(strings.Join(reasons, ","), want) {
				t.Errorf("no login failed line with reason %s (got %v)", want, reasons)
			}
		}
	})
}

func TestInactiveUser(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		e := newEnv(t, envOptions{store: store})
		reg := e.mustRegister(t, "erin")
		id := int64(reg.json["user"].(map[string]any)["id"].(float64))
		access, refresh := e.deactivatedWithSession(t, id, "erin", time.Now())
		// The deactivation ended the session of the registration.
		wantError(t, e.do(t, http.MethodGet, "/auth/me", "", "", "Authorization", "Bearer "+str(reg.json, "access_token")), http.StatusUnauthorized, auth.CodeSessionRevoked)
		wantError(t, e.postJSON(t, "/auth/login", map[string]string{"username": "erin", "password": passwordOf("erin")}), http.StatusForbidden, auth.CodeUserInactive)
		// A wrong password must not reveal that the account is inactive.
		wantError(t, e.postJSON(t, "/auth/login", map[string]string{"username": "erin", "password": "wrong-password"}), http.StatusUnauthorized, auth.CodeInvalidCredentials)
		// A session that outlived the deactivation (a login racing it)
		// still gets nothing.
		wantError(t, e.postJSON(t, "/auth/refresh", map[string]string{"refresh_token": refresh}), http.StatusForbidden, auth.CodeUserInactive)
		wantError(t, e.do(t, http.MethodGet, "/auth/me", "", "", "Authorization", "Bearer "+access), http.StatusForbidden, auth.CodeUserInactive)
	})
}

// forge signs claims the way an attacker might.
func forge(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestTokenAttacks(t *testing.T) {
	t.Parallel()
	now := time.Now()
	e := newEnv(t, envOptions{})
	reg := e.mustRegister(t, "frank")
	access, refresh := str(reg.json, "access_token"), str(reg.json, "refresh_token")
	id := fmt.Sprint(int64(reg.json["user"].(map[string]any)["id"].(float64)))
	sid := sessionID(t, access)
	claims := func(typ string, mods ...func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"sub": id, "sid": sid, "username": "frank", "type": typ, "iss": "authd", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": "x"}
		for _, m := range mods {
			m(c)
		}
		return c
	}
	parts := strings.Split(access, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tamperedPayload := strings.Replace(string(payload), `"frank"`, `"admin"`, 1)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(tamperedPayload)) + "." + parts[2]
	none := forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims("access"))
	otherUser, _, _ := e.issuer.Issue(auth.AccessClaims{UserID: 999999, Username: "ghost", SessionID: sid})
	noSession, _, _ := e.issuer.Issue(auth.AccessClaims{UserID: 999999, Username: "ghost", SessionID: auth.NewSessionID()})
	// A refresh token of another server: same format, another key.
	otherServer := refresherOf(t, "another-secret-of-at-least-32-bytes!!")
	foreignRefresh, _ := otherServer.Mint(sessionID(t, access), 0)
	unknownSession, _ := refresherOf(t, testSecret).Mint(auth.NewSessionID(), 0)

	bearer := []struct {
		name, token string
		code        auth.Code
	}{
		{"alg none", none, auth.CodeInvalidToken},
		{"HS512 with the right secret", forge(t, jwt.SigningMethodHS512, []byte(testSecret), claims("access")), auth.CodeInvalidToken},
		{"wrong secret", forge(t, jwt.SigningMethodHS256, []byte("another-secret-of-at-least-32-bytes!!"), claims("access")), auth.CodeInvalidToken},
		{"tampered payload", tampered, auth.CodeInvalidToken},
		{"wrong iss", forge(t, jwt.SigningMethodHS256, []byte(testSecret), claims("access", func(c jwt.MapClaims) { c["iss"] = "evil" })), auth.CodeInvalidToken},
		{"expired", forge(t, jwt.SigningMethodHS256, []byte(testSecret), claims("access", func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() })), auth.CodeTokenExpired},
		{"no exp", forge(t, jwt.SigningMethodHS256, []byte(testSecret), claims("access", func(c jwt.MapClaims) { delete(c, "exp") })), auth.CodeInvalidToken},
		{"refresh token as bearer", refresh, auth.CodeInvalidToken},
		{"old refresh JWT as bearer", forge(t, jwt.SigningMethodHS256, []byte(testSecret), claims("refresh")), auth.CodeInvalidToken},
		{"no sid", forge(t, jwt.SigningMethodHS256, []byte(testSecret), claims("access", func(c jwt.MapClaims) { delete(c, "sid") })), auth.CodeInvalidToken},
		{"session of another user", otherUser, auth.CodeInvalidToken},
		{"session that does not exist", noSession, auth.CodeSessionRevoked},
		{"garbage", "not.a.jwt", auth.CodeInvalidToken},
	}
	for _, tt := range bearer {
		t.Run("me/"+tt.name, func(t *testing.T) {
			r := e.do(t, http.MethodGet, "/auth/me", "", "", "Authorization", "Bearer "+tt.token)
			wantError(t, r, http.StatusUnauthorized, tt.code)
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
			}
		})
	}
	for _, h := range []string{"", "Basic Zm9vOmJhcg==", "Bearer", "Bearer  "} {
		t.Run(fmt.Sprintf("me/header %q", h), func(t *testing.T) {
			r := e.do(t, http.MethodGet, "/auth/me", "", "", "Authorization", h)
			wantError(t, r, http.StatusUnauthorized, auth.CodeInvalidToken)
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate = %q", r.header.Get("WWW-Authenticate"))
			}
		})
	}
	refreshCases := []struct {
		name, token string
		code        auth.Code
	}{
		{"access token as refresh", access, auth.CodeInvalidToken},
		{"alg none", forge(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims("refresh")), auth.CodeInvalidToken},
		{"refresh JWT of the release before sessions", forge(t, jwt.SigningMethodHS256, []byte(testSecret), claims("refresh")), auth.CodeInvalidToken},
		{"another server's key", foreignRefresh, auth.CodeInvalidToken},
		{"unknown session", unknownSession, auth.CodeInvalidToken},
		{"padded", refresh + "=", auth.CodeInvalidToken},
		{"garbage", "garbage", auth.CodeInvalidToken},
	}
	for _, tt := range refreshCases {
		t.Run("refresh/"+tt.name, func(t *testing.T) {
			wantError(t, e.postJSON(t, "/auth/refresh", map[string]string{"refresh_token": tt.token}), http.StatusUnauthorized, tt.code)
		})
	}
	t.Run("refresh/missing", func(t *testing.T) {
		wantError(t, e.postJSON(t, "/auth/refresh", map[string]string{}), http.StatusBadRequest, auth.CodeValidation)
	})
}

// TestShortTTLsExpire uses real short TTLs from configuration.
func TestShortTTLsExpire(t *testing.T) {
	t.Parallel()
	clock := authtest.NewClock(time.Now())
	e := newEnv(t, envOptions{accessTTL: time.Minute, refreshTTL: 2 * time.Minute, now: clock.Now})
	reg := e.mustRegister(t, "gina")
	if reg.json["expires_in"] != float64(60) {
		t.Errorf("expires_in = %v, want 60", reg.json["expires_in"])
	}
	clock.Add(90 * time.Second)
	wantError(t, e.do(t, http.MethodGet, "/auth/me", "", "", "Authorization", "Bearer "+str(reg.json, "access_token")), http.StatusUnauthorized, auth.CodeTokenExpired)
	rf := e.postJSON(t, "/auth/refresh", map[string]string{"refresh_token": str(reg.json, "refresh_token")})
	if rf.status != http.StatusOK {
		t.Fatalf("refresh within its TTL: %d %s", rf.status, rf.raw)
	}
	clock.Add(time.Minute)
	if r := e.postJSON(t, "/auth/refresh", map[string]string{"refresh_token": str(rf.json, "refresh_token")}); r.status != http.StatusOK {
		t.Errorf("refresh of the new token within its TTL: %d %s", r.status, r.raw)
	}
	clock.Add(2 * time.Minute)
	wantError(t, e.postJSON(t, "/auth/refresh", map[string]string{"refresh_token": str(rf.json, "refresh_token")}), http.StatusUnauthorized, auth.CodeTokenExpired)
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/authd/authd/internal/auth/authtest"
	"github.com/authd/authd/internal/metrics/metricstest"
)

// withMetrics turns metrics on in env, on a port of the system's choosing.
func withMetrics(env map[string]string) map[string]string {
	env["AUTHD_METRICS_ADDR"] = "127.0.0.1:0"
	return env
}

// scrape reads /metrics from the instance's metrics listener (see
// withMetrics).
func scrape(t *testing.T, in *instance) metricstest.Scrape {
	t.Helper()
	return metricstest.Get(t, faultClient, in.sideAddr(t, "metrics")+"/metrics")
}

// sideAddr is the address the instance logged for its metrics listener.
func (in *instance) sideAddr(t *testing.T, what string) string {
	t.Helper()
	for _, line := range strings.Split(in.output(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["message"] == what+" listening" {
			return "http://" + m["addr"].(string)
		}
	}
	t.Fatalf("no %q line", what+" listening")
	return ""
}

func wantValues(t *testing.T, s metricstest.Scrape, want map[string]float64) {
	t.Helper()
	for series, v := range want {
		got, ok := s.Values[series]
		if !ok || got != v {
			t.Errorf("%s = %v (served: %v), want %v", series, got, ok, v)
		}
	}
}

// TestMetricsScriptedSequence runs a known sequence of requests through a
// real authd and checks the exact counts it scrapes afterwards.
func TestMetricsScriptedSequence(t *testing.T) {
	t.Parallel()
	env := faultEnv(t)
	// Throttling with small limits: two failed logins from one IP, three
	// registrations from one IP (windows of 15 minutes and an hour, so no
	// timing is involved).
	env["AUTHD_LOGIN_IP_MAX_FAILURES"] = "2"
	env["AUTHD_REGISTER_IP_MAX"] = "3"
	// Loopback is the proxy: a request naming another client IP in
	// X-Forwarded-For is not the refused one.
	env["AUTHD_TRUSTED_PROXIES"] = "127.0.0.1"
	in := start(t, withMetrics(env))
	must := func(a answer, status int, code string) {
		t.Helper()
		if a.status != status || a.code != code {
			t.Fatalf("got %d %s, want %d %s", a.status, a.code, status, code)
		}
	}
	_, reg := in.post(t, "/auth/register", register("alice"))
	r0, _ := reg["refresh_token"].(string)
	access, _ := reg["access_token"].(string)
	refresh := func(rt string) map[string]any {
		t.Helper()
		_, body := in.post(t, "/auth/refresh", `{"refresh_token":"`+rt+`"}`)
		return body
	}
	must(in.send(t, "/auth/register", register("bob")), http.StatusCreated, "")
	_, second := in.post(t, "/auth/login", login("alice"))
	must(in.send(t, "/auth/login", `{"username":"alice"}`), http.StatusBadRequest, "VALIDATION_ERROR") // not an attempt

	// alice's first session: r0 → r1 → r2, r0 once more inside the grace
	// (answered), then r0 again after r2 exists: reuse, the session ends.
	r1, _ := refresh(r0)["refresh_token"].(string)
	if again, _ := refresh(r0)["refresh_token"].(string); again != r1 || r1 == "" {
		t.Fatalf("r0 inside the grace gave %q, want r1 %q", again, r1)
	}
	r2, _ := refresh(r1)["refresh_token"].(string)
	if body := refresh(r0); body["error_code"] != "REFRESH_TOKEN_REUSED" {
		t.Fatalf("r0 after r2: %v, want REFRESH_TOKEN_REUSED", body)
	}
	if body := refresh(r2); body["error_code"] != "SESSION_REVOKED" {
		t.Fatalf("r2 after the reuse: %v, want SESSION_REVOKED", body)
	}
	must(in.send(t, "/auth/refresh", `{"refresh_token":"not-a-token"}`), http.StatusUnauthorized, "INVALID_TOKEN")
	must(in.send(t, "/auth/refresh", `{"refresh_token":"`+access+`"}`), http.StatusUnauthorized, "INVALID_TOKEN")

	// alice logs out of her second session.
	if status, body := in.post(t, "/auth/logout", `{}`, "Authorization", "Bearer "+second["access_token"].(string)); status != http.StatusNoContent {
		t.Fatalf("logout: %d %v", status, body)
	}

	// carol, with two sessions, changes her password from one: the other ends.
	_, carol := in.post(t, "/auth/register", register("carol"))
	must(in.send(t, "/auth/login", login("carol")), http.StatusOK, "")
	if status, body := in.post(t, "/auth/password", `{"current_password":"`+authtest.Password("carol")+`","new_password":"a-new-tulip-password"}`,
		"Authorization", "Bearer "+carol["access_token"].(string)); status != http.StatusNoContent {
		t.Fatalf("password change: %d %v", status, body)
	}

	// bob deactivated by the operator command, on the same database: his
	// session ends, and his login is refused.
	var out bytes.Buffer
	if err := run(context.Background(), []string{"user", "deactivate", "bob"}, envFrom(env), &out, io.Discard); err != nil {
		t.Fatalf("deactivate: %v", err)
	}
	must(in.send(t, "/auth/login", login("bob")), http.StatusForbidden, "USER_INACTIVE")

	// Two failed logins from this IP, then the IP is refused, even with
	// the right password; the fourth registration from it is refused too.
	must(in.send(t, "/auth/login", `{"username":"alice","password":"wrong-password"}`), http.StatusUnauthorized, "INVALID_CREDENTIALS")
	must(in.send(t, "/auth/login", login("nobody")), http.StatusUnauthorized, "INVALID_CREDENTIALS")
	must(in.send(t, "/auth/login", login("alice")), http.StatusTooManyRequests, "RATE_LIMITED")
	must(in.send(t, "/auth/register", register("dave")), http.StatusTooManyRequests, "RATE_LIMITED")

	s := scrape(t, in)
	wantValues(t, s, map[string]float64{
		`authd_login_attempts_total{result="success"}`:             2,
		`authd_login_attempts_total{result="invalid_credentials"}`: 2,
		`authd_login_attempts_total{result="inactive"}`:            1,
		`authd_login_attempts_total{result="throttled"}`:           1,
		`authd_login_attempts_total{result="error"}`:               0,
		`authd_throttle_refusals_total{scope="ip"}`:                1,
		`authd_throttle_refusals_total{scope="register"}`:          1,
		`authd_throttle_refusals_total{scope="pair"}`:              0,
		`authd_throttle_refusals_total{scope="account"}`:           0,
		`authd_refresh_total{result="rotated"}`:                    2,
		`authd_refresh_total{result="grace"}`:                      1,
		`authd_refresh_total{result="reused"}`:                     1,
		`authd_refresh_total{result="revoked"}`:                    1,
		`authd_refresh_total{result="invalid"}`:                    2,
		`authd_refresh_total{result="expired"}`:                    0,
		`authd_sessions_ended_total{reason="reuse"}`:               1,
		`authd_sessions_ended_total{reason="logout"}`:              1,
		`authd_sessions_ended_total{reason="password"}`:            1,
		// The operator command ran in another process: its count is
		// that process's, not this server's.
		`authd_sessions_ended_total{reason="deactivated"}`:                           0,
		`authd_circuit_breaker_state`:                                                0,
		`authd_hash_queue_depth`:                                                     0,
		`authd_http_requests_total{code="201",method="POST",route="/auth/register"}`: 3,
		`authd_http_requests_total{code="400",method="POST",route="/auth/login"}`:    1,
		`authd_http_requests_total{code="429",method="POST",route="/auth/login"}`:    1,
		`authd_http_requests_total{code="429",method="POST",route="/auth/register"}`: 1,
		`authd_http_requests_total{code="204",method="POST",route="/auth/logout"}`:   1,
		`go_sql_max_open_connections{db_name="sqlite_write"}`:                        1,
	})

	// The breaker opens on a failing store: another connection holds the
	// SQLite write lock, and three writes fail at the database timeout.
	_, unlock := lockSQLite(t, env)
	defer unlock()
	for i := range 3 {
		must(in.send(t, "/auth/register", register(fmt.Sprintf("locked%d", i))), http.StatusInternalServerError, "DATABASE_ERROR")
	}
	// The refused IP is still refused, from memory: no store call, so
	// not the breaker's answer. Another client's login needs the throttle
	// read, which the open breaker fails.
	must(in.send(t, "/auth/login", login("alice")), http.StatusTooManyRequests, "RATE_LIMITED")
	if status, body := in.post(t, "/auth/login", login("alice"), "X-Forwarded-For", "192.0.2.9"); status != http.StatusServiceUnavailable || body["error_code"] != "CIRCUIT_BREAKER_OPEN" {
		t.Fatalf("login from another IP with the breaker open: %d %v, want 503 CIRCUIT_BREAKER_OPEN", status, body)
	}
	s = scrape(t, in)
	wantValues(t, s, map[string]float64{
		`authd_circuit_breaker_state`:                                                2,
		`authd_login_attempts_total{result="error"}`:                                 1,
		`authd_login_attempts_total{result="throttled"}`:                             2,
		`authd_login_attempts_total{result="success"}`:                               2,
		`authd_throttle_refusals_total{scope="ip"}`:                                  2,
		`authd_http_requests_total{code="500",method="POST",route="/auth/register"}`: 3,
		`authd_http_requests_total{code="429",method="POST",route="/auth/login"}`:    2,
		`authd_http_requests_total{code="503",method="POST",route="/auth/login"}`:    1,
	})
}

// TestMetricsAddr: metrics are off unless AUTHD_METRICS_ADDR names an
// address, and then served only there: the API listener never has
// /metrics.
func TestMetricsAddr(t *testing.T) {
	t.Parallel()
	off := func(t *testing.T, env map[string]string) {
		t.Helper()
		in := start(t, env)
		if status, body := in.get(t, "/metrics"); status != http.StatusNotFound || body["error_code"] != "NOT_FOUND" {
			t.Errorf("API listener /metrics with metrics off: %d %v, want 404 NOT_FOUND", status, body)
		}
		if strings.Contains(in.output(), "metrics listening") {
			t.Error("a metrics listener started with metrics off")
		}
	}
	t.Run("unset: off", func(t *testing.T) {
		t.Parallel()
		off(t, sqliteEnv(t))
	})
	t.Run("off, as earlier releases spelled it", func(t *testing.T) {
		t.Parallel()
		env := sqliteEnv(t)
		env["AUTHD_METRICS_ADDR"] = "off"
		off(t, env)
	})
	t.Run("an address: served there only", func(t *testing.T) {
		t.Parallel()
		in := start(t, withMetrics(sqliteEnv(t)))
		if status, body := in.get(t, "/metrics"); status != http.StatusNotFound || body["error_code"] != "NOT_FOUND" {
			t.Errorf("API listener /metrics: %d %v, want 404 NOT_FOUND", status, body)
		}
		in.get(t, "/health")
		s := scrape(t, in)
		// The main listener's requests are counted; the side listener's are not.
		wantValues(t, s, map[string]float64{
			`authd_http_requests_total{code="200",method="GET",route="/health"}`:   1,
			`authd_http_requests_total{code="404",method="GET",route="unmatched"}`: 1,
		})
		if _, ok := s.Values[`authd_http_requests_total{code="200",method="GET",route="/metrics"}`]; ok {
			t.Error("the scrape counted itself as an API request")
		}
	})
}

// TestMetricsLabelsHoldNoSecrets sends requests carrying usernames, emails,
// IPs and tokens in every place a request has (path, query, method,
// headers, body) and finds none of them in the scrape.
func TestMetricsLabelsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	in := start(t, withMetrics(sqliteEnv(t)))
	const (
		user  = "zelda9qx"
		email = "zelda9qx@mail.example"
		ip    = "203.0.113.77"
	)
	_, reg := in.post(t, "/auth/register", `{"username":"`+user+`","email":"`+email+`","password":"zelda-password-1"}`)
	refresh, _ := reg["refresh_token"].(string)
	access, _ := reg["access_token"].(string)
	if refresh == "" || access == "" {
		t.Fatalf("register: %v", reg)
	}
	secrets := []string{user, email, ip, access, refresh, "zelda-password-1"}
	for _, p := range []string{"/" + user, "/auth/" + email, "/auth/me/" + access, "/" + ip, "/auth/login?u=" + user, "/health/" + refresh} {
		in.get(t, p, "X-Forwarded-For", ip, "Authorization", "Bearer "+access)
	}
	in.get(t, "/auth/me", "Authorization", "Bearer "+access, "X-Forwarded-For", ip, "X-Request-ID", user)
	in.post(t, "/auth/login", `{"email":"`+email+`","password":"zelda-password-1"}`, "X-Forwarded-For", ip)
	in.post(t, "/auth/login", `{"username":"`+user+`","password":"wrong"}`, "X-Real-IP", ip)
	in.post(t, "/auth/refresh", `{"refresh_token":"`+refresh+`"}`)
	for _, method := range []string{user, "PROPFIND"} {
		req, err := http.NewRequest(method, in.url+"/auth/me", nil)
		if err != nil {
			t.Fatal(err)
		}
		do(t, req)
	}
	s := scrape(t, in)
	for _, secret := range secrets {
		if strings.Contains(s.Text, secret) {
			t.Errorf("the scrape holds %q", secret)
		}
	}
	if got := s.Values[`authd_login_attempts_total{result="success"}`]; got != 1 {
		t.Errorf("successful logins = %v, want 1 (the requests did arrive)", got)
	}
	if got := s.Values[`authd_http_requests_total{code="405",method="OTHER",route="unmatched"}`]; got != 2 {
		t.Errorf("invented methods counted %v times under OTHER, want 2", got)
	}
}

// TestVersionAgrees: `authd version`, /health's version and
// authd_build_info's label come from one place and agree.
func TestVersionAgrees(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, envFrom(nil), &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	v := strings.TrimSpace(out.String())
	in := start(t, withMetrics(sqliteEnv(t)))
	_, health := in.get(t, "/health")
	if health["version"] != v {
		t.Errorf("/health version %v, authd version %q", health["version"], v)
	}
	s := scrape(t, in)
	if got := s.Series("authd_build_info"); len(got) != 1 || got[0] != `authd_build_info{version="`+v+`"}` {
		t.Errorf("build info %v, want version %q", got, v)
	}
}

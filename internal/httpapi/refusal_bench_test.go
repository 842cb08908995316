package httpapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
)

// BenchmarkLoginRefused is what the server spends on a login it refuses
// from memory, the answer a guessing flood gets hundreds of times a second
// beside the bcrypt work it must not starve: every middleware, the body,
// the throttle check, the log lines and the JSON answer, without the
// network. The log is encoded as in production and then discarded.
func BenchmarkLoginRefused(b *testing.B) {
	clock := authtest.NewClock(time.Now().Truncate(time.Second))
	e := newEnv(b, envOptions{throttle: &auth.Throttle{PairFreeFailures: 1}, now: clock.Now,
		opts: Options{TrustedProxies: loopback}, logOut: io.Discard})
	e.mustRegister(b, "guessed")
	const ip = "203.0.113.9"
	if r := e.loginFrom(b, ip, "guessed", "wrong-password"); r.status != http.StatusUnauthorized {
		b.Fatalf("first failure: %d %s", r.status, r.raw)
	}
	// The clock stands still, so the pair's wait never ends and every
	// attempt below is refused from memory.
	if r := e.loginFrom(b, ip, "guessed", "wrong-password"); r.status != http.StatusTooManyRequests {
		b.Fatalf("refusal read from the store: %d %s", r.status, r.raw)
	}
	const body = `{"username": "guessed", "password": "not-the-password"}`
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/auth/login", strings.NewReader(body))
		req.RemoteAddr = "127.0.0.1:40000"
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", ip)
		rec := httptest.NewRecorder()
		e.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusTooManyRequests {
			b.Fatalf("attempt: %d %s", rec.Code, rec.Body)
		}
	}
}

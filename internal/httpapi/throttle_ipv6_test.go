package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// TestThrottleIPv6ByPrefix: behind a trusted proxy, the addresses of one
// IPv6 /64 are one client for every count keyed by client IP (API.md,
// Throttling), while the next /64 is another client; the session list
// still shows the full address.
func TestThrottleIPv6ByPrefix(t *testing.T) {
	t.Parallel()
	// host is an address of the /64 2001:db8:1::/64; other is outside it.
	host := func(i int) string { return fmt.Sprintf("2001:db8:1::%x", i) }
	const other = "2001:db8:1:1::2"

	t.Run("pair", func(t *testing.T) {
		bothStores(t, func(t *testing.T, store string) {
			e, _ := throttleEnv(t, store, auth.Throttle{PairFreeFailures: 3}, 4)
			e.mustRegister(t, "ivy")
			for i := range 3 {
				wantError(t, e.loginFrom(t, host(2+i), "ivy", "wrong-password"), http.StatusUnauthorized, auth.CodeInvalidCredentials)
			}
			// A fresh address of the /64 is the same pair, backing off.
			wantRateLimited(t, e.loginFrom(t, host(0x99), "ivy", passwordOf("ivy")), 1)
			wantStatus(t, "the next /64", e.loginFrom(t, other, "ivy", passwordOf("ivy")), http.StatusOK)
		})
	})

	t.Run("ip", func(t *testing.T) {
		bothStores(t, func(t *testing.T, store string) {
			e, _ := throttleEnv(t, store, auth.Throttle{IPMaxFailures: 3}, 4)
			e.mustRegister(t, "ike")
			for i := range 3 {
				wantError(t, e.loginFrom(t, host(2+i), fmt.Sprintf("nobody%d", i), "wrong-password"),
					http.StatusUnauthorized, auth.CodeInvalidCredentials)
			}
			wantRateLimited(t, e.loginFrom(t, host(0x99), "ike", passwordOf("ike")), 15*60)
			wantStatus(t, "the next /64", e.loginFrom(t, other, "ike", passwordOf("ike")), http.StatusOK)
			if got := refusals(t, e); !slices.Equal(got, []string{auth.ScopeIP}) {
				t.Errorf("refusals logged with scopes %v, want ip once", got)
			}
		})
	})

	t.Run("register", func(t *testing.T) {
		bothStores(t, func(t *testing.T, store string) {
			e, _ := throttleEnv(t, store, auth.Throttle{RegisterIPMax: 2}, 4)
			reg := func(ip, name string) response {
				return e.do(t, http.MethodPost, "/auth/register", "application/json",
					fmt.Sprintf(`{"username": %q, "email": "%s@example.com", "password": %q}`, name, name, passwordOf(name)),
					"X-Forwarded-For", ip)
			}
			wantStatus(t, "first", reg(host(2), "six1"), http.StatusCreated)
			wantStatus(t, "second", reg(host(3), "six2"), http.StatusCreated)
			wantRateLimited(t, reg(host(4), "six3"), 60*60)
			wantStatus(t, "the next /64", reg(other, "six4"), http.StatusCreated)
		})
	})

	t.Run("known IP", func(t *testing.T) {
		bothStores(t, func(t *testing.T, store string) {
			e, clock := throttleEnv(t, store, auth.Throttle{AccountMaxFailures: 3}, 4)
			e.mustRegister(t, "ola")
			clock.Add(time.Second) // the session list is ordered by opening time
			wantStatus(t, "owner at home", e.loginFrom(t, host(0x10), "ola", passwordOf("ola")), http.StatusOK)
			for i := range 3 {
				wantError(t, e.loginFrom(t, fmt.Sprintf("2001:db8:%x::1", 0x100+i), "ola", "wrong-password"),
					http.StatusUnauthorized, auth.CodeInvalidCredentials)
			}
			wantRateLimited(t, e.loginFrom(t, other, "ola", passwordOf("ola")), 24*60*60)
			// RFC 8981: the owner's next temporary address, in the same /64.
			const temporary = "2001:db8:1:0:a1b2:c3d4:e5f6:789"
			clock.Add(time.Second)
			r := e.loginFrom(t, temporary, "ola", passwordOf("ola"))
			wantStatus(t, "owner on a temporary address during the attack", r, http.StatusOK)

			ips := e.listed(t, str(r.json, "access_token"), "ip")
			// Newest first: the temporary address, home, the registration.
			if want := []string{temporary, host(0x10), "127.0.0.1"}; !slices.Equal(ips, want) {
				t.Errorf("session IPs = %v, want the full addresses %v", ips, want)
			}
		})
	})
}

// TestThrottleIPv4Mapped: an IPv4-mapped IPv6 address in X-Forwarded-For
// counts as the IPv4 address.
func TestThrottleIPv4Mapped(t *testing.T) {
	t.Parallel()
	e, clock := throttleEnv(t, "", auth.Throttle{RegisterIPMax: 1}, 4)
	wantStatus(t, "first", e.do(t, http.MethodPost, "/auth/register", "application/json",
		`{"username": "map1", "email": "map1@example.com", "password": "`+passwordOf("map1")+`"}`,
		"X-Forwarded-For", "192.0.2.77"), http.StatusCreated)
	clock.Add(time.Minute)
	wantRateLimited(t, e.do(t, http.MethodPost, "/auth/register", "application/json",
		`{"username": "map2", "email": "map2@example.com", "password": "`+passwordOf("map2")+`"}`,
		"X-Forwarded-For", "::ffff:192.0.2.77"), 59*60)
}

package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
	"github.com/authd/authd/internal/metrics"
)

// loopback is trusted as a proxy in these tests, so X-Forwarded-For names
// the client IP of each request, as behind a load balancer.
var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// throttleEnv is an env with throttling on, the loopback trusted and a
// clock the test moves.
func throttleEnv(t *testing.T, store string, th auth.Throttle, cost int) (*env, *authtest.Clock) {
	t.Helper()
	clock := authtest.NewClock(time.Now().Truncate(time.Second))
	e := newEnv(t, envOptions{store: store, throttle: &th, now: clock.Now, cost: cost,
		opts: Options{TrustedProxies: loopback}})
	return e, clock
}

// loginFrom logs in as username (or email, when it holds an '@') from ip.
func (e *env) loginFrom(t testing.TB, ip, username, pw string) response {
	t.Helper()
	field := "username"
	if strings.Contains(username, "@") {
		field = "email"
	}
	return e.do(t, http.MethodPost, "/auth/login", "application/json",
		fmt.Sprintf(`{%q: %q, "password": %q}`, field, username, pw), "X-Forwarded-For", ip)
}

// wantRateLimited asserts a 429 RATE_LIMITED whose Retry-After is want
// whole seconds.
func wantRateLimited(t *testing.T, r response, want int) {
	t.Helper()
	wantError(t, r, http.StatusTooManyRequests, auth.CodeRateLimited)
	if got := r.header.Get("Retry-After"); got != strconv.Itoa(want) {
		t.Errorf("Retry-After = %q, want %d", got, want)
	}
}

// refusals returns the scope of each "attempt throttled" log line.
func refusals(t *testing.T, e *env) []string {
	t.Helper()
	var scopes []string
	for _, m := range e.logs.Lines(t) {
		if m["message"] == "attempt throttled" {
			if m["level"] != "INFO" {
				t.Errorf("refusal logged at %v, want INFO", m["level"])
			}
			s, _ := m["scope"].(string)
			scopes = append(scopes, s)
		}
	}
	return scopes
}

// TestThrottlePair: five failures of one account from one IP are free;
// then the pair waits 1 s, 2 s, … after each further failure, even with
// the right password, while other IPs are not held up; the username and
// the email share one count; a success resets the pair.
func TestThrottlePair(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, store string) {
		e, clock := throttleEnv(t, store, auth.Throttle{PairFreeFailures: 5}, 4)
		e.mustRegister(t, "alice")
		const ip, other = "198.51.100.1", "198.51.100.2"
		for i := range 5 {
			// Username and email alternate: one account, one count.
			name := []string{"alice", "ALICE@example.com"}[i%2]
			wantError(t, e.loginFrom(t, ip, name, "wrong-password"), http.StatusUnauthorized, auth.CodeInvalidCredentials)
		}
		wantRateLimited(t, e.loginFrom(t, ip, "alice", passwordOf("alice")), 1)
		wantRateLimited(t, e.loginFrom(t, ip, "alice@example.com", passwordOf("alice")), 1)
		wantStatus(t, "right password from another IP", e.loginFrom(t, other, "alice", passwordOf("alice")), http.StatusOK)

		clock.Add(time.Second)
		wantError(t, e.loginFrom(t, ip, "alice", "wrong-password"), http.StatusUnauthorized, auth.CodeInvalidCredentials)
		wantRateLimited(t, e.loginFrom(t, ip, "alice", passwordOf("alice")), 2)
		clock.Add(2 * time.Second)
		wantError(t, e.loginFrom(t, ip, "alice", "wrong-password"), http.StatusUnauthorized, auth.CodeInvalidCredentials)
		wantRateLimited(t, e.loginFrom(t, ip, "alice", "wrong-password"), 4)

		clock.Add(4 * time.Second)
		wantStatus(t, "right password after the wait", e.loginFrom(t, ip, "alice", passwordOf("alice")), http.StatusOK)
		// Reset: five failures are free again.
		for range 5 {
			wantError(t, e.loginFrom(t, ip, "alice", "wrong-password"), http.StatusUnauthorized, auth.CodeInvalidCredentials)
		}
		wantRateLimited(t, e.loginFrom(t, ip, "alice", passwordOf("alice")), 1)
		if got, want := refusals(t, e), slices.Repeat([]string{auth.ScopePair}, 5); !slices.Equal(got, want) {
			t.Errorf("refusals logged with scopes %v, want %v", got, want)
		}
		if strings.Contains(e.logs.String(), passwordOf("alice")) || strings.Contains(e.logs.String(), "wrong-password") {
			t.Error("a password reached the log")
		}
	})
}

// TestThrottleSameAnswerForUnknown: an unknown identifier is throttled
// like an account, with the same answer, so throttling tells nothing about
// which accounts exist.
func TestThrottleSameAnswerForUnknown(t *testing.T) {
	t.Parallel()
	e, _ := throttleEnv(t, "", auth.Throttle{PairFreeFailures: 5}, 4)
	e.mustRegister(t, "bob")
	for range 5 {
		e.loginFrom(t, "203.0.113.9", "bob", "wrong-password")
		// An unknown identifier counts under its lower-cased form.
		e.loginFrom(t, "203.0.113.9", "NoBody", "wrong-password")
	}
	known := e.loginFrom(t, "203.0.113.9", "bob", passwordOf("bob"))
	unknown := e.loginFrom(t, "203.0.113.9", "nobody", "wrong-password")
	wantRateLimited(t, known, 1)
	wantRateLimited(t, unknown, 1)
	// The OAuth2 password grant is the same login, throttled alike.
	form := e.do(t, http.MethodPost, "/auth/login", "application/x-www-form-urlencoded",
		"grant_type=password&username=bob&password="+passwordOf("bob"), "X-Forwarded-For", "203.0.113.9")
	wantRateLimited(t, form, 1)
	if known.json["detail"] != unknown.json["detail"] {
		t.Errorf("details differ: %v and %v", known.json["detail"], unknown.json["detail"])
	}
}

// TestThrottleIP: one IP failing across many accounts is refused after
// the limit, for every account and even with a right password, until its
// 15-minute window has passed; other IPs are not.
func TestThrottleIP(t *testing.T) {
	t.Parallel()
	e, clock := throttleEnv(t, "", auth.Throttle{IPMaxFailures: 3}, 4)
	e.mustRegister(t, "carol")
	const stuffer = "2001:db8::66"
	for i := range 3 {
		wantError(t, e.loginFrom(t, stuffer, fmt.Sprintf("victim%d", i), "Password1!"), http.StatusUnauthorized, auth.CodeInvalidCredentials)
	}
	wantRateLimited(t, e.loginFrom(t, stuffer, "carol", passwordOf("carol")), 15*60)
	// Another /64: a neighbour in the same /64 would be the same client.
	wantStatus(t, "another IP", e.loginFrom(t, "2001:db8:0:1::67", "carol", passwordOf("carol")), http.StatusOK)
	clock.Add(10 * time.Minute)
	wantRateLimited(t, e.loginFrom(t, stuffer, "victim9", "Password1!"), 5*60)
	clock.Add(5 * time.Minute)
	wantStatus(t, "after the window", e.loginFrom(t, stuffer, "carol", passwordOf("carol")), http.StatusOK)
	if got := refusals(t, e); !slices.Equal(got, []string{auth.ScopeIP, auth.ScopeIP}) {
		t.Errorf("refusals logged with scopes %v, want ip twice", got)
	}
}

// TestThrottleAccountOwnerNotLockedOut: an account failed from many IPs
// refuses IPs it does not know, while an IP its owner logged in from keeps
// working; crossing the limit is logged once at WARN.
func TestThrottleAccountOwnerNotLockedOut(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, store string) {
		e, clock := throttleEnv(t, store, auth.Throttle{PairFreeFailures: 5, AccountMaxFailures: 4}, 4)
		e.mustRegister(t, "dana")
		const home = "192.0.2.10"
		wantStatus(t, "owner at home", e.loginFrom(t, home, "dana", passwordOf("dana")), http.StatusOK)
		for i := range 4 {
			wantError(t, e.loginFrom(t, fmt.Sprintf("203.0.113.%d", 100+i), "dana@example.com", "wrong-password"),
				http.StatusUnauthorized, auth.CodeInvalidCredentials)
		}
		wantRateLimited(t, e.loginFrom(t, "203.0.113.200", "dana", passwordOf("dana")), 24*60*60)
		wantRateLimited(t, e.loginFrom(t, "203.0.113.100", "dana", passwordOf("dana")), 24*60*60)
		wantStatus(t, "owner at home during the attack", e.loginFrom(t, home, "dana", passwordOf("dana")), http.StatusOK)
		wantStatus(t, "owner by email", e.loginFrom(t, home, "Dana@Example.com", passwordOf("dana")), http.StatusOK)

		clock.Add(24 * time.Hour)
		wantStatus(t, "a fresh IP after the window", e.loginFrom(t, "203.0.113.201", "dana", passwordOf("dana")), http.StatusOK)

		var warns int
		for _, m := range e.logs.Lines(t) {
			if m["level"] == "WARN" && strings.Contains(fmt.Sprint(m["message"]), "account failure limit") {
				warns++
			}
		}
		if warns != 1 {
			t.Errorf("%d WARN lines for the account crossing its limit, want 1", warns)
		}
		if got := refusals(t, e); !slices.Equal(got, []string{auth.ScopeAccount, auth.ScopeAccount}) {
			t.Errorf("refusals logged with scopes %v, want account twice", got)
		}
	})
}

// TestThrottleRegister: one IP registers at most the limit per hour.
func TestThrottleRegister(t *testing.T) {
	t.Parallel()
	e, clock := throttleEnv(t, "", auth.Throttle{RegisterIPMax: 2}, 4)
	reg := func(ip, name string) response {
		return e.do(t, http.MethodPost, "/auth/register", "application/json",
			fmt.Sprintf(`{"username": %q, "email": "%s@example.com", "password": %q}`, name, name, passwordOf(name)),
			"X-Forwarded-For", ip)
	}
	wantStatus(t, "first", reg("192.0.2.1", "reg1"), http.StatusCreated)
	wantStatus(t, "second", reg("192.0.2.1", "reg2"), http.StatusCreated)
	clock.Add(30 * time.Minute)
	wantRateLimited(t, reg("192.0.2.1", "reg3"), 30*60)
	wantStatus(t, "another IP", reg("192.0.2.2", "reg4"), http.StatusCreated)
	clock.Add(30 * time.Minute)
	wantStatus(t, "next hour", reg("192.0.2.1", "reg3"), http.StatusCreated)
	if got := refusals(t, e); !slices.Equal(got, []string{auth.ScopeRegister}) {
		t.Errorf("refusals logged with scopes %v, want register once", got)
	}
}

// TestThrottleForgedForwardedFor: without trusted proxies the TCP peer is
// the client, so a forged X-Forwarded-For per attempt does not escape the
// count.
func TestThrottleForgedForwardedFor(t *testing.T) {
	t.Parallel()
	clock := authtest.NewClock(time.Now())
	e := newEnv(t, envOptions{throttle: &auth.Throttle{PairFreeFailures: 3}, now: clock.Now})
	e.mustRegister(t, "erin")
	for i := range 3 {
		e.loginFrom(t, fmt.Sprintf("198.51.100.%d", i), "erin", "wrong-password")
	}
	wantRateLimited(t, e.loginFrom(t, "198.51.100.99", "erin", passwordOf("erin")), 1)
}

// failingAttempts is a store whose throttle read fails as a database that
// is down does; everything else works. A real store cannot fail one query
// alone.
type failingAttempts struct{ auth.Store }

func (failingAttempts) AttemptRecords(context.Context, []auth.AttemptKey) ([]auth.AttemptRecord, error) {
	return nil, auth.DatabaseError(errors.New("attempt records: connection refused"))
}

// TestThrottleReadFails: when the throttle read fails, the login fails
// with the database answer: never 401, and never let through unthrottled.
func TestThrottleReadFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{throttle: &auth.Throttle{PairFreeFailures: 5}, opts: Options{TrustedProxies: loopback},
		wrap: func(s auth.Store) auth.Store { return failingAttempts{s} }})
	e.mustRegister(t, "fred")
	for _, pw := range []string{passwordOf("fred"), "wrong-password"} {
		wantError(t, e.loginFrom(t, "192.0.2.1", "fred", pw), http.StatusInternalServerError, auth.CodeDatabase)
	}
}

// TestThrottledIsCheap: a refused attempt spends no bcrypt work: it
// answers in well under one bcrypt check at cost 12, as a ratio inside this
// test. The checked attempt is an unknown user's first login, which makes
// the dummy hash and compares with it (two bcrypt times); the slowest of
// the refused attempts is compared with it. bcrypt at cost 12 takes
// seconds under the race detector, so the test spends as few as it can.
func TestThrottledIsCheap(t *testing.T) {
	t.Parallel()
	e, _ := throttleEnv(t, "", auth.Throttle{PairFreeFailures: 1}, 12)
	timed := func(want int) time.Duration {
		start := time.Now()
		r := e.loginFrom(t, "192.0.2.77", "nobody-at-all", "wrong-password")
		d := time.Since(start)
		wantStatus(t, "timed login", r, want)
		return d
	}
	checked := timed(http.StatusUnauthorized)
	var refused time.Duration
	for range 3 {
		refused = max(refused, timed(http.StatusTooManyRequests))
	}
	ratio := float64(refused) / float64(checked)
	t.Logf("checked (bcrypt cost 12) %v, slowest refused %v, ratio %.4f", checked, refused, ratio)
	if ratio > 0.25 {
		t.Errorf("refused/checked latency ratio %.3f, want well under one bcrypt time (≤ 0.25)", ratio)
	}
}

// TestThrottlePasswordChange: a wrong current_password on POST
// /auth/password counts like a failed login of the account from that IP,
// and while the pair waits the change itself is refused with 429 before
// any password is checked.
func TestThrottlePasswordChange(t *testing.T) {
	t.Parallel()
	e, _ := throttleEnv(t, "", auth.Throttle{PairFreeFailures: 3}, 4)
	reg := e.mustRegister(t, "hana")
	const ip = "198.51.100.30"
	change := func(current string) response {
		return e.do(t, http.MethodPost, "/auth/password", "application/json",
			fmt.Sprintf(`{"current_password": %q, "new_password": "a-new-long-password"}`, current),
			"Authorization", "Bearer "+str(reg.json, "access_token"), "X-Forwarded-For", ip)
	}
	for range 3 {
		wantError(t, change("wrong-password"), http.StatusUnauthorized, auth.CodeInvalidCredentials)
	}
	wantRateLimited(t, change(passwordOf("hana")), 1)
	wantRateLimited(t, e.loginFrom(t, ip, "hana@example.com", passwordOf("hana")), 1)
	wantStatus(t, "login from another IP", e.loginFrom(t, "198.51.100.31", "hana", passwordOf("hana")), http.StatusOK)
}

// TestThrottleBurst: guesses sent at once all find the pair's count below
// its free failures, since each is counted only after its bcrypt check; no
// more of them than the free failures are checked, and the rest are
// refused at once.
func TestThrottleBurst(t *testing.T) {
	t.Parallel()
	e, _ := throttleEnv(t, "", auth.Throttle{PairFreeFailures: 5}, 10)
	e.mustRegister(t, "iris")
	start := make(chan struct{})
	var wg sync.WaitGroup
	statuses := make([]int, 20)
	for i := range statuses {
		wg.Go(func() {
			<-start
			statuses[i] = e.loginFrom(t, "192.0.2.99", "iris", "wrong-password").status
		})
	}
	close(start)
	wg.Wait()
	var checked, refused int
	for _, s := range statuses {
		switch s {
		case http.StatusUnauthorized:
			checked++
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Errorf("status %d, want 401 or 429", s)
		}
	}
	if checked < 1 || checked > 5 || checked+refused != len(statuses) {
		t.Errorf("%d checked (401) and %d refused (429) of %d at once, want at most the 5 free failures checked",
			checked, refused, len(statuses))
	}
}

// TestThrottleMetrics: each refusal is counted under its scope, and a
// refused login under result "throttled".
func TestThrottleMetrics(t *testing.T) {
	t.Parallel()
	m := metrics.New("test")
	e := newEnv(t, envOptions{throttle: &auth.Throttle{PairFreeFailures: 2, RegisterIPMax: 1}, observer: m,
		opts: Options{TrustedProxies: loopback, ObserveRequest: m.ObserveRequest}})
	e.mustRegister(t, "jade")
	for range 2 {
		e.loginFrom(t, "192.0.2.50", "jade", "wrong-password")
	}
	wantRateLimited(t, e.loginFrom(t, "192.0.2.50", "jade", passwordOf("jade")), 1)
	wantError(t, e.register(t, "kate", "kate@example.com", passwordOf("kate")), http.StatusTooManyRequests, auth.CodeRateLimited)
	s := scrape(t, m)
	for series, n := range map[string]float64{
		`authd_throttle_refusals_total{scope="pair"}`:              1,
		`authd_throttle_refusals_total{scope="register"}`:          1,
		`authd_throttle_refusals_total{scope="ip"}`:                0,
		`authd_login_attempts_total{result="throttled"}`:           1,
		`authd_login_attempts_total{result="invalid_credentials"}`: 2,
	} {
		if got := s.Values[series]; got != n {
			t.Errorf("%s = %v, want %v", series, got, n)
		}
	}
}

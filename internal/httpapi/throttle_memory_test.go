package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
)

// attemptsProbe is the real store with its throttle read counted, and made
// to fail as a database that is down does when down is set. A real store
// cannot fail that one query alone.
type attemptsProbe struct {
	auth.Store
	reads *atomic.Int64
	down  *atomic.Bool
}

func (p attemptsProbe) AttemptRecords(ctx context.Context, keys []auth.AttemptKey) ([]auth.AttemptRecord, error) {
	p.reads.Add(1)
	if p.down.Load() {
		return nil, auth.DatabaseError(errors.New("attempt records: connection refused"))
	}
	return p.Store.AttemptRecords(ctx, keys)
}

// probedThrottleEnv is throttleEnv with the throttle read probed.
func probedThrottleEnv(t *testing.T, store string, th auth.Throttle, cost int) (*env, *authtest.Clock, attemptsProbe) {
	t.Helper()
	probe := attemptsProbe{reads: new(atomic.Int64), down: new(atomic.Bool)}
	clock := authtest.NewClock(time.Now().Truncate(time.Second))
	e := newEnv(t, envOptions{store: store, throttle: &th, now: clock.Now, cost: cost,
		opts: Options{TrustedProxies: loopback},
		wrap: func(s auth.Store) auth.Store { probe.Store = s; return probe }})
	return e, clock, probe
}

// wantReads asserts how many throttle reads were made in all.
func wantReads(t *testing.T, p attemptsProbe, what string, want int64) {
	t.Helper()
	if got := p.reads.Load(); got != want {
		t.Errorf("%s: %d throttle reads in all, want %d", what, got, want)
	}
}

// TestThrottleRefusalRemembered: once a read has refused a pair, the
// pair's further attempts are refused from memory until its wait ends,
// with the same answer, log line and Retry-After as a read would give, and
// even while the database cannot be read; other pairs are read as before,
// and after the wait the pair is read again and let in.
func TestThrottleRefusalRemembered(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, store string) {
		e, clock, probe := probedThrottleEnv(t, store, auth.Throttle{PairFreeFailures: 2}, 4)
		e.mustRegister(t, "lena")
		const ip = "198.51.100.40"
		for range 2 {
			wantError(t, e.loginFrom(t, ip, "lena", "wrong-password"), http.StatusUnauthorized, auth.CodeInvalidCredentials)
		}
		clock.Add(time.Second)
		// A third failure, after the 1 s wait: the pair waits 2 s.
		wantError(t, e.loginFrom(t, ip, "lena", "wrong-password"), http.StatusUnauthorized, auth.CodeInvalidCredentials)
		wantReads(t, probe, "three checked attempts", 3)
		wantRateLimited(t, e.loginFrom(t, ip, "lena", passwordOf("lena")), 2)
		wantReads(t, probe, "the first refusal", 4)
		wantRateLimited(t, e.loginFrom(t, ip, "lena", "wrong-password"), 2)
		clock.Add(time.Second)
		wantRateLimited(t, e.loginFrom(t, ip, "lena", passwordOf("lena")), 1)
		probe.down.Store(true)
		wantRateLimited(t, e.loginFrom(t, ip, "lena", passwordOf("lena")), 1)
		wantReads(t, probe, "refusals from memory", 4)

		// Another IP is read, and with the database down that read fails
		// the login: memory refuses, it never lets through.
		wantError(t, e.loginFrom(t, "198.51.100.41", "lena", passwordOf("lena")), http.StatusInternalServerError, auth.CodeDatabase)
		probe.down.Store(false)
		wantStatus(t, "another IP", e.loginFrom(t, "198.51.100.41", "lena", passwordOf("lena")), http.StatusOK)
		// The email names the same account but is another identifier: it
		// is read once, then remembered too.
		wantRateLimited(t, e.loginFrom(t, ip, "lena@example.com", passwordOf("lena")), 1)
		wantRateLimited(t, e.loginFrom(t, ip, "lena@example.com", passwordOf("lena")), 1)
		wantReads(t, probe, "other pairs", 7)

		clock.Add(time.Second)
		wantStatus(t, "right password after the wait", e.loginFrom(t, ip, "lena", passwordOf("lena")), http.StatusOK)
		wantReads(t, probe, "after the wait", 8)
		if got, want := refusals(t, e), slices.Repeat([]string{auth.ScopePair}, 6); !slices.Equal(got, want) {
			t.Errorf("refusals logged with scopes %v, want pair ×6 (each refusal, from memory or not)", got)
		}
	})
}

// TestThrottleIPRefusalRemembered: an IP over its limit is refused from
// memory for every account until its window ends.
func TestThrottleIPRefusalRemembered(t *testing.T) {
	t.Parallel()
	e, clock, probe := probedThrottleEnv(t, "", auth.Throttle{IPMaxFailures: 2}, 4)
	e.mustRegister(t, "mona")
	const stuffer = "2001:db8::77"
	for i := range 2 {
		wantError(t, e.loginFrom(t, stuffer, fmt.Sprintf("victim%d", i), "Password1!"), http.StatusUnauthorized, auth.CodeInvalidCredentials)
	}
	wantRateLimited(t, e.loginFrom(t, stuffer, "victim7", "Password1!"), 15*60)
	clock.Add(5 * time.Minute)
	wantRateLimited(t, e.loginFrom(t, stuffer, "mona", passwordOf("mona")), 10*60)
	wantRateLimited(t, e.loginFrom(t, stuffer, "victim8@example.com", "Password1!"), 10*60)
	wantReads(t, probe, "one refusal read, two remembered", 3)
	clock.Add(10 * time.Minute)
	wantStatus(t, "after the window", e.loginFrom(t, stuffer, "mona", passwordOf("mona")), http.StatusOK)
	wantReads(t, probe, "after the window", 4)
}

// TestThrottleAccountRefusalRemembered: an account under attack refuses a
// fresh IP from memory, while the IP its owner logged in from is still
// read and let in: the account rule is remembered per IP, not per account.
func TestThrottleAccountRefusalRemembered(t *testing.T) {
	t.Parallel()
	bothStores(t, func(t *testing.T, store string) {
		e, _, probe := probedThrottleEnv(t, store, auth.Throttle{AccountMaxFailures: 3}, 4)
		e.mustRegister(t, "nina")
		const home = "192.0.2.20"
		wantStatus(t, "owner at home", e.loginFrom(t, home, "nina", passwordOf("nina")), http.StatusOK)
		for i := range 3 {
			wantError(t, e.loginFrom(t, fmt.Sprintf("203.0.113.%d", 10+i), "nina", "wrong-password"),
				http.StatusUnauthorized, auth.CodeInvalidCredentials)
		}
		wantRateLimited(t, e.loginFrom(t, "203.0.113.50", "nina", passwordOf("nina")), 24*60*60)
		wantRateLimited(t, e.loginFrom(t, "203.0.113.50", "nina", passwordOf("nina")), 24*60*60)
		wantReads(t, probe, "the fresh IP's second attempt from memory", 5)
		for range 2 {
			wantStatus(t, "owner at home during the attack", e.loginFrom(t, home, "nina", passwordOf("nina")), http.StatusOK)
		}
		wantReads(t, probe, "the owner's logins", 7)
	})
}

// TestThrottleInFlightNotRemembered: an attempt refused because the
// pair's place in flight is taken is not remembered: as soon as the
// attempt in flight is done, the pair is read and let in again.
func TestThrottleInFlightNotRemembered(t *testing.T) {
	t.Parallel()
	e, _, probe := probedThrottleEnv(t, "", auth.Throttle{PairFreeFailures: 1}, 10)
	e.mustRegister(t, "olga")
	const ip = "198.51.100.60"
	// One failure is free: one attempt of the pair may be checked at once.
	start := make(chan struct{})
	statuses := make([]int, 4)
	var wg sync.WaitGroup
	for i := range statuses {
		wg.Go(func() {
			<-start
			statuses[i] = e.loginFrom(t, ip, "olga", passwordOf("olga")).status
		})
	}
	close(start)
	wg.Wait()
	var ok, refused int
	for _, s := range statuses {
		switch s {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			refused++
		}
	}
	if refused == 0 || ok+refused != len(statuses) {
		t.Fatalf("statuses %v of logins sent at once, want 200s and at least one 429 for the place in flight", statuses)
	}
	reads := probe.reads.Load()
	wantStatus(t, "right after", e.loginFrom(t, ip, "olga", passwordOf("olga")), http.StatusOK)
	wantReads(t, probe, "right after", reads+1)
}

package auth

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"time"
)

// Limit is a fixed-window limit that any use case can put on one kind of
// action: at most Max events within Window under one key (an IP, an
// account, a code). Scope names the limit in the refusal's log line and in
// authd_throttle_refusals_total. A Max of 0 turns the limit off.
//
// Registrations per IP are one; password-reset mails, verification codes,
// TOTP tries and resends will be others. The login rules (pair back-off,
// known IPs, checks in flight) are more than a window and stay in
// throttle.go.
type Limit struct {
	Scope  string
	Max    int
	Window time.Duration
}

// Limiter counts events under keyed counters in the store, shared by every
// replica, and refuses past a Limit. Counting first, in the one atomic
// upsert, keeps racing events exact and costs a refused one a single
// write; reading first would put a read that succeeds beside each failing
// write while the database refuses writes, hiding that failure from the
// circuit breaker.
type Limiter struct {
	deps Deps
}

// NewLimiter returns a Limiter over d.Store, keyed by d.Throttle.Keys.
func NewLimiter(d Deps) *Limiter { return &Limiter{deps: d} }

// Key is the counter key of an event of scope about parts (an IP's bytes,
// an account name): an HMAC under the throttle key, like every record key,
// so no raw value is stored.
func (l *Limiter) Key(scope string, parts ...[]byte) AttemptKey {
	return l.deps.Throttle.Keys.key(kindLimit, append([][]byte{[]byte(scope)}, parts...)...)
}

// Hit counts one event under key and returns RATE_LIMITED, with the rest
// of the window as Retry-After, when it is past lim.Max.
func (l *Limiter) Hit(ctx context.Context, lim Limit, key AttemptKey) error {
	rec, over, err := l.Count(ctx, lim, key)
	if err != nil || !over {
		return err
	}
	return refuse(ctx, l.deps, refusal{scope: lim.Scope, wait: rec.WindowEnds.Sub(l.deps.Clock())})
}

// Count counts one event under key and reports whether it is past
// lim.Max, refusing nothing: for a limit whose excess must go unseen (the
// per-account mail limit answers as if it had sent).
func (l *Limiter) Count(ctx context.Context, lim Limit, key AttemptKey) (AttemptRecord, bool, error) {
	if lim.Max <= 0 {
		return AttemptRecord{}, false, nil
	}
	now := l.deps.Clock()
	recs, err := l.deps.Store.HitCounters(ctx, now, []CounterHit{{Key: key, WindowEnds: now.Add(lim.Window)}})
	if err != nil {
		return AttemptRecord{}, false, fmt.Errorf("count %s: %w", lim.Scope, err)
	}
	if len(recs) == 1 && recs[0].Count > lim.Max {
		return recs[0], true, nil
	}
	return AttemptRecord{}, false, nil
}

// refuse logs a refusal and returns its 429. The answer is the same for
// every scope and whether or not the account exists.
func refuse(ctx context.Context, d Deps, r refusal) error {
	d.Logger().InfoContext(ctx, "attempt throttled", slog.String("scope", r.scope),
		slog.Int64("retry_after_s", int64((r.wait+time.Second-1)/time.Second)), slog.Bool("in_flight", r.inFlight))
	d.Observe().ThrottleRefusal(ThrottleScope(r.scope))
	e := Fail(CodeRateLimited, nil)
	e.RetryAfter = r.wait
	return e
}

// ClientKey is Key of an event of scope from the client at ip, taken as
// ClientNet takes it (an IPv6 address by its /64): the key of every limit
// that counts by client IP.
func (l *Limiter) ClientKey(scope string, ip netip.Addr) AttemptKey {
	return l.Key(scope, ipBytes(ip))
}

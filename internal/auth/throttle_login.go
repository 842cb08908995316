package auth

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"time"
)

// loginGuard is what the read before a login found, kept for counting the
// attempt's outcome.
type loginGuard struct {
	keys loginKeys
	view loginView
	// slots are the places the attempt holds in Service.inFlight until
	// release.
	slots []inFlightSlot
}

// checkLogin reads every record that may refuse this attempt, in one
// store call, and refuses it when a rule says so. It runs before the user
// lookup and before bcrypt, so a refused attempt costs that one read, and
// none while this process remembers the refusal (refusals.go). A
// failed read fails the login (DATABASE_ERROR, CIRCUIT_BREAKER_OPEN): a
// store that is down must not turn into unthrottled guessing.
//
// An attempt let through holds its places among the attempts in flight
// (Throttle.allowance) until the caller, having counted its outcome,
// calls release; one that finds no place is refused like a throttled one.
func (s *Service) checkLogin(ctx context.Context, login string, ip netip.Addr) (loginGuard, error) {
	if !s.deps.Throttle.loginEnabled() {
		return loginGuard{}, nil
	}
	g := loginGuard{keys: s.deps.Throttle.keysFor(accountName(login), ip)}
	if r, refused := s.refused.lookup(s.clock(), g.keys.pair, g.keys.ip, g.keys.known); refused {
		return loginGuard{}, s.refuse(ctx, r)
	}
	recs, err := s.deps.Store.AttemptRecords(ctx, []AttemptKey{g.keys.pair, g.keys.account, g.keys.ip, g.keys.known})
	if err != nil {
		return loginGuard{}, fmt.Errorf("read throttle records: %w", err)
	}
	g.view = g.keys.view(recs)
	now := s.clock()
	waits := s.deps.Throttle.loginWaits(g.view, now)
	if r, refused := longest(waits); refused {
		for _, w := range waits {
			if w.wait > 0 {
				s.refused.remember(now, g.keys.ruleKey(w.scope), w.scope, now.Add(w.wait))
			}
		}
		return loginGuard{}, s.refuse(ctx, r)
	}
	slots := s.deps.Throttle.allowance(g.keys, g.view, now)
	if full, ok := s.inFlight.enter(slots); !ok {
		// As many attempts as the limit leaves are being checked: the
		// answer comes within the second.
		return loginGuard{}, s.refuse(ctx, refusal{scope: full.scope, wait: time.Second, inFlight: true})
	}
	g.slots = slots
	return g, nil
}

// release gives back the places in flight that checkLogin took.
func (s *Service) release(g loginGuard) {
	if len(g.slots) > 0 {
		s.inFlight.leave(g.slots)
	}
}

// countFailure counts a failed login under each name of the account (the
// username and the email of a known user; the identifier as presented
// when no user has it), and warns once when an account reaches its limit.
// A failure that cannot be counted fails the request: answering 401 would
// let a guess through uncounted.
//
// limit is the throttle.account_limit event written with the failure that
// reaches the account's limit (its user id 0 for an identifier no user
// has): every failure carries it, so the known and the unknown account
// cost the same writes.
func (s *Service) countFailure(ctx context.Context, names []string, ip netip.Addr, limit Event) error {
	hits := s.deps.Throttle.failureHits(names, ip, s.clock())
	if len(hits) == 0 {
		return nil
	}
	if max := s.deps.Throttle.AccountMaxFailures; max > 0 {
		first := s.deps.Throttle.Keys.account(names[0])
		limit.Action = ActionAccountLimit
		limit = limit.with("failures", strconv.Itoa(max))
		for i := range hits {
			if hits[i].Key == first {
				hits[i].Event, hits[i].EventAt = limit, max
			}
		}
	}
	recs, err := s.deps.Store.HitCounters(ctx, s.clock(), hits)
	if err != nil {
		return fmt.Errorf("count failed login: %w", err)
	}
	if s.deps.Throttle.AccountMaxFailures <= 0 {
		return nil
	}
	first := s.deps.Throttle.Keys.account(names[0])
	for _, r := range recs {
		if r.Key == first && r.Count == s.deps.Throttle.AccountMaxFailures {
			// Exactly once per window: the count passes the limit once.
			s.deps.Log.WarnContext(ctx, "account failure limit reached; unknown IPs refused",
				slog.Int("failures", r.Count), slog.Time("until", r.WindowEnds))
		}
	}
	return nil
}

// countSuccess resets the pair and records the IP as known to the account,
// writing only when the read before the attempt shows it is needed: the
// right current password of a password change.
func (s *Service) countSuccess(ctx context.Context, g loginGuard, names []string, ip netip.Addr) error {
	ls := s.loginSuccess(g, names, ip)
	if len(ls.Forget) == 0 && len(ls.Known) == 0 {
		return nil
	}
	if err := s.deps.Store.RecordLoginSuccess(ctx, ls); err != nil {
		return fmt.Errorf("record login success: %w", err)
	}
	return nil
}

// loginSuccess is what a successful password check changes in the throttle
// records: empty when throttling is off or nothing needs writing. A login
// hands it to OpenSession, which writes it with the session.
func (s *Service) loginSuccess(g loginGuard, names []string, ip netip.Addr) LoginSuccess {
	if !s.deps.Throttle.loginEnabled() {
		return LoginSuccess{}
	}
	ls, write := s.deps.Throttle.success(names, ip, g.view, s.clock())
	if !write {
		return LoginSuccess{}
	}
	return ls
}

// checkRegister counts a registration from ip and refuses it when the IP
// has made its hourly number of them (API.md's AUTHD_REGISTER_IP_MAX).
func (s *Service) checkRegister(ctx context.Context, ip netip.Addr) error {
	lim := Limit{Scope: ScopeRegister, Max: s.deps.Throttle.RegisterIPMax, Window: RegisterWindow}
	return s.limiter.Hit(ctx, lim, s.deps.Throttle.Keys.register(ip))
}

// failed logs a failed login, counts it, and returns the one answer for
// an unknown user and a wrong password.
func (s *Service) failed(ctx context.Context, names []string, ip netip.Addr, limit Event, attrs ...slog.Attr) error {
	s.deps.Log.LogAttrs(ctx, slog.LevelInfo, "login failed", attrs...)
	if err := s.countFailure(ctx, names, ip, limit); err != nil {
		return err
	}
	return Fail(CodeInvalidCredentials, nil)
}

// addr is the client IP as throttling keys on it; text that is not an IP
// address (a call from outside HTTP gives none) is the zero Addr.
func (c Client) addr() netip.Addr { return parseClientIP(c.IP) }

// accountNames are the names a failure of u counts under: one account,
// two ways to name it at login.
func (u User) accountNames() []string {
	return []string{accountName(u.Username), accountName(u.Email)}
}

// refuse logs a refusal and returns its 429.
func (s *Service) refuse(ctx context.Context, r refusal) error { return refuse(ctx, s.deps, r) }

package auth

import (
	"net/netip"
	"time"
)

// Throttling, as API.md's "Throttling" section states it, decided here from
// stored facts and the injected clock; the stores only keep and count.
//
// Why it looks like this:
//   - State lives in the database, so every replica sees the same counts,
//     and a counter is one row changed by one atomic upsert (INSERT … ON
//     CONFLICT DO UPDATE … RETURNING), so racing failures are all counted.
//   - A login reads every record it may be refused by (pair, account, IP,
//     and the known-IP record of the pair) in ONE read keyed by the
//     identifier as presented, before any user lookup, bcrypt or hash-queue
//     slot: a refused attempt costs that read and nothing more, and the
//     attempts refused again before the wait ends not even that: the
//     process remembers the refusal (refusals.go).
//   - A failure of a known user is counted under both of its names
//     (username and email), so they share one count whichever is presented
//     next; an unknown identifier counts under its lower-cased form only.
//   - Counters are fixed windows that start at the first event: the window
//     end is stored with the count, and an event after it starts a new
//     window at 1. The pair's back-off is measured from the last failure
//     and so outlives the end of its window when it must.
//   - The account limit refuses only IPs with no known-IP record (a
//     successful login within KnownIPFor), so an attacker who fails an
//     account from many IPs cannot lock its owner out.
//   - Keys are HMACs (see AttemptKey): no raw IP or identifier is stored,
//     and the HMAC key is derived from the signing material, which is not
//     in the database, so a leaked table cannot be reversed by hashing the
//     whole IPv4 space. A plain hash would be reversible that way; a random
//     key kept in the database would leak with it.
//   - A failure is counted after its bcrypt check, so each process also
//     bounds the checks in flight per pair, IP and account to what the
//     stored counts leave (allowance, inflight.go): a burst of guesses sent
//     at once cannot all pass the read before the first is counted.
//   - Records are purged by the server itself (purge.go): a record whose
//     window ended more than PairMaxWait ago can refuse nothing.

// Throttle holds the limits of API.md's AUTHD_LOGIN_* and
// AUTHD_REGISTER_IP_MAX settings; a zero limit turns that rule off, and a
// zero Throttle turns throttling off entirely.
type Throttle struct {
	// PairFreeFailures is how many failures of one account from one IP
	// are free before that pair backs off.
	PairFreeFailures int
	// AccountMaxFailures is how many failures of one account within
	// AccountWindow make it refuse IPs it does not know.
	AccountMaxFailures int
	// IPMaxFailures is how many failed logins from one IP within IPWindow
	// make that IP's logins refused until the window ends.
	IPMaxFailures int
	// RegisterIPMax is how many registrations one IP may make within
	// RegisterWindow.
	RegisterIPMax int
	// Keys hashes the records' keys.
	Keys AttemptKeys
}

// The fixed spans of API.md's rules.
const (
	// PairMaxWait caps the pair's back-off (1 s, 2 s, 4 s, … 15 min).
	PairMaxWait = 15 * time.Minute
	// PairWindow is how long a pair's count of consecutive failures is
	// kept after the first of them, when no success resets it sooner.
	PairWindow = 24 * time.Hour
	// AccountWindow is the span of the account limit.
	AccountWindow = 24 * time.Hour
	// IPWindow is the span of the per-IP login limit.
	IPWindow = 15 * time.Minute
	// RegisterWindow is the span of the per-IP registration limit.
	RegisterWindow = time.Hour
	// KnownIPFor is how long a successful login from an IP keeps that IP
	// known to the account.
	KnownIPFor = 30 * 24 * time.Hour
	// knownRefresh is how old a known-IP record may be before a success
	// renews it: renewing it on every login would add a write to each.
	knownRefresh = time.Hour
)

// Scopes of a refusal, as logged and as metrics label them.
const (
	ScopePair     = "pair"
	ScopeAccount  = "account"
	ScopeIP       = "ip"
	ScopeRegister = "register"
	// ScopeMail is AUTHD_MAIL_IP_MAX: mail-sending requests per client IP.
	ScopeMail = "mail"
)

// enabled reports whether any login rule is on.
func (t Throttle) loginEnabled() bool {
	return t.PairFreeFailures > 0 || t.AccountMaxFailures > 0 || t.IPMaxFailures > 0
}

// refusal is a decision to refuse: the scope that refused and how long the
// client must wait before the attempt could be let through.
type refusal struct {
	scope string
	wait  time.Duration
	// inFlight: refused for the attempts being checked, not the counts.
	inFlight bool
}

// loginView is what the one read before a login found: the records of the
// presented identifier's pair, account and known-IP record, and of the IP.
// A nil record was not stored.
type loginView struct {
	pair, account, ip, known *AttemptRecord
}

// longest is the refusal with the longest wait, if any rule waits: when
// several rules refuse, the longest wait wins, so the Retry-After a client
// gets is never too short.
func longest(waits [3]refusal) (refusal, bool) {
	var worst refusal
	for _, r := range waits {
		if r.wait > worst.wait {
			worst = r
		}
	}
	return worst, worst.wait > 0
}

// loginWaits is each login rule's wait, zero for a rule that lets the
// attempt through.
func (t Throttle) loginWaits(v loginView, now time.Time) [3]refusal {
	return [3]refusal{
		{scope: ScopePair, wait: pairWait(v.pair, t.PairFreeFailures, now)},
		{scope: ScopeIP, wait: windowWait(v.ip, t.IPMaxFailures, now)},
		{scope: ScopeAccount, wait: accountWait(v.account, v.known, t.AccountMaxFailures, now)},
	}
}

// pairWait is how long a pair must still wait: nothing before free
// failures; then 1 s after the free-th, doubling with each further failure
// up to PairMaxWait, measured from the last failure.
func pairWait(pair *AttemptRecord, free int, now time.Time) time.Duration {
	if free <= 0 || pair == nil || pair.Count < free {
		return 0
	}
	until := pair.LastAt.Add(backoff(pair.Count - free))
	return max(0, until.Sub(now))
}

// backoff is 2ⁿ seconds, at most PairMaxWait.
func backoff(n int) time.Duration {
	if n >= 10 { // 2¹⁰ s is already past PairMaxWait; also no overflow
		return PairMaxWait
	}
	return min(time.Second<<n, PairMaxWait)
}

// windowWait is the rest of a counter's window once it holds limit events
// or more, and nothing otherwise; a window that has ended counts nothing.
func windowWait(c *AttemptRecord, limit int, now time.Time) time.Duration {
	if limit <= 0 || c == nil || c.Count < limit || !now.Before(c.WindowEnds) {
		return 0
	}
	return c.WindowEnds.Sub(now)
}

// accountWait is windowWait of the account counter, except for an IP the
// account knows: an account under attack keeps serving its owner.
func accountWait(account, known *AttemptRecord, limit int, now time.Time) time.Duration {
	if known != nil && now.Before(known.WindowEnds) {
		return 0
	}
	return windowWait(account, limit, now)
}

// loginKeys are the keys of one login attempt.
type loginKeys struct {
	pair, account, ip, known AttemptKey
}

func (t Throttle) keysFor(account string, ip netip.Addr) loginKeys {
	return loginKeys{
		pair:    t.Keys.pair(account, ip),
		account: t.Keys.account(account),
		ip:      t.Keys.ip(ip),
		known:   t.Keys.known(account, ip),
	}
}

// ruleKey is the key under which a refusal by scope is remembered: the
// attempts it refuses are those under that key. The account rule refuses
// an account's attempts from IPs it does not know, so its refusal is
// remembered under the pair's known-IP key, not the account's.
func (k loginKeys) ruleKey(scope string) AttemptKey {
	switch scope {
	case ScopePair:
		return k.pair
	case ScopeIP:
		return k.ip
	}
	return k.known
}

// view sorts the records of one read by the keys they were read under.
func (k loginKeys) view(recs []AttemptRecord) loginView {
	var v loginView
	for i := range recs {
		r := &recs[i]
		switch r.Key {
		case k.pair:
			v.pair = r
		case k.account:
			v.account = r
		case k.ip:
			v.ip = r
		case k.known:
			v.known = r
		}
	}
	return v
}

// failureHits are the counters one failed login adds to: the pair and the
// account under each of the account's names, and the IP; rules that are
// off count nothing.
func (t Throttle) failureHits(names []string, ip netip.Addr, now time.Time) []CounterHit {
	var hits []CounterHit
	for _, name := range names {
		if t.PairFreeFailures > 0 {
			hits = append(hits, CounterHit{Key: t.Keys.pair(name, ip), WindowEnds: now.Add(PairWindow)})
		}
		if t.AccountMaxFailures > 0 {
			hits = append(hits, CounterHit{Key: t.Keys.account(name), WindowEnds: now.Add(AccountWindow)})
		}
	}
	if t.IPMaxFailures > 0 {
		hits = append(hits, CounterHit{Key: t.Keys.ip(ip), WindowEnds: now.Add(IPWindow)})
	}
	return hits
}

// success is what a successful login changes, given what the read before
// it found: a pair count to reset, and the known-IP record when it is
// missing or due for renewal. ok is false when nothing needs writing.
func (t Throttle) success(names []string, ip netip.Addr, v loginView, now time.Time) (LoginSuccess, bool) {
	s := LoginSuccess{At: now, KnownUntil: now.Add(KnownIPFor)}
	resetPair := v.pair != nil && v.pair.Count > 0
	renewKnown := t.AccountMaxFailures > 0 && (v.known == nil || now.Sub(v.known.LastAt) >= knownRefresh)
	for _, name := range names {
		if resetPair {
			s.Forget = append(s.Forget, t.Keys.pair(name, ip))
		}
		if renewKnown {
			s.Known = append(s.Known, t.Keys.known(name, ip))
		}
	}
	return s, resetPair || renewKnown
}

// purgeBefore is the cut-off of a purge at now: a record whose window
// ended before it can no longer refuse anything, since a pair's back-off
// ends at most PairMaxWait after its last failure, which lies inside its
// window.
func purgeBefore(now time.Time) time.Time { return now.Add(-PairMaxWait) }

// inFlightSlot is how many attempts under Key may be between the throttle
// read and their count at once.
type inFlightSlot struct {
	key     AttemptKey
	allowed int
	// scope is the rule whose limit this slot bounds, for the refusal.
	scope string
}

// allowance is how many attempts of the pair, the IP and the account may
// be checked at once, given what the read found: what is left of each
// limit. A failure is counted only after its bcrypt check, so without this
// bound a burst of guesses sent at once would all pass the read before the
// first of them is counted. A pair past its free failures whose wait is
// over may have one attempt checked: its failure starts the next wait. A
// rule that is off, and the account rule for an IP the account knows, set
// no bound. The bound holds for right passwords too (which will fail is
// not known before the check), so it is what is left of each limit and no
// less: 64 logins of 16 users at once from one IP, as authbench's flood
// sends, stay within it.
func (t Throttle) allowance(k loginKeys, v loginView, now time.Time) []inFlightSlot {
	var slots []inFlightSlot
	if t.PairFreeFailures > 0 {
		slots = append(slots, inFlightSlot{k.pair, max(1, t.PairFreeFailures-liveCount(v.pair, now)), ScopePair})
	}
	if t.IPMaxFailures > 0 {
		slots = append(slots, inFlightSlot{k.ip, max(1, t.IPMaxFailures-liveCount(v.ip, now)), ScopeIP})
	}
	known := v.known != nil && now.Before(v.known.WindowEnds)
	if t.AccountMaxFailures > 0 && !known {
		slots = append(slots, inFlightSlot{k.account, max(1, t.AccountMaxFailures-liveCount(v.account, now)), ScopeAccount})
	}
	return slots
}

// liveCount is a counter's count while its window lasts: the count the
// next hit adds to.
func liveCount(c *AttemptRecord, now time.Time) int {
	if c == nil || !now.Before(c.WindowEnds) {
		return 0
	}
	return c.Count
}

package auth

import "time"

// refreshOutcome is what a refresh with a given counter comes to.
type refreshOutcome int

// The outcomes of decideRefresh.
const (
	// refreshRotate: the counter is current; advance it (compare-and-swap).
	refreshRotate refreshOutcome = iota
	// refreshGrace: the counter was spent within the grace and its
	// successor is unspent; answer the successor's token again.
	refreshGrace
	// refreshReuse: a spent token outside the grace; end the session.
	refreshReuse
	// refreshExpired: the session's newest token, or its max age, has passed.
	refreshExpired
	// refreshRevoked: the session was ended.
	refreshRevoked
	// refreshAhead: a counter the session never reached. Only a database
	// restored from a backup can show it; the token is refused without
	// ending the session, since its holder did nothing wrong.
	refreshAhead
)

// String names the outcome in logs (and as the result label of metrics).
func (o refreshOutcome) String() string {
	switch o {
	case refreshRotate:
		return "rotated"
	case refreshGrace:
		return "grace"
	case refreshReuse:
		return "reused"
	case refreshExpired:
		return "expired"
	case refreshRevoked:
		return "revoked"
	}
	return "invalid"
}

// decideRefresh is the rule of API.md's "Tokens and sessions" for a refresh
// token of counter presented at now, given the stored session. It reads
// only facts, so it is the same on every replica and every engine.
//
// The order matters: an ended session is revoked whatever the counter (so
// a replay after reuse detection keeps saying SESSION_REVOKED), and an
// expired one is expired before any counter is looked at.
func decideRefresh(s Session, counter int64, now time.Time, grace time.Duration) refreshOutcome {
	switch {
	case s.EndedAt != nil:
		return refreshRevoked
	case !now.Before(s.ExpiresAt):
		return refreshExpired
	case counter == s.Counter:
		return refreshRotate
	case counter > s.Counter:
		return refreshAhead
	case counter == s.Counter-1 && now.Sub(s.RotatedAt) <= grace:
		// Within the grace the successor (s.Counter) cannot have been
		// spent: spending it would have moved the counter on.
		return refreshGrace
	}
	return refreshReuse
}

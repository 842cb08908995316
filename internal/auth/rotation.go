package auth

import (
	"net/netip"
	"time"
)

// refreshOutcome is what a refresh with a given counter comes to.
type refreshOutcome int

// The outcomes of decideRefresh.
const (
	// refreshRotate: the counter is current; advance it (compare-and-swap).
	refreshRotate refreshOutcome = iota
	// refreshGrace: the counter was spent within the grace, by this
	// client, and its successor is unspent; answer the successor's token
	// again.
	refreshGrace
	// refreshReuse: a spent token outside the grace, or inside it from
	// another client; end the session.
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
// token of counter presented at now by the client at ip, given the stored
// session. It reads only facts, so it is the same on every replica and
// every engine.
//
// The order matters: an ended session is revoked whatever the counter (so
// a replay after reuse detection keeps saying SESSION_REVOKED), and an
// expired one is expired before any counter is looked at.
//
// The grace is for parallel tabs of the client that rotated, which share
// its IP: the successor goes only to a client at the rotating client's
// address (its /64 for IPv6, as ClientNet takes it). From anywhere else
// a spent token is a copy: without this, whoever stole a token could
// replay it within the grace and be handed the live one.
func decideRefresh(s Session, counter int64, ip string, now time.Time, grace time.Duration) refreshOutcome {
	switch {
	case s.EndedAt != nil:
		return refreshRevoked
	case !now.Before(s.ExpiresAt):
		return refreshExpired
	case counter == s.Counter:
		return refreshRotate
	case counter > s.Counter:
		return refreshAhead
	case counter == s.Counter-1 && now.Sub(s.RotatedAt) <= grace && sameClient(s.RotatedIP, ip):
		// Within the grace the successor (s.Counter) cannot have been
		// spent: spending it would have moved the counter on.
		return refreshGrace
	}
	return refreshReuse
}

// sameClient reports whether two client IPs, as sessions keep them, are
// one client by ClientNet. Text that is no address (a call from outside
// HTTP) is the zero Addr, one client with any other such text.
func sameClient(a, b string) bool {
	return ClientNet(parseClientIP(a)) == ClientNet(parseClientIP(b))
}

// parseClientIP is the address of a client IP as text; text that is not
// one is the zero Addr.
func parseClientIP(s string) netip.Addr {
	a, _ := netip.ParseAddr(s)
	return a
}

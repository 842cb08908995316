package auth

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Session is one login of a user, as the store keeps it. Its ID is the sid
// claim of its access tokens; its refresh tokens are minted from the ID and
// Counter (package token), so the store holds no token.
type Session struct {
	ID     string
	UserID int64
	// Counter is how often the session has been refreshed: the refresh
	// token of Counter is the one live token; that of Counter-1 was spent
	// at RotatedAt.
	Counter    int64
	CreatedAt  time.Time
	LastUsedAt time.Time
	RotatedAt  time.Time
	// ExpiresAt is when the newest refresh token expires: RotatedAt plus
	// the refresh TTL, never later than MaxExpiresAt.
	ExpiresAt time.Time
	// MaxExpiresAt is the absolute end: CreatedAt plus the session max age.
	MaxExpiresAt time.Time
	// EndedAt is nil while the session has not been ended.
	EndedAt   *time.Time
	EndReason EndReason
	IP        string
	UserAgent string
	// RotatedIP is the client IP of the refresh that last rotated the
	// session ("" before the first): the grace answer goes only to that
	// client (decideRefresh).
	RotatedIP string
	// AAL is the assurance level of the login that opened the session
	// (AAL1 or AAL2); its access tokens carry it, and its refreshes keep it.
	AAL string
}

// The authentication assurance levels of sessions (NIST SP 800-63B).
const (
	AAL1 = "aal1"
	AAL2 = "aal2"
)

// aal is AAL, AAL1 for a session stored before sessions kept one.
func (s Session) aal() string {
	if s.AAL == "" {
		return AAL1
	}
	return s.AAL
}

// AMR is the RFC 8176 amr claim of an access token of the session.
func (s Session) AMR() []string {
	if s.AAL == AAL2 {
		return []string{"pwd", "otp"}
	}
	return []string{"pwd"}
}

// EndReason says why a session ended; it is stored, logged and counted.
type EndReason string

// The reasons a session ends.
const (
	EndLogout      EndReason = "logout"
	EndReuse       EndReason = "reuse"
	EndPassword    EndReason = "password"
	EndDeactivated EndReason = "deactivated"
	// EndCap: the user opened one session more than SessionPolicy's
	// MaxPerUser allows, and this was their least recently used.
	EndCap EndReason = "cap"
	// EndReset: the password was reset through a mailed code (API.md,
	// Password recovery); every session ends.
	EndReset EndReason = "reset"
	// EndAdmin: an admin or the operator logged the user out.
	EndAdmin EndReason = "admin"
	// EndMFA: two-factor was turned on; every other session ends, so a
	// thief holding one is logged out (API.md, Two-factor login).
	EndMFA EndReason = "mfa"
)

// SessionPolicy holds the lifetimes of API.md's "Tokens and sessions".
type SessionPolicy struct {
	// RefreshTTL is the idle lifetime: a session whose newest refresh
	// token is this old has expired (AUTHD_REFRESH_TOKEN_TTL).
	RefreshTTL time.Duration
	// MaxAge is the absolute lifetime (AUTHD_SESSION_MAX_AGE).
	MaxAge time.Duration
	// ReuseGrace is how long a just-spent refresh token is still answered
	// with its successor (AUTHD_REFRESH_REUSE_GRACE).
	ReuseGrace time.Duration
	// MaxPerUser is how many live sessions a user may have: opening one
	// more ends the least recently used (AUTHD_SESSIONS_PER_USER_MAX). 0
	// sets no bound (tests of other features).
	MaxPerUser int
}

// Client is what the HTTP layer knows of the caller, kept with a session.
type Client struct {
	IP        string
	UserAgent string
	// RequestID is the request's X-Request-ID, which audit events keep so
	// an event can be found in the logs.
	RequestID string
}

// MaxUserAgent is how many characters of a User-Agent a session keeps.
const MaxUserAgent = 256

// cut returns the first n characters of s, never splitting one.
func cut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}

// printable is s with each byte that is not UTF-8 replaced by U+FFFD and
// control characters dropped. A User-Agent is client text stored as it
// came: HTTP lets bytes 0x80-0xFF through, which PostgreSQL refuses in
// text where SQLite keeps them, so a browser's odd header would fail its
// login on one engine alone.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r // strings.Map gives each invalid byte as utf8.RuneError
	}, s)
}

// newSession is a session opened at now, with counter 0.
func (p SessionPolicy) newSession(id string, userID int64, c Client, now time.Time) Session {
	maxExp := now.Add(p.MaxAge)
	return Session{
		ID: id, UserID: userID, CreatedAt: now, LastUsedAt: now, RotatedAt: now,
		ExpiresAt: p.expiry(now, maxExp), MaxExpiresAt: maxExp,
		IP: c.IP, UserAgent: cut(printable(c.UserAgent), MaxUserAgent), AAL: AAL1,
	}
}

// expiry is when a refresh token minted at t expires.
func (p SessionPolicy) expiry(t, maxExp time.Time) time.Time {
	if exp := t.Add(p.RefreshTTL); exp.Before(maxExp) {
		return exp
	}
	return maxExp
}

// live reports whether s may still be used at now: not ended, not expired.
func (s Session) live(now time.Time) bool {
	return s.EndedAt == nil && now.Before(s.ExpiresAt)
}

package auth

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"time"
)

// TokenIssuer signs and verifies access tokens; *token.Issuer is the real
// one. Issue returns the token with its exp. Parse's errors wrap
// ErrTokenExpired or ErrTokenInvalid.
type TokenIssuer interface {
	Issue(c AccessClaims) (token string, expires time.Time, err error)
	Parse(raw string) (AccessClaims, error)
	AccessTTL() time.Duration
}

// RefreshTokens mints and reads the opaque refresh tokens of sessions;
// *token.Refresher is the real one. Mint is deterministic: the same session
// and counter always give the same token. Parse's errors wrap
// ErrTokenInvalid.
type RefreshTokens interface {
	Mint(sessionID string, counter int64) (string, error)
	Parse(raw string) (RefreshToken, error)
}

// AccessClaims are what an access token says. Issue reads UserID,
// Username and SessionID and sets the rest; Parse returns them all,
// verified. Roles, amr and aal join them with the work that needs them.
type AccessClaims struct {
	UserID   int64
	Username string
	// SessionID is the sid claim: the session the token was issued to,
	// which authd's own endpoints check on every call.
	SessionID string
	// Roles is the roles claim: the user's roles when the token was
	// issued, always an array in the JWT.
	Roles []string
	// AMR and AAL are the amr (RFC 8176) and aal claims: how the session's
	// login was authenticated.
	AMR       []string
	AAL       string
	ID        string // jti
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// RefreshToken is what a verified refresh token says: the session it
// belongs to and the counter it was minted for.
type RefreshToken struct {
	SessionID string
	Counter   int64
}

// Pair is what a login, register or refresh hands out: an access JWT and
// the session's opaque refresh token.
type Pair struct {
	Access, Refresh string
	// AccessExpires is the access token's exp.
	AccessExpires time.Time
}

// ExpiresIn is the expires_in of a token answer sent at now (RFC 6749
// §5.1): the whole seconds the access token has left, rounded down, so a
// client that trusts it never holds an expired token it thinks is valid.
// now must be the clock as it is, not Clock's whole seconds: rounding now
// down would add up to a second the token does not have.
func (p Pair) ExpiresIn(now time.Time) int64 {
	return max(0, int64(p.AccessExpires.Sub(now)/time.Second))
}

// Sentinel errors the token adapters return, wrapped with context.
var (
	// ErrTokenInvalid: not a token this server issued, or tampered with.
	ErrTokenInvalid = errors.New("invalid token")
	// ErrTokenExpired: a genuine access token past its exp.
	ErrTokenExpired = errors.New("token expired")
)

// SessionIDBytes is the number of random bytes in a session id (128 bits).
const SessionIDBytes = 16

// NewSessionID returns a new random session id: 128 bits, base64url.
func NewSessionID() string {
	b := make([]byte, SessionIDBytes)
	// crypto/rand.Read never returns an error (Go 1.24+): it aborts instead.
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeSessionID reads a session id as NewSessionID writes it, and
// nothing else: no padding, no spare bits, and no CR or LF, which the
// decoder would skip: with them the 22 characters decode to fewer than
// 16 bytes.
func DecodeSessionID(sid string) ([]byte, error) {
	if len(sid) != base64.RawURLEncoding.EncodedLen(SessionIDBytes) {
		return nil, errors.New("not a session id")
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(sid)
	if err != nil || len(b) != SessionIDBytes {
		return nil, errors.New("not a session id")
	}
	return b, nil
}

// ValidSessionID reports whether sid has the form of a session id, so that
// a made-up id can be refused before it reaches the database.
func ValidSessionID(sid string) bool {
	_, err := DecodeSessionID(sid)
	return err == nil
}

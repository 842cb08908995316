// Package token issues and verifies authd's tokens. It knows nothing of
// HTTP or SQL: it turns a user id, name and session id into a signed access
// JWT (RFC 7519) and such a token back into verified claims, and it mints
// and verifies the opaque refresh tokens of sessions (refresh.go).
//
// Tokens are signed with the first of the configured Keys and verified with
// any of them (keys.go): Ed25519 (EdDSA) or P-256 (ES256) keys from a JWK
// Set, whose public halves other services fetch as a JWKS, or one HS256
// secret. The algorithm belongs to the key, never to the token: Parse
// accepts only the exact header authd writes with each key (parse.go), and
// remembers the tokens an Ed25519 or P-256 key verified, so a client's
// repeated calls cost one signature check per token (verified.go).
//
// The refresh-token MAC keys come from the same configured key material,
// never from AUTHD_JWT_SECRET alone (Keys.MACKeys): one per key, in the
// order of the key file, each HKDF-SHA256 (RFC 5869) of that key's private
// bytes (the Ed25519 seed, the P-256 scalar, or the HS256 secret); the
// first mints, every one verifies. So with only AUTHD_JWT_KEYS, refresh
// tokens survive a restart (same file, same keys) and a rotation (a key
// keeps its MAC key while it stays in the file).
//
// The key file may also hold data keys (datakey.go), which seal stored
// secrets and key the HMACs of throttle records and one-time codes; they
// are never published.
package token

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/authd/authd/internal/auth"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// accessType is the "type" claim of every JWT authd signs. Refresh tokens
// are not JWTs (refresh.go), so "access" is the only kind; the claim stays
// so that a refresh JWT of an older release is refused as an access token.
const accessType = "access"

// Issuer signs tokens with the first of its keys and verifies them with any
// of them. It is safe for concurrent use: nothing in it changes after
// NewIssuer but the set of verified signatures, which has its own lock.
type Issuer struct {
	keys Keys
	// verified remembers the tokens an asymmetric key has verified.
	verified *verified
	// byHeader finds a token's key by its encoded header, which names the
	// key (kid) and its algorithm at once.
	byHeader  map[string]*key
	issuer    string
	accessTTL time.Duration
	now       func() time.Time
	validator *jwt.Validator
	// b64 is RFC 4648 §3.5 strict base64url without padding: a lenient
	// decoder ignores the spare bits of the last character, so four
	// different strings would verify as the same token.
	b64 *base64.Encoding
}

// NewIssuer checks its settings once. now is time.Now outside tests; nil
// means time.Now.
func NewIssuer(keys Keys, issuer string, accessTTL time.Duration, now func() time.Time) (*Issuer, error) {
	switch {
	case len(keys.list) == 0:
		return nil, errors.New("token: no signing keys")
	case issuer == "":
		return nil, errors.New("token: issuer must not be empty")
	case accessTTL <= 0:
		return nil, errors.New("token: access TTL must be positive")
	}
	if now == nil {
		now = time.Now
	}
	i := &Issuer{keys: keys, verified: newVerified(), byHeader: make(map[string]*key, len(keys.list)),
		issuer: issuer, accessTTL: accessTTL, now: now}
	for _, k := range keys.list {
		i.byHeader[k.header] = k
	}
	// Each key's algorithm is pinned by Parse's lookup of the whole
	// header, and strict base64 by b64; the validator checks the claims.
	i.validator = jwt.NewValidator(i.rules(now)...)
	i.b64 = base64.RawURLEncoding.Strict()
	return i, nil
}

// rules are the claim checks Parse makes, at the time now returns. They are
// kept in one place because Parse also applies them at the last instant
// before expiry, to tell a merely expired token from a bad one.
func (i *Issuer) rules(now func() time.Time) []jwt.ParserOption {
	return []jwt.ParserOption{
		jwt.WithExpirationRequired(),
		// No leeway: a token is expired from its exp second on, exactly.
		// Clock skew between replicas moves the end of a token's life by
		// milliseconds, which no client notices; clients refresh when told
		// TOKEN_EXPIRED.
		//
		// iat must be present (claims.Validate) but is not compared with
		// our clock (no jwt.WithIssuedAt): with leeway 0, a token minted by
		// a replica whose clock runs a little ahead would bounce off the
		// others, and a future iat proves nothing the signature does not.
		jwt.WithLeeway(0),
		jwt.WithIssuer(i.issuer),
		jwt.WithTimeFunc(now),
	}
}

// AccessTTL is how long an access token lives (expires_in of a token answer).
func (i *Issuer) AccessTTL() time.Duration { return i.accessTTL }

// Issue signs an access token for c's user and session (UserID, Username
// SessionID and Roles; the rest it sets) and returns it with its exp. It carries
// a random jti, so two tokens issued in the same second differ.
//
// exp is whole seconds (RFC 7519 NumericDate), rounded up: the token lives
// at least the access TTL, never a fraction of a second less, so an
// expires_in of the TTL in whole seconds never promises more than it lives.
func (i *Issuer) Issue(c auth.AccessClaims) (string, time.Time, error) {
	userID, username, sessionID := c.UserID, c.Username, c.SessionID
	// Refuse to mint what Parse would refuse to read.
	if userID <= 0 || username == "" || sessionID == "" {
		return "", time.Time{}, fmt.Errorf("token: issue for user %d %q: need a positive id, a name and a session", userID, username)
	}
	roles := c.Roles
	if roles == nil {
		roles = []string{}
	}
	jti, err := uuid.NewRandom()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("token: jti: %w", err)
	}
	now := i.now()
	end := now.Add(i.accessTTL)
	iat, exp := now.Unix(), end.Unix()
	if end.After(time.Unix(exp, 0)) {
		exp++
	}
	body, err := json.Marshal(&claims{
		Subject:   strconv.FormatInt(userID, 10),
		Username:  username,
		SessionID: sessionID,
		Roles:     roles,
		Type:      accessType,
		Issuer:    i.issuer,
		IssuedAt:  &iat,
		ExpiresAt: &exp,
		ID:        jti.String(),
		AMR:       c.AMR,
		AAL:       c.AAL,
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("token: claims: %w", err)
	}
	// The JWS signing input of RFC 7515 §5.1 with the signing key's one
	// header, written here rather than marshalled from a map each time.
	k := i.keys.list[0]
	signed := k.header + "." + i.b64.EncodeToString(body)
	sig, err := k.sign(signed)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("token: sign: %w", err)
	}
	return signed + "." + i.b64.EncodeToString(sig), time.Unix(exp, 0).UTC(), nil
}

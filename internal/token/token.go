// Package token issues and verifies authd's JWTs (RFC 7519). It knows
// nothing of HTTP or SQL: it turns a user id and name into a signed access
// and refresh token, and a token back into verified claims.
package token

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Kind tells an access token from a refresh token; each is refused where
// the other is expected.
type Kind string

// The two kinds of token, as written in the "type" claim.
const (
	Access  Kind = "access"
	Refresh Kind = "refresh"
)

// MinSecretBytes is the shortest HMAC key accepted: RFC 7518 §3.2 asks for a
// key at least as long as the hash output (256 bits for HS256).
const MinSecretBytes = 32

// Sentinel errors; every error from Parse wraps exactly one of them.
var (
	ErrInvalid = errors.New("invalid token")
	ErrExpired = errors.New("token expired")
)

// Claims are the verified contents of a token.
type Claims struct {
	UserID    int64
	Username  string
	Kind      Kind
	ID        string // jti
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// Pair is what a login, register or refresh hands out.
type Pair struct {
	Access, Refresh string
	AccessTTL       time.Duration
}

// Issuer signs and verifies tokens with one HS256 key. It is safe for
// concurrent use: nothing in it changes after NewIssuer.
type Issuer struct {
	secret     []byte
	issuer     string
	accessTTL  time.Duration
	refreshTTL time.Duration
	now        func() time.Time
	validator  *jwt.Validator
	// b64 is RFC 4648 §3.5 strict base64url without padding: a lenient
	// decoder ignores the spare bits of the last character, so four
	// different strings would verify as the same token.
	b64 *base64.Encoding
}

// NewIssuer checks its settings once. now is time.Now outside tests; nil
// means time.Now.
func NewIssuer(secret []byte, issuer string, accessTTL, refreshTTL time.Duration, now func() time.Time) (*Issuer, error) {
	switch {
	case len(secret) < MinSecretBytes:
		return nil, fmt.Errorf("token: secret must be at least %d bytes", MinSecretBytes)
	case issuer == "":
		return nil, errors.New("token: issuer must not be empty")
	case accessTTL <= 0 || refreshTTL <= 0:
		return nil, errors.New("token: TTLs must be positive")
	}
	if now == nil {
		now = time.Now
	}
	// A copy, so a caller that reuses its slice cannot change our key.
	key := make([]byte, len(secret))
	copy(key, secret)
	i := &Issuer{secret: key, issuer: issuer, accessTTL: accessTTL, refreshTTL: refreshTTL, now: now}
	// HS256 is pinned by Parse's comparison of the whole header, and
	// strict base64 by b64; the validator checks the claims.
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

// Issue signs a fresh access and refresh token for the user. Both carry a
// random jti, so two pairs issued in the same second differ.
func (i *Issuer) Issue(userID int64, username string) (Pair, error) {
	// Refuse to mint what Parse would refuse to read.
	if userID <= 0 || username == "" {
		return Pair{}, fmt.Errorf("token: issue for user %d %q: need a positive id and a name", userID, username)
	}
	now := i.now()
	access, err := i.sign(userID, username, Access, now, i.accessTTL)
	if err != nil {
		return Pair{}, err
	}
	refresh, err := i.sign(userID, username, Refresh, now, i.refreshTTL)
	if err != nil {
		return Pair{}, err
	}
	return Pair{Access: access, Refresh: refresh, AccessTTL: i.accessTTL}, nil
}

func (i *Issuer) sign(userID int64, username string, kind Kind, now time.Time, ttl time.Duration) (string, error) {
	jti, err := uuid.NewRandom()
	if err != nil {
		return "", fmt.Errorf("token: jti: %w", err)
	}
	iat, exp := now.Unix(), now.Add(ttl).Unix()
	body, err := json.Marshal(&claims{
		Subject:   strconv.FormatInt(userID, 10),
		Username:  username,
		Type:      kind,
		Issuer:    i.issuer,
		IssuedAt:  &iat,
		ExpiresAt: &exp,
		ID:        jti.String(),
	})
	if err != nil {
		return "", fmt.Errorf("token: claims: %w", err)
	}
	// The JWS signing input of RFC 7515 §5.1 with the one header Parse
	// accepts, written here rather than marshalled from a map each time.
	signed := header + "." + i.b64.EncodeToString(body)
	sig, err := jwt.SigningMethodHS256.Sign(signed, i.secret)
	if err != nil {
		return "", fmt.Errorf("token: sign: %w", err)
	}
	return signed + "." + i.b64.EncodeToString(sig), nil
}

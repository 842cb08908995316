// Package token issues and verifies authd's JWTs (RFC 7519). It knows
// nothing of HTTP or SQL: it turns a user id and name into a signed access
// and refresh token, and a token back into verified claims.
//
// Tokens are signed with the first of the configured Keys and verified with
// any of them (keys.go): Ed25519 (EdDSA) or P-256 (ES256) keys from a JWK
// Set, whose public halves other services fetch as a JWKS, or one HS256
// secret. The algorithm belongs to the key, never to the token: Parse
// accepts only the exact header authd writes with each key (parse.go).
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

// Issuer signs tokens with the first of its keys and verifies them with any
// of them. It is safe for concurrent use: nothing in it changes after
// NewIssuer.
type Issuer struct {
	keys Keys
	// byHeader finds a token's key by its encoded header, which names the
	// key (kid) and its algorithm at once.
	byHeader   map[string]*key
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
func NewIssuer(keys Keys, issuer string, accessTTL, refreshTTL time.Duration, now func() time.Time) (*Issuer, error) {
	switch {
	case len(keys.list) == 0:
		return nil, errors.New("token: no signing keys")
	case issuer == "":
		return nil, errors.New("token: issuer must not be empty")
	case accessTTL <= 0 || refreshTTL <= 0:
		return nil, errors.New("token: TTLs must be positive")
	}
	if now == nil {
		now = time.Now
	}
	i := &Issuer{keys: keys, byHeader: make(map[string]*key, len(keys.list)),
		issuer: issuer, accessTTL: accessTTL, refreshTTL: refreshTTL, now: now}
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
	// The JWS signing input of RFC 7515 §5.1 with the signing key's one
	// header, written here rather than marshalled from a map each time.
	k := i.keys.list[0]
	signed := k.header + "." + i.b64.EncodeToString(body)
	sig, err := k.method.Sign(signed, k.signer)
	if err != nil {
		return "", fmt.Errorf("token: sign: %w", err)
	}
	return signed + "." + i.b64.EncodeToString(sig), nil
}

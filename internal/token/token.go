// Package token issues and verifies authd's JWTs (RFC 7519). It knows
// nothing of HTTP or SQL: it turns a user id and name into a signed access
// and refresh token, and a token back into verified claims.
package token

import (
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

// Sentinel errors; Parse wraps one of them.
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

// Issuer signs and verifies tokens with one HS256 key.
type Issuer struct {
	secret     []byte
	issuer     string
	accessTTL  time.Duration
	refreshTTL time.Duration
	now        func() time.Time
	parser     *jwt.Parser
}

// claims is the JWT body: the registered claims plus username and type.
type claims struct {
	Username string `json:"username"`
	Type     Kind   `json:"type"`
	jwt.RegisteredClaims
}

// NewIssuer checks its settings once; now is time.Now outside tests.
func NewIssuer(secret []byte, issuer string, accessTTL, refreshTTL time.Duration, now func() time.Time) (*Issuer, error) {
	switch {
	case len(secret) < MinSecretBytes:
		return nil, fmt.Errorf("token: secret must be at least %d bytes", MinSecretBytes)
	case issuer == "":
		return nil, errors.New("token: issuer must not be empty")
	case accessTTL <= 0 || refreshTTL <= 0:
		return nil, errors.New("token: TTLs must be positive")
	}
	key := make([]byte, len(secret))
	copy(key, secret)
	return &Issuer{
		secret: key, issuer: issuer, accessTTL: accessTTL, refreshTTL: refreshTTL, now: now,
		// The parser pins HS256, so "none", HS512 and RS256-with-the-secret-
		// as-public-key tokens are refused before any signature check; exp
		// is required and no leeway is given: expiry is exact.
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithIssuer(issuer),
			jwt.WithTimeFunc(now),
		),
	}, nil
}

// Issue signs a fresh access and refresh token for the user.
func (i *Issuer) Issue(userID int64, username string) (Pair, error) {
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
	c := claims{
		Username: username,
		Type:     kind,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   strconv.FormatInt(userID, 10),
			Issuer:    i.issuer,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
			// jti makes two tokens issued in the same second differ.
			ID: uuid.NewString(),
		},
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(i.secret)
	if err != nil {
		return "", fmt.Errorf("token: sign: %w", err)
	}
	return s, nil
}

// Parse verifies raw and returns its claims when it is a valid token of
// the wanted kind. An expired token wraps ErrExpired; any other failure
// wraps ErrInvalid.
func (i *Issuer) Parse(raw string, want Kind) (Claims, error) {
	var c claims
	_, err := i.parser.ParseWithClaims(raw, &c, func(*jwt.Token) (any, error) { return i.secret, nil })
	if err != nil {
		// A token both expired and forged is reported as invalid: only a
		// well-signed token may say "expired".
		if errors.Is(err, jwt.ErrTokenExpired) && !errors.Is(err, jwt.ErrTokenSignatureInvalid) {
			return Claims{}, fmt.Errorf("%w: %w", ErrExpired, err)
		}
		return Claims{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if c.Type != want {
		return Claims{}, fmt.Errorf("%w: a %q token where %q was expected", ErrInvalid, c.Type, want)
	}
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil || id <= 0 {
		return Claims{}, fmt.Errorf("%w: subject is not a user id", ErrInvalid)
	}
	if c.IssuedAt == nil {
		return Claims{}, fmt.Errorf("%w: no iat", ErrInvalid)
	}
	return Claims{
		UserID: id, Username: c.Username, Kind: c.Type, ID: c.ID,
		IssuedAt: c.IssuedAt.Time, ExpiresAt: c.ExpiresAt.Time,
	}, nil
}

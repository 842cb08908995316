package token

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/authd/authd/internal/auth"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// header is the base64url encoding of {"alg":"HS256","typ":"JWT"}, the one
// JOSE header authd writes with an HS256 secret; jwt's own SignedString
// writes the same bytes, so tokens minted before authd wrote it itself
// still verify. A key from a JWK Set has its own header, with its alg and
// kid (newKey).
//
// Parse looks the header segment up among the headers of its keys, byte for
// byte, instead of decoding it. That pins each key's algorithm more tightly
// than checking a decoded "alg": no other algorithm, no unknown "kid", no
// "jku", "jwk", "x5u" or "crit" for an attacker to play with (such a header
// is simply not one of ours), and it skips a JSON decode into a map that was
// a third of the cost of checking an HS256 token in a CPU profile of
// /auth/me.
const header = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"

// claims is the JWT body: the registered claims of RFC 7519 §4.1 (sub, iss,
// iat, exp, jti) plus username, sid, roles and type.
//
// iat and exp are whole seconds. RFC 7519 allows a fraction, but authd
// never writes one, and decoding into an int64 costs a fraction of jwt's
// NumericDate, which decodes each value a second time through json.Number.
type claims struct {
	Subject   string `json:"sub"`
	Username  string `json:"username"`
	SessionID string `json:"sid"`
	// Roles is written by Issue as an array, never null or left out
	// (API.md: "always an array").
	Roles     []string `json:"roles"`
	Type      string   `json:"type"`
	Issuer    string   `json:"iss"`
	IssuedAt  *int64   `json:"iat"`
	ExpiresAt *int64   `json:"exp"`
	ID        string   `json:"jti"`
	AMR       []string `json:"amr,omitempty"`
	AAL       string   `json:"aal,omitempty"`
}

// The jwt.Claims getters let jwt's Validator check exp and iss.
func (c *claims) GetExpirationTime() (*jwt.NumericDate, error) { return numericDate(c.ExpiresAt), nil }
func (c *claims) GetIssuedAt() (*jwt.NumericDate, error)       { return numericDate(c.IssuedAt), nil }
func (c *claims) GetNotBefore() (*jwt.NumericDate, error)      { return nil, nil }
func (c *claims) GetIssuer() (string, error)                   { return c.Issuer, nil }
func (c *claims) GetSubject() (string, error)                  { return c.Subject, nil }
func (c *claims) GetAudience() (jwt.ClaimStrings, error)       { return nil, nil }

func numericDate(sec *int64) *jwt.NumericDate {
	if sec == nil {
		return nil
	}
	return jwt.NewNumericDate(time.Unix(*sec, 0))
}

// Validate makes the checks of our own claims. jwt's Validator calls it
// after the registered claims (it implements jwt.ClaimsValidator), so every
// rule a token must pass runs in one place.
func (c *claims) Validate() error {
	switch {
	case c.Type != accessType:
		return fmt.Errorf("a %q token where an access token was expected", c.Type)
	case c.IssuedAt == nil:
		return errors.New("no iat")
	case c.Username == "":
		return errors.New("no username")
	case c.ID == "":
		return errors.New("no jti")
	case c.SessionID == "":
		// A token of a release before sessions: its holder logs in again.
		return errors.New("no sid")
	}
	_, err := subject(c.Subject)
	return err
}

// MaxLen bounds the tokens Parse reads. Ours are a few hundred bytes; a
// longer string is refused before any base64 or JSON work is spent on it.
const MaxLen = 4096

// compact reports whether raw has the shape of a JWS in compact
// serialization (RFC 7515 §7.1): three unpadded base64url parts joined by
// dots, and nothing else. encoding/base64 skips CR and LF even in strict
// mode, so without this check "<token>\n" or a line break inside the
// signature would verify as the token itself.
func compact(raw string) bool {
	if len(raw) > MaxLen || strings.Count(raw, ".") != 2 {
		return false
	}
	for _, b := range []byte(raw) {
		switch {
		case 'A' <= b && b <= 'Z', 'a' <= b && b <= 'z', '0' <= b && b <= '9', b == '-', b == '_', b == '.':
		default:
			return false
		}
	}
	return true
}

// subject reads sub as a user id: a positive decimal int64 written exactly
// as Issue writes it, so "+7" or "007" is not another spelling of user 7.
func subject(sub string) (int64, error) {
	id, err := strconv.ParseInt(sub, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != sub {
		return 0, fmt.Errorf("sub %q is not a user id", sub)
	}
	return id, nil
}

// Parse verifies raw and returns its claims when it is a valid access
// token signed with one of this Issuer's keys for this issuer.
//
// The signature is checked before the body is decoded, so a forged token
// costs one signature check and no JSON.
//
// An error wraps auth.ErrTokenExpired only when the token is one we signed and would
// have been accepted before its exp: the client should refresh or log in
// again. Anything else wraps auth.ErrTokenInvalid, including a token that is both
// expired and wrong in another way (say a refresh JWT of an older
// release), so "expired" never vouches for a token that was not good.
func (i *Issuer) Parse(raw string) (auth.AccessClaims, error) {
	if !compact(raw) {
		return auth.AccessClaims{}, fmt.Errorf("%w: not a compact JWS of at most %d bytes", auth.ErrTokenInvalid, MaxLen)
	}
	c, err := i.signedClaims(raw)
	if err != nil {
		return auth.AccessClaims{}, fmt.Errorf("%w: %w", auth.ErrTokenInvalid, err)
	}
	err = i.validator.Validate(&c)
	if errors.Is(err, jwt.ErrTokenExpired) && i.goodUntilExpiry(&c) {
		return auth.AccessClaims{}, fmt.Errorf("%w: %w", auth.ErrTokenExpired, err)
	}
	if err != nil {
		return auth.AccessClaims{}, fmt.Errorf("%w: %w", auth.ErrTokenInvalid, err)
	}
	id, err := subject(c.Subject)
	if err != nil { // Validate refused such a sub; checked again so a change there cannot yield id 0
		return auth.AccessClaims{}, fmt.Errorf("%w: %w", auth.ErrTokenInvalid, err)
	}
	return auth.AccessClaims{
		UserID: id, Username: c.Username, SessionID: c.SessionID, Roles: c.Roles, ID: c.ID,
		IssuedAt: time.Unix(*c.IssuedAt, 0), ExpiresAt: time.Unix(*c.ExpiresAt, 0),
	}, nil
}

// signedClaims finds raw's key by its header, verifies its signature and
// decodes its body, unvalidated; for a token that an Ed25519 or P-256 key
// verified before, it returns what was decoded then (verified.go).
func (i *Issuer) signedClaims(raw string) (claims, error) {
	dot := strings.LastIndexByte(raw, '.')
	signed, encSig := raw[:dot], raw[dot+1:]
	head, body, _ := strings.Cut(signed, ".")
	k, ok := i.byHeader[head]
	if !ok {
		return claims{}, errors.New("not a header authd writes with one of its keys")
	}
	remember := k.public != nil
	var sum [sha256.Size]byte
	if remember {
		sum = sha256.Sum256([]byte(raw))
		if c, ok := i.verified.get(sum); ok {
			return c, nil
		}
	}
	sig, err := i.b64.DecodeString(encSig)
	if err != nil {
		return claims{}, fmt.Errorf("signature: %w", err)
	}
	if err := k.verify(signed, sig); err != nil {
		return claims{}, err
	}
	payload, err := i.b64.DecodeString(body)
	if err != nil {
		return claims{}, fmt.Errorf("body: %w", err)
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return claims{}, fmt.Errorf("body: %w", err)
	}
	if remember {
		i.verified.add(sum, c)
	}
	return c, nil
}

// goodUntilExpiry reports whether c, whose signature has been verified,
// passes every rule at the last instant before its exp: then expiry is its
// only fault.
func (i *Issuer) goodUntilExpiry(c *claims) bool {
	if c.ExpiresAt == nil {
		return false
	}
	last := time.Unix(*c.ExpiresAt, 0).Add(-time.Nanosecond)
	return jwt.NewValidator(i.rules(func() time.Time { return last })...).Validate(c) == nil
}

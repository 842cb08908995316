package token

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func sign(t testing.TB, m jwt.SigningMethod, key any, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// withPart replaces part n (0 header, 1 payload, 2 signature) of raw,
// keeping the others: the signature no longer covers what it is sent with.
func withPart(raw string, n int, part string) string {
	parts := strings.Split(raw, ".")
	parts[n] = part
	return strings.Join(parts, ".")
}

// resign replaces the signature of raw with our HMAC of its first two
// parts, so only what changed in them can make Parse refuse it.
func resign(raw string) string {
	signed := raw[:strings.LastIndexByte(raw, '.')]
	sig, err := jwt.SigningMethodHS256.Sign(signed, []byte(secret))
	if err != nil {
		panic(err)
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func enc(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// sloppyLastChar returns raw with the unused low bits of its last base64
// character set: lenient decoders read the same signature bytes from it.
func sloppyLastChar(raw string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, raw[len(raw)-1])
	return raw[:len(raw)-1] + string(alphabet[i^1])
}

// TestParseAcceptsJWTLibraryTokens: a token that golang-jwt signs with our
// key and our claims verifies. authd's own tokens were written that way
// before it wrote the signing input itself, so tokens minted by an older
// replica stay good during a rolling upgrade.
func TestParseAcceptsJWTLibraryTokens(t *testing.T) {
	t.Parallel()
	now := t0()
	raw := sign(t, jwt.SigningMethodHS256, []byte(secret), jwt.MapClaims{"username": "bob", "type": "refresh",
		"iss": "authd", "sub": "7", "exp": now.Add(time.Minute).Unix(), "iat": now.Unix(), "jti": "a-jti"})
	c, err := newTestIssuer(t, at(now)).Parse(raw, Refresh)
	if err != nil {
		t.Fatal(err)
	}
	if c.UserID != 7 || c.Username != "bob" || c.Kind != Refresh || c.ID != "a-jti" ||
		c.IssuedAt.Unix() != now.Unix() || c.ExpiresAt.Unix() != now.Add(time.Minute).Unix() {
		t.Errorf("claims = %+v", c)
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	now := t0()
	i := newTestIssuer(t, at(now))
	good, _ := i.Issue(7, "bob")
	// claims builds a token body that is right in every way but the mods.
	claims := func(mods ...func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "7", "username": "bob", "type": "access", "iss": "authd",
			"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "jti": "5f0c6d1e-0b4a-4c43-9a52-6c1d0f1f0c11"}
		for _, m := range mods {
			m(c)
		}
		return c
	}
	set := func(k string, v any) func(jwt.MapClaims) { return func(c jwt.MapClaims) { c[k] = v } }
	del := func(k string) func(jwt.MapClaims) { return func(c jwt.MapClaims) { delete(c, k) } }
	hs256 := func(mods ...func(jwt.MapClaims)) string {
		return sign(t, jwt.SigningMethodHS256, []byte(secret), claims(mods...))
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	goodBody, _ := base64.RawURLEncoding.DecodeString(strings.Split(good.Access, ".")[1])
	swap := func(from, to string) string {
		return withPart(good.Access, 1, enc(strings.Replace(string(goodBody), from, to, 1)))
	}
	expiredClock := newTestIssuer(t, at(now.Add(2*time.Hour)))

	tests := []struct {
		name   string
		issuer *Issuer
		raw    string
		kind   Kind
		want   error
	}{
		// The header's alg is the attacker's to choose; only HS256 counts.
		{"alg none", i, sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims()), Access, ErrInvalid},
		{"alg none header on a good token", i, withPart(good.Access, 0, enc(`{"alg":"none","typ":"JWT"}`)), Access, ErrInvalid},
		// Only the exact header authd writes: another spelling of HS256, or
		// one with a key hint, is not ours even when the HMAC is right.
		{"HS256 header with keys reordered", i, resign(withPart(good.Access, 0, enc(`{"typ":"JWT","alg":"HS256"}`))), Access, ErrInvalid},
		{"HS256 header with a kid", i, resign(withPart(good.Access, 0, enc(`{"alg":"HS256","kid":"1","typ":"JWT"}`))), Access, ErrInvalid},
		{"HS256 header without typ", i, resign(withPart(good.Access, 0, enc(`{"alg":"HS256"}`))), Access, ErrInvalid},
		{"HS512 with the right secret", i, sign(t, jwt.SigningMethodHS512, []byte(secret), claims()), Access, ErrInvalid},
		{"HS384 with the right secret", i, sign(t, jwt.SigningMethodHS384, []byte(secret), claims()), Access, ErrInvalid},
		{"RS256 with the attacker's key", i, sign(t, jwt.SigningMethodRS256, rsaKey, claims()), Access, ErrInvalid},
		{"wrong secret", i, sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), claims()), Access, ErrInvalid},
		// A good signature over another body.
		{"tampered username", i, swap(`"username":"bob"`, `"username":"admin"`), Access, ErrInvalid},
		{"tampered sub", i, swap(`"sub":"7"`, `"sub":"1"`), Access, ErrInvalid},
		{"tampered type", i, swap(`"type":"access"`, `"type":"refresh"`), Refresh, ErrInvalid},
		{"signature stripped", i, withPart(good.Access, 2, ""), Access, ErrInvalid},
		{"signature of the refresh token", i, withPart(good.Access, 2, strings.Split(good.Refresh, ".")[2]), Access, ErrInvalid},
		// Other spellings of a good token are not the token.
		{"non-canonical base64 signature", i, sloppyLastChar(good.Access), Access, ErrInvalid},
		{"trailing newline", i, good.Access + "\n", Access, ErrInvalid},
		{"line break in the signature", i, good.Access[:len(good.Access)-4] + "\r\n" + good.Access[len(good.Access)-4:], Access, ErrInvalid},
		{"padded signature", i, good.Access + "=", Access, ErrInvalid},
		{"leading space", i, " " + good.Access, Access, ErrInvalid},
		// Well signed, but the claims are wrong.
		{"wrong iss", i, hs256(set("iss", "other")), Access, ErrInvalid},
		{"no iss", i, hs256(del("iss")), Access, ErrInvalid},
		{"missing exp", i, hs256(del("exp")), Access, ErrInvalid},
		{"exp as a string", i, hs256(set("exp", "soon")), Access, ErrInvalid},
		{"missing iat", i, hs256(del("iat")), Access, ErrInvalid},
		{"missing sub", i, hs256(del("sub")), Access, ErrInvalid},
		{"missing username", i, hs256(del("username")), Access, ErrInvalid},
		{"missing jti", i, hs256(del("jti")), Access, ErrInvalid},
		{"missing type", i, hs256(del("type")), Access, ErrInvalid},
		{"unknown type", i, hs256(set("type", "admin")), Access, ErrInvalid},
		{"non-numeric sub", i, hs256(set("sub", "bob")), Access, ErrInvalid},
		{"numeric sub as a number", i, hs256(set("sub", 7)), Access, ErrInvalid},
		{"zero sub", i, hs256(set("sub", "0")), Access, ErrInvalid},
		{"negative sub", i, hs256(set("sub", "-7")), Access, ErrInvalid},
		{"plus-signed sub", i, hs256(set("sub", "+7")), Access, ErrInvalid},
		{"zero-padded sub", i, hs256(set("sub", "007")), Access, ErrInvalid},
		{"sub past int64", i, hs256(set("sub", "9223372036854775808")), Access, ErrInvalid},
		// One kind is never the other.
		{"refresh as access", i, good.Refresh, Access, ErrInvalid},
		{"access as refresh", i, good.Access, Refresh, ErrInvalid},
		{"unknown kind wanted", i, good.Access, Kind("admin"), ErrInvalid},
		// Expired: only a token that was good until exp says so.
		{"expired access", expiredClock, good.Access, Access, ErrExpired},
		{"expired refresh", newTestIssuer(t, at(now.Add(time.Hour))), good.Refresh, Refresh, ErrExpired},
		{"expired and forged", expiredClock, sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), claims()), Access, ErrInvalid},
		{"expired refresh as access", expiredClock, good.Refresh, Access, ErrInvalid},
		{"expired access as refresh", expiredClock, good.Access, Refresh, ErrInvalid},
		{"expired with wrong iss", expiredClock, hs256(set("iss", "other")), Access, ErrInvalid},
		{"expired without jti", expiredClock, hs256(del("jti")), Access, ErrInvalid},
		// Not a token at all.
		{"empty", i, "", Access, ErrInvalid},
		{"garbage", i, "not a token", Access, ErrInvalid},
		{"three empty parts", i, "..", Access, ErrInvalid},
		{"a.b.c", i, "a.b.c", Access, ErrInvalid},
		{"two parts", i, good.Access[:strings.LastIndexByte(good.Access, '.')], Access, ErrInvalid},
		{"four parts", i, good.Access + ".x", Access, ErrInvalid},
		{"JSON body", i, `{"sub":"7"}`, Access, ErrInvalid},
		{"too long", i, withPart(good.Access, 1, strings.Repeat("A", MaxLen)), Access, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.issuer.Parse(tt.raw, tt.kind)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if errors.Is(err, ErrInvalid) == errors.Is(err, ErrExpired) {
				t.Errorf("err = %v wraps both sentinels or neither", err)
			}
			if c != (Claims{}) {
				t.Errorf("claims %+v returned with an error", c)
			}
		})
	}
}

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
	raw := sign(t, jwt.SigningMethodHS256, []byte(secret), jwt.MapClaims{"username": "bob", "type": "access",
		"iss": "authd", "sub": "7", "sid": testSID, "exp": now.Add(time.Minute).Unix(), "iat": now.Unix(), "jti": "a-jti"})
	c, err := newTestIssuer(t, at(now)).Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if c.UserID != 7 || c.Username != "bob" || c.SessionID != testSID || c.ID != "a-jti" ||
		c.IssuedAt.Unix() != now.Unix() || c.ExpiresAt.Unix() != now.Add(time.Minute).Unix() {
		t.Errorf("claims = %+v", c)
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	now := t0()
	i := newTestIssuer(t, at(now))
	good, _ := i.Issue(7, "bob", testSID)
	// A refresh JWT of the release before sessions: right key, type refresh.
	oldRefresh := sign(t, jwt.SigningMethodHS256, []byte(secret), jwt.MapClaims{"sub": "7", "username": "bob", "type": "refresh",
		"iss": "authd", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": "5f0c6d1e-0b4a-4c43-9a52-6c1d0f1f0c12"})
	// claims builds a token body that is right in every way but the mods.
	claims := func(mods ...func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "7", "sid": testSID, "username": "bob", "type": "access", "iss": "authd",
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
	goodBody, _ := base64.RawURLEncoding.DecodeString(strings.Split(good, ".")[1])
	swap := func(from, to string) string {
		return withPart(good, 1, enc(strings.Replace(string(goodBody), from, to, 1)))
	}
	expiredClock := newTestIssuer(t, at(now.Add(2*time.Hour)))

	tests := []struct {
		name   string
		issuer *Issuer
		raw    string
		want   error
	}{
		// The header's alg is the attacker's to choose; only HS256 counts.
		{"alg none", i, sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims()), ErrInvalid},
		{"alg none header on a good token", i, withPart(good, 0, enc(`{"alg":"none","typ":"JWT"}`)), ErrInvalid},
		// Only the exact header authd writes: another spelling of HS256, or
		// one with a key hint, is not ours even when the HMAC is right.
		{"HS256 header with keys reordered", i, resign(withPart(good, 0, enc(`{"typ":"JWT","alg":"HS256"}`))), ErrInvalid},
		{"HS256 header with a kid", i, resign(withPart(good, 0, enc(`{"alg":"HS256","kid":"1","typ":"JWT"}`))), ErrInvalid},
		{"HS256 header without typ", i, resign(withPart(good, 0, enc(`{"alg":"HS256"}`))), ErrInvalid},
		{"HS512 with the right secret", i, sign(t, jwt.SigningMethodHS512, []byte(secret), claims()), ErrInvalid},
		{"HS384 with the right secret", i, sign(t, jwt.SigningMethodHS384, []byte(secret), claims()), ErrInvalid},
		{"RS256 with the attacker's key", i, sign(t, jwt.SigningMethodRS256, rsaKey, claims()), ErrInvalid},
		{"wrong secret", i, sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), claims()), ErrInvalid},
		// A good signature over another body.
		{"tampered username", i, swap(`"username":"bob"`, `"username":"admin"`), ErrInvalid},
		{"tampered sub", i, swap(`"sub":"7"`, `"sub":"1"`), ErrInvalid},
		{"tampered type", i, swap(`"type":"access"`, `"type":"refresh"`), ErrInvalid},
		{"signature stripped", i, withPart(good, 2, ""), ErrInvalid},
		{"signature of the old refresh JWT", i, withPart(good, 2, strings.Split(oldRefresh, ".")[2]), ErrInvalid},
		// Other spellings of a good token are not the token.
		{"non-canonical base64 signature", i, sloppyLastChar(good), ErrInvalid},
		{"trailing newline", i, good + "\n", ErrInvalid},
		{"line break in the signature", i, good[:len(good)-4] + "\r\n" + good[len(good)-4:], ErrInvalid},
		{"padded signature", i, good + "=", ErrInvalid},
		{"leading space", i, " " + good, ErrInvalid},
		// Well signed, but the claims are wrong.
		{"wrong iss", i, hs256(set("iss", "other")), ErrInvalid},
		{"no iss", i, hs256(del("iss")), ErrInvalid},
		{"missing exp", i, hs256(del("exp")), ErrInvalid},
		{"exp as a string", i, hs256(set("exp", "soon")), ErrInvalid},
		{"missing iat", i, hs256(del("iat")), ErrInvalid},
		{"missing sub", i, hs256(del("sub")), ErrInvalid},
		{"missing username", i, hs256(del("username")), ErrInvalid},
		{"missing jti", i, hs256(del("jti")), ErrInvalid},
		{"missing type", i, hs256(del("type")), ErrInvalid},
		{"unknown type", i, hs256(set("type", "admin")), ErrInvalid},
		{"non-numeric sub", i, hs256(set("sub", "bob")), ErrInvalid},
		{"numeric sub as a number", i, hs256(set("sub", 7)), ErrInvalid},
		{"zero sub", i, hs256(set("sub", "0")), ErrInvalid},
		{"negative sub", i, hs256(set("sub", "-7")), ErrInvalid},
		{"plus-signed sub", i, hs256(set("sub", "+7")), ErrInvalid},
		{"zero-padded sub", i, hs256(set("sub", "007")), ErrInvalid},
		{"sub past int64", i, hs256(set("sub", "9223372036854775808")), ErrInvalid},
		// A refresh JWT of the release before sessions is not an access token,
		// nor is an access token without a session.
		{"old refresh JWT", i, oldRefresh, ErrInvalid},
		{"missing sid", i, hs256(del("sid")), ErrInvalid},
		{"empty sid", i, hs256(set("sid", "")), ErrInvalid},
		// Expired: only a token that was good until exp says so.
		{"expired access", expiredClock, good, ErrExpired},
		{"expired and forged", expiredClock, sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), claims()), ErrInvalid},
		{"expired old refresh JWT", expiredClock, oldRefresh, ErrInvalid},
		{"expired without sid", expiredClock, hs256(del("sid")), ErrInvalid},
		{"expired with wrong iss", expiredClock, hs256(set("iss", "other")), ErrInvalid},
		{"expired without jti", expiredClock, hs256(del("jti")), ErrInvalid},
		// Not a token at all.
		{"empty", i, "", ErrInvalid},
		{"garbage", i, "not a token", ErrInvalid},
		{"three empty parts", i, "..", ErrInvalid},
		{"a.b.c", i, "a.b.c", ErrInvalid},
		{"two parts", i, good[:strings.LastIndexByte(good, '.')], ErrInvalid},
		{"four parts", i, good + ".x", ErrInvalid},
		{"JSON body", i, `{"sub":"7"}`, ErrInvalid},
		{"too long", i, withPart(good, 1, strings.Repeat("A", MaxLen)), ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.issuer.Parse(tt.raw)
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

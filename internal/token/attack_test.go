package token

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/authd/authd/internal/auth"
	"reflect"
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

func enc(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// sloppyLastChar returns raw with the unused low bits of its last base64
// character set: lenient decoders read the same signature bytes from it.
func sloppyLastChar(raw string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, raw[len(raw)-1])
	return raw[:len(raw)-1] + string(alphabet[i^1])
}

// setup is one way of configuring keys, with what an attack needs to know
// of it: the attacks of TestParseRefuses run against each.
type setup struct {
	name string
	keys Keys
	// own signs claims with the signing key exactly as another JOSE library
	// would: the header authd writes (with kid when the key has one).
	own func(t testing.TB, c jwt.MapClaims) string
	// resign replaces the signature of raw with the signing key's over its
	// first two parts, so only what changed in them can make Parse refuse.
	resign func(raw string) string
	// forge signs like own with a key of the same type that is not in the
	// file, under the header of the signing key.
	forge func(t testing.TB, c jwt.MapClaims) string
	// hmacForms are the ways an attacker could spell the public key as an
	// HMAC secret (the RS256→HS256 confusion of RFC 8725 §2.1).
	hmacForms map[string][]byte
	kid       string // "" for HS256
	alg       string
}

func setups(t testing.TB) []setup {
	t.Helper()
	out := []setup{{
		name: AlgHS256, keys: secretKeys(t), alg: AlgHS256,
		own: func(t testing.TB, c jwt.MapClaims) string {
			return sign(t, jwt.SigningMethodHS256, []byte(secret), c)
		},
		forge: func(t testing.TB, c jwt.MapClaims) string {
			return sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), c)
		},
	}}
	for _, alg := range []string{AlgEdDSA, AlgES256} {
		ks, other := generated(t, alg), generated(t, alg)
		k, o := ks.list[0], other.list[0]
		pub, _ := ks.Public()
		jwkJSON, _ := json.Marshal(pub[0])
		x, _ := base64.RawURLEncoding.DecodeString(pub[0].X)
		st := setup{
			name: alg, keys: ks, kid: k.id, alg: alg,
			own:   func(t testing.TB, c jwt.MapClaims) string { return resignWith(k, signWith(t, k, k.id, c)) },
			forge: func(t testing.TB, c jwt.MapClaims) string { return signWith(t, o, k.id, c) },
			hmacForms: map[string][]byte{
				"JWK JSON": jwkJSON, "x coordinate": x, "kid": []byte(k.id), "base64url x": []byte(pub[0].X),
			},
		}
		out = append(out, st)
	}
	for n := range out {
		k := out[n].keys.list[0]
		out[n].resign = func(raw string) string { return resignWith(k, raw) }
	}
	return out
}

// resignWith replaces the signature of raw with k's over its first two
// parts; for ES256 that is also the low-s spelling authd accepts.
func resignWith(k *key, raw string) string {
	signed := raw[:strings.LastIndexByte(raw, '.')]
	sig, err := k.sign(signed)
	if err != nil {
		panic(err)
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func generated(t testing.TB, alg string) Keys {
	t.Helper()
	ks, err := GenerateKeys(alg)
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

// signWith signs c with k through jwt's own token type, naming kid.
func signWith(t testing.TB, k *key, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(k.method, c)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(k.signer)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestParseAcceptsJWTLibraryTokens: a token that golang-jwt signs with our
// key, header and claims verifies (an ES256 one in its low-s spelling, see
// ecdsa.go). authd's own HS256 tokens were written
// that way before it wrote the signing input itself, so tokens minted by an
// older replica stay good during a rolling upgrade; and a tool that mints a
// test token with a key from the file gets one authd reads.
func TestParseAcceptsJWTLibraryTokens(t *testing.T) {
	t.Parallel()
	now := t0()
	for _, st := range setups(t) {
		t.Run(st.name, func(t *testing.T) {
			raw := st.own(t, jwt.MapClaims{"username": "bob", "type": "access", "sid": testSID,
				"iss": "authd", "sub": "7", "exp": now.Add(time.Minute).Unix(), "iat": now.Unix(), "jti": "a-jti"})
			c, err := newKeyIssuer(t, st.keys, at(now)).Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if c.UserID != 7 || c.Username != "bob" || c.SessionID != testSID || c.ID != "a-jti" ||
				c.IssuedAt.Unix() != now.Unix() || c.ExpiresAt.Unix() != now.Add(time.Minute).Unix() {
				t.Errorf("claims = %+v", c)
			}
		})
	}
}

// TestParseRefuses is the attack suite, run against each kind of key.
func TestParseRefuses(t *testing.T) {
	t.Parallel()
	for _, st := range setups(t) {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			parseRefuses(t, st)
		})
	}
}

// headerJSON is the JSON of the header authd writes with st's key, with
// extra members after its own.
func (st setup) headerJSON(extra string) string {
	h := `{"alg":"` + st.alg + `"`
	if st.kid != "" {
		h += `,"kid":"` + st.kid + `"`
	}
	return h + extra + `,"typ":"JWT"}`
}

func parseRefuses(t *testing.T, st setup) {
	now := t0()
	i := newKeyIssuer(t, st.keys, at(now))
	good, _, _ := i.Issue(auth.AccessClaims{UserID: 7, Username: "bob", SessionID: testSID})
	// Every attack meets a warm set of verified signatures (verified.go):
	// the good token's is remembered, so no spelling of it may ride on it.
	if _, err := i.Parse(good); err != nil {
		t.Fatal(err)
	}
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
	own := func(mods ...func(jwt.MapClaims)) string { return st.own(t, claims(mods...)) }
	// A refresh JWT of the release before sessions, signed with our key.
	oldRefresh := own(set("type", "refresh"), del("sid"))
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	goodBody, _ := base64.RawURLEncoding.DecodeString(strings.Split(good, ".")[1])
	swap := func(from, to string) string {
		return withPart(good, 1, enc(strings.Replace(string(goodBody), from, to, 1)))
	}
	// header resigns the good token under another header.
	header := func(h string) string { return st.resign(withPart(good, 0, enc(h))) }
	expiredClock := newKeyIssuer(t, st.keys, at(now.Add(2*time.Hour)))
	attacker := generated(t, AlgEdDSA)
	attackerJWK, _ := attacker.Public()
	attackerJSON, _ := json.Marshal(attackerJWK[0])
	withKid := func(m jwt.SigningMethod, key any, kid string) string {
		tok := jwt.NewWithClaims(m, claims())
		if kid != "" {
			tok.Header["kid"] = kid
		}
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	type attack struct {
		name   string
		issuer *Issuer
		raw    string
		want   error
	}
	tests := []attack{
		// The header's alg is the attacker's to choose; only the key's counts.
		{"alg none", i, sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims()), auth.ErrTokenInvalid},
		{"alg none header on a good token", i, withPart(good, 0, enc(`{"alg":"none","typ":"JWT"}`)), auth.ErrTokenInvalid},
		{"alg none with our kid", i, withKid(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, st.kid), auth.ErrTokenInvalid},
		// Only the exact header authd writes: another spelling of it, or
		// one with a key hint, is not ours even when the signature is right.
		{"header with members reordered", i, header(`{"typ":"JWT","alg":"` + st.alg + `"` + map[bool]string{true: `,"kid":"` + st.kid + `"`}[st.kid != ""] + `}`), auth.ErrTokenInvalid},
		{"header without typ", i, header(strings.Replace(st.headerJSON(""), `,"typ":"JWT"`, "", 1)), auth.ErrTokenInvalid},
		{"header with a kid authd does not know", i, header(`{"alg":"` + st.alg + `","kid":"1","typ":"JWT"}`), auth.ErrTokenInvalid},
		{"header with jku", i, header(st.headerJSON(`,"jku":"http://127.0.0.1:1/jwks.json"`)), auth.ErrTokenInvalid},
		{"header with x5u", i, header(st.headerJSON(`,"x5u":"http://127.0.0.1:1/cert.pem"`)), auth.ErrTokenInvalid},
		{"header with crit", i, header(st.headerJSON(`,"crit":["exp"]`)), auth.ErrTokenInvalid},
		{"header with the attacker's jwk, signed by the attacker", i,
			signedWithHeader(t, attacker.list[0], `{"alg":"EdDSA","jwk":`+string(attackerJSON)+`,"typ":"JWT"}`, good), auth.ErrTokenInvalid},
		{"header with the attacker's jwk, signed by our key", i, header(st.headerJSON(`,"jwk":` + string(attackerJSON))), auth.ErrTokenInvalid},
		{"HS512 with the right secret", i, sign(t, jwt.SigningMethodHS512, []byte(secret), claims()), auth.ErrTokenInvalid},
		{"HS384 with the right secret", i, sign(t, jwt.SigningMethodHS384, []byte(secret), claims()), auth.ErrTokenInvalid},
		{"RS256 with the attacker's key", i, sign(t, jwt.SigningMethodRS256, rsaKey, claims()), auth.ErrTokenInvalid},
		{"RS256 with the attacker's key and our kid", i, withKid(jwt.SigningMethodRS256, rsaKey, st.kid), auth.ErrTokenInvalid},
		{"EdDSA with a key not in the file", i, signWith(t, attacker.list[0], attacker.list[0].id, claims()), auth.ErrTokenInvalid},
		{"signed by a key not in the file, under our header", i, st.forge(t, claims()), auth.ErrTokenInvalid},
		// A good signature over another body.
		{"tampered username", i, swap(`"username":"bob"`, `"username":"admin"`), auth.ErrTokenInvalid},
		{"tampered sub", i, swap(`"sub":"7"`, `"sub":"1"`), auth.ErrTokenInvalid},
		{"tampered type", i, swap(`"type":"access"`, `"type":"refresh"`), auth.ErrTokenInvalid},
		{"signature stripped", i, withPart(good, 2, ""), auth.ErrTokenInvalid},
		{"signature of the old refresh JWT", i, withPart(good, 2, strings.Split(oldRefresh, ".")[2]), auth.ErrTokenInvalid},
		// Other spellings of a good token are not the token.
		{"non-canonical base64 signature", i, sloppyLastChar(good), auth.ErrTokenInvalid},
		{"trailing newline", i, good + "\n", auth.ErrTokenInvalid},
		{"line break in the signature", i, good[:len(good)-4] + "\r\n" + good[len(good)-4:], auth.ErrTokenInvalid},
		{"padded signature", i, good + "=", auth.ErrTokenInvalid},
		{"leading space", i, " " + good, auth.ErrTokenInvalid},
		// Well signed, but the claims are wrong.
		{"wrong iss", i, own(set("iss", "other")), auth.ErrTokenInvalid},
		{"no iss", i, own(del("iss")), auth.ErrTokenInvalid},
		{"missing exp", i, own(del("exp")), auth.ErrTokenInvalid},
		{"exp as a string", i, own(set("exp", "soon")), auth.ErrTokenInvalid},
		{"missing iat", i, own(del("iat")), auth.ErrTokenInvalid},
		{"missing sub", i, own(del("sub")), auth.ErrTokenInvalid},
		{"missing username", i, own(del("username")), auth.ErrTokenInvalid},
		{"missing jti", i, own(del("jti")), auth.ErrTokenInvalid},
		{"missing type", i, own(del("type")), auth.ErrTokenInvalid},
		{"unknown type", i, own(set("type", "admin")), auth.ErrTokenInvalid},
		{"non-numeric sub", i, own(set("sub", "bob")), auth.ErrTokenInvalid},
		{"numeric sub as a number", i, own(set("sub", 7)), auth.ErrTokenInvalid},
		{"zero sub", i, own(set("sub", "0")), auth.ErrTokenInvalid},
		{"negative sub", i, own(set("sub", "-7")), auth.ErrTokenInvalid},
		{"plus-signed sub", i, own(set("sub", "+7")), auth.ErrTokenInvalid},
		{"zero-padded sub", i, own(set("sub", "007")), auth.ErrTokenInvalid},
		{"sub past int64", i, own(set("sub", "9223372036854775808")), auth.ErrTokenInvalid},
		// A refresh JWT of the release before sessions is not an access
		// token, nor is an access token without a session.
		{"old refresh JWT", i, oldRefresh, auth.ErrTokenInvalid},
		{"missing sid", i, own(del("sid")), auth.ErrTokenInvalid},
		{"empty sid", i, own(set("sid", "")), auth.ErrTokenInvalid},
		// Expired: only a token that was good until exp says so.
		{"expired access", expiredClock, good, auth.ErrTokenExpired},
		{"expired and forged", expiredClock, st.forge(t, claims()), auth.ErrTokenInvalid},
		{"expired old refresh JWT", expiredClock, oldRefresh, auth.ErrTokenInvalid},
		{"expired without sid", expiredClock, own(del("sid")), auth.ErrTokenInvalid},
		{"expired with wrong iss", expiredClock, own(set("iss", "other")), auth.ErrTokenInvalid},
		{"expired without jti", expiredClock, own(del("jti")), auth.ErrTokenInvalid},
		// Not a token at all.
		{"empty", i, "", auth.ErrTokenInvalid},
		{"garbage", i, "not a token", auth.ErrTokenInvalid},
		{"three empty parts", i, "..", auth.ErrTokenInvalid},
		{"a.b.c", i, "a.b.c", auth.ErrTokenInvalid},
		{"two parts", i, good[:strings.LastIndexByte(good, '.')], auth.ErrTokenInvalid},
		{"four parts", i, good + ".x", auth.ErrTokenInvalid},
		{"JSON body", i, `{"sub":"7"}`, auth.ErrTokenInvalid},
		{"too long", i, withPart(good, 1, strings.Repeat("A", MaxLen)), auth.ErrTokenInvalid},
	}
	if st.alg == AlgES256 {
		tests = append(tests, attack{"the high-s spelling of a good ES256 signature", i, highS(t, good), auth.ErrTokenInvalid})
	}
	// The key-confusion attack of RFC 8725 §2.1: HS256 keyed with the public
	// key, which every JWKS reader knows, with and without our kid.
	for form, secret := range st.hmacForms {
		for _, kid := range []string{st.kid, ""} {
			tests = append(tests, attack{fmt.Sprintf("HS256 keyed with the public key as %s, kid %q", form, kid), i,
				withKid(jwt.SigningMethodHS256, secret, kid), auth.ErrTokenInvalid})
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.issuer.Parse(tt.raw)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if errors.Is(err, auth.ErrTokenInvalid) == errors.Is(err, auth.ErrTokenExpired) {
				t.Errorf("err = %v wraps both sentinels or neither", err)
			}
			if !reflect.DeepEqual(c, auth.AccessClaims{}) {
				t.Errorf("claims %+v returned with an error", c)
			}
		})
	}
}

// signedWithHeader signs the body of raw under header h with k.
func signedWithHeader(t testing.TB, k *key, h, raw string) string {
	t.Helper()
	signed := enc(h) + "." + strings.Split(raw, ".")[1]
	sig, err := k.sign(signed)
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}

package token

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"github.com/authd/authd/internal/auth"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FuzzParse: Parse never panics, every error wraps exactly one sentinel, and
// the answer is exactly determined. A string that is, byte for byte, a token
// this issuer signs (checked here without jwt) is accepted for its own kind,
// or expired if it is; every other string is invalid. The fuzzer cannot
// forge HMAC-SHA256, so the only such strings are the issued seeds (whose
// jti differs in each fuzz worker, hence no list of them), and anything
// else it gets accepted is a hole in verification (a lenient decoder, a
// skipped check).
func FuzzParse(f *testing.F) {
	now := t0()
	i := newTestIssuer(f, at(now))
	fresh, _, _ := i.Issue(auth.AccessClaims{UserID: 1, Username: "seed", SessionID: testSID})
	old, _, _ := newTestIssuer(f, at(now.Add(-2*time.Hour))).Issue(auth.AccessClaims{UserID: 2, Username: "old", SessionID: testSID}) // expired by now
	oldRefresh := sign(f, jwt.SigningMethodHS256, []byte(secret), jwt.MapClaims{"sub": "1", "username": "x", "type": "refresh",
		"iss": "authd", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": "j"})
	for _, raw := range []string{fresh, old, oldRefresh} {
		f.Add(raw)
	}
	body, _ := base64.RawURLEncoding.DecodeString(strings.Split(fresh, ".")[1])
	for _, s := range []string{
		sloppyLastChar(fresh),
		fresh + "\n",
		fresh[:len(fresh)-1],
		withPart(fresh, 0, enc(`{"alg":"none","typ":"JWT"}`)),
		withPart(fresh, 1, enc(strings.Replace(string(body), `"sub":"1"`, `"sub":"2"`, 1))),
		withPart(fresh, 2, ""),
		withPart(fresh, 2, strings.Split(oldRefresh, ".")[2]),
		sign(f, jwt.SigningMethodHS512, []byte(secret), jwt.MapClaims{"sub": "1", "username": "x", "type": "access",
			"iss": "authd", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": "j"}),
		sign(f, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, jwt.MapClaims{"sub": "1"}),
		"", ".", "..", "a.b.c", "eyJhbGciOiJIUzI1NiJ9..", "not a token", "\x00\xff.\x80.é", strings.Repeat("A.", 3000),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		parseExactly(t, i, raw, signedByUs)
	})
}

// parseExactly checks Parse's answer for raw against the oracle ours, which
// says whether raw is byte for byte a token of i's key.
func parseExactly(t *testing.T, i *Issuer, raw string, ours func(string) (map[string]any, bool)) {
	c, err := i.Parse(raw)
	if err != nil && errors.Is(err, auth.ErrTokenInvalid) == errors.Is(err, auth.ErrTokenExpired) {
		t.Fatalf("err %v wraps both sentinels or neither", err)
	}
	if err != nil && !reflect.DeepEqual(c, auth.AccessClaims{}) {
		t.Fatalf("claims %+v returned with %v", c, err)
	}
	body, signed := ours(raw)
	switch {
	case !signed || body["type"] != "access" || body["sid"] == nil || body["sid"] == "":
		if !errors.Is(err, auth.ErrTokenInvalid) {
			t.Fatalf("Parse(%q) = %+v, %v; want auth.ErrTokenInvalid", raw, c, err)
		}
	case body["exp"].(float64) <= float64(i.now().Unix()):
		if !errors.Is(err, auth.ErrTokenExpired) {
			t.Fatalf("expired token: %v; want auth.ErrTokenExpired", err)
		}
	default:
		if err != nil {
			t.Fatalf("own token refused: %v", err)
		}
		consistent(t, i, raw, c)
	}
}

// FuzzParseKey is FuzzParse on the key path: an issuer with an Ed25519 key
// accepts exactly the strings that carry its own header and a valid
// Ed25519 signature (RFC 8032 verification is strict: one signature per
// message and key), and refuses the rest; the seeds add the key-path
// attacks (HS256 keyed with the public key, foreign keys, kid games).
func FuzzParseKey(f *testing.F) {
	now := t0()
	ks := generated(f, AlgEdDSA)
	k := ks.list[0]
	i := newKeyIssuer(f, ks, at(now))
	fresh, _, _ := i.Issue(auth.AccessClaims{UserID: 1, Username: "seed", SessionID: testSID})
	old, _, _ := newKeyIssuer(f, ks, at(now.Add(-2*time.Hour))).Issue(auth.AccessClaims{UserID: 2, Username: "old", SessionID: testSID})
	other := generated(f, AlgEdDSA).list[0]
	pub, _ := ks.Public()
	claims := jwt.MapClaims{"sub": "1", "sid": testSID, "username": "x", "type": "access", "iss": "authd",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": "j"}
	swap := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	swap.Header["kid"] = k.id
	swapped, _ := swap.SignedString([]byte(mustJSON(f, pub[0])))
	for _, s := range []string{
		fresh, old,
		signWith(f, other, k.id, claims), signWith(f, other, other.id, claims), swapped,
		withPart(fresh, 0, enc(`{"alg":"EdDSA","typ":"JWT"}`)),
		withPart(fresh, 0, enc(`{"alg":"EdDSA","jku":"http://127.0.0.1:1/","kid":"`+k.id+`","typ":"JWT"}`)),
		withPart(fresh, 2, strings.Split(old, ".")[2]),
		sloppyLastChar(fresh),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		parseExactly(t, i, raw, func(raw string) (map[string]any, bool) {
			return signedBy(raw, k.header, func(signed string, sig []byte) bool {
				return ed25519.Verify(k.verifier.(ed25519.PublicKey), []byte(signed), sig)
			})
		})
	})
}

// signedByUs reports whether raw is exactly what Issue writes: the HS256
// header jwt emits, a body, and our HMAC-SHA256 of both in canonical
// base64url. It returns the decoded body.
func signedByUs(raw string) (map[string]any, bool) {
	return signedBy(raw, enc(`{"alg":"HS256","typ":"JWT"}`), func(signed string, sig []byte) bool {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(signed))
		return hmac.Equal(mac.Sum(nil), sig)
	})
}

// signedBy reports whether raw is header, a body, and a signature that
// valid accepts, all in canonical base64url, with a JSON body that has a
// numeric exp. It returns the decoded body.
func signedBy(raw, header string, valid func(signed string, sig []byte) bool) (map[string]any, bool) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 || parts[0] != header {
		return nil, false
	}
	sig, err := base64.RawURLEncoding.Strict().DecodeString(parts[2])
	if err != nil || enc(string(sig)) != parts[2] || !valid(parts[0]+"."+parts[1], sig) {
		return nil, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(parts[1])
	var body map[string]any
	if err != nil || enc(string(b)) != parts[1] || json.Unmarshal(b, &body) != nil {
		return nil, false
	}
	if _, ok := body["exp"].(float64); !ok {
		return nil, false
	}
	return body, true
}

// consistent checks accepted claims against the body of the token.
func consistent(t *testing.T, i *Issuer, raw string, c auth.AccessClaims) {
	t.Helper()
	m := payload(t, raw)
	wantBody := map[string]any{
		"sub": strconv.FormatInt(c.UserID, 10), "username": c.Username, "sid": c.SessionID, "type": "access", "iss": i.issuer,
		"jti": c.ID, "iat": float64(c.IssuedAt.Unix()), "exp": float64(c.ExpiresAt.Unix()),
	}
	for k, v := range wantBody {
		if m[k] != v {
			t.Fatalf("claims %+v disagree with body %v at %s", c, m, k)
		}
	}
	if c.SessionID == "" || c.UserID <= 0 || !i.now().Before(c.ExpiresAt) {
		t.Fatalf("accepted claims %+v", c)
	}
}

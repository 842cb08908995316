package token

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const secret = "0123456789abcdef0123456789abcdef"

func newTestIssuer(t testing.TB, now func() time.Time) *Issuer {
	t.Helper()
	i, err := NewIssuer([]byte(secret), "authd", 15*time.Minute, time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func TestNewIssuerChecks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		secret     string
		issuer     string
		access, rt time.Duration
	}{
		{"short secret", strings.Repeat("x", 31), "authd", time.Minute, time.Hour},
		{"no issuer", secret, "", time.Minute, time.Hour},
		{"zero access ttl", secret, "authd", 0, time.Hour},
		{"negative refresh ttl", secret, "authd", time.Minute, -time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewIssuer([]byte(tt.secret), tt.issuer, tt.access, tt.rt, time.Now); err == nil {
				t.Error("accepted")
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 10, 30, 45, 0, time.UTC)
	i := newTestIssuer(t, func() time.Time { return now })
	p, err := i.Issue(42, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if p.AccessTTL != 15*time.Minute || p.Access == p.Refresh {
		t.Fatalf("pair = %+v", p)
	}
	for _, tt := range []struct {
		raw  string
		kind Kind
		ttl  time.Duration
	}{{p.Access, Access, 15 * time.Minute}, {p.Refresh, Refresh, time.Hour}} {
		c, err := i.Parse(tt.raw, tt.kind)
		if err != nil {
			t.Fatalf("parse %s: %v", tt.kind, err)
		}
		if c.UserID != 42 || c.Username != "alice" || c.Kind != tt.kind || c.ID == "" ||
			!c.IssuedAt.Equal(now) || !c.ExpiresAt.Equal(now.Add(tt.ttl)) {
			t.Errorf("claims = %+v", c)
		}
	}
	p2, _ := i.Issue(42, "alice")
	if p2.Access == p.Access {
		t.Error("two tokens issued in the same second are equal")
	}
	// The claims API.md names are in the token.
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(p.Access, ".")[1])
	for _, k := range []string{`"sub":"42"`, `"username":"alice"`, `"type":"access"`, `"iss":"authd"`, `"iat":`, `"exp":`, `"jti":`} {
		if !strings.Contains(string(payload), k) {
			t.Errorf("payload %s lacks %s", payload, k)
		}
	}
}

func sign(t testing.TB, m jwt.SigningMethod, key any, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAttacks(t *testing.T) {
	t.Parallel()
	now := time.Now()
	i := newTestIssuer(t, func() time.Time { return now })
	good, _ := i.Issue(7, "bob")
	base := func(mods ...func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "7", "username": "bob", "type": "access", "iss": "authd",
			"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "jti": "j"}
		for _, m := range mods {
			m(c)
		}
		return c
	}
	parts := strings.Split(good.Access, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	forgedPayload := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), `"sub":"7"`, `"sub":"1"`, 1)))
	later := newTestIssuer(t, func() time.Time { return now.Add(2 * time.Hour) })

	tests := []struct {
		name   string
		issuer *Issuer
		raw    string
		kind   Kind
		want   error
	}{
		{"alg none", i, sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, base()), Access, ErrInvalid},
		{"HS512 right secret", i, sign(t, jwt.SigningMethodHS512, []byte(secret), base()), Access, ErrInvalid},
		{"HS384 right secret", i, sign(t, jwt.SigningMethodHS384, []byte(secret), base()), Access, ErrInvalid},
		{"wrong secret", i, sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), base()), Access, ErrInvalid},
		{"tampered payload", i, parts[0] + "." + forgedPayload + "." + parts[2], Access, ErrInvalid},
		{"wrong iss", i, sign(t, jwt.SigningMethodHS256, []byte(secret), base(func(c jwt.MapClaims) { c["iss"] = "other" })), Access, ErrInvalid},
		{"no iss", i, sign(t, jwt.SigningMethodHS256, []byte(secret), base(func(c jwt.MapClaims) { delete(c, "iss") })), Access, ErrInvalid},
		{"missing exp", i, sign(t, jwt.SigningMethodHS256, []byte(secret), base(func(c jwt.MapClaims) { delete(c, "exp") })), Access, ErrInvalid},
		{"missing iat", i, sign(t, jwt.SigningMethodHS256, []byte(secret), base(func(c jwt.MapClaims) { delete(c, "iat") })), Access, ErrInvalid},
		{"iat in the future", i, sign(t, jwt.SigningMethodHS256, []byte(secret), base(func(c jwt.MapClaims) { c["iat"] = now.Add(time.Hour).Unix() })), Access, ErrInvalid},
		{"non-numeric sub", i, sign(t, jwt.SigningMethodHS256, []byte(secret), base(func(c jwt.MapClaims) { c["sub"] = "bob" })), Access, ErrInvalid},
		{"zero sub", i, sign(t, jwt.SigningMethodHS256, []byte(secret), base(func(c jwt.MapClaims) { c["sub"] = "0" })), Access, ErrInvalid},
		{"no type", i, sign(t, jwt.SigningMethodHS256, []byte(secret), base(func(c jwt.MapClaims) { delete(c, "type") })), Access, ErrInvalid},
		{"refresh as access", i, good.Refresh, Access, ErrInvalid},
		{"access as refresh", i, good.Access, Refresh, ErrInvalid},
		{"expired access", later, good.Access, Access, ErrExpired},
		{"expired refresh", newTestIssuer(t, func() time.Time { return now.Add(2*time.Hour + time.Second) }), good.Refresh, Refresh, ErrExpired},
		{"expired and forged", later, sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), base()), Access, ErrInvalid},
		{"empty", i, "", Access, ErrInvalid},
		{"garbage", i, "a.b.c", Access, ErrInvalid},
		{"two parts", i, parts[0] + "." + parts[1], Access, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.issuer.Parse(tt.raw, tt.kind)
			if !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// FuzzParse: nothing panics, and whatever is accepted is exactly a token
// this issuer signed for the wanted kind.
func FuzzParse(f *testing.F) {
	now := time.Unix(1_800_000_000, 0)
	i := newTestIssuer(f, func() time.Time { return now })
	p, _ := i.Issue(1, "seed")
	f.Add(p.Access)
	f.Add(p.Refresh)
	f.Add(p.Access[:len(p.Access)-2])
	f.Add(strings.Replace(p.Access, ".", "..", 1))
	f.Add("eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.")
	f.Add("")
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := i.Parse(raw, Access)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrExpired) {
				t.Fatalf("error wraps neither sentinel: %v", err)
			}
			return
		}
		if c.Kind != Access || c.UserID <= 0 {
			t.Fatalf("accepted claims %+v", c)
		}
		// Re-signing the same header and payload must give the same
		// signature: the token is one this key made.
		parts := strings.Split(raw, ".")
		sig, err := jwt.SigningMethodHS256.Sign(parts[0]+"."+parts[1], []byte(secret))
		if err != nil || base64.RawURLEncoding.EncodeToString(sig) != parts[2] {
			t.Fatalf("accepted a token this issuer did not sign: %q", raw)
		}
	})
}

func BenchmarkIssue(b *testing.B) {
	i := newTestIssuer(b, time.Now)
	for b.Loop() {
		if _, err := i.Issue(1, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	i := newTestIssuer(b, time.Now)
	p, _ := i.Issue(1, "bench")
	for b.Loop() {
		if _, err := i.Parse(p.Access, Access); err != nil {
			b.Fatal(err)
		}
	}
}

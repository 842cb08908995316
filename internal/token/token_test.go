package token

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"github.com/authd/authd/internal/auth"
	"strings"
	"testing"
	"time"
)

const secret = "0123456789abcdef0123456789abcdef"

// testSID is a session id as NewSessionID writes it.
const testSID = "AAECAwQFBgcICQoLDA0ODw"

// t0Unix is a whole second (2026-11-28T10:30:45Z), so exp = t0() + TTL exactly:
// NumericDate keeps whole seconds.
const t0Unix = 1_795_861_845

func t0() time.Time { return time.Unix(t0Unix, 0).UTC() }

func at(t time.Time) func() time.Time { return func() time.Time { return t } }

func newTestIssuer(t testing.TB, now func() time.Time) *Issuer {
	t.Helper()
	return newKeyIssuer(t, secretKeys(t), now)
}

func secretKeys(t testing.TB) Keys {
	t.Helper()
	ks, err := SecretKeys([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func newKeyIssuer(t testing.TB, ks Keys, now func() time.Time) *Issuer {
	t.Helper()
	i, err := NewIssuer(ks, "authd", 15*time.Minute, now)
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func TestNewIssuerRefuses(t *testing.T) {
	t.Parallel()
	for _, s := range []string{strings.Repeat("x", 31), ""} {
		if _, err := SecretKeys([]byte(s)); err == nil {
			t.Errorf("SecretKeys accepted a %d-byte secret", len(s))
		}
	}
	ks := secretKeys(t)
	tests := []struct {
		name   string
		keys   Keys
		issuer string
		access time.Duration
	}{
		{"no keys", Keys{}, "authd", time.Minute},
		{"no issuer", ks, "", time.Minute},
		{"zero access ttl", ks, "authd", 0},
		{"negative access ttl", ks, "authd", -time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewIssuer(tt.keys, tt.issuer, tt.access, time.Now); err == nil {
				t.Error("accepted")
			}
		})
	}
	if _, err := NewIssuer(ks, "authd", time.Minute, nil); err != nil {
		t.Errorf("nil clock: %v, want time.Now", err)
	}
}

func TestIssueRefuses(t *testing.T) {
	t.Parallel()
	i := newTestIssuer(t, time.Now)
	for _, tt := range []struct {
		name     string
		id       int64
		username string
		sid      string
	}{{"zero id", 0, "alice", testSID}, {"negative id", -1, "alice", testSID}, {"no username", 1, "", testSID}, {"no session", 1, "alice", ""}} {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := i.Issue(auth.AccessClaims{UserID: tt.id, Username: tt.username, SessionID: tt.sid}); err == nil {
				t.Error("issued")
			}
		})
	}
}

// payload decodes the middle part of a JWT.
func payload(t testing.TB, raw string) map[string]any {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	return object(t, b)
}

// object decodes a JSON object.
func object(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	i := newTestIssuer(t, at(t0()))
	raw, exp, err := i.Issue(auth.AccessClaims{UserID: 42, Username: "alice", SessionID: testSID})
	if err != nil {
		t.Fatal(err)
	}
	if i.AccessTTL() != 15*time.Minute {
		t.Errorf("AccessTTL = %v", i.AccessTTL())
	}
	c, err := i.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := auth.AccessClaims{UserID: 42, Username: "alice", SessionID: testSID, ID: c.ID, IssuedAt: t0(), ExpiresAt: t0().Add(15 * time.Minute)}
	if c.ID == "" || c.UserID != want.UserID || c.Username != want.Username || c.SessionID != want.SessionID ||
		!c.IssuedAt.Equal(want.IssuedAt) || !c.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("claims = %+v, want %+v", c, want)
	}
	if !exp.Equal(c.ExpiresAt) {
		t.Errorf("Issue's exp = %v, the token's %v", exp, c.ExpiresAt)
	}
	// The claims API.md names, spelled as it spells them.
	m := payload(t, raw)
	for k, v := range map[string]any{"sub": "42", "sid": testSID, "username": "alice", "type": "access", "iss": "authd",
		"iat": float64(t0().Unix()), "exp": float64(t0().Add(15 * time.Minute).Unix()), "jti": c.ID} {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	t.Run("same second differs", func(t *testing.T) {
		raw2, _, _ := i.Issue(auth.AccessClaims{UserID: 42, Username: "alice", SessionID: testSID})
		if raw2 == raw {
			t.Error("two tokens issued in the same second are the same")
		}
	})
}

// TestExpiryIsExact: no leeway, so the last valid instant is just before exp.
func TestExpiryIsExact(t *testing.T) {
	t.Parallel()
	access, _, _ := newTestIssuer(t, at(t0())).Issue(auth.AccessClaims{UserID: 1, Username: "a", SessionID: testSID})
	exp := t0().Add(15 * time.Minute)
	tests := []struct {
		name string
		now  time.Time
		want error
	}{
		{"one nanosecond before exp", exp.Add(-time.Nanosecond), nil},
		{"at exp", exp, auth.ErrTokenExpired},
		{"one second after exp", exp.Add(time.Second), auth.ErrTokenExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := newTestIssuer(t, at(tt.now)).Parse(access); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestReplicaClockSkew: a replica whose clock lags the one that minted the
// token still accepts it (iat is not compared with the clock).
func TestReplicaClockSkew(t *testing.T) {
	t.Parallel()
	access, _, _ := newTestIssuer(t, at(t0().Add(2*time.Second))).Issue(auth.AccessClaims{UserID: 1, Username: "a", SessionID: testSID})
	if _, err := newTestIssuer(t, at(t0())).Parse(access); err != nil {
		t.Errorf("token from a replica 2s ahead: %v", err)
	}
}

func BenchmarkIssue(b *testing.B) {
	i := newTestIssuer(b, time.Now)
	for b.Loop() {
		if _, _, err := i.Issue(auth.AccessClaims{UserID: 1, Username: "bench", SessionID: testSID}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	i := newTestIssuer(b, time.Now)
	access, _, _ := i.Issue(auth.AccessClaims{UserID: 1, Username: "bench", SessionID: testSID})
	for b.Loop() {
		if _, err := i.Parse(access); err != nil {
			b.Fatal(err)
		}
	}
}

// TestExpRoundsUp: exp is whole seconds, rounded up from issue time plus
// the TTL, so a token never lives less than the TTL (expires_in would
// overstate its life otherwise); a whole-second issue time adds nothing.
func TestExpRoundsUp(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		offset time.Duration
		want   time.Duration // exp - t0()
	}{
		{"whole second", 0, 15 * time.Minute},
		{"a nanosecond past", time.Nanosecond, 15*time.Minute + time.Second},
		{"just before the next second", time.Second - time.Nanosecond, 15*time.Minute + time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			issued := t0().Add(tt.offset)
			raw, exp, err := newTestIssuer(t, at(issued)).Issue(auth.AccessClaims{UserID: 1, Username: "a", SessionID: testSID})
			if err != nil {
				t.Fatal(err)
			}
			if got := exp.Sub(t0()); got != tt.want {
				t.Errorf("exp = t0 + %v, want t0 + %v", got, tt.want)
			}
			if lives := exp.Sub(issued); lives < 15*time.Minute {
				t.Errorf("token lives %v, less than the TTL", lives)
			}
			c, err := newTestIssuer(t, at(issued)).Parse(raw)
			if err != nil || !c.ExpiresAt.Equal(exp) {
				t.Errorf("Parse: %v, exp %v; want %v", err, c.ExpiresAt, exp)
			}
		})
	}
}

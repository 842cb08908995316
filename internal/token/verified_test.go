package token

import (
	"crypto/sha256"
	"errors"
	"github.com/authd/authd/internal/auth"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// TestVerifiedRemembersOnlySignatures: a token whose signature was checked
// once is not checked again, but its claims are, every time: it still
// expires to the second. Only verified tokens are remembered, and
// HS256 does not use the set.
func TestVerifiedRemembersOnlySignatures(t *testing.T) {
	t.Parallel()
	for _, st := range setups(t) {
		t.Run(st.name, func(t *testing.T) {
			c := &clock{t: t0()}
			i := newKeyIssuer(t, st.keys, c.now)
			p, _, _ := i.Issue(auth.AccessClaims{UserID: 1, Username: "a", SessionID: testSID})
			forged := st.forge(t, jwtClaims(t0()))
			for range 2 {
				if _, err := i.Parse(p); err != nil {
					t.Fatal(err)
				}
				if _, err := i.Parse(forged); !errors.Is(err, auth.ErrTokenInvalid) {
					t.Fatalf("forged token: %v", err)
				}
			}
			wantLen := 1
			if st.alg == AlgHS256 {
				wantLen = 0
			}
			if n := len(i.verified.set); n != wantLen {
				t.Errorf("%d signatures remembered, want %d (the good token's only)", n, wantLen)
			}
			c.set(t0().Add(15 * time.Minute))
			if _, err := i.Parse(p); !errors.Is(err, auth.ErrTokenExpired) {
				t.Errorf("remembered token at its exp: %v, want auth.ErrTokenExpired", err)
			}
		})
	}
}

func TestVerifiedIsBounded(t *testing.T) {
	t.Parallel()
	v := newVerified()
	for n := range verifiedMax + 100 {
		v.add(sha256.Sum256([]byte(strings.Repeat("x", n))), claims{ID: strings.Repeat("x", n)})
	}
	last := sha256.Sum256([]byte(strings.Repeat("x", verifiedMax+99)))
	c, ok := v.get(last)
	if len(v.set) != verifiedMax || !ok || c.ID != strings.Repeat("x", verifiedMax+99) {
		t.Errorf("%d entries (want %d), newest remembered: %v", len(v.set), verifiedMax, ok)
	}
}

func jwtClaims(now time.Time) map[string]any {
	return map[string]any{"sub": "1", "sid": testSID, "username": "a", "type": "access", "iss": "authd",
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix(), "jti": "j"}
}

package token

import (
	"encoding/base64"
	"errors"
	"github.com/authd/authd/internal/auth"
	"strings"
	"testing"
)

// newTestRefresher is the refresher of HS256 secrets, the first signing.
func newTestRefresher(t testing.TB, secrets ...string) *Refresher {
	t.Helper()
	var ks Keys
	for _, s := range secrets {
		k, err := SecretKeys([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		ks.list = append(ks.list, k.list...)
	}
	return refresherOf(t, ks)
}

func refresherOf(t testing.TB, ks Keys) *Refresher {
	t.Helper()
	keys, err := ks.MACKeys()
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRefresher(keys)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustMint(t testing.TB, r *Refresher, sid string, counter int64) string {
	t.Helper()
	raw, err := r.Mint(sid, counter)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestRefreshRoundTrip(t *testing.T) {
	t.Parallel()
	r := newTestRefresher(t, secret)
	sid := auth.NewSessionID()
	if !auth.ValidSessionID(sid) || sid == auth.NewSessionID() {
		t.Fatalf("NewSessionID = %q: not valid or not random", sid)
	}
	for _, c := range []int64{0, 1, 41, 1<<63 - 1} {
		raw := mustMint(t, r, sid, c)
		if len(raw) != RefreshLen || strings.Contains(raw, ".") {
			t.Errorf("token %q: length %d, want %d and no dots (never a JWT)", raw, len(raw), RefreshLen)
		}
		got, err := r.Parse(raw)
		if err != nil || got != (auth.RefreshToken{SessionID: sid, Counter: c}) {
			t.Errorf("Parse(Mint(%s, %d)) = %+v, %v", sid, c, got, err)
		}
		if again := mustMint(t, r, sid, c); again != raw {
			t.Errorf("Mint is not deterministic: %q then %q", raw, again)
		}
	}
	if mustMint(t, r, sid, 1) == mustMint(t, r, sid, 2) {
		t.Error("two counters share a token")
	}
}

func TestMACKeys(t *testing.T) {
	t.Parallel()
	a, err := secretKeys(t).MACKeys()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := secretKeys(t).MACKeys()
	if len(a) != 1 || len(a[0]) != 32 || string(a[0]) != string(b[0]) {
		t.Fatalf("keys = %x, %x: want one stable 32-byte key", a, b)
	}
	if string(a[0]) == secret {
		t.Error("the refresh key is the JWT secret itself")
	}
	ed, es := generated(t, AlgEdDSA), generated(t, AlgES256)
	both := Keys{list: append(append([]*key{}, ed.list...), es.list...)}
	m, err := both.MACKeys()
	if err != nil || len(m) != 2 || string(m[0]) == string(m[1]) || string(m[0]) == string(a[0]) {
		t.Errorf("MACKeys of two generated keys = %x, %v: want two distinct keys", m, err)
	}
	if _, err := (Keys{}).MACKeys(); err == nil {
		t.Error("MACKeys of no keys succeeded")
	}
	if _, err := NewRefresher(nil); err == nil {
		t.Error("NewRefresher with no key accepted")
	}
	if _, err := NewRefresher([][]byte{[]byte("short")}); err == nil {
		t.Error("NewRefresher with a short key accepted")
	}
}

// TestRefreshKeyRotation: a token minted under the old first key still
// verifies once a new key is put first, so rotation logs nobody out; once
// the old key is removed, its tokens are refused.
func TestRefreshKeyRotation(t *testing.T) {
	t.Parallel()
	other := strings.Repeat("n", 32)
	old := newTestRefresher(t, secret)
	rotated := newTestRefresher(t, other, secret)
	sid := auth.NewSessionID()
	raw := mustMint(t, old, sid, 3)
	if got, err := rotated.Parse(raw); err != nil || got.Counter != 3 {
		t.Errorf("old token after rotation: %+v, %v", got, err)
	}
	if mustMint(t, rotated, sid, 3) == raw {
		t.Error("rotated refresher still mints with the old key")
	}
	if _, err := newTestRefresher(t, other).Parse(raw); !errors.Is(err, auth.ErrTokenInvalid) {
		t.Errorf("token of a removed key: %v, want auth.ErrTokenInvalid", err)
	}
}

func TestMintRefuses(t *testing.T) {
	t.Parallel()
	r := newTestRefresher(t, secret)
	for name, tc := range map[string]struct {
		sid string
		c   int64
	}{
		"empty sid": {"", 0}, "short sid": {"AAEC", 0}, "sid with padding": {auth.NewSessionID()[:20] + "==", 0},
		"negative counter": {auth.NewSessionID(), -1},
	} {
		if _, err := r.Mint(tc.sid, tc.c); err == nil {
			t.Errorf("%s: minted", name)
		}
	}
}

func TestRefreshParseRefuses(t *testing.T) {
	t.Parallel()
	r := newTestRefresher(t, secret)
	sid := auth.NewSessionID()
	good := mustMint(t, r, sid, 5)
	raw, _ := base64.RawURLEncoding.DecodeString(good)
	reencode := func(mod func(b []byte)) string {
		b := append([]byte(nil), raw...)
		mod(b)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	access, _, _ := newTestIssuer(t, nil).Issue(auth.AccessClaims{UserID: 7, Username: "bob", SessionID: sid})
	tests := []struct{ name, raw string }{
		{"empty", ""},
		{"access token", access},
		{"other key", mustMint(t, newTestRefresher(t, strings.Repeat("z", 32)), sid, 5)},
		{"counter changed", reencode(func(b []byte) { b[len(b)-macBytes-1]++ })},
		{"session changed", reencode(func(b []byte) { b[1] ^= 1 })},
		{"mac changed", reencode(func(b []byte) { b[len(b)-1] ^= 1 })},
		{"other version", reencode(func(b []byte) { b[0] = 2 })},
		{"padded", good + "="},
		{"trailing newline", good + "\n"},
		{"line break inside", good[:40] + "\n" + good[41:]},
		{"standard base64 alphabet", good[:10] + "+" + good[11:]},
		{"one character short", good[:len(good)-1]},
		{"one character more", good + "A"},
		{"leading space", " " + good[1:]},
		{"uppercased", strings.ToUpper(good)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Parse(tt.raw)
			if !errors.Is(err, auth.ErrTokenInvalid) || got != (auth.RefreshToken{}) {
				t.Errorf("Parse = %+v, %v; want auth.ErrTokenInvalid", got, err)
			}
		})
	}
}

// FuzzRefreshParse: Parse never panics and accepts exactly the strings
// Mint writes. The fuzzer cannot forge HMAC-SHA256, so anything it gets
// accepted that is not Mint's own output for what Parse returned is a hole.
func FuzzRefreshParse(f *testing.F) {
	r := newTestRefresher(f, secret)
	sid := "AAECAwQFBgcICQoLDA0ODw"
	good := mustMint(f, r, sid, 7)
	access, _, _ := newTestIssuer(f, nil).Issue(auth.AccessClaims{UserID: 7, Username: "bob", SessionID: sid})
	for _, s := range []string{good, mustMint(f, r, sid, 0), good + "=", good[:len(good)-1], access, "", "A",
		strings.Repeat("A", RefreshLen), strings.Repeat("_", RefreshLen), "\x00\xff" + good[2:]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := r.Parse(raw)
		if err != nil {
			if !errors.Is(err, auth.ErrTokenInvalid) || got != (auth.RefreshToken{}) {
				t.Fatalf("Parse(%q) = %+v, %v", raw, got, err)
			}
			return
		}
		if again, err := r.Mint(got.SessionID, got.Counter); err != nil || again != raw {
			t.Fatalf("Parse(%q) accepted %+v, but Mint gives %q, %v", raw, got, again, err)
		}
	})
}

package token

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"github.com/authd/authd/internal/auth"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// privateJWK is one key of a generated set as a JSON object, for tests that
// edit its members.
func privateJWK(t testing.TB, alg string) map[string]any {
	t.Helper()
	b, err := generated(t, alg).MarshalPrivate()
	if err != nil {
		t.Fatal(err)
	}
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	return set.Keys[0]
}

// joseJWK is a private key of a type authd does not sign with, as JSON.
func joseJWK(t testing.TB, priv any) map[string]any {
	t.Helper()
	return object(t, []byte(mustJSON(t, jose.JSONWebKey{Key: priv})))
}

func jwkSet(t testing.TB, keys ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func without(m map[string]any, drop ...string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if !slices.Contains(drop, k) {
			out[k] = v
		}
	}
	return out
}

func with(m map[string]any, k string, v any) map[string]any {
	out := without(m)
	out[k] = v
	return out
}

func TestParseKeysRefuses(t *testing.T) {
	t.Parallel()
	ed, ec := privateJWK(t, AlgEdDSA), privateJWK(t, AlgES256)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		want string // in the error
	}{
		{"not JSON", []byte("keys"), "not a JWK Set"},
		{"empty file", nil, "not a JWK Set"},
		{"no keys member", []byte(`{}`), "no keys"},
		{"empty key list", []byte(`{"keys":[]}`), "no keys"},
		{"a bare JWK, not a set", []byte(mustJSON(t, ed)), "no keys"},
		{"public-only Ed25519", jwkSet(t, without(ed, "d")), "public key only"},
		{"public-only P-256", jwkSet(t, without(ec, "d")), "public key only"},
		{"public-only second key", jwkSet(t, ed, without(ec, "d")), "key 2: a public key only"},
		{"oct", jwkSet(t, map[string]any{"kty": "oct", "k": enc(secret)}), "symmetric (oct)"},
		{"RSA", jwkSet(t, joseJWK(t, rsaKey)), `unsupported key type "RSA"`},
		{"P-384", jwkSet(t, joseJWK(t, p384)), `unsupported curve "P-384"`},
		{"secp256k1", jwkSet(t, with(ec, "crv", "secp256k1")), `unsupported curve "secp256k1"`},
		{"X25519", jwkSet(t, with(ed, "crv", "X25519")), `unsupported curve "X25519"`},
		{"no kty", jwkSet(t, without(ed, "kty")), "unsupported key type"},
		{"duplicate kid", jwkSet(t, with(ed, "kid", "k1"), with(ec, "kid", "k1")), `key 2: kid "k1" is used by another key`},
		{"the same key twice", jwkSet(t, without(ed, "kid"), without(ed, "kid")), "is used by another key"},
		{"alg of another key type", jwkSet(t, with(ed, "alg", "ES256")), `alg "ES256" does not fit`},
		{"alg HS256 on an EC key", jwkSet(t, with(ec, "alg", "HS256")), `alg "HS256" does not fit`},
		{"use enc", jwkSet(t, with(ed, "use", "enc")), `use "enc"`},
		{"Ed25519 d of another key", jwkSet(t, with(ed, "d", privateJWK(t, AlgEdDSA)["d"])), "x does not match d"},
		{"P-256 d of another key", jwkSet(t, with(ec, "d", privateJWK(t, AlgES256)["d"])), "does not match its public part"},
		{"short d", jwkSet(t, with(ed, "d", enc("short"))), "wrong length for d"},
		{"kid too long", jwkSet(t, with(ed, "kid", strings.Repeat("k", maxKIDLen+1))), "at most 128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks, err := ParseKeys(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if len(ks.list) != 0 {
				t.Errorf("keys returned with an error")
			}
		})
	}
}

// TestParseKeys: the order of the file is kept (the first signs), a kid in
// the file is kept, a missing one is the RFC 7638 thumbprint, and "alg" and
// "use" may be given when they fit.
func TestParseKeys(t *testing.T) {
	t.Parallel()
	ed, ec := privateJWK(t, AlgEdDSA), privateJWK(t, AlgES256)
	ks, err := ParseKeys(jwkSet(t, with(ec, "kid", "2026-11"), without(ed, "kid", "alg", "use")))
	if err != nil {
		t.Fatal(err)
	}
	if ks.Alg() != AlgES256 || len(ks.list) != 2 || ks.list[0].id != "2026-11" {
		t.Fatalf("keys = %s, %d, first kid %q", ks.Alg(), len(ks.list), ks.list[0].id)
	}
	// The thumbprint of RFC 7638 §3.1: SHA-256 over the required members
	// in lexical order, base64url.
	wantKid := enc(string(sha256Sum(`{"crv":"Ed25519","kty":"OKP","x":"` + ed["x"].(string) + `"}`)))
	if ks.list[1].id != wantKid || ed["kid"] != wantKid {
		t.Errorf("kid without one in the file = %q, generated %q, want the thumbprint %q", ks.list[1].id, ed["kid"], wantKid)
	}
}

func TestGenerateKeysRoundTrip(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{AlgEdDSA, AlgES256} {
		t.Run(alg, func(t *testing.T) {
			ks := generated(t, alg)
			b, err := ks.MarshalPrivate()
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParseKeys(b)
			if err != nil {
				t.Fatalf("ParseKeys of MarshalPrivate: %v\n%s", err, b)
			}
			p, _, _ := newKeyIssuer(t, ks, at(t0())).Issue(auth.AccessClaims{UserID: 1, Username: "a", SessionID: testSID})
			if _, err := newKeyIssuer(t, back, at(t0())).Parse(p); err != nil {
				t.Errorf("a token of the generated key does not verify with the key read back: %v", err)
			}
			if back.Alg() != alg {
				t.Errorf("alg = %q", back.Alg())
			}
		})
	}
	if _, err := GenerateKeys("RS256"); err == nil {
		t.Error("generated an RS256 key")
	}
	if _, err := secretKeys(t).MarshalPrivate(); err == nil {
		t.Error("wrote the HS256 secret as a JWK")
	}
}

// TestPublic: the JWKS holds every verifying key's public half, with
// exactly the members API.md names, and never a private or secret member.
func TestPublic(t *testing.T) {
	t.Parallel()
	ed, ec := privateJWK(t, AlgEdDSA), privateJWK(t, AlgES256)
	ks, err := ParseKeys(jwkSet(t, ed, ec))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ks.Public()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(pub)
	var got []map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	want := []map[string]any{
		{"kty": "OKP", "crv": "Ed25519", "x": ed["x"], "kid": ed["kid"], "alg": "EdDSA", "use": "sig"},
		{"kty": "EC", "crv": "P-256", "x": ec["x"], "y": ec["y"], "kid": ec["kid"], "alg": "ES256", "use": "sig"},
	}
	if len(got) != len(want) {
		t.Fatalf("public keys = %s", b)
	}
	for n := range want {
		if len(got[n]) != len(want[n]) {
			t.Errorf("key %d has members %v, want exactly %v", n, got[n], want[n])
		}
		for k, v := range want[n] {
			if got[n][k] != v {
				t.Errorf("key %d: %s = %v, want %v", n, k, got[n][k], v)
			}
		}
	}
	if strings.Contains(string(b), `"d"`) || strings.Contains(string(b), ed["d"].(string)) {
		t.Errorf("private part published: %s", b)
	}
	hs, err := secretKeys(t).Public()
	if err != nil || hs == nil || len(hs) != 0 {
		t.Errorf("HS256 public keys = %v, %v; want an empty list", hs, err)
	}
}

// TestRotation: a token of any key in the set verifies; the first key
// signs; a key taken out of the set no longer verifies.
func TestRotation(t *testing.T) {
	t.Parallel()
	old, next := privateJWK(t, AlgEdDSA), privateJWK(t, AlgES256)
	parse := func(keys ...map[string]any) *Issuer {
		ks, err := ParseKeys(jwkSet(t, keys...))
		if err != nil {
			t.Fatal(err)
		}
		return newKeyIssuer(t, ks, at(t0()))
	}
	before, during, after := parse(old), parse(next, old), parse(next)
	oldToken, _, _ := before.Issue(auth.AccessClaims{UserID: 1, Username: "a", SessionID: testSID})
	newToken, _, _ := during.Issue(auth.AccessClaims{UserID: 1, Username: "a", SessionID: testSID})
	if h := payloadHeader(t, newToken); h["kid"] != next["kid"] || h["alg"] != AlgES256 {
		t.Errorf("header of the rotated replica = %v, want the new key's", h)
	}
	tests := []struct {
		name   string
		issuer *Issuer
		raw    string
		want   error
	}{
		{"old token, old replica", before, oldToken, nil},
		{"old token, rotated replica", during, oldToken, nil},
		{"new token, rotated replica", during, newToken, nil},
		{"new token, old replica", before, newToken, auth.ErrTokenInvalid},
		{"old token after the old key is dropped", after, oldToken, auth.ErrTokenInvalid},
		{"new token after the old key is dropped", after, newToken, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.issuer.Parse(tt.raw); !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestIssueWritesKeyHeader(t *testing.T) {
	t.Parallel()
	for _, st := range setups(t) {
		t.Run(st.name, func(t *testing.T) {
			p, _, _ := newKeyIssuer(t, st.keys, at(t0())).Issue(auth.AccessClaims{UserID: 1, Username: "a", SessionID: testSID})
			h := payloadHeader(t, p)
			want := map[string]any{"alg": st.alg, "typ": "JWT"}
			if st.kid != "" {
				want["kid"] = st.kid
			}
			if len(h) != len(want) {
				t.Errorf("header = %v, want %v", h, want)
			}
			for k, v := range want {
				if h[k] != v {
					t.Errorf("header %s = %v, want %v", k, h[k], v)
				}
			}
		})
	}
}

func payloadHeader(t testing.TB, raw string) map[string]any {
	t.Helper()
	return payload(t, strings.Split(raw, ".")[0]+"."+strings.Split(raw, ".")[0])
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func BenchmarkParseKey(b *testing.B) {
	for _, alg := range []string{AlgEdDSA, AlgES256} {
		b.Run(alg, func(b *testing.B) {
			i := newKeyIssuer(b, generated(b, alg), time.Now)
			p, _, _ := i.Issue(auth.AccessClaims{UserID: 1, Username: "bench", SessionID: testSID})
			for b.Loop() {
				if _, err := i.Parse(p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func sha256Sum(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// TestMACKeysFromKeyFile: with only AUTHD_JWT_KEYS, each key's refresh MAC
// key is HKDF-SHA256 over its private bytes (the JWK's "d": the Ed25519
// seed or the P-256 scalar), in file order. So the same file gives the same
// keys after a restart, a key keeps its MAC key when it moves in the file,
// and a refresh token minted before a rotation verifies after it.
func TestMACKeysFromKeyFile(t *testing.T) {
	t.Parallel()
	ed, ec := privateJWK(t, AlgEdDSA), privateJWK(t, AlgES256)
	macKeys := func(keys ...map[string]any) [][]byte {
		ks, err := ParseKeys(jwkSet(t, keys...))
		if err != nil {
			t.Fatal(err)
		}
		m, err := ks.MACKeys()
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	hkdfOf := func(jwk map[string]any) []byte {
		d, err := base64.RawURLEncoding.DecodeString(jwk["d"].(string))
		if err != nil {
			t.Fatal(err)
		}
		k, err := hkdf.Key(sha256.New, d, nil, "authd refresh-token MAC key v1", 32)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	first, restarted, rotated := macKeys(ed, ec), macKeys(ed, ec), macKeys(ec, ed)
	want := [][]byte{hkdfOf(ed), hkdfOf(ec)}
	for n := range want {
		if !bytes.Equal(first[n], want[n]) || !bytes.Equal(restarted[n], want[n]) || !bytes.Equal(rotated[1-n], want[n]) {
			t.Errorf("MAC key %d: first %x, after restart %x, after rotation %x; want %x", n, first[n], restarted[n], rotated[1-n], want[n])
		}
	}
	before, _ := ParseKeys(jwkSet(t, ed))
	after, _ := ParseKeys(jwkSet(t, ec, ed))
	sid := auth.NewSessionID()
	raw := mustMint(t, refresherOf(t, before), sid, 1)
	if got, err := refresherOf(t, after).Parse(raw); err != nil || got.SessionID != sid {
		t.Errorf("refresh token of the old first key after rotation: %+v, %v", got, err)
	}
}

func BenchmarkIssueKey(b *testing.B) {
	for _, alg := range []string{AlgEdDSA, AlgES256} {
		b.Run(alg, func(b *testing.B) {
			i := newKeyIssuer(b, generated(b, alg), time.Now)
			for b.Loop() {
				if _, _, err := i.Issue(auth.AccessClaims{UserID: 1, Username: "bench", SessionID: testSID}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

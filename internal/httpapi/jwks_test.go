package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"

	"github.com/authd/authd/internal/token"
)

func generatedKeys(t *testing.T, alg string) token.Keys {
	t.Helper()
	ks, err := token.GenerateKeys(alg)
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

// TestJWKS: the key set holds the public half of the signing key, with the
// members API.md names, the cache header, and a token from /auth/register
// verifies with it through a plain JOSE library; an HS256 setup publishes
// an empty set.
func TestJWKS(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{token.AlgEdDSA, token.AlgES256} {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{keys: generatedKeys(t, alg)})
			r := e.do(t, http.MethodGet, "/.well-known/jwks.json", "", "")
			if r.status != http.StatusOK || r.header.Get("Cache-Control") != "public, max-age=300" {
				t.Fatalf("status %d, Cache-Control %q", r.status, r.header.Get("Cache-Control"))
			}
			if !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type = %q", r.header.Get("Content-Type"))
			}
			var set struct{ Keys []map[string]string }
			if err := json.Unmarshal([]byte(r.raw), &set); err != nil || len(set.Keys) != 1 {
				t.Fatalf("body %s: %v", r.raw, err)
			}
			k := set.Keys[0]
			members := []string{"kty", "crv", "x", "kid", "alg", "use"}
			if alg == token.AlgES256 {
				members = append(members, "y")
			}
			if len(k) != len(members) || k["alg"] != alg || k["use"] != "sig" {
				t.Errorf("key = %v, want exactly %v", k, members)
			}
			for _, m := range members {
				if k[m] == "" {
					t.Errorf("key lacks %s: %v", m, k)
				}
			}
			// A verifier that trusts only the JWKS accepts authd's token.
			reg := e.mustRegister(t, "jwks")
			raw := str(reg.json, "access_token")
			keyfunc := func(tok *jwt.Token) (any, error) {
				if tok.Header["kid"] != k["kid"] {
					t.Errorf("token kid %v, JWKS kid %s", tok.Header["kid"], k["kid"])
				}
				return publicKey(t, r.raw), nil
			}
			if _, err := jwt.Parse(raw, keyfunc, jwt.WithValidMethods([]string{alg}), jwt.WithIssuer("authd")); err != nil {
				t.Errorf("token does not verify with the published key: %v", err)
			}
			me := e.do(t, http.MethodGet, "/auth/me", "", "", "Authorization", "Bearer "+raw)
			if me.status != http.StatusOK || str(me.json, "username") != "jwks" {
				t.Errorf("/auth/me with an %s token: %d %s", alg, me.status, me.raw)
			}
		})
	}
	t.Run(token.AlgHS256, func(t *testing.T) {
		t.Parallel()
		r := newEnv(t, envOptions{}).do(t, http.MethodGet, "/.well-known/jwks.json", "", "")
		if r.status != http.StatusOK || strings.TrimSpace(r.raw) != `{"keys":[]}` ||
			r.header.Get("Cache-Control") != "public, max-age=300" {
			t.Errorf("HS256 JWKS: %d %q %q", r.status, r.raw, r.header.Get("Cache-Control"))
		}
	})
}

// publicKey reads the one key of a JWK Set with go-jose, as a verifier would.
func publicKey(t *testing.T, set string) any {
	t.Helper()
	var s struct {
		Keys []jsonWebKey `json:"keys"`
	}
	if err := json.Unmarshal([]byte(set), &s); err != nil || len(s.Keys) != 1 {
		t.Fatalf("JWK Set %s: %v", set, err)
	}
	return s.Keys[0].Key
}

// jsonWebKey is go-jose's JWK, read strictly as public (a private member in
// the published set would make the test fail).
type jsonWebKey struct{ jose.JSONWebKey }

func (k *jsonWebKey) UnmarshalJSON(b []byte) error {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	if _, private := m["d"]; private {
		return errors.New("private member d published")
	}
	return k.JSONWebKey.UnmarshalJSON(b)
}

package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authd/authd/internal/token"
)

// generate runs "authd keys generate" with args and returns its stdout.
func generate(t *testing.T, args ...string) []byte {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), append([]string{"keys", "generate"}, args...), envFrom(nil), &out, &errOut); err != nil {
		t.Fatalf("keys generate %v: %v %s", args, err, errOut.String())
	}
	return out.Bytes()
}

// keyFile writes a JWK Set made of the first key of each set, in order:
// the signing keys of sets "keys generate" printed, without data keys.
func keyFile(t *testing.T, sets ...[]byte) string {
	t.Helper()
	var keys []json.RawMessage
	for _, s := range sets {
		var set struct{ Keys []json.RawMessage }
		if err := json.Unmarshal(s, &set); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, set.Keys[0])
	}
	b, _ := json.Marshal(map[string]any{"keys": keys})
	path := filepath.Join(t.TempDir(), "keys.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// kidOf is the kid of the signing key of a set "keys generate" printed.
func kidOf(t *testing.T, set []byte) string {
	t.Helper()
	var s struct{ Keys []struct{ Kid, Alg string } }
	if err := json.Unmarshal(set, &s); err != nil || len(s.Keys) == 0 {
		t.Fatalf("set %s: %v", set, err)
	}
	return s.Keys[0].Kid
}

func TestKeysGenerate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		alg  string
		kty  string
	}{
		{nil, token.AlgEdDSA, `"kty":"OKP"`},
		{[]string{"--alg", "EdDSA"}, token.AlgEdDSA, `"kty":"OKP"`},
		{[]string{"--alg=ES256"}, token.AlgES256, `"kty":"EC"`},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out := generate(t, tt.args...)
			keys, err := token.ParseKeys(out)
			if err != nil || keys.Alg() != tt.alg {
				t.Fatalf("output does not load as an %s key: %v\n%s", tt.alg, err, out)
			}
			if !keys.Data().CanSeal() {
				t.Errorf("no data key in the output:\n%s", out)
			}
			var set struct{ Keys []struct{ Kty, Use string } }
			if err := json.Unmarshal(out, &set); err != nil || len(set.Keys) != 2 || set.Keys[1].Kty != "oct" || set.Keys[1].Use != "enc" {
				t.Errorf("want one signing key, then one oct key with use enc: %v\n%s", err, out)
			}
			if !strings.Contains(string(bytes.ReplaceAll(out, []byte(" "), nil)), tt.kty) || !bytes.Contains(out, []byte(`"d"`)) {
				t.Errorf("not a private %s JWK Set:\n%s", tt.kty, out)
			}
		})
	}
	if bytes.Equal(generate(t), generate(t)) {
		t.Error("two runs printed the same key")
	}
	for _, args := range [][]string{{"--alg", "RS256"}, {"--alg", "HS256"}, {"extra"}, {"--bits", "256"}} {
		err := run(context.Background(), append([]string{"keys", "generate"}, args...), envFrom(nil), &bytes.Buffer{}, &bytes.Buffer{})
		var u *usageError
		if !errors.As(err, &u) {
			t.Errorf("keys generate %v = %v, want a usage error", args, err)
		}
	}
}

// TestKeysGenerateToFile: -o writes the key set to a new file of mode
// 0600 and prints nothing; an existing file is left as it was and the
// command exits 2 naming it.
func TestKeysGenerateToFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "keys.json")
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"keys", "generate", "-o", path}, envFrom(nil), &out, &errOut); err != nil {
		t.Fatalf("keys generate -o: %v %s", err, errOut.String())
	}
	if out.Len() != 0 {
		t.Errorf("printed %q with -o", out.String())
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("stat %s: %v, mode %v; want 0600", path, err, fi)
	}
	written, _ := os.ReadFile(path)
	if keys, err := token.ParseKeys(written); err != nil || keys.Alg() != token.AlgEdDSA || !keys.Data().CanSeal() {
		t.Errorf("the file does not load as a signing key and a data key: %v\n%s", err, written)
	}
	err = run(context.Background(), []string{"keys", "generate", "--alg", "ES256", "-o", path}, envFrom(nil), &out, &errOut)
	var u *usageError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "exists") {
		t.Errorf("second -o = %v, want a usage error naming %s", err, path)
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(again, written) {
		t.Error("the existing file was changed")
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	err = run(context.Background(), []string{"keys", "generate", "-o", filepath.Join(path, "no", "dir")}, envFrom(nil), &out, &errOut)
	if err == nil {
		t.Error("-o into a missing directory succeeded")
	}
}

// TestKeysFileRefused: a key file authd cannot sign with stops it before
// it opens the store, with a usage error (exit 2) naming AUTHD_JWT_KEYS.
func TestKeysFileRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ed := generate(t)
	var set struct{ Keys []map[string]any }
	_ = json.Unmarshal(ed, &set)
	pub := set.Keys[0]
	delete(pub, "d")
	pubJSON, _ := json.Marshal(map[string]any{"keys": []any{pub}})
	tests := []struct{ name, path, problem string }{
		{"unreadable", filepath.Join(dir, "missing.json"), "cannot read"},
		{"no keys", write("empty.json", `{"keys":[]}`), "no keys"},
		{"public only", write("public.json", string(pubJSON)), "public key only"},
		{"oct", write("oct.json", `{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}]}`), "symmetric"},
		{"unsupported curve", write("p384.json", `{"keys":[{"kty":"EC","crv":"P-384","x":"a","y":"b","d":"c"}]}`), "unsupported curve"},
		{"duplicate kids", keyFile(t, ed, ed), "used by another key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := sqliteEnv(t)
			env["AUTHD_JWT_KEYS"] = tt.path
			err := run(context.Background(), nil, envFrom(env), &bytes.Buffer{}, &bytes.Buffer{})
			var u *usageError
			if !errors.As(err, &u) || !strings.HasPrefix(err.Error(), "AUTHD_JWT_KEYS: ") || !strings.Contains(err.Error(), tt.problem) {
				t.Errorf("err = %v, want a usage error naming AUTHD_JWT_KEYS and %q", err, tt.problem)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("err spans lines: %q", err)
			}
			if _, statErr := os.Stat(strings.TrimPrefix(env["AUTHD_DATABASE_URL"], "sqlite:")); statErr == nil {
				t.Error("the store was opened before the keys were checked")
			}
		})
	}
}

// TestServeWithKeyFile: with only AUTHD_JWT_KEYS, tokens are signed by the
// file's first key, its public half is served, and tokens (refresh tokens
// too) survive a restart. With AUTHD_JWT_SECRET set as well, the key file
// still decides, and a WARN says the secret is not used.
func TestServeWithKeyFile(t *testing.T) {
	t.Parallel()
	key := generate(t, "--alg", "ES256")
	env := sqliteEnv(t)
	delete(env, "AUTHD_JWT_SECRET")
	env["AUTHD_JWT_KEYS"] = keyFile(t, key)
	a := start(t, env)
	status, reg := a.post(t, "/auth/register", `{"username":"kim","email":"kim@example.com","password":"correct-horse"}`)
	if status != http.StatusCreated {
		t.Fatalf("register: %d %v", status, reg)
	}
	access, refresh := reg["access_token"].(string), reg["refresh_token"].(string)
	if h := header(t, access); h["alg"] != "ES256" || h["kid"] != kidOf(t, key) {
		t.Errorf("token header = %v", h)
	}
	status, jwks := a.get(t, "/.well-known/jwks.json")
	if keys, _ := jwks["keys"].([]any); status != http.StatusOK || len(keys) != 1 || keys[0].(map[string]any)["kid"] != kidOf(t, key) {
		t.Errorf("jwks: %d %v", status, jwks)
	}
	if strings.Contains(a.stdout.String(), "AUTHD_JWT_KEYS nor") {
		t.Errorf("warned although a key file is set:\n%s", a.stdout.String())
	}
	_ = a.stop()

	env["AUTHD_JWT_SECRET"] = secret
	b := start(t, env)
	if !strings.Contains(b.stdout.String(), "AUTHD_JWT_SECRET is not used") {
		t.Errorf("no WARN about the unused secret:\n%s", b.stdout.String())
	}
	if status, body := b.get(t, "/auth/me", "Authorization", "Bearer "+access); status != http.StatusOK {
		t.Errorf("access token after restart: %d %v", status, body)
	}
	if status, body := b.post(t, "/auth/refresh", `{"refresh_token":"`+refresh+`"}`); status != http.StatusOK {
		t.Errorf("refresh after restart: %d %v", status, body)
	}
}

// header decodes a JWT's JOSE header.
func header(t *testing.T, raw string) map[string]any {
	t.Helper()
	b, err := base64URL(strings.Split(raw, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func base64URL(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

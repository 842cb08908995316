package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// startAuthd builds authd, gives it a new key file of alg, starts it on a
// fresh SQLite file and returns its URL: the example runs against the real
// thing.
func startAuthd(t *testing.T, alg string) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "authd")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/authd/authd/cmd/authd").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	keys, err := exec.Command(bin, "keys", "generate", "--alg", alg).Output()
	if err != nil {
		t.Fatalf("keys generate: %v", err)
	}
	keyFile := filepath.Join(dir, "keys.json")
	if err := os.WriteFile(keyFile, keys, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "AUTHD_ADDR=127.0.0.1:0", "AUTHD_BCRYPT_COST=4", "AUTHD_JWT_SECRET=",
		"AUTHD_DATABASE_URL=sqlite:"+filepath.Join(dir, "authd.db"), "AUTHD_JWT_KEYS="+keyFile)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		var m struct{ Message, Addr string }
		if json.Unmarshal(lines.Bytes(), &m) == nil && m.Message == "server listening" {
			go func() {
				for lines.Scan() { // keep the log pipe flowing
				}
			}()
			return "http://" + m.Addr
		}
	}
	t.Fatal("authd exited before it listened")
	return ""
}

func register(t *testing.T, url string) (access, refresh string) {
	t.Helper()
	res, err := http.Post(url+"/auth/register", "application/json",
		strings.NewReader(`{"username":"alice","email":"alice@example.com","password":"correct-horse-battery"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %v", res.StatusCode, err)
	}
	return m["access_token"].(string), m["refresh_token"].(string)
}

func TestVerifyAgainstAuthd(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{"EdDSA", "ES256"} {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			url := startAuthd(t, alg)
			access, refresh := register(t, url)
			verifyAgainst(t, url, access, refresh)
		})
	}
}

func verifyAgainst(t *testing.T, url, access, refresh string) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"-url", url, access}, &out, time.Now); err != nil {
		t.Fatalf("authd's own token refused: %v", err)
	}
	if !strings.HasPrefix(out.String(), "valid: user 1 (alice), expires ") || !strings.HasSuffix(out.String(), ", amr [pwd], aal aal1\n") {
		t.Errorf("output = %q", out.String())
	}

	parts := strings.Split(access, ".")
	head, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var h map[string]any
	_ = json.Unmarshal(head, &h)
	keys, err := fetchKeys(context.Background(), url+"/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := json.Marshal(keys.Keys[0])
	// HS256 keyed with the published key, under authd's kid.
	swap := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": "1", "username": "alice", "type": "access",
		"iss": "authd", "exp": time.Now().Add(time.Hour).Unix()})
	swap.Header["kid"] = h["kid"]
	swapped, _ := swap.SignedString(pub)
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(bytes.Replace(payload, []byte(`"alice"`), []byte(`"admin"`), 1)) + "." + parts[2]

	tests := []struct {
		name string
		args []string
		now  func() time.Time
	}{
		{"refresh token", []string{"-url", url, refresh}, time.Now},
		{"expired", []string{"-url", url, access}, func() time.Time { return time.Now().Add(time.Hour) }},
		{"another issuer", []string{"-url", url, "-issuer", "other", access}, time.Now},
		{"tampered payload", []string{"-url", url, tampered}, time.Now},
		{"HS256 keyed with the public key", []string{"-url", url, swapped}, time.Now},
		{"no token", []string{"-url", url}, time.Now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := run(context.Background(), tt.args, &out, tt.now); err == nil || out.Len() != 0 {
				t.Errorf("accepted: %v %q", err, out.String())
			}
		})
	}
}

package main

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authd/authd/internal/logging/logtest"
)

// startProcess runs the authd binary with env (added to this process's
// environment) and waits for its listening line.
func startProcess(t *testing.T, bin string, env map[string]string) *instance {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := &logtest.Buffer{}
	cmd.Stderr = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := func() error {
		_ = cmd.Process.Kill()
		return cmd.Wait()
	}
	t.Cleanup(func() { _ = stop() })
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		out.Write(append(lines.Bytes(), '\n'))
		var m map[string]any
		if json.Unmarshal(lines.Bytes(), &m) == nil && m["message"] == "server listening" {
			go func() {
				for lines.Scan() {
					out.Write(append(lines.Bytes(), '\n'))
				}
			}()
			return &instance{url: "http://" + m["addr"].(string), stdout: out, stop: stop}
		}
	}
	t.Fatalf("authd exited before it listened:\n%s", out.String())
	return nil
}

// TestKeyRotationAcrossProcesses follows the rotation of docs/security.md on
// separate authd processes sharing one database, the way replicas do:
// publish the new key beside the old one, make it the signing key, and
// drop the old key after the access TTL. No token that a running replica
// issued is refused by another while the replicas roll; the step the
// procedure skips would refuse them (A cannot read C's tokens).
func TestKeyRotationAcrossProcesses(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	old, next := generate(t), generate(t, "--alg", "ES256")
	db := "sqlite:" + filepath.Join(t.TempDir(), "authd.db")
	replica := func(sets ...[]byte) *instance {
		return startProcess(t, bin, map[string]string{
			"AUTHD_ADDR": "127.0.0.1:0", "AUTHD_DATABASE_URL": db, "AUTHD_BCRYPT_COST": "4",
			"AUTHD_JWT_KEYS": keyFile(t, sets...), "AUTHD_JWT_SECRET": "",
		})
	}
	a := replica(old)       // before: the old key alone
	b := replica(old, next) // step 1: the new key is published, the old one still signs
	c := replica(next, old) // step 2: the new key signs, the old one still verifies
	d := replica(next)      // step 3, after the access TTL: the old key is gone

	status, reg := a.post(t, "/auth/register", `{"username":"rot","email":"rot@example.com","password":"correct-horse"}`)
	if status != http.StatusCreated {
		t.Fatalf("register at A: %d %v", status, reg)
	}
	tokens := map[string]string{"A": reg["access_token"].(string)}
	refresh := reg["refresh_token"].(string)
	for name, in := range map[string]*instance{"B": b, "C": c} {
		status, body := in.post(t, "/auth/login", `{"username":"rot","password":"correct-horse"}`)
		if status != http.StatusOK {
			t.Fatalf("login at %s: %d %v", name, status, body)
		}
		tokens[name] = body["access_token"].(string)
	}
	for name, kid := range map[string]string{"A": kidOf(t, old), "B": kidOf(t, old), "C": kidOf(t, next)} {
		if h := header(t, tokens[name]); h["kid"] != kid {
			t.Errorf("%s signs with kid %v, want %s", name, h["kid"], kid)
		}
	}
	replicas := map[string]*instance{"A": a, "B": b, "C": c, "D": d}
	tests := []struct {
		token, at string
		want      int
	}{
		{"A", "A", 200}, {"A", "B", 200}, {"A", "C", 200},
		{"B", "A", 200}, {"B", "B", 200}, {"B", "C", 200},
		{"C", "B", 200}, {"C", "C", 200}, {"C", "D", 200},
		// Without step 1, a replica that has only the old key cannot read
		// the new key's tokens; after step 3 the old key's tokens are refused.
		{"C", "A", 401}, {"A", "D", 401}, {"B", "D", 401},
	}
	for _, tt := range tests {
		if status, body := replicas[tt.at].get(t, "/auth/me", "Authorization", "Bearer "+tokens[tt.token]); status != tt.want {
			t.Errorf("token of %s at %s: %d %v, want %d", tt.token, tt.at, status, body, tt.want)
		}
	}
	// The refresh token of the old key refreshes at the rotated replica, and
	// what it answers refreshes at a replica still on step 1.
	status, body := c.post(t, "/auth/refresh", `{"refresh_token":"`+refresh+`"}`)
	if status != http.StatusOK {
		t.Fatalf("old refresh token at C: %d %v", status, body)
	}
	if status, body := b.post(t, "/auth/refresh", `{"refresh_token":"`+body["refresh_token"].(string)+`"}`); status != http.StatusOK {
		t.Errorf("C's refresh token at B: %d %v", status, body)
	}
	// Each replica publishes exactly the keys it verifies with.
	for name, want := range map[string][]string{"A": {kidOf(t, old)}, "B": {kidOf(t, old), kidOf(t, next)},
		"C": {kidOf(t, next), kidOf(t, old)}, "D": {kidOf(t, next)}} {
		_, jwks := replicas[name].get(t, "/.well-known/jwks.json")
		var got []string
		for _, k := range jwks["keys"].([]any) {
			got = append(got, k.(map[string]any)["kid"].(string))
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("JWKS of %s = %v, want %v", name, got, want)
		}
	}
}

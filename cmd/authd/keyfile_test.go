package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/authd/authd/internal/auth/authtest"
	"github.com/authd/authd/internal/store/storetest"
	"github.com/authd/authd/internal/token"
)

// defaultEnv is sqliteEnv without AUTHD_JWT_SECRET: the keys are the file
// beside the database, in t.TempDir(). It returns that file's path too.
func defaultEnv(t *testing.T) (env map[string]string, keyPath string) {
	env = sqliteEnv(t)
	delete(env, "AUTHD_JWT_SECRET")
	db := strings.TrimPrefix(env["AUTHD_DATABASE_URL"], "sqlite:")
	return env, strings.TrimSuffix(db, ".db") + ".keys.json"
}

// logLine finds the first log line of level whose message contains text.
func logLine(out, level, text string) map[string]any {
	for _, line := range strings.Split(out, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["level"] == level {
			if msg, _ := m["message"].(string); strings.Contains(msg, text) {
				return m
			}
		}
	}
	return nil
}

func TestKeyFilePath(t *testing.T) {
	t.Parallel()
	for db, want := range map[string]string{
		"authd.db":         "authd.keys.json",
		"/x/y/data.db":     "/x/y/data.keys.json",
		"/x/y/data":        "/x/y/data.keys.json",
		"/x.d/data.sqlite": "/x.d/data.keys.json",
	} {
		if got := keyFilePath(db); got != want {
			t.Errorf("keyFilePath(%q) = %q, want %q", db, got, want)
		}
	}
}

// TestDefaultKeyFile: with neither key setting and SQLite, the first start
// writes a 0600 file beside the database (an Ed25519 signing key and a
// data key, the data key never published) and logs its path at INFO; the
// next start reuses it, so the first start's tokens keep working.
func TestDefaultKeyFile(t *testing.T) {
	t.Parallel()
	env, path := defaultEnv(t)
	a := start(t, env)
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file %s: %v, mode %v; want 0600", path, err, fi)
	}
	written, _ := os.ReadFile(path)
	keys, err := token.ParseKeys(written)
	if err != nil || keys.Alg() != token.AlgEdDSA || !keys.Data().CanSeal() {
		t.Fatalf("key file does not hold an Ed25519 key and a data key: %v\n%s", err, written)
	}
	if m := logLine(a.stdout.String(), "INFO", "key file created"); m == nil || m["key_file"] != path {
		t.Errorf("no INFO line naming %s:\n%s", path, a.stdout.String())
	}
	if logLine(a.stdout.String(), "WARN", "key") != nil {
		t.Errorf("a WARN about keys although the file has a data key:\n%s", a.stdout.String())
	}
	status, reg := a.post(t, "/auth/register", `{"username":"eve","email":"eve@example.com","password":"correct-horse"}`)
	if status != http.StatusCreated {
		t.Fatalf("register: %d %v", status, reg)
	}
	access, refresh := reg["access_token"].(string), reg["refresh_token"].(string)
	_, jwks := a.get(t, "/.well-known/jwks.json")
	published, _ := json.Marshal(jwks)
	if got, _ := jwks["keys"].([]any); len(got) != 1 || header(t, access)["kid"] != keys.KID() ||
		strings.Contains(string(published), "oct") || strings.Contains(string(published), `"k"`) {
		t.Errorf("jwks = %s: want the signing key of the file alone", published)
	}
	if err := a.stop(); err != nil {
		t.Fatal(err)
	}

	b := start(t, env)
	if again, _ := os.ReadFile(path); !bytes.Equal(again, written) {
		t.Error("the second start changed the key file")
	}
	if m := logLine(b.stdout.String(), "INFO", "key file loaded"); m == nil || m["key_file"] != path {
		t.Errorf("no INFO line naming %s at the second start:\n%s", path, b.stdout.String())
	}
	if status, body := b.get(t, "/auth/me", "Authorization", "Bearer "+access); status != http.StatusOK {
		t.Errorf("/auth/me after a restart: %d %v", status, body)
	}
	if status, body := b.post(t, "/auth/refresh", `{"refresh_token":"`+refresh+`"}`); status != http.StatusOK {
		t.Errorf("refresh after a restart: %d %v", status, body)
	}
}

// TestDefaultKeyFileRefused: a key file beside the database that others
// could read or change, or that is not a key file, stops authd with exit
// 2 and one line naming the file, before the database is opened.
func TestDefaultKeyFileRefused(t *testing.T) {
	t.Parallel()
	good := generate(t)
	tests := []struct {
		name    string
		content []byte
		mode    os.FileMode
		owner   int // -1: the test's user
		problem string
	}{
		{"readable by others", good, 0o644, -1, "mode 0644"},
		{"group-readable", good, 0o640, -1, "mode 0640"},
		{"world-writable", good, 0o602, -1, "mode 0602"},
		{"another owner", good, 0o600, 4242, "owned by user 4242"},
		{"not JSON", []byte("keys"), 0o600, -1, "not a JWK Set"},
		{"data key too short", []byte(`{"keys":[{"kty":"oct","use":"enc","k":"c2hvcnQ"}]}`), 0o600, -1, "data key of 5 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env, path := defaultEnv(t)
			if err := os.WriteFile(path, tt.content, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			if tt.owner >= 0 {
				if err := os.Chown(path, tt.owner, tt.owner); err != nil {
					t.Skipf("cannot give the file to another user: %v", err)
				}
			}
			err := run(context.Background(), nil, envFrom(env), &bytes.Buffer{}, &bytes.Buffer{})
			var u *usageError
			if !errors.As(err, &u) || !strings.HasPrefix(err.Error(), "key file "+path+": ") || !strings.Contains(err.Error(), tt.problem) {
				t.Errorf("err = %v, want a usage error (exit 2) naming %s and %q", err, path, tt.problem)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("err spans lines: %q", err)
			}
			if _, statErr := os.Stat(strings.TrimPrefix(env["AUTHD_DATABASE_URL"], "sqlite:")); statErr == nil {
				t.Error("the database was opened")
			}
		})
	}
}

// TestDefaultKeyFileRace: processes starting at once on one database make
// one key file between them, and all use it.
func TestDefaultKeyFileRace(t *testing.T) {
	t.Parallel()
	for range 20 {
		path := filepath.Join(t.TempDir(), "authd.keys.json")
		rings := make([]keyring, 4)
		errs := make([]error, len(rings))
		var wg sync.WaitGroup
		for i := range rings {
			wg.Go(func() { rings[i], errs[i] = defaultKeys(path) })
		}
		wg.Wait()
		created := 0
		for i, r := range rings {
			if errs[i] != nil {
				t.Fatalf("start %d: %v", i, errs[i])
			}
			if r.created {
				created++
			}
			if r.keys.KID() != rings[0].keys.KID() {
				t.Fatalf("start %d signs with %s, start 0 with %s", i, r.keys.KID(), rings[0].keys.KID())
			}
		}
		if created != 1 {
			t.Fatalf("%d starts created the file, want 1", created)
		}
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*")); len(left) > 0 {
			t.Fatalf("temporary files left: %v", left)
		}
	}
}

// TestInMemoryDatabaseKeys: an in-memory database has nowhere to keep a
// key file: authd says so at WARN and writes none (the store then
// refuses such a database on its own).
func TestInMemoryDatabaseKeys(t *testing.T) {
	t.Parallel()
	env, _ := defaultEnv(t)
	env["AUTHD_DATABASE_URL"] = "sqlite::memory:"
	var out bytes.Buffer
	_ = run(context.Background(), []string{"migrate"}, envFrom(env), &out, &out)
	if logLine(out.String(), "WARN", "in memory") == nil {
		t.Errorf("no WARN about keys of this process only:\n%s", out.String())
	}
	if _, err := os.Stat(":memory:.keys.json"); err == nil {
		t.Error("a key file was written for the in-memory database")
	}
}

// TestPostgresNeedsKeys: with PostgreSQL and neither key setting, every
// command that opens the store exits 2 naming AUTHD_JWT_KEYS, before it
// connects.
func TestPostgresNeedsKeys(t *testing.T) {
	t.Parallel()
	url := "postgres://authd@127.0.0.1:1/authd?sslmode=disable"
	if os.Getenv("AUTHD_TEST_POSTGRES_URL") != "" {
		url = storetest.PostgresURL(t)
	}
	env, _ := defaultEnv(t)
	env["AUTHD_DATABASE_URL"] = url
	for _, args := range [][]string{nil, {"migrate"}, {"user", "logout", "eve"}} {
		err := run(context.Background(), args, envFrom(env), &bytes.Buffer{}, &bytes.Buffer{})
		var u *usageError
		if !errors.As(err, &u) || !strings.HasPrefix(err.Error(), "AUTHD_JWT_KEYS: ") || !strings.Contains(err.Error(), "PostgreSQL") {
			t.Errorf("%v: err = %v, want a usage error (exit 2) naming AUTHD_JWT_KEYS", args, err)
		}
	}
}

// TestFileWithoutDataKeyWarns: a key file without a data key works, and a
// WARN names what that costs.
func TestFileWithoutDataKeyWarns(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	delete(env, "AUTHD_JWT_SECRET")
	env["AUTHD_JWT_KEYS"] = keyFile(t, generate(t))
	a := start(t, env)
	m := logLine(a.stdout.String(), "WARN", "no data key")
	if msg, _ := m["message"].(string); !strings.Contains(msg, "rotation resets throttle counts") || !strings.Contains(msg, "501 NOT_CONFIGURED") {
		t.Errorf("no WARN naming the consequences:\n%s", a.stdout.String())
	}
	if status, body := a.post(t, "/auth/register", `{"username":"eve","email":"eve@example.com","password":"correct-horse"}`); status != http.StatusCreated {
		t.Errorf("register: %d %v", status, body)
	}
}

// TestSigningKeyRotationKeepsThrottleCounts: the throttle records are keyed
// by the data key, so a pair's failures before a signing-key rotation
// still count after it. Free failures are 2: two before the rotation and
// one after make the pair wait, and the right password is then refused.
func TestSigningKeyRotationKeepsThrottleCounts(t *testing.T) {
	t.Parallel()
	var set struct{ Keys []json.RawMessage }
	if err := json.Unmarshal(generate(t), &set); err != nil {
		t.Fatal(err)
	}
	next := generate(t, "--alg", "ES256")
	var rotated struct{ Keys []json.RawMessage }
	_ = json.Unmarshal(next, &rotated)
	sig, data := set.Keys[0], set.Keys[1]
	write := func(name string, keys ...json.RawMessage) string {
		b, _ := json.Marshal(map[string]any{"keys": keys})
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	env := sqliteEnv(t)
	delete(env, "AUTHD_JWT_SECRET")
	// The IP count, not the pair's back-off: its window is 15 minutes, so
	// the test needs no wait across the restart.
	env["AUTHD_LOGIN_PAIR_FREE_FAILURES"] = "0"
	env["AUTHD_LOGIN_IP_MAX_FAILURES"] = "2"
	env["AUTHD_JWT_KEYS"] = write("before.json", sig, data)
	a := start(t, env)
	if status, body := a.post(t, "/auth/register", `{"username":"ivy","email":"ivy@example.com","password":"`+authtest.Password("ivy")+`"}`); status != http.StatusCreated {
		t.Fatalf("register: %d %v", status, body)
	}
	for i := range 2 {
		if status, code, _ := loginAt(t, a.url, "", "ivy", "wrong-password"); status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %s", i+1, status, code)
		}
	}
	_ = a.stop()

	env["AUTHD_JWT_KEYS"] = write("after.json", rotated.Keys[0], sig, data)
	b := start(t, env)
	if status, code, _ := loginAt(t, b.url, "", "ivy", authtest.Password("ivy")); status != http.StatusTooManyRequests || code != "RATE_LIMITED" {
		t.Errorf("right password after 2 failures from this IP across a signing-key rotation: %d %s, want 429 RATE_LIMITED (the count was lost)", status, code)
	}
}

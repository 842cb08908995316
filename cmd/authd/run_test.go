package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/internal/logging/logtest"
	"github.com/authd/authd/internal/store/storetest"
)

const secret = "run-test-secret-of-at-least-32-bytes"

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func sqliteEnv(t *testing.T) map[string]string {
	return map[string]string{
		"AUTHD_DATABASE_URL": "sqlite:" + filepath.Join(t.TempDir(), "authd.db"),
		"AUTHD_JWT_SECRET":   secret,
		"AUTHD_BCRYPT_COST":  "4",
		"AUTHD_ADDR":         "127.0.0.1:0",
	}
}

// instance is authd started in-process by run().
type instance struct {
	url    string
	stdout *logtest.Buffer
	stop   func() error
}

func start(t *testing.T, env map[string]string) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out := &logtest.Buffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, envFrom(env), out, out) }()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(out.String(), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(line), &m) == nil && m["message"] == "server listening" {
				inst := &instance{url: "http://" + m["addr"].(string), stdout: out}
				var once sync.Once
				var err error
				inst.stop = func() error {
					once.Do(func() { cancel(); err = <-done })
					return err
				}
				t.Cleanup(func() { _ = inst.stop() })
				return inst
			}
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("run ended before listening: %v\n%s", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("no 'server listening' line:\n%s", out.String())
	return nil
}

func (in *instance) post(t *testing.T, path, body string, headers ...string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, in.url+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return do(t, req)
}

func (in *instance) get(t *testing.T, path string, headers ...string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, in.url+path, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

func TestVersionAndUsage(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, envFrom(nil), &out, &out); err != nil || strings.TrimSpace(out.String()) == "" {
		t.Errorf("version: %v %q", err, out.String())
	}
	for _, args := range [][]string{{"frobnicate"}, {"user"}, {"user", "promote", "x"}, {"user", "activate"}, {"version", "x"}, {"migrate", "x"}} {
		err := run(context.Background(), args, envFrom(nil), &out, &out)
		var u *usageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), "usage:") {
			t.Errorf("run %v = %v, want a usage error", args, err)
		}
	}
}

func TestConfigErrorNamesVariable(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	env["AUTHD_JWT_SECRET"] = "short"
	err := run(context.Background(), nil, envFrom(env), &bytes.Buffer{}, &bytes.Buffer{})
	var u *usageError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), "AUTHD_JWT_SECRET") {
		t.Errorf("err = %v, want a usage error naming AUTHD_JWT_SECRET", err)
	}
}

func TestServeAndRestart(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	a := start(t, env)
	status, reg := a.post(t, "/auth/register", `{"username":"alice","email":"alice@example.com","password":"correct-horse"}`)
	if status != http.StatusCreated {
		t.Fatalf("register: %d %v", status, reg)
	}
	access := reg["access_token"].(string)
	if err := a.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if !strings.Contains(a.stdout.String(), `"message":"stopped"`) {
		t.Errorf("no stopped line:\n%s", a.stdout.String())
	}

	b := start(t, env)
	if status, _ := b.get(t, "/auth/me", "Authorization", "Bearer "+access); status != http.StatusOK {
		t.Errorf("old access token after restart: %d", status)
	}
	if status, body := b.post(t, "/auth/login", `{"username":"alice","password":"correct-horse"}`); status != http.StatusOK {
		t.Errorf("login after restart: %d %v", status, body)
	}
	if strings.Contains(b.stdout.String(), "AUTHD_JWT_KEYS nor") {
		t.Errorf("warned although a secret is set:\n%s", b.stdout.String())
	}
}

func TestMigrateAndUserCommands(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			env := sqliteEnv(t)
			if db == "postgres" {
				env["AUTHD_DATABASE_URL"] = storetest.PostgresURL(t)
			}
			var out bytes.Buffer
			if err := run(context.Background(), []string{"migrate"}, envFrom(env), &out, &out); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			if !strings.Contains(out.String(), "migrations applied") {
				t.Errorf("migrate output: %s", out.String())
			}
			a := start(t, env)
			status, reg := a.post(t, "/auth/register", `{"username":"Bob","email":"bob@example.com","password":"tulip-orbit-42"}`)
			if status != http.StatusCreated {
				t.Fatalf("register: %d", status)
			}
			login := `{"username":"bob","password":"tulip-orbit-42"}`
			_, second := a.post(t, "/auth/login", login)
			// user logout ends every session of the user, at once, and
			// keeps the account usable.
			out.Reset()
			if err := run(context.Background(), []string{"user", "logout", "BOB"}, envFrom(env), &out, &out); err != nil {
				t.Fatalf("user logout: %v", err)
			}
			if !strings.Contains(out.String(), "user 1 (Bob) logged out of every session") {
				t.Errorf("user logout printed %q", out.String())
			}
			for _, tokens := range []map[string]any{reg, second} {
				status, body := a.get(t, "/auth/me", "Authorization", "Bearer "+tokens["access_token"].(string))
				if status != http.StatusUnauthorized || body["error_code"] != "SESSION_REVOKED" {
					t.Errorf("me after user logout: %d %v, want 401 SESSION_REVOKED", status, body)
				}
			}
			_, live := a.post(t, "/auth/login", login)
			steps := []struct {
				args   []string
				output string
				status int
			}{
				{[]string{"user", "deactivate", "bob"}, "user 1 (Bob) deactivated", http.StatusForbidden},
				{[]string{"user", "activate", "BOB@example.com"}, "user 1 (Bob) activated", http.StatusOK},
				{[]string{"user", "deactivate", "bob@example.com"}, "deactivated", http.StatusForbidden},
			}
			for _, s := range steps {
				out.Reset()
				if err := run(context.Background(), s.args, envFrom(env), &out, &out); err != nil {
					t.Fatalf("%v: %v", s.args, err)
				}
				if !strings.Contains(out.String(), s.output) {
					t.Errorf("%v printed %q, want %q", s.args, out.String(), s.output)
				}
				if status, body := a.post(t, "/auth/login", login); status != s.status {
					t.Errorf("after %v login = %d %v, want %d", s.args, status, body, s.status)
				}
			}
			// deactivate ended the session opened before it.
			status, body := a.post(t, "/auth/refresh", `{"refresh_token":"`+live["refresh_token"].(string)+`"}`)
			if status != http.StatusUnauthorized || body["error_code"] != "SESSION_REVOKED" {
				t.Errorf("refresh after deactivate: %d %v, want 401 SESSION_REVOKED", status, body)
			}
			err := run(context.Background(), []string{"user", "activate", "nobody"}, envFrom(env), &out, &out)
			if err == nil || !strings.Contains(err.Error(), `no user "nobody"`) {
				t.Errorf("unknown user: %v", err)
			}
			// Text that cannot name an account is a usage mistake (exit
			// 2), refused before it reaches the store.
			for _, verb := range []string{"activate", "deactivate", "logout"} {
				for _, arg := range []string{"a\x00b", "\xff\xfe", "a\x00b@example.com"} {
					err := run(context.Background(), []string{"user", verb, arg}, envFrom(env), &out, &out)
					var u *usageError
					if !errors.As(err, &u) || !strings.Contains(err.Error(), "is not a username or email") {
						t.Errorf("user %s %q: %v, want a usage error", verb, arg, err)
					}
				}
			}
		})
	}
}

func TestOpenStoreFails(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	env["AUTHD_DATABASE_URL"] = "sqlite:" + filepath.Join(t.TempDir(), "missing-dir", "x", "authd.db")
	if err := run(context.Background(), []string{"migrate"}, envFrom(env), &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Error("migrate into a missing directory succeeded")
	}
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	env = sqliteEnv(t)
	env["AUTHD_ADDR"] = taken.Addr().String()
	if err := run(context.Background(), nil, envFrom(env), &bytes.Buffer{}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "listen") {
		t.Errorf("address in use: %v", err)
	}
}

func TestPprofOptIn(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	env["AUTHD_PPROF_ADDR"] = "127.0.0.1:0"
	a := start(t, env)
	var addr string
	for _, line := range strings.Split(a.stdout.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["message"] == "pprof listening" {
			addr, _ = m["addr"].(string)
		}
	}
	if addr == "" {
		t.Fatalf("no pprof line:\n%s", a.stdout.String())
	}
	res, err := http.Get("http://" + addr + "/debug/pprof/")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("pprof index: %v %v", err, res)
	}
	res.Body.Close()
	if status, _ := a.get(t, "/debug/pprof/"); status != http.StatusNotFound {
		t.Errorf("pprof on the API port: %d, want 404", status)
	}
}

// TestTrustedProxiesReachServer checks that AUTHD_TRUSTED_PROXIES is wired
// to the server: behind a trusted peer, remote_ip is the forwarded client.
func TestTrustedProxiesReachServer(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	env["AUTHD_TRUSTED_PROXIES"] = "127.0.0.1"
	a := start(t, env)
	a.get(t, "/auth/me", "X-Forwarded-For", "198.51.100.1")
	_ = a.stop()
	var remote any
	for _, line := range strings.Split(a.stdout.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["message"] == "request" && m["path"] == "/auth/me" {
			remote = m["remote_ip"]
		}
	}
	if remote != "198.51.100.1" {
		t.Errorf("remote_ip = %v, want 198.51.100.1:\n%s", remote, a.stdout.String())
	}
}

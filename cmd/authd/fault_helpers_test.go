package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth/authtest"
	"github.com/authd/authd/internal/store/storetest"
)

// The fault tests' settings: a small breaker threshold and short timeouts,
// so each test runs in seconds without sleeping for the real defaults, yet
// long enough that a busy machine (the race detector, two cores, other
// tests) still connects and answers within them.
const (
	faultRecovery  = 2 * time.Second
	faultDBTimeout = time.Second
)

// faultEnv is authd's environment for the fault tests.
func faultEnv(t *testing.T) map[string]string {
	env := sqliteEnv(t)
	env["AUTHD_BREAKER_FAILURE_THRESHOLD"] = "3"
	env["AUTHD_BREAKER_RECOVERY_TIMEOUT"] = faultRecovery.String()
	env["AUTHD_DATABASE_TIMEOUT"] = faultDBTimeout.String()
	return env
}

// throughProxy points env at a PostgreSQL schema of the test's own, reached
// through a proxy the test controls. It returns the proxy and the direct
// URL, to look at the database behind authd's back.
func throughProxy(t *testing.T, env map[string]string) (*proxy, string) {
	t.Helper()
	direct := storetest.PostgresURL(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	p := startProxy(t, u.Host)
	u.Host = p.addr
	q := u.Query()
	// A connection the stalled proxy accepts but never answers fails
	// after this, instead of holding a pool slot.
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	env["AUTHD_DATABASE_URL"] = u.String()
	return p, direct
}

// answer is one HTTP exchange as the fault tests look at it.
type answer struct {
	status     int
	code       string // error_code, for errors
	detail     string
	retryAfter int // seconds; 0 when absent
	took       time.Duration
}

var faultClient = &http.Client{Timeout: 30 * time.Second}

// send posts a JSON body (or GETs when body is empty) and times the answer.
func (in *instance) send(t *testing.T, path, body string) answer {
	t.Helper()
	method := http.MethodGet
	if body != "" {
		method = http.MethodPost
	}
	req, err := http.NewRequest(method, in.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	res, err := faultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	a := answer{status: res.StatusCode, took: time.Since(start)}
	a.retryAfter, _ = strconv.Atoi(res.Header.Get("Retry-After"))
	a.code, _ = m["error_code"].(string)
	a.detail, _ = m["detail"].(string)
	return a
}

// register is the body that registers name, with name@example.com and
// the password login sends.
func register(name string) string {
	return `{"username":"` + name + `","email":"` + name + `@example.com","password":"` + authtest.Password(name) + `"}`
}

func login(name string) string {
	return `{"username":"` + name + `","password":"` + authtest.Password(name) + `"}`
}

// health returns /health's checks.
func (in *instance) health(t *testing.T) map[string]any {
	t.Helper()
	res, err := faultClient.Get(in.url + "/health")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m struct{ Checks map[string]any }
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m.Checks
}

// awaitBreaker polls /health until the breaker is in state; asking is
// also what moves an open breaker to half-open once its time is up.
func (in *instance) awaitBreaker(t *testing.T, state string) time.Duration {
	t.Helper()
	return in.awaitCheck(t, "circuit_breaker", state)
}

// awaitCheck polls /health until checks[name] is want. The database check
// reuses one ping for pingCacheTTL, so it shows a change within that.
func (in *instance) awaitCheck(t *testing.T, name, want string) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < 15*time.Second {
		if in.health(t)[name] == want {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("/health's %s did not become %s within 15s", name, want)
	return 0
}

// stateChanges returns the from→to of each breaker WARN line, checking
// that every one names its cause.
func (in *instance) stateChanges(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(in.output(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil || m["message"] != "circuit breaker state changed" {
			continue
		}
		if m["level"] != "WARN" || m["logger"] != "breaker" || m["cause"] == "" || m["cause"] == nil {
			t.Errorf("state change line %v: want WARN from logger breaker with a cause", m)
		}
		out = append(out, m["from"].(string)+"→"+m["to"].(string))
		t.Logf("log: %s → %s, cause: %v", m["from"], m["to"], m["cause"])
	}
	return out
}

// output is what the server has logged so far. The server buffers its log
// and writes it out every logFlushInterval, so wait for that first.
func (in *instance) output() string {
	time.Sleep(3 * logFlushInterval)
	return in.stdout.String()
}

// median of the durations.
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// lockSQLite holds the write lock of env's SQLite file on a connection of
// its own, as `sqlite3 authd.db` in a shell holding a transaction would. It
// returns that database, to look behind authd's back, and unlock, which
// lets go (once; later calls do nothing).
func lockSQLite(t *testing.T, env map[string]string) (other *sql.DB, unlock func()) {
	t.Helper()
	other, err := sql.Open("sqlite", strings.TrimPrefix(env["AUTHD_DATABASE_URL"], "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	lock, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.ExecContext(t.Context(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	unlock = func() {
		once.Do(func() {
			if _, err := lock.ExecContext(context.Background(), "ROLLBACK"); err != nil {
				t.Error(err)
			}
			lock.Close()
		})
	}
	t.Cleanup(unlock)
	return other, unlock
}

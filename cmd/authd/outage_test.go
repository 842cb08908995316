package main

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestDatabaseOutage drives authd over HTTP through a PostgreSQL outage:
// healthy → cut → the first failures answer 500 → the threshold opens the
// breaker → 503 at once → recovery timeout → the half-open trial fails →
// open again → restore → the trial succeeds → closed. Every user
// registered before can still log in, and no half-written user exists.
func TestDatabaseOutage(t *testing.T) {
	t.Parallel()
	env := faultEnv(t)
	p, direct := throughProxy(t, env)
	in := start(t, env)
	var seq []string
	note := func(step string, a answer) {
		seq = append(seq, fmt.Sprintf("%-28s %d %-20s %8.2fms", step, a.status, a.code, a.took.Seconds()*1000))
	}

	// Healthy.
	var users []string
	// healthy and refused time each kind of request: a registration
	// hashes its password before its store call, a login after it.
	healthy := map[string][]time.Duration{}
	refused := map[string][]time.Duration{}
	for i := range 5 {
		name := fmt.Sprintf("before%d", i)
		a := in.send(t, "/auth/register", register(name))
		if a.status != http.StatusCreated {
			t.Fatalf("register %s: %+v", name, a)
		}
		note("healthy register", a)
		healthy["register"] = append(healthy["register"], a.took)
		users = append(users, name)
	}
	for _, name := range users {
		a := in.send(t, "/auth/login", login(name))
		if a.status != http.StatusOK {
			t.Fatalf("login %s: %+v", name, a)
		}
		note("healthy login", a)
		healthy["login"] = append(healthy["login"], a.took)
	}
	if a := in.send(t, "/health/ready", ""); a.status != http.StatusOK {
		t.Fatalf("ready while healthy: %+v", a)
	}

	// Cut: alternate registrations and logins; each makes one store call
	// that fails, so exactly the third opens the breaker.
	p.cut()
	var tried []string
	for i := range 10 {
		var a answer
		kind := "login"
		if i%2 == 0 {
			name := fmt.Sprintf("during%d", i)
			tried = append(tried, name)
			a, kind = in.send(t, "/auth/register", register(name)), "register"
		} else {
			a = in.send(t, "/auth/login", login(users[i%len(users)]))
		}
		note("outage "+kind, a)
		switch {
		case i < 3:
			if a.status != http.StatusInternalServerError || a.code != "DATABASE_ERROR" || a.detail != "Database error" {
				t.Errorf("outage request %d: %+v, want 500 DATABASE_ERROR with no driver text", i+1, a)
			}
		case a.status != http.StatusServiceUnavailable || a.code != "CIRCUIT_BREAKER_OPEN" ||
			a.retryAfter < 1 || a.retryAfter > int(faultRecovery.Seconds()):
			t.Errorf("outage request %d: %+v, want 503 CIRCUIT_BREAKER_OPEN, Retry-After 1–%s", i+1, a, faultRecovery)
		default:
			refused[kind] = append(refused[kind], a.took)
		}
	}
	for _, kind := range []string{"register", "login"} {
		checkFast(t, kind, healthy[kind], refused[kind])
	}
	// The last ping, while healthy, may be reused for pingCacheTTL.
	if waited := in.awaitCheck(t, "database", "error"); waited > 3*pingCacheTTL {
		t.Errorf("health showed the cut database after %s, want about %s", waited, pingCacheTTL)
	}
	if c := in.health(t); c["circuit_breaker"] != "open" || c["database"] != "error" {
		t.Errorf("health while cut: %v, want open and error", c)
	}
	if a := in.send(t, "/health/ready", ""); a.status != http.StatusServiceUnavailable {
		t.Errorf("ready while cut: %+v, want 503", a)
	}

	// Recovery timeout, still cut: the one trial fails and reopens.
	waited := in.awaitBreaker(t, "half_open")
	seq = append(seq, fmt.Sprintf("half_open after polling %s", waited.Round(time.Millisecond)))
	a := in.send(t, "/auth/login", login(users[0]))
	note("half-open trial, cut", a)
	if a.status != http.StatusInternalServerError {
		t.Errorf("failed trial: %+v, want 500", a)
	}
	a = in.send(t, "/auth/login", login(users[1]))
	note("after failed trial", a)
	if a.status != http.StatusServiceUnavailable {
		t.Errorf("after the failed trial: %+v, want 503", a)
	}

	// Restore: the database answers at once (health shows it within the
	// ping's cache time), the breaker only after its trial call.
	p.restore()
	if waited := in.awaitCheck(t, "database", "ok"); waited > 3*pingCacheTTL {
		t.Errorf("health showed the restored database after %s, want about %s", waited, pingCacheTTL)
	}
	if c := in.health(t); c["database"] != "ok" {
		t.Errorf("health after restore: %v, want database ok", c)
	} else if c["circuit_breaker"] == "open" {
		if a := in.send(t, "/health/ready", ""); a.status != http.StatusServiceUnavailable {
			t.Errorf("ready with the breaker open: %+v, want 503", a)
		}
	}
	waited = in.awaitBreaker(t, "half_open")
	seq = append(seq, fmt.Sprintf("half_open after polling %s", waited.Round(time.Millisecond)))
	a = in.send(t, "/auth/login", login(users[0]))
	note("half-open trial, restored", a)
	if a.status != http.StatusOK {
		t.Fatalf("trial after restore: %+v, want 200", a)
	}
	if c := in.health(t); c["circuit_breaker"] != "closed" || c["database"] != "ok" {
		t.Errorf("health after recovery: %v", c)
	}

	// Nothing lost, nothing half-written.
	for _, name := range users {
		if a := in.send(t, "/auth/login", login(name)); a.status != http.StatusOK {
			t.Errorf("login %s after recovery: %+v", name, a)
		}
	}
	for _, name := range tried {
		if a := in.send(t, "/auth/login", login(name)); a.status != http.StatusUnauthorized {
			t.Errorf("login %s, registered during the outage: %+v, want 401", name, a)
		}
	}
	if a := in.send(t, "/auth/register", register("after")); a.status != http.StatusCreated {
		t.Errorf("register after recovery: %+v", a)
	}
	checkRows(t, direct, append(users, "after"))

	want := []string{"closed→open", "open→half_open", "half_open→open", "open→half_open", "half_open→closed"}
	if got := in.stateChanges(t); !slices.Equal(got, want) {
		t.Errorf("state changes %v, want %v", got, want)
	}
	if strings.Contains(in.output(), "pw-") {
		t.Error("a password reached the log")
	}
	t.Logf("statuses and timings:\n%s", strings.Join(seq, "\n"))
}

// checkFast: while open, the breaker answers without waiting for the
// database: typically faster than a healthy request, and never near the
// database timeout or the connect timeout.
func checkFast(t *testing.T, kind string, healthy, refusals []time.Duration) {
	t.Helper()
	if len(refusals) == 0 {
		t.Errorf("no refused %s to time", kind)
		return
	}
	h, r := median(healthy), median(refusals)
	worst := slices.Max(refusals)
	t.Logf("%s: healthy median %s; 503 median %s (%.2f× healthy), slowest 503 %s",
		kind, h.Round(time.Microsecond), r.Round(time.Microsecond), float64(r)/float64(h), worst.Round(time.Microsecond))
	if r > 3*h {
		t.Errorf("refused %s took %s (median), more than 3× a healthy one's %s", kind, r, h)
	}
	if worst >= faultDBTimeout/2 {
		t.Errorf("a refused %s took %s: it waited for the database", kind, worst)
	}
}

// checkRows: the users table holds exactly these users, each whole.
func checkRows(t *testing.T, url string, want []string) {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	rows, err := conn.Query(t.Context(), `
		SELECT username FROM users
		WHERE hashed_password LIKE '$2%' AND email = username || '@example.com' AND is_active
		ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var total int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM users`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) || total != len(want) {
		t.Errorf("users %v (of %d rows), want exactly %v, whole", got, total, want)
	}
}

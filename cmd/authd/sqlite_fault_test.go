package main

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSQLiteLocked: another process holding the SQLite file's write lock
// gives the same classes of answers as a PostgreSQL outage — 500 at the
// database timeout, then 503 at once, never 401 or 409 — and authd
// recovers by itself once the lock is gone.
func TestSQLiteLocked(t *testing.T) {
	t.Parallel()
	env := faultEnv(t)
	in := start(t, env)
	if a := in.send(t, "/auth/register", register("erin")); a.status != http.StatusCreated {
		t.Fatalf("register: %+v", a)
	}

	other, unlock := lockSQLite(t, env)

	var seq []string
	for i := range 5 {
		a := in.send(t, "/auth/register", register(fmt.Sprintf("locked%d", i)))
		seq = append(seq, fmt.Sprintf("locked register %d: %d %s %s", i+1, a.status, a.code, a.took.Round(time.Millisecond)))
		if i < 3 {
			// At the database timeout, well before SQLite's 5s busy
			// timeout (bounds generous for a busy machine).
			if a.status != http.StatusInternalServerError || a.code != "DATABASE_ERROR" ||
				a.took < faultDBTimeout*8/10 || a.took > 4*faultDBTimeout {
				t.Errorf("locked register %d: %+v, want 500 DATABASE_ERROR after about %s", i+1, a, faultDBTimeout)
			}
			continue
		}
		if a.status != http.StatusServiceUnavailable || a.code != "CIRCUIT_BREAKER_OPEN" || a.took >= faultDBTimeout/2 {
			t.Errorf("locked register %d: %+v, want 503 CIRCUIT_BREAKER_OPEN at once", i+1, a)
		}
	}
	// Reads go on in WAL mode, but the breaker is open for every call.
	a := in.send(t, "/auth/login", login("erin"))
	seq = append(seq, fmt.Sprintf("locked login: %d %s %s", a.status, a.code, a.took.Round(time.Millisecond)))
	if a.status != http.StatusServiceUnavailable {
		t.Errorf("login while open: %+v, want 503", a)
	}

	unlock()
	waited := in.awaitBreaker(t, "half_open")
	seq = append(seq, fmt.Sprintf("half_open after polling %s", waited.Round(time.Millisecond)))
	if a := in.send(t, "/auth/register", register("frank")); a.status != http.StatusCreated {
		t.Errorf("register after the lock: %+v", a)
	}
	if a := in.send(t, "/auth/login", login("erin")); a.status != http.StatusOK {
		t.Errorf("login after the lock: %+v", a)
	}
	var names []string
	rows, err := other.QueryContext(t.Context(), `SELECT username FROM users WHERE hashed_password LIKE '$2%' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := []string{"erin", "frank"}; !slices.Equal(names, want) {
		t.Errorf("users %v, want %v", names, want)
	}
	want := []string{"closed→open", "open→half_open", "half_open→closed"}
	if got := in.stateChanges(t); !slices.Equal(got, want) {
		t.Errorf("state changes %v, want %v", got, want)
	}
	t.Logf("statuses and timings:\n%s", strings.Join(seq, "\n"))
}

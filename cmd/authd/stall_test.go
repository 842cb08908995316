package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDatabaseStall: a database that accepts connections but never
// answers makes requests end at the database timeout with 500, then, once
// the breaker opens, at once with 503 — never after minutes. It recovers
// when the database answers again.
func TestDatabaseStall(t *testing.T) {
	t.Parallel()
	env := faultEnv(t)
	const dbTimeout = faultDBTimeout
	p, _ := throughProxy(t, env)
	in := start(t, env)
	if a := in.send(t, "/auth/register", register("carol")); a.status != http.StatusCreated {
		t.Fatalf("register: %+v", a)
	}

	p.stall()
	var seq []string
	for i := range 6 {
		a := in.send(t, "/auth/login", login("carol"))
		seq = append(seq, fmt.Sprintf("stalled login %d: %d %s %s", i+1, a.status, a.code, a.took.Round(time.Millisecond)))
		if i < 3 {
			// It waited for the database, and no longer than allowed
			// (the bound is generous: the machine may be busy).
			if a.status != http.StatusInternalServerError || a.took < dbTimeout*8/10 || a.took > 5*time.Second {
				t.Errorf("stalled login %d: %+v, want 500 after about %s", i+1, a, dbTimeout)
			}
			continue
		}
		if a.status != http.StatusServiceUnavailable || a.took >= dbTimeout {
			t.Errorf("stalled login %d: %+v, want 503 at once", i+1, a)
		}
	}
	start := time.Now()
	c := in.health(t)
	seq = append(seq, fmt.Sprintf("/health while stalled: %v in %s", c, time.Since(start).Round(time.Millisecond)))
	if c["database"] != "error" || c["circuit_breaker"] != "open" {
		t.Errorf("health while stalled: %v", c)
	}

	p.restore()
	in.awaitBreaker(t, "half_open")
	if a := in.send(t, "/auth/login", login("carol")); a.status != http.StatusOK {
		t.Errorf("login after the stall: %+v", a)
	}
	if c := in.health(t); c["circuit_breaker"] != "closed" {
		t.Errorf("breaker after recovery: %v", c)
	}
	t.Logf("statuses and timings:\n%s", strings.Join(seq, "\n"))
}

// TestClientCancelsNeverOpen: clients that give up on their own requests
// while the database hangs say nothing about the database, so however
// many do, the breaker stays closed.
func TestClientCancelsNeverOpen(t *testing.T) {
	t.Parallel()
	env := faultEnv(t)
	// The database timeout is far beyond the client's patience, and an
	// open breaker would stay open for the rest of the test.
	env["AUTHD_DATABASE_TIMEOUT"] = "3s"
	env["AUTHD_BREAKER_RECOVERY_TIMEOUT"] = "1h"
	p, _ := throughProxy(t, env)
	in := start(t, env)
	if a := in.send(t, "/auth/register", register("dave")); a.status != http.StatusCreated {
		t.Fatalf("register: %+v", a)
	}

	p.stall()
	for i := range 10 { // threshold is 3
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		path, body := "/auth/login", login("dave")
		if i%2 == 1 {
			path, body = "/auth/register", register(fmt.Sprintf("gone%d", i))
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, in.url+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		res, err := faultClient.Do(req)
		cancel()
		if err == nil {
			res.Body.Close()
			t.Fatalf("request %d answered %d although the database hangs", i+1, res.StatusCode)
		}
	}
	p.restore()
	if a := in.send(t, "/auth/login", login("dave")); a.status != http.StatusOK {
		t.Errorf("login after the cancelled requests: %+v, want 200", a)
	}
	if c := in.health(t); c["circuit_breaker"] != "closed" {
		t.Errorf("breaker after 10 cancelled requests: %v, want closed", c)
	}
	if got := in.stateChanges(t); len(got) != 0 {
		t.Errorf("state changes %v, want none", got)
	}
}

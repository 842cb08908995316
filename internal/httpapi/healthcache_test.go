package httpapi

import (
	"context"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
	"github.com/authd/authd/internal/store/sqlite"
)

// countingStore is a real SQLite store that counts the pings reaching it.
type countingStore struct {
	auth.Store
	pings atomic.Int64
}

func (s *countingStore) Ping(ctx context.Context) error {
	s.pings.Add(1)
	return s.Store.Ping(ctx)
}

// TestHealthFloodPingsOnce: however many probes arrive within a second,
// one ping reaches the store; the next second's first probe pings again.
func TestHealthFloodPingsOnce(t *testing.T) {
	t.Parallel()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "health.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	counted := &countingStore{Store: st}
	clock := authtest.NewClock(time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC))
	database := CachedCheck(HealthCheck{Name: "database", Check: func(ctx context.Context) (string, bool) {
		if counted.Ping(ctx) != nil {
			return "error", false
		}
		return "ok", true
	}}, time.Second, clock.Now)
	e := newEnv(t, envOptions{checks: []HealthCheck{database}})

	probe := func(n int) {
		t.Helper()
		for i := range n {
			path := "/health"
			if i%2 == 1 {
				path = "/health/ready"
			}
			if r := e.do(t, http.MethodGet, path, "", ""); r.status != http.StatusOK {
				t.Fatalf("%s: %d %s", path, r.status, r.raw)
			}
		}
	}
	steps := []struct {
		name    string
		advance time.Duration
		pings   int64
	}{
		{"first flood", 0, 1},
		{"999ms later", 999 * time.Millisecond, 1},
		{"a second after the ping", time.Millisecond, 2},
		{"the same second", 500 * time.Millisecond, 2},
		{"long after", time.Hour, 3},
	}
	for _, s := range steps {
		clock.Add(s.advance)
		probe(20)
		if got := counted.pings.Load(); got != s.pings {
			t.Errorf("%s: %d pings reached the store, want %d", s.name, got, s.pings)
		}
	}
}

// TestCachedCheckOneAtATime: callers that find no answer wait for the one
// check running; callers that find a stale one get it at once while one
// check runs, and the check's answer (here a failure) is then kept.
func TestCachedCheckOneAtATime(t *testing.T) {
	t.Parallel()
	clock := authtest.NewClock(time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC))
	var calls atomic.Int64
	release := make(chan string)
	started := make(chan struct{}, 100)
	c := CachedCheck(HealthCheck{Name: "database", Check: func(context.Context) (string, bool) {
		calls.Add(1)
		started <- struct{}{}
		status := <-release
		return status, status == "ok"
	}}, time.Second, clock.Now)

	// No answer yet: every caller waits for the one check.
	const callers = 10
	answers := make(chan string, callers)
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			status, _ := c.Check(t.Context())
			answers <- status
		})
	}
	<-started
	release <- "ok"
	waited := make(chan struct{})
	go func() {
		wg.Wait()
		close(waited)
	}()
	select {
	case <-waited:
	case <-time.After(10 * time.Second): // a guard against a hang, not a timing
		t.Fatalf("callers still waiting after one check answered; %d checks ran", calls.Load())
	}
	close(answers)
	for a := range answers {
		if a != "ok" {
			t.Errorf("a waiting caller got %q, want ok", a)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("%d checks ran for %d callers, want 1", n, callers)
	}

	// Stale: one caller checks; the others get the old answer at once.
	clock.Add(time.Second)
	checked := make(chan string, 1)
	go func() {
		status, _ := c.Check(t.Context())
		checked <- status
	}()
	<-started
	for range callers {
		if status, ok := c.Check(t.Context()); status != "ok" || !ok {
			t.Errorf("while a check runs: %q %v, want the previous ok", status, ok)
		}
	}
	release <- "error"
	if status := <-checked; status != "error" {
		t.Errorf("the checking caller got %q, want error", status)
	}
	if status, ok := c.Check(t.Context()); status != "error" || ok {
		t.Errorf("after the check: %q %v, want error false", status, ok)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("%d checks ran, want 2", n)
	}
}

// TestCachedCheckOutlivesItsCaller: a probe that hangs up during the check
// does not cut the check short, so its answer is not a false "error"; a
// caller that gives up while waiting for the first answer gets "error".
func TestCachedCheckOutlivesItsCaller(t *testing.T) {
	t.Parallel()
	clock := authtest.NewClock(time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC))
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	c := CachedCheck(HealthCheck{Name: "database", Check: func(ctx context.Context) (string, bool) {
		started <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			return "error", false
		}
		return "ok", true
	}}, time.Second, clock.Now)

	ctx, cancel := context.WithCancel(t.Context())
	first := make(chan string, 1)
	go func() {
		status, _ := c.Check(ctx)
		first <- status
	}()
	<-started
	waiting, giveUp := context.WithCancel(t.Context())
	giveUp()
	if status, ok := c.Check(waiting); status != "error" || ok {
		t.Errorf("a caller that gave up while waiting: %q %v, want error false", status, ok)
	}
	cancel()
	close(release)
	if status := <-first; status != "ok" {
		t.Errorf("the check saw its caller's cancellation: %q, want ok", status)
	}
	if status, ok := c.Check(t.Context()); status != "ok" || !ok {
		t.Errorf("kept answer: %q %v, want ok", status, ok)
	}
}

package breaker

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/authd/authd/internal/auth"
)

// The state machine runs inside synctest bubbles: gobreaker reads
// time.Now, which there is a fake clock that jumps ahead when every
// goroutine waits, so the real 60-second recovery timeout costs nothing.

// TestOpensOnTheNthFailure: exactly the Nth consecutive failure opens the
// breaker (gobreaker's own default would wait for the sixth), after which
// calls fail fast without reaching the database.
func TestOpensOnTheNthFailure(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 3, 0 /* the default, 5 */} {
		t.Run(fmt.Sprintf("threshold %d", n), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, f, _ := newStore(Settings{FailureThreshold: n})
				want := n
				if n == 0 {
					want = DefaultFailureThreshold
				}
				f.set(refused)
				ctx := t.Context()
				for i := 1; i <= want; i++ {
					if st := s.State(ctx); st != "closed" {
						t.Fatalf("before failure %d: state %s, want closed", i, st)
					}
					if _, err := s.UserByID(ctx, 1); code(err) != auth.CodeDatabase {
						t.Fatalf("failure %d: %v, want DATABASE_ERROR", i, err)
					}
				}
				if st := s.State(ctx); st != "open" {
					t.Fatalf("after %d failures: state %s, want open", want, st)
				}
				_, err := s.UserByEmail(ctx, "a@example.com")
				if code(err) != auth.CodeBreakerOpen || retryAfter(err) != DefaultRecoveryTimeout {
					t.Errorf("while open: %v (retry after %s), want CIRCUIT_BREAKER_OPEN after %s",
						err, retryAfter(err), DefaultRecoveryTimeout)
				}
				if f.count() != want {
					t.Errorf("the store saw %d calls, want %d: an open breaker must not call it", f.count(), want)
				}
			})
		})
	}
}

// TestEveryMethodGuarded: each store method except Ping and Close goes
// through the breaker: its failure counts, and an open breaker refuses it
// without calling the store.
func TestEveryMethodGuarded(t *testing.T) {
	t.Parallel()
	methods := []struct {
		name string
		call func(ctx context.Context, s *Store) error
	}{
		{"CreateUser", func(ctx context.Context, s *Store) error { _, err := s.CreateUser(ctx, auth.NewUser{}); return err }},
		{"UserByID", func(ctx context.Context, s *Store) error { _, err := s.UserByID(ctx, 1); return err }},
		{"UserByUsername", func(ctx context.Context, s *Store) error { _, err := s.UserByUsername(ctx, "a"); return err }},
		{"UserByEmail", func(ctx context.Context, s *Store) error { _, err := s.UserByEmail(ctx, "a@example.com"); return err }},
		{"SetActive", func(ctx context.Context, s *Store) error {
			_, err := s.SetActive(ctx, auth.ActiveChange{UserID: 1, Active: true, At: time.Now()})
			return err
		}},
		{"ChangePassword", func(ctx context.Context, s *Store) error {
			_, err := s.ChangePassword(ctx, auth.PasswordChange{UserID: 1, Hash: "h", At: time.Now()})
			return err
		}},
		{"RehashPassword", func(ctx context.Context, s *Store) error {
			_, err := s.RehashPassword(ctx, 1, "old", "h", time.Now())
			return err
		}},
	}
	for _, m := range methods {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			s, f, _ := newStore(Settings{FailureThreshold: 1})
			ctx := t.Context()
			f.set(refused)
			if err := m.call(ctx, s); code(err) != auth.CodeDatabase {
				t.Fatalf("failing call: %v, want DATABASE_ERROR", err)
			}
			if st := s.State(ctx); st != "open" {
				t.Fatalf("state %s after a failure with threshold 1, want open", st)
			}
			if err := m.call(ctx, s); code(err) != auth.CodeBreakerOpen {
				t.Errorf("call while open: %v, want CIRCUIT_BREAKER_OPEN", err)
			}
			if f.count() != 1 {
				t.Errorf("the store saw %d calls, want 1", f.count())
			}
		})
	}
}

// TestRunOfFailures: a call the database answered ends the run of
// failures; a call its caller abandoned neither ends nor extends it.
func TestRunOfFailures(t *testing.T) {
	t.Parallel()
	cancelled := func(ctx context.Context) (context.Context, func()) {
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		return ctx, func() {}
	}
	asIs := func(ctx context.Context) (context.Context, func()) { return ctx, func() {} }
	type step struct {
		outcome func(context.Context) error
		ctx     func(context.Context) (context.Context, func())
	}
	fail, ok := step{refused, asIs}, step{notFound, asIs}
	abandoned := step{hang, cancelled}
	cases := []struct {
		name  string
		steps []step
		want  string
	}{
		{"three failures", []step{fail, fail, fail}, "open"},
		{"a not-found between", []step{fail, fail, ok, fail, fail}, "closed"},
		{"a conflict between", []step{fail, fail, {taken, asIs}, fail, fail}, "closed"},
		{"refused values", []step{fail, {invalid, asIs}, {invalid, asIs}, {invalid, asIs}, fail}, "closed"},
		{"an abandoned call between", []step{fail, fail, abandoned, fail}, "open"},
		{"only abandoned calls", []step{abandoned, abandoned, abandoned, abandoned}, "closed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, f, _ := newStore(Settings{FailureThreshold: 3})
				for _, st := range tc.steps {
					f.set(st.outcome)
					ctx, done := st.ctx(t.Context())
					_, _ = s.UserByUsername(ctx, "alice")
					done()
				}
				if got := s.State(t.Context()); got != tc.want {
					t.Errorf("state %s, want %s", got, tc.want)
				}
			})
		})
	}
}

// TestRecovery walks the whole cycle on the default 60s recovery timeout:
// open → half-open → a failed trial opens it again → half-open → a
// successful trial closes it. Each change is one WARN line with its cause.
func TestRecovery(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s, f, logs := newStore(Settings{FailureThreshold: 2})
		ctx := t.Context()
		f.set(refused)
		for range 2 {
			_, _ = s.UserByID(ctx, 1)
		}
		time.Sleep(59 * time.Second)
		if _, err := s.UserByID(ctx, 1); s.State(ctx) != "open" || retryAfter(err) != time.Second {
			t.Fatalf("59s after opening: state %s, %v (retry after %s), want open and 1s", s.State(ctx), err, retryAfter(err))
		}
		time.Sleep(2 * time.Second)
		if st := s.State(ctx); st != "half_open" {
			t.Fatalf("61s after opening: state %s, want half_open", st)
		}

		// The trial call is out; everyone else is still refused.
		release := make(chan struct{})
		f.set(func(ctx context.Context) error { <-release; return refused(ctx) })
		trial := make(chan error)
		go func() { _, err := s.UserByID(ctx, 1); trial <- err }()
		synctest.Wait()
		calls := f.count()
		if _, err := s.UserByID(ctx, 2); code(err) != auth.CodeBreakerOpen || retryAfter(err) != time.Second {
			t.Errorf("during the trial: %v (retry after %s), want CIRCUIT_BREAKER_OPEN after 1s", err, retryAfter(err))
		}
		if f.count() != calls {
			t.Error("a second call reached the store during the trial")
		}
		close(release)
		if err := <-trial; code(err) != auth.CodeDatabase {
			t.Errorf("failed trial: %v, want DATABASE_ERROR", err)
		}
		if _, err := s.UserByID(ctx, 1); s.State(ctx) != "open" || retryAfter(err) != DefaultRecoveryTimeout {
			t.Fatalf("after the failed trial: state %s, retry after %s; want open, %s", s.State(ctx), retryAfter(err), DefaultRecoveryTimeout)
		}

		time.Sleep(DefaultRecoveryTimeout + time.Second)
		f.set(nil)
		if _, err := s.UserByID(ctx, 1); err != nil {
			t.Fatalf("successful trial: %v", err)
		}
		if st := s.State(ctx); st != "closed" {
			t.Fatalf("after the successful trial: state %s, want closed", st)
		}

		want := []struct{ from, to, cause string }{
			{"closed", "open", "connection refused"},
			{"open", "half_open", "recovery timeout of 1m0s elapsed"},
			{"half_open", "open", "connection refused"},
			{"open", "half_open", "recovery timeout of 1m0s elapsed"},
			{"half_open", "closed", "trial call succeeded"},
		}
		got := warnings(t, logs)
		if len(got) != len(want) {
			t.Fatalf("%d WARN lines, want %d: %v", len(got), len(want), got)
		}
		for i, w := range want {
			g := got[i]
			cause, _ := g["cause"].(string)
			if g["message"] != "circuit breaker state changed" || g["from"] != w.from || g["to"] != w.to || !strings.Contains(cause, w.cause) {
				t.Errorf("line %d = %v, want %s → %s because %q", i, g, w.from, w.to, w.cause)
			}
		}
	})
}

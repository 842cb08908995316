package breaker

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/authd/authd/internal/auth"
)

// TestEveryCallGuarded: every store method but Ping and Close goes through
// the breaker, so each counts towards opening it and each is refused,
// without reaching the database, once it is open. The throttle read among
// them matters most: a login whose throttle read is refused must fail, not
// go unthrottled.
func TestEveryCallGuarded(t *testing.T) {
	t.Parallel()
	now := time.Now()
	calls := []struct {
		name string
		call func(ctx context.Context, s *Store) error
	}{
		{"CreateUser", func(ctx context.Context, s *Store) error { _, err := s.CreateUser(ctx, auth.NewUser{}); return err }},
		{"UserByID", func(ctx context.Context, s *Store) error { _, err := s.UserByID(ctx, 1); return err }},
		{"UserByUsername", func(ctx context.Context, s *Store) error { _, err := s.UserByUsername(ctx, "a"); return err }},
		{"UserByEmail", func(ctx context.Context, s *Store) error { _, err := s.UserByEmail(ctx, "a@b.c"); return err }},
		{"SetActive", func(ctx context.Context, s *Store) error {
			_, err := s.SetActive(ctx, auth.ActiveChange{UserID: 1, Active: true, At: now})
			return err
		}},
		{"AttemptRecords", func(ctx context.Context, s *Store) error {
			_, err := s.AttemptRecords(ctx, []auth.AttemptKey{{1}})
			return err
		}},
		{"HitCounters", func(ctx context.Context, s *Store) error {
			_, err := s.HitCounters(ctx, now, []auth.CounterHit{{Key: auth.AttemptKey{1}, WindowEnds: now}})
			return err
		}},
		{"RecordLoginSuccess", func(ctx context.Context, s *Store) error {
			return s.RecordLoginSuccess(ctx, auth.LoginSuccess{Known: []auth.AttemptKey{{1}}})
		}},
		{"PurgeAttempts", func(ctx context.Context, s *Store) error { _, err := s.PurgeAttempts(ctx, now, 10); return err }},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, f, _ := newStore(Settings{FailureThreshold: 2})
				f.set(refused)
				ctx := t.Context()
				for i := range 2 {
					if err := c.call(ctx, s); code(err) != auth.CodeDatabase {
						t.Fatalf("failure %d: %v, want DATABASE_ERROR", i+1, err)
					}
				}
				if st := s.State(ctx); st != "open" {
					t.Fatalf("after 2 failures of %s: state %s, want open", c.name, st)
				}
				if err := c.call(ctx, s); code(err) != auth.CodeBreakerOpen {
					t.Errorf("while open: %v, want CIRCUIT_BREAKER_OPEN", err)
				}
				if f.count() != 2 {
					t.Errorf("the store saw %d calls, want 2", f.count())
				}
			})
		})
	}
}

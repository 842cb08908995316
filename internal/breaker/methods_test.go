package breaker

import (
	"context"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// storeCalls is one call of every data method of auth.Store, by name.
func storeCalls(s auth.Store) map[string]func(ctx context.Context) error {
	now := time.Now()
	return map[string]func(ctx context.Context) error{
		"CreateUser":      func(ctx context.Context) error { _, err := s.CreateUser(ctx, auth.NewUser{Username: "a"}); return err },
		"UserByID":        func(ctx context.Context) error { _, err := s.UserByID(ctx, 1); return err },
		"UserByUsername":  func(ctx context.Context) error { _, err := s.UserByUsername(ctx, "a"); return err },
		"UserByEmail":     func(ctx context.Context) error { _, err := s.UserByEmail(ctx, "a@example.com"); return err },
		"SetLastLogin":    func(ctx context.Context) error { return s.SetLastLogin(ctx, 1, now) },
		"SetActive":       func(ctx context.Context) error { return s.SetActive(ctx, 1, true, now) },
		"SetPasswordHash": func(ctx context.Context) error { return s.SetPasswordHash(ctx, 1, "h", now) },
		"CreateSession":   func(ctx context.Context) error { return s.CreateSession(ctx, auth.Session{ID: "s"}) },
		"SessionWithUser": func(ctx context.Context) error { _, _, err := s.SessionWithUser(ctx, "s"); return err },
		"RotateSession":   func(ctx context.Context) error { _, err := s.RotateSession(ctx, "s", 0, now, now); return err },
		"EndSession": func(ctx context.Context) error {
			_, err := s.EndSession(ctx, "s", 1, auth.EndLogout, now)
			return err
		},
		"EndUserSessions": func(ctx context.Context) error {
			_, err := s.EndUserSessions(ctx, 1, "", auth.EndLogout, now)
			return err
		},
		"UserSessions":  func(ctx context.Context) error { _, err := s.UserSessions(ctx, 1, now); return err },
		"PurgeSessions": func(ctx context.Context) error { _, err := s.PurgeSessions(ctx, now, 10); return err },
		"AttemptRecords": func(ctx context.Context) error {
			_, err := s.AttemptRecords(ctx, []auth.AttemptKey{{}})
			return err
		},
		"HitCounters": func(ctx context.Context) error {
			_, err := s.HitCounters(ctx, now, []auth.CounterHit{{}})
			return err
		},
		"RecordLoginSuccess": func(ctx context.Context) error { return s.RecordLoginSuccess(ctx, auth.LoginSuccess{}) },
		"PurgeAttempts":      func(ctx context.Context) error { _, err := s.PurgeAttempts(ctx, now, 10); return err },
	}
}

// TestEveryMethodGoesThroughTheBreaker: each store method reaches the inner
// store while the breaker is closed, counts towards opening it when the
// database fails, and is refused without reaching the database while open.
func TestEveryMethodGoesThroughTheBreaker(t *testing.T) {
	t.Parallel()
	probe, _, _ := newStore(Settings{})
	for name := range storeCalls(probe) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, f, _ := newStore(Settings{FailureThreshold: 1})
			call := storeCalls(s)[name]
			ctx := t.Context()
			if err := call(ctx); err != nil || f.count() != 1 {
				t.Fatalf("closed: err %v, inner calls %d; want nil and 1", err, f.count())
			}
			f.set(refused)
			if err := call(ctx); code(err) != auth.CodeDatabase {
				t.Fatalf("failing database: %v, want DATABASE_ERROR", err)
			}
			if st := s.State(ctx); st != "open" {
				t.Fatalf("one failure of %s left the breaker %s, want open", name, st)
			}
			if err := call(ctx); code(err) != auth.CodeBreakerOpen || f.count() != 2 {
				t.Errorf("open: err %v, inner calls %d; want CIRCUIT_BREAKER_OPEN and still 2", err, f.count())
			}
		})
	}
}

// TestPurgeSessionsCounts: the breaker hands back the inner store's counts
// of a purge whole, each in its own field.
func TestPurgeSessionsCounts(t *testing.T) {
	s, _, _ := newStore(Settings{FailureThreshold: 1})
	got, err := s.PurgeSessions(t.Context(), time.Now(), 10)
	want := auth.PurgedSessions{Deleted: 5, Expired: 2, Deactivated: 1}
	if err != nil || got != want {
		t.Errorf("PurgeSessions = %+v, %v; want %+v, nil", got, err, want)
	}
}

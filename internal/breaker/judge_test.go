package breaker

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/authd/authd/internal/auth"
)

// TestWhatCounts: only infrastructure failures count towards opening the
// breaker, and every error reaches the caller as the store gave it.
func TestWhatCounts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		outcome func(context.Context) error
		// callerTimeout, when set, is the caller's own deadline.
		callerTimeout time.Duration
		cancelled     bool
		wantErr       error
		wantCode      auth.Code
		wantOpen      bool
	}{
		{name: "connection refused", outcome: refused, wantCode: auth.CodeDatabase, wantOpen: true},
		{name: "the call deadline passes", outcome: hang, wantErr: context.DeadlineExceeded, wantCode: auth.CodeDatabase, wantOpen: true},
		{name: "the call deadline passes, store says nothing more", outcome: func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		}, wantErr: context.DeadlineExceeded, wantCode: auth.CodeDatabase, wantOpen: true},
		{name: "not found", outcome: notFound, wantErr: auth.ErrUserNotFound},
		{name: "unique conflict", outcome: taken, wantErr: auth.ErrUserExists},
		{name: "another coded error", outcome: func(context.Context) error {
			return auth.NewError(auth.CodeInternal, "", errors.New("bug"))
		}, wantCode: auth.CodeInternal},
		{name: "cancelled by its client", outcome: hang, cancelled: true, wantErr: context.Canceled, wantCode: auth.CodeDatabase},
		{name: "the caller's own deadline", outcome: hang, callerTimeout: time.Second, wantErr: context.DeadlineExceeded, wantCode: auth.CodeDatabase},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, f, _ := newStore(Settings{FailureThreshold: 3})
				f.set(tc.outcome)
				for i := range 3 {
					ctx, cancel := t.Context(), context.CancelFunc(func() {})
					switch {
					case tc.cancelled:
						ctx, cancel = context.WithCancel(ctx)
						cancel()
					case tc.callerTimeout > 0:
						ctx, cancel = context.WithTimeout(ctx, tc.callerTimeout)
					}
					_, err := s.CreateUser(ctx, auth.NewUser{Username: "alice"})
					cancel()
					if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
						t.Errorf("call %d: %v, want it to wrap %v", i, err, tc.wantErr)
					}
					if code(err) != tc.wantCode {
						t.Errorf("call %d: %v, want code %q", i, err, tc.wantCode)
					}
				}
				if open := s.State(t.Context()) == "open"; open != tc.wantOpen {
					t.Errorf("after 3 such calls open = %t, want %t", open, tc.wantOpen)
				}
			})
		})
	}
}

// TestCallDeadline: a store that hangs is given up on at the call
// timeout, or sooner at the caller's own deadline.
func TestCallDeadline(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name          string
		callerTimeout time.Duration
		want          time.Duration
	}{
		{"call timeout", 0, 5 * time.Second},
		{"the caller's deadline is sooner", time.Second, time.Second},
		{"the caller's deadline is later", time.Minute, 5 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s, f, _ := newStore(Settings{})
				f.set(hang)
				ctx := t.Context()
				if tc.callerTimeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tc.callerTimeout)
					defer cancel()
				}
				start := time.Now()
				if _, err := s.RehashPassword(ctx, 1, "old", "new", start); err == nil {
					t.Fatal("a hung call succeeded")
				}
				if got := time.Since(start); got != tc.want {
					t.Errorf("the call took %s, want %s", got, tc.want)
				}
				start = time.Now()
				if err := s.Ping(ctx); err == nil {
					t.Fatal("a hung ping succeeded")
				}
				if got := time.Since(start); got > tc.want {
					t.Errorf("the ping took %s, want at most %s", got, tc.want)
				}
			})
		})
	}
}

// TestPingAroundBreaker: readiness asks the database itself, even while
// the breaker is open, and pings never open it.
func TestPingAroundBreaker(t *testing.T) {
	t.Parallel()
	s, f, _ := newStore(Settings{FailureThreshold: 1})
	ctx := t.Context()
	f.set(refused)
	for range 3 {
		if err := s.Ping(ctx); code(err) != auth.CodeDatabase {
			t.Errorf("ping of a failing store: %v", err)
		}
	}
	if st := s.State(ctx); st != "closed" {
		t.Fatalf("failed pings opened the breaker: %s", st)
	}
	_, _ = s.SetActive(ctx, auth.ActiveChange{UserID: 1, At: time.Now()})
	f.set(nil)
	if err := s.Ping(ctx); err != nil || s.State(ctx) != "open" {
		t.Errorf("ping while open: %v, state %s; want the database's answer, breaker still open", err, s.State(ctx))
	}
	if err := s.Close(); err != nil || !f.closed {
		t.Errorf("Close: %v, inner closed %t", err, f.closed)
	}
}

// TestAbandonedTrial: a half-open breaker whose trial call is cancelled by
// its client stays half-open and lets the next call be the trial.
func TestAbandonedTrial(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s, f, _ := newStore(Settings{FailureThreshold: 1, RecoveryTimeout: time.Second})
		f.set(refused)
		_, _ = s.UserByID(t.Context(), 1)
		time.Sleep(2 * time.Second)
		f.set(hang)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := s.UserByID(ctx, 1); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled trial: %v", err)
		}
		if st := s.State(t.Context()); st != "half_open" {
			t.Fatalf("after the cancelled trial: %s, want half_open", st)
		}
		f.set(nil)
		if _, err := s.UserByEmail(t.Context(), "a@example.com"); err != nil || s.State(t.Context()) != "closed" {
			t.Errorf("next trial: %v, state %s; want success and closed", err, s.State(t.Context()))
		}
	})
}

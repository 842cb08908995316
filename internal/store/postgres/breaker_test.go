package postgres_test

import (
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/breaker"
	"github.com/authd/authd/internal/store/storetest"
)

// TestRefusedValuesKeepBreakerClosed: a value the real server refuses
// (SQLSTATE 22021: NUL, invalid UTF-8), sent many times through the
// circuit breaker, is a 400 each time and never opens the breaker; the
// store then serves as before.
func TestRefusedValuesKeepBreakerClosed(t *testing.T) {
	t.Parallel()
	st := open(t, storetest.PostgresURL(t))
	b := breaker.New(st, breaker.Settings{FailureThreshold: 2, RecoveryTimeout: time.Minute},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := t.Context()
	for range 5 {
		for _, text := range []string{"a\x00b", "\xff\xfe"} {
			_, err := b.UserByUsername(ctx, text)
			var e *auth.Error
			if !errors.As(err, &e) || e.Code != auth.CodeValidation {
				t.Errorf("UserByUsername(%q) = %v, want VALIDATION_ERROR", text, err)
			}
			_, err = b.CreateUser(ctx, auth.NewUser{Username: "x" + text, Email: text + "@example.com", HashedPassword: "h", CreatedAt: time.Now()})
			if !errors.As(err, &e) || e.Code != auth.CodeValidation {
				t.Errorf("CreateUser with %q = %v, want VALIDATION_ERROR", text, err)
			}
		}
	}
	if got := b.State(ctx); got != "closed" {
		t.Fatalf("breaker %s after refused values, want closed", got)
	}
	if _, err := b.CreateUser(ctx, auth.NewUser{Username: "alice", Email: "alice@example.com", HashedPassword: "h", CreatedAt: time.Now()}); err != nil {
		t.Errorf("CreateUser after refused values: %v", err)
	}
	if _, err := b.UserByUsername(ctx, "alice"); err != nil {
		t.Errorf("UserByUsername after refused values: %v", err)
	}
}

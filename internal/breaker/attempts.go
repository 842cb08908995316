package breaker

import (
	"context"
	"time"

	"github.com/authd/authd/internal/auth"
)

// AttemptRecords calls the inner store through the breaker. A throttle
// read refused by an open breaker refuses the login too: the store being
// down must not let everyone guess.
func (s *Store) AttemptRecords(ctx context.Context, keys []auth.AttemptKey) ([]auth.AttemptRecord, error) {
	return call(ctx, s, func(ctx context.Context) ([]auth.AttemptRecord, error) {
		return s.inner.AttemptRecords(ctx, keys)
	})
}

// HitCounters calls the inner store through the breaker.
func (s *Store) HitCounters(ctx context.Context, at time.Time, hits []auth.CounterHit) ([]auth.AttemptRecord, error) {
	return call(ctx, s, func(ctx context.Context) ([]auth.AttemptRecord, error) {
		return s.inner.HitCounters(ctx, at, hits)
	})
}

// RecordLoginSuccess calls the inner store through the breaker.
func (s *Store) RecordLoginSuccess(ctx context.Context, ls auth.LoginSuccess) error {
	_, err := call(ctx, s, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.inner.RecordLoginSuccess(ctx, ls)
	})
	return err
}

// PurgeAttempts calls the inner store through the breaker.
func (s *Store) PurgeAttempts(ctx context.Context, before time.Time, limit int) (int64, error) {
	return call(ctx, s, func(ctx context.Context) (int64, error) {
		return s.inner.PurgeAttempts(ctx, before, limit)
	})
}

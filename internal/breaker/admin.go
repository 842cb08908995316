package breaker

import (
	"context"
	"time"

	"github.com/authd/authd/internal/auth"
)

// UpdateUser calls the inner store through the breaker.
func (s *Store) UpdateUser(ctx context.Context, c auth.UserUpdate) (auth.User, int64, error) {
	type result struct {
		u     auth.User
		ended int64
	}
	r, err := call(ctx, s, func(ctx context.Context) (result, error) {
		u, n, err := s.inner.UpdateUser(ctx, c)
		return result{u, n}, err
	})
	return r.u, r.ended, err
}

// DeleteUser calls the inner store through the breaker.
func (s *Store) DeleteUser(ctx context.Context, d auth.UserDelete) error {
	_, err := call(ctx, s, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.inner.DeleteUser(ctx, d)
	})
	return err
}

// ListUsers calls the inner store through the breaker.
func (s *Store) ListUsers(ctx context.Context, q auth.UserQuery) ([]auth.User, error) {
	return call(ctx, s, func(ctx context.Context) ([]auth.User, error) {
		return s.inner.ListUsers(ctx, q)
	})
}

// Events calls the inner store through the breaker.
func (s *Store) Events(ctx context.Context, q auth.EventQuery) ([]auth.Event, error) {
	return call(ctx, s, func(ctx context.Context) ([]auth.Event, error) {
		return s.inner.Events(ctx, q)
	})
}

// PurgeEvents calls the inner store through the breaker.
func (s *Store) PurgeEvents(ctx context.Context, before time.Time, limit int) (int64, error) {
	return call(ctx, s, func(ctx context.Context) (int64, error) {
		return s.inner.PurgeEvents(ctx, before, limit)
	})
}

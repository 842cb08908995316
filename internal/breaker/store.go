package breaker

import (
	"context"
	"time"

	"github.com/authd/authd/internal/auth"
)

// CreateUser calls the inner store through the breaker.
func (s *Store) CreateUser(ctx context.Context, u auth.NewUser) (auth.User, error) {
	return call(ctx, s, func(ctx context.Context) (auth.User, error) {
		return s.inner.CreateUser(ctx, u)
	})
}

// UserByID calls the inner store through the breaker.
func (s *Store) UserByID(ctx context.Context, id int64) (auth.User, error) {
	return call(ctx, s, func(ctx context.Context) (auth.User, error) {
		return s.inner.UserByID(ctx, id)
	})
}

// UserByUsername calls the inner store through the breaker.
func (s *Store) UserByUsername(ctx context.Context, username string) (auth.User, error) {
	return call(ctx, s, func(ctx context.Context) (auth.User, error) {
		return s.inner.UserByUsername(ctx, username)
	})
}

// UserByEmail calls the inner store through the breaker.
func (s *Store) UserByEmail(ctx context.Context, email string) (auth.User, error) {
	return call(ctx, s, func(ctx context.Context) (auth.User, error) {
		return s.inner.UserByEmail(ctx, email)
	})
}

// SetActive calls the inner store through the breaker.
func (s *Store) SetActive(ctx context.Context, c auth.ActiveChange) (int64, error) {
	return call(ctx, s, func(ctx context.Context) (int64, error) {
		return s.inner.SetActive(ctx, c)
	})
}

// ChangePassword calls the inner store through the breaker.
func (s *Store) ChangePassword(ctx context.Context, c auth.PasswordChange) (int64, error) {
	return call(ctx, s, func(ctx context.Context) (int64, error) {
		return s.inner.ChangePassword(ctx, c)
	})
}

// RehashPassword calls the inner store through the breaker.
func (s *Store) RehashPassword(ctx context.Context, id int64, old, new string, t time.Time) (bool, error) {
	return call(ctx, s, func(ctx context.Context) (bool, error) {
		return s.inner.RehashPassword(ctx, id, old, new, t)
	})
}

// Ping asks the database itself, with the call deadline but around the
// breaker: readiness must say whether the database answers, which is also
// what tells an operator it is back while the breaker is still open. A
// ping neither counts towards opening the breaker nor is refused by it.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.settings.CallTimeout)
	defer cancel()
	return s.inner.Ping(ctx)
}

// Close closes the inner store.
func (s *Store) Close() error { return s.inner.Close() }

package breaker

import (
	"context"
	"time"

	"github.com/authd/authd/internal/auth"
)

// sessionUser is the two results of SessionWithUser as one value for call.
type sessionUser struct {
	s auth.Session
	u auth.User
}

// CreateSession calls the inner store through the breaker.
func (s *Store) CreateSession(ctx context.Context, n auth.NewSession) (int64, error) {
	return call(ctx, s, func(ctx context.Context) (int64, error) {
		return s.inner.CreateSession(ctx, n)
	})
}

// SessionWithUser calls the inner store through the breaker.
func (s *Store) SessionWithUser(ctx context.Context, id string) (auth.Session, auth.User, error) {
	su, err := call(ctx, s, func(ctx context.Context) (sessionUser, error) {
		sess, u, err := s.inner.SessionWithUser(ctx, id)
		return sessionUser{sess, u}, err
	})
	return su.s, su.u, err
}

// RotateSession calls the inner store through the breaker.
func (s *Store) RotateSession(ctx context.Context, r auth.SessionRotation) (bool, error) {
	return call(ctx, s, func(ctx context.Context) (bool, error) {
		return s.inner.RotateSession(ctx, r)
	})
}

// EndSession calls the inner store through the breaker.
func (s *Store) EndSession(ctx context.Context, e auth.SessionEnd) (bool, error) {
	return call(ctx, s, func(ctx context.Context) (bool, error) {
		return s.inner.EndSession(ctx, e)
	})
}

// EndUserSessions calls the inner store through the breaker.
func (s *Store) EndUserSessions(ctx context.Context, e auth.SessionEnd) (int64, error) {
	return call(ctx, s, func(ctx context.Context) (int64, error) {
		return s.inner.EndUserSessions(ctx, e)
	})
}

// UserSessions calls the inner store through the breaker.
func (s *Store) UserSessions(ctx context.Context, userID int64, t time.Time) ([]auth.Session, error) {
	return call(ctx, s, func(ctx context.Context) ([]auth.Session, error) {
		return s.inner.UserSessions(ctx, userID, t)
	})
}

// PurgeSessions calls the inner store through the breaker.
func (s *Store) PurgeSessions(ctx context.Context, before time.Time, limit int) (auth.PurgedSessions, error) {
	return call(ctx, s, func(ctx context.Context) (auth.PurgedSessions, error) {
		return s.inner.PurgeSessions(ctx, before, limit)
	})
}

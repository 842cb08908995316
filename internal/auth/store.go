package auth

import (
	"context"
	"time"
)

// Store persists users. Implementations live in internal/store/...; each must
// pass the storetest suite.
//
// Errors: a lookup that finds nothing wraps ErrUserNotFound; a write refused
// by a unique constraint wraps ErrUserExists (uniqueness is decided by the
// database, never by a check-then-insert); an infrastructure failure is
// returned wrapped in DatabaseError. No driver type escapes a Store.
type Store interface {
	// CreateUser inserts u as an active user and returns it with its ID.
	CreateUser(ctx context.Context, u NewUser) (User, error)
	// UserByID returns the user with that ID.
	UserByID(ctx context.Context, id int64) (User, error)
	// UserByUsername matches the username without regard to ASCII case.
	UserByUsername(ctx context.Context, username string) (User, error)
	// UserByEmail matches the email without regard to case.
	UserByEmail(ctx context.Context, email string) (User, error)
	// SetLastLogin records a successful login at t (also updated_at).
	SetLastLogin(ctx context.Context, id int64, t time.Time) error
	// SetActive activates or deactivates a user; updated_at becomes t.
	SetActive(ctx context.Context, id int64, active bool, t time.Time) error
	// SetPasswordHash replaces the user's password hash (a rehash at a new
	// bcrypt cost, a changed password); updated_at becomes t.
	SetPasswordHash(ctx context.Context, id int64, hash string, t time.Time) error
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error
}

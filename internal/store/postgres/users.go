package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/authd/authd/internal/auth"
)

// dbTime is a time as the store writes it. timestamptz keeps microseconds;
// truncating to whole seconds keeps this store's behaviour that of the
// SQLite one, whose RFC 3339 text holds none.
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

// CreateUser inserts u as an active user. The unique indexes, not a prior
// lookup, decide whether the username or email is taken.
func (s *Store) CreateUser(ctx context.Context, u auth.NewUser) (auth.User, error) {
	created := dbTime(u.CreatedAt)
	row := s.pool.QueryRow(ctx, `
		INSERT INTO users (username, email, hashed_password, is_active, created_at, updated_at)
		VALUES ($1, $2, $3, true, $4, $4)
		RETURNING id, username, email, hashed_password, is_active, created_at, updated_at, last_login`,
		u.Username, u.Email, u.HashedPassword, created)
	user, err := scanUser(row)
	if err != nil {
		return auth.User{}, translate("create user", err)
	}
	return user, nil
}

// UserByID returns the user with that ID.
func (s *Store) UserByID(ctx context.Context, id int64) (auth.User, error) {
	row := s.pool.QueryRow(ctx, `
		SELECT id, username, email, hashed_password, is_active, created_at, updated_at, last_login
		FROM users
		WHERE id = $1`,
		id)
	user, err := scanUser(row)
	if err != nil {
		return auth.User{}, translate("user by id", err)
	}
	return user, nil
}

// UserByUsername matches the username without regard to case, through the
// index on lower(username).
func (s *Store) UserByUsername(ctx context.Context, username string) (auth.User, error) {
	row := s.pool.QueryRow(ctx, `
		SELECT id, username, email, hashed_password, is_active, created_at, updated_at, last_login
		FROM users
		WHERE lower(username) = lower($1)`,
		username)
	user, err := scanUser(row)
	if err != nil {
		return auth.User{}, translate("user by username", err)
	}
	return user, nil
}

// UserByEmail matches the email without regard to case, through the index
// on lower(email).
func (s *Store) UserByEmail(ctx context.Context, email string) (auth.User, error) {
	row := s.pool.QueryRow(ctx, `
		SELECT id, username, email, hashed_password, is_active, created_at, updated_at, last_login
		FROM users
		WHERE lower(email) = lower($1)`,
		email)
	user, err := scanUser(row)
	if err != nil {
		return auth.User{}, translate("user by email", err)
	}
	return user, nil
}

// SetLastLogin records a successful login at t, which is also the new updated_at.
func (s *Store) SetLastLogin(ctx context.Context, id int64, t time.Time) error {
	tag, err := s.pool.Exec(ctx, `
		UPDATE users SET last_login = $1, updated_at = $1 WHERE id = $2`,
		dbTime(t), id)
	return updated("set last login", id, tag, err)
}

// SetActive activates or deactivates a user; updated_at becomes t.
func (s *Store) SetActive(ctx context.Context, id int64, active bool, t time.Time) error {
	tag, err := s.pool.Exec(ctx, `
		UPDATE users SET is_active = $1, updated_at = $2 WHERE id = $3`,
		active, dbTime(t), id)
	return updated("set active", id, tag, err)
}

// SetPasswordHash replaces the user's password hash; updated_at becomes t.
func (s *Store) SetPasswordHash(ctx context.Context, id int64, hash string, t time.Time) error {
	tag, err := s.pool.Exec(ctx, `
		UPDATE users SET hashed_password = $1, updated_at = $2 WHERE id = $3`,
		hash, dbTime(t), id)
	return updated("set password hash", id, tag, err)
}

// updated turns the outcome of an UPDATE of one user by ID into the store's
// errors: no row matched means no such user.
func updated(op string, id int64, tag pgconn.CommandTag, err error) error {
	if err != nil {
		return translate(op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s: user %d: %w", op, id, auth.ErrUserNotFound)
	}
	return nil
}

// scanUser reads the columns every query above selects, in their order.
// pgx returns timestamptz in the local time zone; the store's times are UTC.
func scanUser(row pgx.Row) (auth.User, error) {
	var u auth.User
	err := row.Scan(&u.ID, &u.Username, &u.Email, &u.HashedPassword, &u.IsActive,
		&u.CreatedAt, &u.UpdatedAt, &u.LastLogin)
	if err != nil {
		return auth.User{}, err
	}
	userUTC(&u)
	return u, nil
}

// userUTC puts the times pgx returned in the local zone into UTC.
func userUTC(u *auth.User) {
	u.CreatedAt = u.CreatedAt.UTC()
	u.UpdatedAt = u.UpdatedAt.UTC()
	if u.LastLogin != nil {
		t := u.LastLogin.UTC()
		u.LastLogin = &t
	}
}

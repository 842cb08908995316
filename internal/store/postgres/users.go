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

// CreateUser inserts u as an active user, and its first session when
// u.Session is set, in one transaction. The unique indexes, not a prior
// lookup, decide whether the username or email is taken.
func (s *Store) CreateUser(ctx context.Context, u auth.NewUser) (auth.User, error) {
	var user auth.User
	err := s.inTx(ctx, "create user", func(tx pgx.Tx) error {
		row := tx.QueryRow(ctx, `
			INSERT INTO users (username, email, hashed_password, is_active, roles, created_at, updated_at, email_verified_at)
			VALUES ($1, $2, $3, $5, $6, $4, $4, CASE WHEN $7::boolean THEN $8::timestamptz END)
			RETURNING id, username, email, hashed_password, is_active, roles, created_at, updated_at, last_login, email_verified_at,
			EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = users.id AND f.confirmed_at IS NOT NULL)`,
			u.Username, u.Email, u.HashedPassword, dbTime(u.CreatedAt), !u.Inactive, auth.JoinRoles(u.Roles), u.Verified, dbTime(u.CreatedAt))
		var err error
		if user, err = scanUser(row); err != nil {
			return translate("create user", err)
		}
		e := u.Event
		e.UserID = user.ID
		if err := insertEvent(ctx, tx, e); err != nil {
			return err
		}
		if err := recordLoginSuccess(ctx, tx, u.Throttle); err != nil {
			return err
		}
		if u.Verify != nil {
			r := *u.Verify
			r.Code.UserID = user.ID
			if _, err := requestCode(ctx, tx, r); err != nil {
				return err
			}
		}
		if u.Session == nil {
			return nil
		}
		sess := *u.Session
		sess.UserID = user.ID
		return insertSession(ctx, tx, sess)
	})
	if err != nil {
		return auth.User{}, err
	}
	return user, nil
}

// UserByID returns the user with that ID.
func (s *Store) UserByID(ctx context.Context, id int64) (auth.User, error) {
	row := s.pool.QueryRow(ctx, `
		SELECT id, username, email, hashed_password, is_active, roles, created_at, updated_at, last_login, email_verified_at,
			EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = users.id AND f.confirmed_at IS NOT NULL)
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
		SELECT id, username, email, hashed_password, is_active, roles, created_at, updated_at, last_login, email_verified_at,
			EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = users.id AND f.confirmed_at IS NOT NULL)
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
		SELECT id, username, email, hashed_password, is_active, roles, created_at, updated_at, last_login, email_verified_at,
			EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = users.id AND f.confirmed_at IS NOT NULL)
		FROM users
		WHERE lower(email) = lower($1)`,
		email)
	user, err := scanUser(row)
	if err != nil {
		return auth.User{}, translate("user by email", err)
	}
	return user, nil
}

// SetActive activates or deactivates the user and, on deactivation, ends
// their sessions, in one transaction.
func (s *Store) SetActive(ctx context.Context, c auth.ActiveChange) (int64, error) {
	var ended int64
	err := s.inTx(ctx, "set active", func(tx pgx.Tx) error {
		if !c.Active {
			if err := keepAnAdmin(ctx, tx, c.UserID); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `
			UPDATE users SET is_active = $1, updated_at = $2 WHERE id = $3`,
			c.Active, dbTime(c.At), c.UserID)
		if err := updated("set active", c.UserID, auth.ErrUserNotFound, tag, err); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, c.Event); err != nil {
			return err
		}
		if c.Active {
			return nil
		}
		ended, err = endUserSessions(ctx, tx, auth.SessionEnd{UserID: c.UserID, Reason: auth.EndDeactivated, At: c.At})
		return err
	})
	return ended, err
}

// ChangePassword replaces the hash and ends the user's other sessions in
// one transaction.
func (s *Store) ChangePassword(ctx context.Context, c auth.PasswordChange) (int64, error) {
	var ended int64
	err := s.inTx(ctx, "change password", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE users SET hashed_password = $1, updated_at = $2 WHERE id = $3`,
			c.Hash, dbTime(c.At), c.UserID)
		if err := updated("change password", c.UserID, auth.ErrUserNotFound, tag, err); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, c.Event); err != nil {
			return err
		}
		ended, err = endUserSessions(ctx, tx, auth.SessionEnd{UserID: c.UserID, Except: c.KeepSession, Reason: auth.EndPassword, At: c.At})
		return err
	})
	return ended, err
}

// RehashPassword replaces the hash only while it is still old: one UPDATE,
// so a password changed since the login read the user is never undone.
func (s *Store) RehashPassword(ctx context.Context, id int64, old, new string, t time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, `
		UPDATE users SET hashed_password = $1, updated_at = $2 WHERE id = $3 AND hashed_password = $4`,
		new, dbTime(t), id, old)
	return matched("rehash password", tag, err)
}

// updated turns the outcome of an UPDATE of one user by ID into the store's
// errors: no row matched is missing (ErrUserNotFound, or ErrUserInactive
// for a write that matches only an active user).
func updated(op string, id int64, missing error, tag pgconn.CommandTag, err error) error {
	if err != nil {
		return translate(op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s: user %d: %w", op, id, missing)
	}
	return nil
}

// scanUser reads the columns every query above selects, in their order.
// pgx returns timestamptz in the local time zone; the store's times are UTC.
func scanUser(row pgx.Row) (auth.User, error) {
	var (
		u     auth.User
		roles string
	)
	err := row.Scan(&u.ID, &u.Username, &u.Email, &u.HashedPassword, &u.IsActive, &roles,
		&u.CreatedAt, &u.UpdatedAt, &u.LastLogin, &u.EmailVerifiedAt, &u.MFAEnabled)
	if err != nil {
		return auth.User{}, err
	}
	u.Roles = auth.SplitRoles(roles)
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
	if u.EmailVerifiedAt != nil {
		t := u.EmailVerifiedAt.UTC()
		u.EmailVerifiedAt = &t
	}
}

package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/authd/authd/internal/auth"
)

// timeLayout is how a time is stored: SQLite has no time type, so times are
// TEXT in UTC RFC 3339. Formatting drops the fraction of a second, which
// keeps the store at whole seconds like the PostgreSQL one.
const timeLayout = time.RFC3339

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// CreateUser inserts u as an active user, and its first session when
// u.Session is set, in one transaction. The unique indexes, not a prior
// lookup, decide whether the username or email is taken.
func (s *Store) CreateUser(ctx context.Context, u auth.NewUser) (auth.User, error) {
	insert, err := s.insertSessionStmt(ctx)
	if err != nil {
		return auth.User{}, err
	}
	var user auth.User
	err = s.inTx(ctx, "create user", func(tx *sql.Tx) error {
		created := formatTime(u.CreatedAt)
		row := tx.QueryRowContext(ctx, `
			INSERT INTO users (username, email, hashed_password, is_active, roles, created_at, updated_at, email_verified_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, CASE WHEN ? THEN ? END)
			RETURNING id, username, email, hashed_password, is_active, roles, created_at, updated_at, last_login, email_verified_at,
			EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = users.id AND f.confirmed_at IS NOT NULL)`,
			u.Username, u.Email, u.HashedPassword, !u.Inactive, auth.JoinRoles(u.Roles), created, created, u.Verified, created)
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
		return insertSession(ctx, tx, insert, sess)
	})
	if err != nil {
		return auth.User{}, err
	}
	return user, nil
}

// UserByID returns the user with that ID.
func (s *Store) UserByID(ctx context.Context, id int64) (auth.User, error) {
	stmt, err := s.reads.prepare(ctx, s.read, `
		SELECT id, username, email, hashed_password, is_active, roles, created_at, updated_at, last_login, email_verified_at,
			EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = users.id AND f.confirmed_at IS NOT NULL)
		FROM users
		WHERE id = ?`)
	if err != nil {
		return auth.User{}, translate("user by id", err)
	}
	user, err := scanUser(stmt.QueryRowContext(ctx, id))
	if err != nil {
		return auth.User{}, translate("user by id", err)
	}
	return user, nil
}

// UserByUsername matches the username without regard to ASCII case, through
// the index on lower(username).
func (s *Store) UserByUsername(ctx context.Context, username string) (auth.User, error) {
	stmt, err := s.reads.prepare(ctx, s.read, `
		SELECT id, username, email, hashed_password, is_active, roles, created_at, updated_at, last_login, email_verified_at,
			EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = users.id AND f.confirmed_at IS NOT NULL)
		FROM users
		WHERE lower(username) = lower(?)`)
	if err != nil {
		return auth.User{}, translate("user by username", err)
	}
	user, err := scanUser(stmt.QueryRowContext(ctx, username))
	if err != nil {
		return auth.User{}, translate("user by username", err)
	}
	return user, nil
}

// UserByEmail matches the email without regard to case, through the index
// on lower(email).
func (s *Store) UserByEmail(ctx context.Context, email string) (auth.User, error) {
	stmt, err := s.reads.prepare(ctx, s.read, `
		SELECT id, username, email, hashed_password, is_active, roles, created_at, updated_at, last_login, email_verified_at,
			EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = users.id AND f.confirmed_at IS NOT NULL)
		FROM users
		WHERE lower(email) = lower(?)`)
	if err != nil {
		return auth.User{}, translate("user by email", err)
	}
	user, err := scanUser(stmt.QueryRowContext(ctx, email))
	if err != nil {
		return auth.User{}, translate("user by email", err)
	}
	return user, nil
}

// SetActive activates or deactivates the user and, on deactivation, ends
// their sessions, in one transaction.
func (s *Store) SetActive(ctx context.Context, c auth.ActiveChange) (int64, error) {
	var ended int64
	err := s.inTx(ctx, "set active", func(tx *sql.Tx) error {
		if !c.Active {
			if err := keepAnAdmin(ctx, tx, c.UserID); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE users SET is_active = ?, updated_at = ? WHERE id = ?`,
			c.Active, formatTime(c.At), c.UserID)
		if err := updated("set active", c.UserID, auth.ErrUserNotFound, res, err); err != nil {
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
	err := s.inTx(ctx, "change password", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE users SET hashed_password = ?, updated_at = ? WHERE id = ?`,
			c.Hash, formatTime(c.At), c.UserID)
		if err := updated("change password", c.UserID, auth.ErrUserNotFound, res, err); err != nil {
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
	res, err := s.write.ExecContext(ctx, `
		UPDATE users SET hashed_password = ?, updated_at = ? WHERE id = ? AND hashed_password = ?`,
		new, formatTime(t), id, old)
	return matched("rehash password", res, err)
}

// updated turns the outcome of an UPDATE of one user by ID into the store's
// errors: no row matched is missing (ErrUserNotFound, or ErrUserInactive
// for a write that matches only an active user). SQLite counts the rows the
// UPDATE matched, even when it wrote the values they already had.
func updated(op string, id int64, missing error, res sql.Result, err error) error {
	if err != nil {
		return translate(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return translate(op, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: user %d: %w", op, id, missing)
	}
	return nil
}

// scanUser reads the columns every query above selects, in their order.
func scanUser(row interface{ Scan(...any) error }) (auth.User, error) {
	var (
		u  auth.User
		ut userTimes
	)
	err := row.Scan(&u.ID, &u.Username, &u.Email, &u.HashedPassword, &u.IsActive, &ut.roles,
		&ut.created, &ut.updated, &ut.lastLogin, &ut.verified, &u.MFAEnabled)
	if err != nil {
		return auth.User{}, err
	}
	if err := ut.into(&u); err != nil {
		return auth.User{}, err
	}
	return u, nil
}

// userTimes holds a user row's times as SQLite returns them, TEXT, until
// they are parsed.
type userTimes struct {
	roles               string
	created, updated    string
	lastLogin, verified sql.NullString
}

func (ut *userTimes) into(u *auth.User) error {
	u.Roles = auth.SplitRoles(ut.roles)
	var err error
	if u.CreatedAt, err = parseTime(ut.created); err != nil {
		return err
	}
	if u.UpdatedAt, err = parseTime(ut.updated); err != nil {
		return err
	}
	if ut.lastLogin.Valid {
		t, err := parseTime(ut.lastLogin.String)
		if err != nil {
			return err
		}
		u.LastLogin = &t
	}
	if ut.verified.Valid {
		t, err := parseTime(ut.verified.String)
		if err != nil {
			return err
		}
		u.EmailVerifiedAt = &t
	}
	return nil
}

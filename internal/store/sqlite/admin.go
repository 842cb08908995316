package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/authd/authd/internal/auth"
)

// userColumns are the columns scanUser reads, in its order; the last is
// mfa_enabled (a confirmed factor), as SessionWithUser reads it.
const userColumns = `id, username, email, hashed_password, is_active, roles, created_at, updated_at, last_login, email_verified_at,
			EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = users.id AND f.confirmed_at IS NOT NULL)`

// isAdmin is the SQL test of "holds admin" on the comma-joined roles
// column (see migration 00005); role names hold no comma.
const isAdmin = `(',' || roles || ',') LIKE '%,admin,%'`

// keepAnAdmin refuses, within tx, a change that would take admin from the
// last active admin: when id is an active admin and no other active user
// holds admin, it is ErrLastAdmin. SQLite runs one write transaction at a
// time (BEGIN IMMEDIATE), so two racing demotions are checked one after
// the other and the second sees the first.
func keepAnAdmin(ctx context.Context, tx *sql.Tx, id int64) error {
	var target, other bool
	err := tx.QueryRowContext(ctx, `
		SELECT
			EXISTS (SELECT 1 FROM users WHERE id = ? AND is_active AND `+isAdmin+`),
			EXISTS (SELECT 1 FROM users WHERE id <> ? AND is_active AND `+isAdmin+`)`,
		id, id).Scan(&target, &other)
	if err != nil {
		return translate("last admin", err)
	}
	if target && !other {
		return fmt.Errorf("user %d: %w", id, auth.ErrLastAdmin)
	}
	return nil
}

// UpdateUser applies the set fields in one UPDATE (a NULL parameter keeps
// the column), after the last-admin check, with the sessions' ends and the
// event, in one transaction.
func (s *Store) UpdateUser(ctx context.Context, c auth.UserUpdate) (auth.User, int64, error) {
	var (
		u     auth.User
		ended int64
	)
	var roles *string
	if c.Roles != nil {
		r := auth.JoinRoles(*c.Roles)
		roles = &r
	}
	err := s.inTx(ctx, "update user", func(tx *sql.Tx) error {
		if c.MayRemoveAdmin() {
			if err := keepAnAdmin(ctx, tx, c.UserID); err != nil {
				return err
			}
		}
		var err error
		u, err = scanUser(tx.QueryRowContext(ctx, `
			UPDATE users SET username = coalesce(?1, username), email = coalesce(?2, email),
				is_active = coalesce(?3, is_active), roles = coalesce(?4, roles), updated_at = ?5,
				email_verified_at = CASE
					WHEN ?6 IS NOT NULL THEN CASE WHEN ?6 AND email = coalesce(?2, email) THEN coalesce(email_verified_at, ?5)
						WHEN ?6 THEN ?5 END
					WHEN email <> coalesce(?2, email) THEN NULL
					ELSE email_verified_at END
			WHERE id = ?7
			RETURNING `+userColumns,
			c.Username, c.Email, c.Active, roles, formatTime(c.At), c.Verified, c.UserID))
		if err != nil {
			return translate("update user", err)
		}
		if err := insertEvent(ctx, tx, c.Event); err != nil {
			return err
		}
		if u.IsActive {
			return nil
		}
		ended, err = endUserSessions(ctx, tx, auth.SessionEnd{UserID: c.UserID, Reason: auth.EndDeactivated, At: c.At})
		return err
	})
	return u, ended, err
}

// DeleteUser deletes the user after the last-admin check; the foreign
// keys' ON DELETE CASCADE (foreign_keys is on for every connection) take
// its sessions and every later table that references users. The event is
// written in the same transaction; audit_events has no foreign key, so the
// user's events stay.
func (s *Store) DeleteUser(ctx context.Context, d auth.UserDelete) error {
	return s.inTx(ctx, "delete user", func(tx *sql.Tx) error {
		if err := keepAnAdmin(ctx, tx, d.UserID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, d.UserID)
		if err := updated("delete user", d.UserID, auth.ErrUserNotFound, res, err); err != nil {
			return err
		}
		return insertEvent(ctx, tx, d.Event)
	})
}

// ListUsers walks the primary key from q.After and stops after q.Limit
// matches. The search (auth.ContainsPattern: a substring of
// lower(username) or of email, stored lower-cased) has no index on SQLite:
// its cost is bounded by the walk, which the cursor keeps from restarting
// at the first row. ESCAPE makes \ LIKE's escape, as PostgreSQL's is.
func (s *Store) ListUsers(ctx context.Context, q auth.UserQuery) ([]auth.User, error) {
	pattern := auth.ContainsPattern(q.Query)
	rows, err := s.read.QueryContext(ctx, `
		SELECT `+userColumns+`
		FROM users
		WHERE id > ?1 AND (lower(username) LIKE ?2 ESCAPE '\' OR email LIKE ?2 ESCAPE '\')
		ORDER BY id
		LIMIT ?3`,
		q.After, pattern, q.Limit)
	if err != nil {
		return nil, translate("list users", err)
	}
	defer rows.Close()
	out := []auth.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, translate("list users", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, translate("list users", err)
	}
	return out, nil
}

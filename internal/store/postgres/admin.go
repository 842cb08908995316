package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

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
// last active admin (ErrLastAdmin). It locks the rows of every active
// admin, in id order, before it counts: a racing demotion of another admin
// waits for this transaction, and when it gets the lock PostgreSQL checks
// the WHERE again on the row as committed, so a just-demoted admin is no
// longer counted (READ COMMITTED's re-check of locked rows). Of two
// demotions of the last two admins, exactly one passes.
func keepAnAdmin(ctx context.Context, tx pgx.Tx, id int64) error {
	rows, err := tx.Query(ctx, `
		SELECT id FROM users WHERE is_active AND `+isAdmin+`
		ORDER BY id
		FOR UPDATE`)
	if err != nil {
		return translate("last admin", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return translate("last admin", err)
	}
	if len(ids) == 1 && slices.Contains(ids, id) {
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
		roles *string
	)
	if c.Roles != nil {
		r := auth.JoinRoles(*c.Roles)
		roles = &r
	}
	err := s.inTx(ctx, "update user", func(tx pgx.Tx) error {
		if c.MayRemoveAdmin() {
			if err := keepAnAdmin(ctx, tx, c.UserID); err != nil {
				return err
			}
		}
		var err error
		u, err = scanUser(tx.QueryRow(ctx, `
			UPDATE users SET username = coalesce($1, username), email = coalesce($2, email),
				is_active = coalesce($3, is_active), roles = coalesce($4, roles), updated_at = $5,
				email_verified_at = CASE
					WHEN $7::boolean IS NOT NULL THEN CASE WHEN $7 AND email = coalesce($2, email) THEN coalesce(email_verified_at, $5)
						WHEN $7 THEN $5 END
					WHEN email <> coalesce($2, email) THEN NULL
					ELSE email_verified_at END
			WHERE id = $6
			RETURNING `+userColumns,
			c.Username, c.Email, c.Active, roles, dbTime(c.At), c.UserID, c.Verified))
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
// keys' ON DELETE CASCADE take its sessions and every later table that
// references users. audit_events has no foreign key: the events stay.
func (s *Store) DeleteUser(ctx context.Context, d auth.UserDelete) error {
	return s.inTx(ctx, "delete user", func(tx pgx.Tx) error {
		if err := keepAnAdmin(ctx, tx, d.UserID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM users WHERE id = $1`, d.UserID)
		if err := updated("delete user", d.UserID, auth.ErrUserNotFound, tag, err); err != nil {
			return err
		}
		return insertEvent(ctx, tx, d.Event)
	})
}

// ListUsers returns a page by id. The search is a substring of
// lower(username) or of email (stored lower-cased), as LIKE patterns the
// trigram index of migration 00005 serves, so a rare match is found
// without walking every user; a common one is found by walking the
// primary key, which stops at the page's end. Without pg_trgm, the walk
// alone bounds it.
func (s *Store) ListUsers(ctx context.Context, q auth.UserQuery) ([]auth.User, error) {
	var (
		rows pgx.Rows
		err  error
	)
	if q.Query == "" {
		rows, err = s.pool.Query(ctx, `
			SELECT `+userColumns+`
			FROM users
			WHERE id > $1
			ORDER BY id
			LIMIT $2`,
			q.After, q.Limit)
	} else {
		// QueryExecModeExec plans this statement for its pattern each time:
		// a cached statement soon gets PostgreSQL's generic plan, which
		// cannot know the pattern, so it never uses the trigram index and
		// walks every user for a rare match (p99 129 ms at 100,000 users).
		rows, err = s.pool.Query(ctx, `
			SELECT `+userColumns+`
			FROM users
			WHERE id > $1 AND (lower(username) LIKE $2 OR email LIKE $2)
			ORDER BY id
			LIMIT $3`,
			pgx.QueryExecModeExec, q.After, auth.ContainsPattern(q.Query), q.Limit)
	}
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

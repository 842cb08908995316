package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/authd/authd/internal/auth"
)

// sessionColumns are the columns sessionDest reads, in its order.
const sessionColumns = `s.id, s.user_id, s.counter, s.created_at, s.last_used_at, s.rotated_at,
	s.expires_at, s.max_expires_at, s.ended_at, s.end_reason, s.ip, s.user_agent, s.rotated_ip, s.aal`

// CreateSession inserts the session and writes what its login records,
// in one transaction: last_login first, then the throttle records, then
// the session, then the ends of the cap.
//
// The cap is counted under the user's row lock, taken first: by the
// UPDATE of last_login, or by lockUser when there is none. Two logins of
// one user on any replicas thus run one after the other, and the second
// (READ COMMITTED: each statement sees what committed before it began)
// counts the first one's session; without the lock both could count the
// same sessions, end the same oldest one, and leave one over the cap.
func (s *Store) CreateSession(ctx context.Context, n auth.NewSession) (int64, error) {
	var ended int64
	err := s.inTx(ctx, "create session", func(tx pgx.Tx) error {
		if !n.LastLogin && n.Cap > 0 {
			if err := lockUser(ctx, tx, n.Session.UserID); err != nil {
				return err
			}
		}
		if n.LastLogin {
			tag, err := tx.Exec(ctx, `
				UPDATE users SET last_login = $1, updated_at = $1 WHERE id = $2 AND is_active`,
				dbTime(n.Session.CreatedAt), n.Session.UserID)
			if err := updated("set last login", n.Session.UserID, auth.ErrUserInactive, tag, err); err != nil {
				return err
			}
		}
		if err := recordLoginSuccess(ctx, tx, n.Throttle); err != nil {
			return err
		}
		if err := insertSession(ctx, tx, n.Session); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, n.Event); err != nil {
			return err
		}
		var err error
		ended, err = capSessions(ctx, tx, n)
		return err
	})
	return ended, err
}

// lockUser takes the user's row lock within tx until it ends: the lock an
// UPDATE of the row takes (FOR NO KEY UPDATE), so it queues behind, and
// holds back, a login's UPDATE of last_login alike.
func lockUser(ctx context.Context, tx pgx.Tx, id int64) error {
	_, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE`, id)
	if err != nil {
		return translate("lock user", err)
	}
	return nil
}

// capSessions ends, within tx, the live sessions of n's user beyond n.Cap
// with the oldest last_used_at, keeping n.Session, and returns how many.
// The caller holds the user's row lock (see CreateSession).
func capSessions(ctx context.Context, tx pgx.Tx, n auth.NewSession) (int64, error) {
	if n.Cap <= 0 {
		return 0, nil
	}
	at := dbTime(n.Session.CreatedAt)
	tag, err := tx.Exec(ctx, `
		UPDATE sessions SET ended_at = $1, end_reason = $2
		WHERE id IN (
			SELECT id FROM sessions
			WHERE user_id = $3 AND id <> $4 AND ended_at IS NULL AND expires_at > $1
			ORDER BY last_used_at DESC, created_at DESC, id
			OFFSET $5)`,
		at, string(auth.EndCap), n.Session.UserID, n.Session.ID, n.Cap-1)
	if err != nil {
		return 0, translate("cap sessions", err)
	}
	return tag.RowsAffected(), nil
}

// insertSession inserts sess within tx.
func insertSession(ctx context.Context, tx pgx.Tx, sess auth.Session) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO sessions (id, user_id, counter, created_at, last_used_at, rotated_at,
			expires_at, max_expires_at, ip, user_agent, aal)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		sess.ID, sess.UserID, sess.Counter, dbTime(sess.CreatedAt), dbTime(sess.LastUsedAt),
		dbTime(sess.RotatedAt), dbTime(sess.ExpiresAt), dbTime(sess.MaxExpiresAt), sess.IP, sess.UserAgent, sessionAAL(sess))
	if err != nil {
		return translate("create session", err)
	}
	return nil
}

// SessionWithUser reads the session and its user in one query.
func (s *Store) SessionWithUser(ctx context.Context, id string) (auth.Session, auth.User, error) {
	var (
		sess   auth.Session
		u      auth.User
		reason *string
		roles  string
	)
	err := s.pool.QueryRow(ctx, `
		SELECT `+sessionColumns+`,
			u.id, u.username, u.email, u.hashed_password, u.is_active, u.roles, u.created_at, u.updated_at, u.last_login, u.email_verified_at,
			EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL)
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = $1`,
		id).Scan(append(sessionDest(&sess, &reason),
		&u.ID, &u.Username, &u.Email, &u.HashedPassword, &u.IsActive, &roles, &u.CreatedAt, &u.UpdatedAt, &u.LastLogin, &u.EmailVerifiedAt, &u.MFAEnabled)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.Session{}, auth.User{}, fmt.Errorf("session with user: %w", auth.ErrSessionNotFound)
	}
	if err != nil {
		return auth.Session{}, auth.User{}, translate("session with user", err)
	}
	sessionUTC(&sess, reason)
	userUTC(&u)
	u.Roles = auth.SplitRoles(roles)
	return sess, u, nil
}

// RotateSession is the compare-and-swap of a refresh: one UPDATE that
// matches only while the counter is still from. Of racing refreshes, the
// first UPDATE takes the row lock; the others wait for it, re-check the
// WHERE clause against the new row (READ COMMITTED) and match nothing. No
// explicit lock, no retry.
//
// The rotation commits without waiting for its WAL record to reach the
// disk (synchronous_commit off, for this transaction only; the four
// statements go in one round trip). Waiting for that flush was most of a
// refresh's time: a refresh load ran 2.4 times faster with it off (see
// docs/benchmarks.md). What a crash of the database server can then lose
// is the last fraction of a second of rotations, never consistency: a
// client holding a token of a lost rotation is refused (INVALID_TOKEN) and
// logs in again. Users, logouts and everything else keep the server's own
// setting.
func (s *Store) RotateSession(ctx context.Context, r auth.SessionRotation) (bool, error) {
	b := &pgx.Batch{}
	b.Queue(`BEGIN`)
	b.Queue(`SET LOCAL synchronous_commit TO OFF`)
	b.Queue(`
		UPDATE sessions SET counter = counter + 1, rotated_at = $1, last_used_at = $1, expires_at = $2, rotated_ip = $5
		WHERE id = $3 AND counter = $4 AND ended_at IS NULL`,
		dbTime(r.At), dbTime(r.Expires), r.ID, r.From, r.IP)
	b.Queue(`COMMIT`)
	br := s.pool.SendBatch(ctx, b)
	var (
		tag pgconn.CommandTag
		err error
	)
	for i := range b.Len() {
		got, e := br.Exec()
		if i == 2 {
			tag = got
		}
		if err == nil {
			err = e
		}
	}
	// A failed batch leaves its transaction open; the pool drops such a
	// connection instead of handing it out again.
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return matched("rotate session", tag, err)
}

// EndSession ends the session when it is the user's and live at e.At.
// The event is written with the end, in one transaction, when it ended one.
func (s *Store) EndSession(ctx context.Context, e auth.SessionEnd) (bool, error) {
	var ended bool
	err := s.inTx(ctx, "end session", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE sessions SET ended_at = $1, end_reason = $2
			WHERE id = $3 AND user_id = $4 AND ended_at IS NULL AND expires_at > $1`,
			dbTime(e.At), string(e.Reason), e.ID, e.UserID)
		if ended, err = matched("end session", tag, err); err != nil || !ended {
			return err
		}
		return insertEvent(ctx, tx, e.Event)
	})
	return ended, err
}

// EndUserSessions ends every session of the user not ended yet, but e.Except.
func (s *Store) EndUserSessions(ctx context.Context, e auth.SessionEnd) (int64, error) {
	var n int64
	err := s.inTx(ctx, "end user sessions", func(tx pgx.Tx) error {
		var err error
		if n, err = endUserSessions(ctx, tx, e); err != nil {
			return err
		}
		return insertEvent(ctx, tx, e.Event)
	})
	return n, err
}

// endUserSessions is EndUserSessions within tx, for the use cases that end
// sessions with another change.
func endUserSessions(ctx context.Context, tx pgx.Tx, e auth.SessionEnd) (int64, error) {
	tag, err := tx.Exec(ctx, `
		UPDATE sessions SET ended_at = $1, end_reason = $2
		WHERE user_id = $3 AND id <> $4 AND ended_at IS NULL`,
		dbTime(e.At), string(e.Reason), e.UserID, e.Except)
	if err != nil {
		return 0, translate("end user sessions", err)
	}
	return tag.RowsAffected(), nil
}

// UserSessions lists the user's live sessions at t, newest first.
func (s *Store) UserSessions(ctx context.Context, userID int64, t time.Time) ([]auth.Session, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+sessionColumns+`
		FROM sessions s
		WHERE s.user_id = $1 AND s.ended_at IS NULL AND s.expires_at > $2
		ORDER BY s.created_at DESC, s.id`,
		userID, dbTime(t))
	if err != nil {
		return nil, translate("user sessions", err)
	}
	defer rows.Close()
	var out []auth.Session
	for rows.Next() {
		var (
			sess   auth.Session
			reason *string
		)
		if err := rows.Scan(sessionDest(&sess, &reason)...); err != nil {
			return nil, translate("user sessions", err)
		}
		sessionUTC(&sess, reason)
		out = append(out, sess)
	}
	if err := rows.Err(); err != nil {
		return nil, translate("user sessions", err)
	}
	return out, nil
}

// PurgeSessions deletes at most limit sessions that ended or expired
// before before, and counts the deleted ones that were never ended and
// those ended for deactivation. Replicas purging at once may pick the same
// rows; a row already deleted by another is not returned by this DELETE,
// so it is counted by one only.
func (s *Store) PurgeSessions(ctx context.Context, before time.Time, limit int) (auth.PurgedSessions, error) {
	var p auth.PurgedSessions
	err := s.pool.QueryRow(ctx, `
		WITH gone AS (
			DELETE FROM sessions WHERE id IN (
				SELECT id FROM sessions WHERE ended_at < $1 UNION
				SELECT id FROM sessions WHERE expires_at < $1
				LIMIT $2)
			RETURNING ended_at IS NULL AS expired, end_reason IS NOT DISTINCT FROM $3 AS deactivated)
		SELECT count(*), count(*) FILTER (WHERE expired), count(*) FILTER (WHERE deactivated) FROM gone`,
		dbTime(before), limit, string(auth.EndDeactivated)).Scan(&p.Deleted, &p.Expired, &p.Deactivated)
	if err != nil {
		return auth.PurgedSessions{}, translate("purge sessions", err)
	}
	return p, nil
}

// sessionDest is the Scan destinations of sessionColumns; end_reason is
// nullable, so it goes through reason.
func sessionDest(sess *auth.Session, reason **string) []any {
	return []any{&sess.ID, &sess.UserID, &sess.Counter, &sess.CreatedAt, &sess.LastUsedAt, &sess.RotatedAt,
		&sess.ExpiresAt, &sess.MaxExpiresAt, &sess.EndedAt, reason, &sess.IP, &sess.UserAgent, &sess.RotatedIP, &sess.AAL}
}

// sessionUTC puts the times pgx returned in the local zone into UTC.
func sessionUTC(sess *auth.Session, reason *string) {
	for _, t := range []*time.Time{&sess.CreatedAt, &sess.LastUsedAt, &sess.RotatedAt, &sess.ExpiresAt, &sess.MaxExpiresAt} {
		*t = t.UTC()
	}
	if sess.EndedAt != nil {
		t := sess.EndedAt.UTC()
		sess.EndedAt = &t
	}
	if reason != nil {
		sess.EndReason = auth.EndReason(*reason)
	}
}

// matched reports whether an UPDATE matched a row.
func matched(op string, tag pgconn.CommandTag, err error) (bool, error) {
	if err != nil {
		return false, translate(op, err)
	}
	return tag.RowsAffected() > 0, nil
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/authd/authd/internal/auth"
)

// sessionColumns are the columns scanSession reads, in its order.
const sessionColumns = `s.id, s.user_id, s.counter, s.created_at, s.last_used_at, s.rotated_at,
	s.expires_at, s.max_expires_at, s.ended_at, s.end_reason, s.ip, s.user_agent, s.rotated_ip, s.aal`

// CreateSession inserts the session and writes what its login records,
// in one transaction: last_login first, then the throttle records, then
// the session, then the ends of the cap. SQLite runs one write
// transaction at a time, so the cap's count cannot race another login's.
func (s *Store) CreateSession(ctx context.Context, n auth.NewSession) (int64, error) {
	insert, err := s.insertSessionStmt(ctx)
	if err != nil {
		return 0, err
	}
	var ended int64
	err = s.inTx(ctx, "create session", func(tx *sql.Tx) error {
		if n.LastLogin {
			at := formatTime(n.Session.CreatedAt)
			res, err := tx.ExecContext(ctx, `
				UPDATE users SET last_login = ?, updated_at = ? WHERE id = ? AND is_active`,
				at, at, n.Session.UserID)
			if err := updated("set last login", n.Session.UserID, auth.ErrUserInactive, res, err); err != nil {
				return err
			}
		}
		if err := recordLoginSuccess(ctx, tx, n.Throttle); err != nil {
			return err
		}
		if err := insertSession(ctx, tx, insert, n.Session); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, n.Event); err != nil {
			return err
		}
		ended, err = capSessions(ctx, tx, n)
		return err
	})
	return ended, err
}

// capSessions ends, within tx, the live sessions of n's user beyond n.Cap
// with the oldest last_used_at, keeping n.Session, and returns how many.
// LIMIT -1 is SQLite's "no limit", which it requires before OFFSET.
func capSessions(ctx context.Context, tx *sql.Tx, n auth.NewSession) (int64, error) {
	if n.Cap <= 0 {
		return 0, nil
	}
	at := formatTime(n.Session.CreatedAt)
	res, err := tx.ExecContext(ctx, `
		UPDATE sessions SET ended_at = ?, end_reason = ?
		WHERE id IN (
			SELECT id FROM sessions
			WHERE user_id = ? AND id <> ? AND ended_at IS NULL AND expires_at > ?
			ORDER BY last_used_at DESC, created_at DESC, id
			LIMIT -1 OFFSET ?)`,
		at, string(auth.EndCap), n.Session.UserID, n.Session.ID, at, n.Cap-1)
	return affected("cap sessions", res, err)
}

// insertSessionStmt is the writer's cached statement that inserts a
// session: every login and registration runs it. It must be had before the
// transaction begins: the write pool's one connection is the
// transaction's until it ends, so preparing inside it would wait forever.
func (s *Store) insertSessionStmt(ctx context.Context) (*sql.Stmt, error) {
	st, err := s.writes.prepare(ctx, s.write, `
		INSERT INTO sessions (id, user_id, counter, created_at, last_used_at, rotated_at,
			expires_at, max_expires_at, ip, user_agent, aal)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
	if err != nil {
		return nil, translate("create session", err)
	}
	return st, nil
}

// insertSession inserts sess within tx with insert, the statement of
// insertSessionStmt.
func insertSession(ctx context.Context, tx *sql.Tx, insert *sql.Stmt, sess auth.Session) error {
	_, err := tx.StmtContext(ctx, insert).ExecContext(ctx,
		sess.ID, sess.UserID, sess.Counter, formatTime(sess.CreatedAt), formatTime(sess.LastUsedAt),
		formatTime(sess.RotatedAt), formatTime(sess.ExpiresAt), formatTime(sess.MaxExpiresAt), sess.IP, sess.UserAgent, sessionAAL(sess))
	if err != nil {
		return translate("create session", err)
	}
	return nil
}

// SessionWithUser reads the session and its user in one query.
func (s *Store) SessionWithUser(ctx context.Context, id string) (auth.Session, auth.User, error) {
	stmt, err := s.reads.prepare(ctx, s.read, `
		SELECT `+sessionColumns+`,
			u.id, u.username, u.email, u.hashed_password, u.is_active, u.roles, u.created_at, u.updated_at, u.last_login, u.email_verified_at,
			EXISTS (SELECT 1 FROM mfa_factors f WHERE f.user_id = u.id AND f.confirmed_at IS NOT NULL)
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = ?`)
	if err != nil {
		return auth.Session{}, auth.User{}, translate("session with user", err)
	}
	var (
		sess auth.Session
		u    auth.User
		st   sessionTimes
		ut   userTimes
	)
	err = stmt.QueryRowContext(ctx, id).Scan(append(st.dest(&sess),
		&u.ID, &u.Username, &u.Email, &u.HashedPassword, &u.IsActive, &ut.roles, &ut.created, &ut.updated, &ut.lastLogin, &ut.verified, &u.MFAEnabled)...)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.Session{}, auth.User{}, fmt.Errorf("session with user: %w", auth.ErrSessionNotFound)
	}
	if err == nil {
		err = errors.Join(st.into(&sess), ut.into(&u))
	}
	if err != nil {
		return auth.Session{}, auth.User{}, translate("session with user", err)
	}
	return sess, u, nil
}

// RotateSession is the compare-and-swap of a refresh: one UPDATE that
// matches only while the counter is still from. SQLite runs one writer at a
// time, so of racing refreshes exactly one matches.
func (s *Store) RotateSession(ctx context.Context, r auth.SessionRotation) (bool, error) {
	stmt, err := s.writes.prepare(ctx, s.write, `
		UPDATE sessions SET counter = counter + 1, rotated_at = ?, last_used_at = ?, expires_at = ?, rotated_ip = ?
		WHERE id = ? AND counter = ? AND ended_at IS NULL`)
	if err != nil {
		return false, translate("rotate session", err)
	}
	at := formatTime(r.At)
	res, err := stmt.ExecContext(ctx, at, at, formatTime(r.Expires), r.IP, r.ID, r.From)
	return matched("rotate session", res, err)
}

// EndSession ends the session when it is the user's and live at e.At,
// and writes e.Event with it when it did.
func (s *Store) EndSession(ctx context.Context, e auth.SessionEnd) (bool, error) {
	var ended bool
	err := s.inTx(ctx, "end session", func(tx *sql.Tx) error {
		at := formatTime(e.At)
		res, err := tx.ExecContext(ctx, `
			UPDATE sessions SET ended_at = ?, end_reason = ?
			WHERE id = ? AND user_id = ? AND ended_at IS NULL AND expires_at > ?`,
			at, string(e.Reason), e.ID, e.UserID, at)
		if ended, err = matched("end session", res, err); err != nil || !ended {
			return err
		}
		return insertEvent(ctx, tx, e.Event)
	})
	return ended, err
}

// EndUserSessions ends every session of the user not ended yet, but e.Except.
func (s *Store) EndUserSessions(ctx context.Context, e auth.SessionEnd) (int64, error) {
	var n int64
	err := s.inTx(ctx, "end user sessions", func(tx *sql.Tx) error {
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
func endUserSessions(ctx context.Context, tx *sql.Tx, e auth.SessionEnd) (int64, error) {
	res, err := tx.ExecContext(ctx, `
		UPDATE sessions SET ended_at = ?, end_reason = ?
		WHERE user_id = ? AND id <> ? AND ended_at IS NULL`,
		formatTime(e.At), string(e.Reason), e.UserID, e.Except)
	return affected("end user sessions", res, err)
}

// UserSessions lists the user's live sessions at t, newest first.
func (s *Store) UserSessions(ctx context.Context, userID int64, t time.Time) ([]auth.Session, error) {
	rows, err := s.read.QueryContext(ctx, `
		SELECT `+sessionColumns+`
		FROM sessions s
		WHERE s.user_id = ? AND s.ended_at IS NULL AND s.expires_at > ?
		ORDER BY s.created_at DESC, s.id`,
		userID, formatTime(t))
	if err != nil {
		return nil, translate("user sessions", err)
	}
	defer rows.Close()
	var out []auth.Session
	for rows.Next() {
		var (
			sess auth.Session
			st   sessionTimes
		)
		if err := rows.Scan(st.dest(&sess)...); err != nil {
			return nil, translate("user sessions", err)
		}
		if err := st.into(&sess); err != nil {
			return nil, translate("user sessions", err)
		}
		out = append(out, sess)
	}
	if err := rows.Err(); err != nil {
		return nil, translate("user sessions", err)
	}
	return out, nil
}

// PurgeSessions deletes at most limit sessions that ended or expired
// before before, and counts the deleted ones that were never ended and
// those ended for deactivation. SQLite allows no DELETE inside a WITH, so
// the rows RETURNING gives are counted here.
func (s *Store) PurgeSessions(ctx context.Context, before time.Time, limit int) (auth.PurgedSessions, error) {
	at := formatTime(before)
	rows, err := s.write.QueryContext(ctx, `
		DELETE FROM sessions WHERE id IN (
			SELECT id FROM sessions WHERE ended_at < ? UNION
			SELECT id FROM sessions WHERE expires_at < ?
			LIMIT ?)
		RETURNING ended_at IS NULL, end_reason IS ?`,
		at, at, limit, string(auth.EndDeactivated))
	if err != nil {
		return auth.PurgedSessions{}, translate("purge sessions", err)
	}
	defer rows.Close()
	var p auth.PurgedSessions
	for rows.Next() {
		var never, deactivated bool
		if err := rows.Scan(&never, &deactivated); err != nil {
			return auth.PurgedSessions{}, translate("purge sessions", err)
		}
		p.Deleted++
		if never {
			p.Expired++
		}
		if deactivated {
			p.Deactivated++
		}
	}
	if err := rows.Err(); err != nil {
		return auth.PurgedSessions{}, translate("purge sessions", err)
	}
	return p, nil
}

// sessionTimes holds a session row's times as SQLite returns them, TEXT,
// until they are parsed.
type sessionTimes struct {
	created, lastUsed, rotated, expires, maxExpires string
	ended, reason                                   sql.NullString
}

// dest is the Scan destinations of sessionColumns.
func (st *sessionTimes) dest(sess *auth.Session) []any {
	return []any{&sess.ID, &sess.UserID, &sess.Counter, &st.created, &st.lastUsed, &st.rotated,
		&st.expires, &st.maxExpires, &st.ended, &st.reason, &sess.IP, &sess.UserAgent, &sess.RotatedIP, &sess.AAL}
}

func (st *sessionTimes) into(sess *auth.Session) error {
	var err error
	for _, f := range []struct {
		dst *time.Time
		src string
	}{{&sess.CreatedAt, st.created}, {&sess.LastUsedAt, st.lastUsed}, {&sess.RotatedAt, st.rotated},
		{&sess.ExpiresAt, st.expires}, {&sess.MaxExpiresAt, st.maxExpires}} {
		if *f.dst, err = parseTime(f.src); err != nil {
			return err
		}
	}
	if st.ended.Valid {
		t, err := parseTime(st.ended.String)
		if err != nil {
			return err
		}
		sess.EndedAt = &t
	}
	sess.EndReason = auth.EndReason(st.reason.String)
	return nil
}

// matched reports whether an UPDATE matched a row.
func matched(op string, res sql.Result, err error) (bool, error) {
	n, err := affected(op, res, err)
	return n > 0, err
}

// affected is the number of rows a statement changed.
func affected(op string, res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, translate(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, translate(op, err)
	}
	return n, nil
}

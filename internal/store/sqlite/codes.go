package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/authd/authd/internal/auth"
)

// codeColumns are the columns scanCode reads, in its order.
const codeColumns = `id, user_id, purpose, email, token_hash, code_hash, tries, created_at, expires_at`

// RequestCode replaces the user's codes of the purpose with r.Code and
// queues r.Mails, in one transaction, when the user is active. The INSERT
// selects from users, so an unknown or inactive account runs the same
// statements and stores nothing.
func (s *Store) RequestCode(ctx context.Context, r auth.CodeRequest) (bool, error) {
	var stored bool
	err := s.inTx(ctx, "request code", func(tx *sql.Tx) error {
		var err error
		stored, err = requestCode(ctx, tx, r)
		return err
	})
	return stored, err
}

// requestCode is RequestCode inside tx; CreateUser runs it too.
func requestCode(ctx context.Context, tx *sql.Tx, r auth.CodeRequest) (bool, error) {
	c := r.Code
	if r.Replaces != "" {
		if _, err := tx.ExecContext(ctx, `DELETE FROM mail_queue WHERE id = ?`, r.Replaces); err != nil {
			return false, translate("request code", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM one_time_codes WHERE user_id = ? AND purpose = ?`, c.UserID, c.Purpose); err != nil {
		return false, translate("request code", err)
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO one_time_codes (user_id, purpose, email, token_hash, code_hash, tries, created_at, expires_at)
		SELECT id, ?, ?, ?, ?, 0, ?, ? FROM users WHERE id = ? AND is_active`,
		c.Purpose, c.Email, c.TokenHash, c.CodeHash, formatTime(c.CreatedAt), formatTime(c.ExpiresAt), c.UserID)
	stored, err := matched("request code", res, err)
	if err != nil || !stored {
		return false, err
	}
	for _, m := range r.Mails {
		if err := queueMail(ctx, tx, m, c.UserID); err != nil {
			return false, err
		}
	}
	// The request's event (a reset or address change asked for), in the
	// transaction that stores the code: only for an account that has one.
	e := r.Event
	if e.UserID == 0 {
		e.UserID = c.UserID
	}
	if err := insertEvent(ctx, tx, e); err != nil {
		return false, err
	}
	return true, nil
}

// queueMail inserts m for user userID (m.UserID when it is set).
func queueMail(ctx context.Context, tx *sql.Tx, m auth.QueuedMail, userID int64) error {
	if m.UserID != 0 {
		userID = m.UserID
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO mail_queue (id, user_id, kind, recipient, payload, attempts, created_at, next_at)
		VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
		m.ID, nullID(userID), m.Kind, m.To, m.Payload, formatTime(m.CreatedAt), formatTime(m.NextAt))
	if err != nil {
		return translate("queue mail", err)
	}
	return nil
}

// CodeByToken returns the code whose token hash is hash.
func (s *Store) CodeByToken(ctx context.Context, hash []byte) (auth.OneTimeCode, error) {
	row := s.read.QueryRowContext(ctx, `SELECT `+codeColumns+` FROM one_time_codes WHERE token_hash = ?`, hash)
	return scanCode("code by token", row)
}

// CodeByEmail returns the newest code of one of purposes mailed to email.
func (s *Store) CodeByEmail(ctx context.Context, email string, purposes []auth.Purpose) (auth.OneTimeCode, error) {
	args := []any{email}
	for _, p := range purposes {
		args = append(args, p)
	}
	row := s.read.QueryRowContext(ctx, `
		SELECT `+codeColumns+` FROM one_time_codes
		WHERE email = ? AND purpose IN (`+placeholders(len(purposes), "?")+`)
		ORDER BY id DESC LIMIT 1`, args...)
	return scanCode("code by email", row)
}

// TryCode counts one try of the code in one UPDATE.
func (s *Store) TryCode(ctx context.Context, id int64) (int, error) {
	var tries int
	err := s.write.QueryRowContext(ctx, `UPDATE one_time_codes SET tries = tries + 1 WHERE id = ? RETURNING tries`, id).Scan(&tries)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("try code: %w", auth.ErrCodeNotFound)
	}
	if err != nil {
		return 0, translate("try code", err)
	}
	return tries, nil
}

// ResetPassword spends the code and makes the reset, in one transaction.
func (s *Store) ResetPassword(ctx context.Context, r auth.PasswordReset) (int64, error) {
	var ended int64
	err := s.inTx(ctx, "reset password", func(tx *sql.Tx) error {
		if err := spendCode(ctx, tx, r.CodeID, r.At); err != nil {
			return err
		}
		at := formatTime(r.At)
		res, err := tx.ExecContext(ctx, `
			UPDATE users SET hashed_password = ?, updated_at = ?,
				email_verified_at = CASE WHEN email = ? THEN coalesce(email_verified_at, ?) ELSE email_verified_at END
			WHERE id = ?`,
			r.Hash, at, r.Email, at, r.UserID)
		if err := updated("reset password", r.UserID, auth.ErrUserNotFound, res, err); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM one_time_codes WHERE user_id = ? AND purpose = ?`, r.UserID, auth.PurposeReset); err != nil {
			return translate("reset password", err)
		}
		if ended, err = endUserSessions(ctx, tx, auth.SessionEnd{UserID: r.UserID, Reason: auth.EndReset, At: r.At}); err != nil {
			return err
		}
		if err := recordLoginSuccess(ctx, tx, r.Throttle); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, r.Event); err != nil {
			return err
		}
		return queueMail(ctx, tx, r.Notice, r.UserID)
	})
	return ended, err
}

// VerifyEmail spends the code and verifies (or changes) the address, in
// one transaction; a taken address rolls the spend back.
func (s *Store) VerifyEmail(ctx context.Context, v auth.EmailVerification) error {
	return s.inTx(ctx, "verify email", func(tx *sql.Tx) error {
		if err := spendCode(ctx, tx, v.CodeID, v.At); err != nil {
			return err
		}
		at := formatTime(v.At)
		var err error
		if v.Change {
			_, err = tx.ExecContext(ctx, `UPDATE users SET email = ?, email_verified_at = ?, updated_at = ? WHERE id = ?`,
				v.Email, at, at, v.UserID)
		} else {
			_, err = tx.ExecContext(ctx, `
				UPDATE users SET email_verified_at = coalesce(email_verified_at, ?) WHERE id = ? AND email = ?`,
				at, v.UserID, v.Email)
		}
		if err != nil {
			return translate("verify email", err)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM one_time_codes WHERE user_id = ? AND purpose IN (?, ?)`,
			v.UserID, auth.PurposeVerify, auth.PurposeChange)
		if err != nil {
			return translate("verify email", err)
		}
		return insertEvent(ctx, tx, v.Event)
	})
}

// spendCode deletes the live code id: the compare-and-swap that makes a
// code single-use. ErrCodeNotFound when it is gone or expired at at.
func spendCode(ctx context.Context, tx *sql.Tx, id int64, at time.Time) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM one_time_codes WHERE id = ? AND expires_at > ?`, id, formatTime(at))
	ok, err := matched("spend code", res, err)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("spend code: %w", auth.ErrCodeNotFound)
	}
	return nil
}

// PurgeCodes deletes at most limit codes that expired before before.
func (s *Store) PurgeCodes(ctx context.Context, before time.Time, limit int) (int64, error) {
	res, err := s.write.ExecContext(ctx, `
		DELETE FROM one_time_codes WHERE id IN (
			SELECT id FROM one_time_codes WHERE expires_at < ? ORDER BY expires_at LIMIT ?)`,
		formatTime(before), limit)
	return affected("purge codes", res, err)
}

// translateIf translates err when there is one.
func translateIf(op string, err error) error {
	if err == nil {
		return nil
	}
	return translate(op, err)
}

// scanCode reads one code row of codeColumns.
func scanCode(op string, row *sql.Row) (auth.OneTimeCode, error) {
	var (
		c                auth.OneTimeCode
		created, expires string
	)
	err := row.Scan(&c.ID, &c.UserID, &c.Purpose, &c.Email, &c.TokenHash, &c.CodeHash, &c.Tries, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.OneTimeCode{}, fmt.Errorf("%s: %w", op, auth.ErrCodeNotFound)
	}
	if err == nil {
		c.CreatedAt, err = parseTime(created)
	}
	if err == nil {
		c.ExpiresAt, err = parseTime(expires)
	}
	if err != nil {
		return auth.OneTimeCode{}, translate(op, err)
	}
	return c, nil
}

// QueueMail adds m to the queue on its own.
func (s *Store) QueueMail(ctx context.Context, m auth.QueuedMail) error {
	return s.inTx(ctx, "queue mail", func(tx *sql.Tx) error { return queueMail(ctx, tx, m, 0) })
}

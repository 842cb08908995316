package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

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
	err := s.inTx(ctx, "request code", func(tx pgx.Tx) error {
		var err error
		stored, err = requestCode(ctx, tx, r)
		return err
	})
	return stored, err
}

// requestCode is RequestCode inside tx; CreateUser runs it too.
func requestCode(ctx context.Context, tx pgx.Tx, r auth.CodeRequest) (bool, error) {
	c := r.Code
	if r.Replaces != "" {
		if _, err := tx.Exec(ctx, `DELETE FROM mail_queue WHERE id = $1`, r.Replaces); err != nil {
			return false, translate("request code", err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM one_time_codes WHERE user_id = $1 AND purpose = $2`, c.UserID, string(c.Purpose)); err != nil {
		return false, translate("request code", err)
	}
	tag, err := tx.Exec(ctx, `
		INSERT INTO one_time_codes (user_id, purpose, email, token_hash, code_hash, tries, created_at, expires_at)
		SELECT id, $1::text, $2::text, $3::bytea, $4::bytea, 0, $5::timestamptz, $6::timestamptz FROM users WHERE id = $7 AND is_active`,
		string(c.Purpose), c.Email, c.TokenHash, c.CodeHash, dbTime(c.CreatedAt), dbTime(c.ExpiresAt), c.UserID)
	stored, err := matched("request code", tag, err)
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
func queueMail(ctx context.Context, tx pgx.Tx, m auth.QueuedMail, userID int64) error {
	if m.UserID != 0 {
		userID = m.UserID
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO mail_queue (id, user_id, kind, recipient, payload, attempts, created_at, next_at)
		VALUES ($1, $2, $3, $4, $5, 0, $6, $7)`,
		m.ID, nullID(userID), string(m.Kind), m.To, m.Payload, dbTime(m.CreatedAt), dbTime(m.NextAt))
	if err != nil {
		return translate("queue mail", err)
	}
	return nil
}

// CodeByToken returns the code whose token hash is hash.
func (s *Store) CodeByToken(ctx context.Context, hash []byte) (auth.OneTimeCode, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+codeColumns+` FROM one_time_codes WHERE token_hash = $1`, hash)
	return scanCode("code by token", row)
}

// CodeByEmail returns the newest code of one of purposes mailed to email.
func (s *Store) CodeByEmail(ctx context.Context, email string, purposes []auth.Purpose) (auth.OneTimeCode, error) {
	names := make([]string, len(purposes))
	for i, p := range purposes {
		names[i] = string(p)
	}
	row := s.pool.QueryRow(ctx, `
		SELECT `+codeColumns+` FROM one_time_codes
		WHERE email = $1 AND purpose = ANY($2)
		ORDER BY id DESC LIMIT 1`, email, names)
	return scanCode("code by email", row)
}

// TryCode counts one try of the code in one UPDATE; racing tries take
// turns on the row lock, so each sees the count of the ones before it.
func (s *Store) TryCode(ctx context.Context, id int64) (int, error) {
	var tries int
	err := s.pool.QueryRow(ctx, `UPDATE one_time_codes SET tries = tries + 1 WHERE id = $1 RETURNING tries`, id).Scan(&tries)
	if errors.Is(err, pgx.ErrNoRows) {
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
	err := s.inTx(ctx, "reset password", func(tx pgx.Tx) error {
		if err := spendCode(ctx, tx, r.CodeID, r.At); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			UPDATE users SET hashed_password = $1, updated_at = $2,
				email_verified_at = CASE WHEN email = $3 THEN coalesce(email_verified_at, $2) ELSE email_verified_at END
			WHERE id = $4`,
			r.Hash, dbTime(r.At), r.Email, r.UserID)
		if err := updated("reset password", r.UserID, auth.ErrUserNotFound, tag, err); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM one_time_codes WHERE user_id = $1 AND purpose = $2`, r.UserID, string(auth.PurposeReset)); err != nil {
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
	return s.inTx(ctx, "verify email", func(tx pgx.Tx) error {
		if err := spendCode(ctx, tx, v.CodeID, v.At); err != nil {
			return err
		}
		var err error
		if v.Change {
			_, err = tx.Exec(ctx, `UPDATE users SET email = $1, email_verified_at = $2, updated_at = $2 WHERE id = $3`,
				v.Email, dbTime(v.At), v.UserID)
		} else {
			_, err = tx.Exec(ctx, `
				UPDATE users SET email_verified_at = coalesce(email_verified_at, $1) WHERE id = $2 AND email = $3`,
				dbTime(v.At), v.UserID, v.Email)
		}
		if err != nil {
			return translate("verify email", err)
		}
		_, err = tx.Exec(ctx, `DELETE FROM one_time_codes WHERE user_id = $1 AND purpose = ANY($2)`,
			v.UserID, []string{string(auth.PurposeVerify), string(auth.PurposeChange)})
		if err != nil {
			return translate("verify email", err)
		}
		return insertEvent(ctx, tx, v.Event)
	})
}

// spendCode deletes the live code id: the compare-and-swap that makes a
// code single-use. ErrCodeNotFound when it is gone or expired at at.
func spendCode(ctx context.Context, tx pgx.Tx, id int64, at time.Time) error {
	tag, err := tx.Exec(ctx, `DELETE FROM one_time_codes WHERE id = $1 AND expires_at > $2`, id, dbTime(at))
	ok, err := matched("spend code", tag, err)
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
	tag, err := s.pool.Exec(ctx, `
		DELETE FROM one_time_codes WHERE id IN (
			SELECT id FROM one_time_codes WHERE expires_at < $1 ORDER BY expires_at LIMIT $2
			FOR UPDATE SKIP LOCKED)`,
		dbTime(before), limit)
	if err != nil {
		return 0, translate("purge codes", err)
	}
	return tag.RowsAffected(), nil
}

// translateIf translates err when there is one.
func translateIf(op string, err error) error {
	if err == nil {
		return nil
	}
	return translate(op, err)
}

// scanCode reads one code row of codeColumns.
func scanCode(op string, row pgx.Row) (auth.OneTimeCode, error) {
	var (
		c       auth.OneTimeCode
		purpose string
	)
	err := row.Scan(&c.ID, &c.UserID, &purpose, &c.Email, &c.TokenHash, &c.CodeHash, &c.Tries, &c.CreatedAt, &c.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.OneTimeCode{}, fmt.Errorf("%s: %w", op, auth.ErrCodeNotFound)
	}
	if err != nil {
		return auth.OneTimeCode{}, translate(op, err)
	}
	c.Purpose = auth.Purpose(purpose)
	c.CreatedAt, c.ExpiresAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC()
	return c, nil
}

// QueueMail adds m to the queue on its own.
func (s *Store) QueueMail(ctx context.Context, m auth.QueuedMail) error {
	return s.inTx(ctx, "queue mail", func(tx pgx.Tx) error { return queueMail(ctx, tx, m, 0) })
}

// nullID is id, or NULL for 0 (a queued request has no user yet).
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/authd/authd/internal/auth"
)

// ClaimMail claims due mails in one UPDATE: SQLite's one writer makes two
// senders' claims take turns, so no mail is claimed twice.
func (s *Store) ClaimMail(ctx context.Context, at, leaseUntil time.Time, limit int) ([]auth.QueuedMail, error) {
	rows, err := s.write.QueryContext(ctx, `
		UPDATE mail_queue SET next_at = ?, attempts = attempts + 1
		WHERE id IN (SELECT id FROM mail_queue WHERE next_at <= ? ORDER BY next_at, created_at LIMIT ?)
		RETURNING id, user_id, kind, recipient, payload, attempts, created_at, next_at`,
		formatTime(leaseUntil), formatTime(at), limit)
	if err != nil {
		return nil, translate("claim mail", err)
	}
	defer rows.Close()
	var out []auth.QueuedMail
	for rows.Next() {
		var (
			m             auth.QueuedMail
			created, next string
			user          sql.NullInt64
		)
		if err := rows.Scan(&m.ID, &user, &m.Kind, &m.To, &m.Payload, &m.Attempts, &created, &next); err != nil {
			return nil, translate("claim mail", err)
		}
		m.UserID = user.Int64
		if m.CreatedAt, err = parseTime(created); err != nil {
			return nil, translate("claim mail", err)
		}
		if m.NextAt, err = parseTime(next); err != nil {
			return nil, translate("claim mail", err)
		}
		out = append(out, m)
	}
	return out, translateIf("claim mail", rows.Err())
}

// RetryMail makes the mail claimable again at next.
func (s *Store) RetryMail(ctx context.Context, id string, next time.Time) error {
	_, err := s.write.ExecContext(ctx, `UPDATE mail_queue SET next_at = ? WHERE id = ?`, formatTime(next), id)
	return translateIf("retry mail", err)
}

// FinishMail deletes the mail.
func (s *Store) FinishMail(ctx context.Context, id string) error {
	_, err := s.write.ExecContext(ctx, `DELETE FROM mail_queue WHERE id = ?`, id)
	return translateIf("finish mail", err)
}

// MailQueueDepth counts the queued mails.
func (s *Store) MailQueueDepth(ctx context.Context) (int64, error) {
	var n int64
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM mail_queue`).Scan(&n)
	return n, translateIf("mail queue depth", err)
}

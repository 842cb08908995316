package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authd/authd/internal/auth"
)

// ClaimMail claims due mails in one UPDATE whose inner SELECT locks them
// FOR UPDATE SKIP LOCKED: replicas claiming at once get disjoint sets, and
// none waits for another.
func (s *Store) ClaimMail(ctx context.Context, at, leaseUntil time.Time, limit int) ([]auth.QueuedMail, error) {
	rows, err := s.pool.Query(ctx, `
		UPDATE mail_queue SET next_at = $1, attempts = attempts + 1
		WHERE id IN (
			SELECT id FROM mail_queue WHERE next_at <= $2
			ORDER BY next_at, created_at LIMIT $3
			FOR UPDATE SKIP LOCKED)
		RETURNING id, user_id, kind, recipient, payload, attempts, created_at, next_at`,
		dbTime(leaseUntil), dbTime(at), limit)
	if err != nil {
		return nil, translate("claim mail", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (auth.QueuedMail, error) {
		var (
			m    auth.QueuedMail
			kind string
			user *int64
		)
		err := row.Scan(&m.ID, &user, &kind, &m.To, &m.Payload, &m.Attempts, &m.CreatedAt, &m.NextAt)
		if user != nil {
			m.UserID = *user
		}
		m.Kind, m.CreatedAt, m.NextAt = auth.MailKind(kind), m.CreatedAt.UTC(), m.NextAt.UTC()
		return m, err
	})
	return out, translateIf("claim mail", err)
}

// RetryMail makes the mail claimable again at next.
func (s *Store) RetryMail(ctx context.Context, id string, next time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE mail_queue SET next_at = $1 WHERE id = $2`, dbTime(next), id)
	return translateIf("retry mail", err)
}

// FinishMail deletes the mail.
func (s *Store) FinishMail(ctx context.Context, id string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM mail_queue WHERE id = $1`, id)
	return translateIf("finish mail", err)
}

// MailQueueDepth counts the queued mails.
func (s *Store) MailQueueDepth(ctx context.Context) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM mail_queue`).Scan(&n)
	return n, translateIf("mail queue depth", err)
}

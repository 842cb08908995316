package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authd/authd/internal/auth"
)

// insertEvent writes e within tx, the transaction of the change it
// records; an Event without an Action writes nothing. A user id of 0 and
// an empty actor are stored as NULL.
func insertEvent(ctx context.Context, tx pgx.Tx, e auth.Event) error {
	if e.Action == "" {
		return nil
	}
	details := e.Details
	if details == nil {
		details = map[string]string{}
	}
	var actor *string
	if e.ActorID != "" {
		actor = &e.ActorID
	}
	var user *int64
	if e.UserID != 0 {
		user = &e.UserID
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO audit_events (at, action, actor_id, user_id, ip, user_agent, request_id, details)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		dbTime(e.At), string(e.Action), actor, user, e.IP, e.UserAgent, e.RequestID, details)
	if err != nil {
		return translate("insert event", err)
	}
	return nil
}

// Events reads the newest events first through audit_events' indexes; the
// WHERE is built from fixed fragments so each filter, when given, is a
// plain equality that matches (user_id, id) or (action, id).
func (s *Store) Events(ctx context.Context, q auth.EventQuery) ([]auth.Event, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if q.UserID != 0 {
		add("user_id = $%d", q.UserID)
	}
	if q.Action != "" {
		add("action = $%d", string(q.Action))
	}
	if q.Before != 0 {
		add("id < $%d", q.Before)
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, q.Limit)
	rows, err := s.pool.Query(ctx, `
		SELECT id, at, action, actor_id, user_id, ip, user_agent, request_id, details
		FROM audit_events `+cond+`
		ORDER BY id DESC
		LIMIT $`+fmt.Sprint(len(args)), args...)
	if err != nil {
		return nil, translate("events", err)
	}
	defer rows.Close()
	out := []auth.Event{}
	for rows.Next() {
		var (
			e     auth.Event
			actor *string
			user  *int64
		)
		if err := rows.Scan(&e.ID, &e.At, &e.Action, &actor, &user, &e.IP, &e.UserAgent, &e.RequestID, &e.Details); err != nil {
			return nil, translate("events", err)
		}
		e.At = e.At.UTC()
		if actor != nil {
			e.ActorID = *actor
		}
		if user != nil {
			e.UserID = *user
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, translate("events", err)
	}
	return out, nil
}

// PurgeEvents deletes at most limit events older than before, through the
// index on at.
func (s *Store) PurgeEvents(ctx context.Context, before time.Time, limit int) (int64, error) {
	tag, err := s.pool.Exec(ctx, `
		DELETE FROM audit_events WHERE id IN (
			SELECT id FROM audit_events WHERE at < $1 LIMIT $2)`,
		dbTime(before), limit)
	if err != nil {
		return 0, translate("purge events", err)
	}
	return tag.RowsAffected(), nil
}

package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/authd/authd/internal/auth"
)

// insertEvent writes e within tx, the transaction of the change it
// records; an Event without an Action writes nothing. A user id of 0 and
// an empty actor are stored as NULL.
func insertEvent(ctx context.Context, tx *sql.Tx, e auth.Event) error {
	if e.Action == "" {
		return nil
	}
	details, err := eventDetails(e)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO audit_events (at, action, actor_id, user_id, ip, user_agent, request_id, details)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		formatTime(e.At), string(e.Action), nullString(e.ActorID), nullID(e.UserID), e.IP, e.UserAgent, e.RequestID, details)
	if err != nil {
		return translate("insert event", err)
	}
	return nil
}

// eventDetails is e.Details as the JSON object the column keeps.
func eventDetails(e auth.Event) (string, error) {
	if len(e.Details) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(e.Details)
	if err != nil {
		return "", fmt.Errorf("event details: %w", err)
	}
	return string(b), nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// nullID is id, or NULL for 0 (an event or a queued request without a
// user).
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// Events reads the newest events first through audit_events' indexes: the
// WHERE is built from fixed fragments so that each filter, when given, is
// a plain equality the planner can match to (user_id, id) or (action, id).
func (s *Store) Events(ctx context.Context, q auth.EventQuery) ([]auth.Event, error) {
	var (
		where []string
		args  []any
	)
	if q.UserID != 0 {
		where, args = append(where, "user_id = ?"), append(args, q.UserID)
	}
	if q.Action != "" {
		where, args = append(where, "action = ?"), append(args, string(q.Action))
	}
	if q.Before != 0 {
		where, args = append(where, "id < ?"), append(args, q.Before)
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.read.QueryContext(ctx, `
		SELECT id, at, action, actor_id, user_id, ip, user_agent, request_id, details
		FROM audit_events `+cond+`
		ORDER BY id DESC
		LIMIT ?`, append(args, q.Limit)...)
	if err != nil {
		return nil, translate("events", err)
	}
	defer rows.Close()
	out := []auth.Event{}
	for rows.Next() {
		var (
			e       auth.Event
			at      string
			actor   sql.NullString
			user    sql.NullInt64
			details string
		)
		if err := rows.Scan(&e.ID, &at, &e.Action, &actor, &user, &e.IP, &e.UserAgent, &e.RequestID, &details); err != nil {
			return nil, translate("events", err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, translate("events", err)
		}
		if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
			return nil, translate("events", fmt.Errorf("stored details: %w", err))
		}
		e.ActorID, e.UserID = actor.String, user.Int64
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
	res, err := s.write.ExecContext(ctx, `
		DELETE FROM audit_events WHERE id IN (
			SELECT id FROM audit_events WHERE at < ? LIMIT ?)`,
		formatTime(before), limit)
	return affected("purge events", res, err)
}

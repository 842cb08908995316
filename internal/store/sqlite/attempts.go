package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/authd/authd/internal/auth"
)

// AttemptRecords reads the records under keys in one query.
func (s *Store) AttemptRecords(ctx context.Context, keys []auth.AttemptKey) ([]auth.AttemptRecord, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	stmt, err := s.reads.prepare(ctx, s.read, `
		SELECT key, count, window_ends, last_at
		FROM throttle_records
		WHERE key IN (`+placeholders(len(keys), "?")+`)`)
	if err != nil {
		return nil, translate("attempt records", err)
	}
	rows, err := stmt.QueryContext(ctx, keyArgs(keys)...)
	if err != nil {
		return nil, translate("attempt records", err)
	}
	recs, err := scanRecords(rows)
	if err != nil {
		return nil, translate("attempt records", err)
	}
	return recs, nil
}

// HitCounters counts one hit under each key in one statement. The CASEs
// read the row as it was before this statement (SQL's rule for SET), so a
// counter whose window ended starts again at 1 with the new window. The one
// write connection runs writes one at a time, so racing hits are counted
// one after the other.
func (s *Store) HitCounters(ctx context.Context, at time.Time, hits []auth.CounterHit) ([]auth.AttemptRecord, error) {
	if len(hits) == 0 {
		return nil, nil
	}
	now := formatTime(at)
	args := make([]any, 0, 3*len(hits))
	for _, h := range hits {
		args = append(args, h.Key[:], formatTime(h.WindowEnds), now)
	}
	var recs []auth.AttemptRecord
	// One transaction when a hit carries an event: the counts and the
	// event of a limit they reach. Without one, the statement alone.
	hit := func(q interface {
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	}) error {
		rows, err := q.QueryContext(ctx, `
			INSERT INTO throttle_records (key, count, window_ends, last_at)
			VALUES `+placeholders(len(hits), "(?, 1, ?, ?)")+`
			ON CONFLICT (key) DO UPDATE SET
				count = CASE WHEN throttle_records.window_ends <= excluded.last_at
					THEN 1 ELSE throttle_records.count + 1 END,
				window_ends = CASE WHEN throttle_records.window_ends <= excluded.last_at
					THEN excluded.window_ends ELSE throttle_records.window_ends END,
				last_at = excluded.last_at
			RETURNING key, count, window_ends, last_at`,
			args...)
		if err != nil {
			return translate("hit counters", err)
		}
		if recs, err = scanRecords(rows); err != nil {
			return translate("hit counters", err)
		}
		return nil
	}
	if !auth.HasLimitEvent(hits) {
		if err := hit(s.write); err != nil {
			return nil, err
		}
		return recs, nil
	}
	err := s.inTx(ctx, "hit counters", func(tx *sql.Tx) error {
		if err := hit(tx); err != nil {
			return err
		}
		for _, e := range auth.LimitEvents(hits, recs) {
			if err := insertEvent(ctx, tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return recs, nil
}

// RecordLoginSuccess resets the pair counters and renews the known-IP
// records in one transaction.
func (s *Store) RecordLoginSuccess(ctx context.Context, ls auth.LoginSuccess) error {
	if len(ls.Forget) == 0 && len(ls.Known) == 0 {
		return nil
	}
	return s.inTx(ctx, "record login success", func(tx *sql.Tx) error {
		return recordLoginSuccess(ctx, tx, ls)
	})
}

// recordLoginSuccess is RecordLoginSuccess within tx; an empty ls writes
// nothing.
func recordLoginSuccess(ctx context.Context, tx *sql.Tx, ls auth.LoginSuccess) error {
	if len(ls.Forget) > 0 {
		_, err := tx.ExecContext(ctx, `
			DELETE FROM throttle_records
			WHERE key IN (`+placeholders(len(ls.Forget), "?")+`)`,
			keyArgs(ls.Forget)...)
		if err != nil {
			return translate("record login success", err)
		}
	}
	if len(ls.Known) > 0 {
		args := make([]any, 0, 3*len(ls.Known))
		for _, k := range ls.Known {
			args = append(args, k[:], formatTime(ls.KnownUntil), formatTime(ls.At))
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO throttle_records (key, count, window_ends, last_at)
			VALUES `+placeholders(len(ls.Known), "(?, 0, ?, ?)")+`
			ON CONFLICT (key) DO UPDATE SET
				window_ends = excluded.window_ends,
				last_at = excluded.last_at`,
			args...)
		if err != nil {
			return translate("record login success", err)
		}
	}
	return nil
}

// PurgeAttempts deletes at most limit records whose window ended before
// before, oldest first.
func (s *Store) PurgeAttempts(ctx context.Context, before time.Time, limit int) (int64, error) {
	res, err := s.write.ExecContext(ctx, `
		DELETE FROM throttle_records
		WHERE key IN (
			SELECT key FROM throttle_records
			WHERE window_ends < ?
			ORDER BY window_ends
			LIMIT ?)`,
		formatTime(before), limit)
	if err != nil {
		return 0, translate("purge attempts", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, translate("purge attempts", err)
	}
	return n, nil
}

// placeholders repeats one placeholder group n times, comma-separated.
func placeholders(n int, group string) string {
	return strings.TrimSuffix(strings.Repeat(group+", ", n), ", ")
}

func keyArgs(keys []auth.AttemptKey) []any {
	args := make([]any, len(keys))
	for i := range keys {
		args[i] = keys[i][:]
	}
	return args
}

// scanRecords reads key, count, window_ends, last_at rows and closes them.
func scanRecords(rows *sql.Rows) ([]auth.AttemptRecord, error) {
	defer rows.Close()
	var recs []auth.AttemptRecord
	for rows.Next() {
		var (
			r          auth.AttemptRecord
			key        []byte
			ends, last string
		)
		if err := rows.Scan(&key, &r.Count, &ends, &last); err != nil {
			return nil, err
		}
		if len(key) != len(r.Key) {
			return nil, fmt.Errorf("stored throttle key of %d bytes", len(key))
		}
		copy(r.Key[:], key)
		var err error
		if r.WindowEnds, err = parseTime(ends); err != nil {
			return nil, err
		}
		if r.LastAt, err = parseTime(last); err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
	return recs, rows.Err()
}

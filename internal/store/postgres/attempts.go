package postgres

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authd/authd/internal/auth"
)

// AttemptRecords reads the records under keys in one query.
func (s *Store) AttemptRecords(ctx context.Context, keys []auth.AttemptKey) ([]auth.AttemptRecord, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT key, count, window_ends, last_at
		FROM throttle_records
		WHERE key = ANY($1)`,
		keyArgs(keys))
	if err != nil {
		return nil, translate("attempt records", err)
	}
	recs, err := scanRecords(rows)
	if err != nil {
		return nil, translate("attempt records", err)
	}
	return recs, nil
}

// HitCounters counts one hit under each key in one statement; ON CONFLICT
// DO UPDATE locks the row, so racing hits of one key wait for each other
// and are all counted. The CASEs read the row as it was before this
// statement, so a counter whose window ended starts again at 1 with the
// new window. Rows are written in key order: two statements that hit the
// same keys then lock them in the same order and cannot deadlock.
func (s *Store) HitCounters(ctx context.Context, at time.Time, hits []auth.CounterHit) ([]auth.AttemptRecord, error) {
	if len(hits) == 0 {
		return nil, nil
	}
	hits = slices.Clone(hits)
	slices.SortFunc(hits, func(a, b auth.CounterHit) int { return bytes.Compare(a.Key[:], b.Key[:]) })
	args := []any{dbTime(at)}
	for _, h := range hits {
		args = append(args, h.Key[:], dbTime(h.WindowEnds))
	}
	// $1 is at; each hit brings its key and window end.
	values := groups(len(hits), func(i int) string { return fmt.Sprintf("($%d, 1, $%d, $1)", 2+2*i, 3+2*i) })
	var recs []auth.AttemptRecord
	// One transaction when a hit carries an event: the counts and the
	// event of a limit they reach. Without one, the statement alone.
	hit := func(q interface {
		Query(context.Context, string, ...any) (pgx.Rows, error)
	}) error {
		rows, err := q.Query(ctx, `
			INSERT INTO throttle_records (key, count, window_ends, last_at)
			VALUES `+values+`
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
		if err := hit(s.pool); err != nil {
			return nil, err
		}
		return recs, nil
	}
	err := s.inTx(ctx, "hit counters", func(tx pgx.Tx) error {
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
// records in one transaction, in key order like HitCounters.
func (s *Store) RecordLoginSuccess(ctx context.Context, ls auth.LoginSuccess) error {
	if len(ls.Forget) == 0 && len(ls.Known) == 0 {
		return nil
	}
	return s.inTx(ctx, "record login success", func(tx pgx.Tx) error {
		return recordLoginSuccess(ctx, tx, ls)
	})
}

// recordLoginSuccess is RecordLoginSuccess within tx; an empty ls writes
// nothing.
func recordLoginSuccess(ctx context.Context, tx pgx.Tx, ls auth.LoginSuccess) error {
	if len(ls.Forget) > 0 {
		_, err := tx.Exec(ctx, `
			DELETE FROM throttle_records WHERE key = ANY($1)`,
			keyArgs(ls.Forget))
		if err != nil {
			return translate("record login success", err)
		}
	}
	if len(ls.Known) == 0 {
		return nil
	}
	known := slices.Clone(ls.Known)
	slices.SortFunc(known, func(a, b auth.AttemptKey) int { return bytes.Compare(a[:], b[:]) })
	args := []any{dbTime(ls.At), dbTime(ls.KnownUntil)}
	for _, k := range known {
		args = append(args, k[:])
	}
	// $1 is At, $2 KnownUntil; each record brings its key.
	values := groups(len(known), func(i int) string { return fmt.Sprintf("($%d, 0, $2, $1)", 3+i) })
	_, err := tx.Exec(ctx, `
		INSERT INTO throttle_records (key, count, window_ends, last_at)
		VALUES `+values+`
		ON CONFLICT (key) DO UPDATE SET
			window_ends = excluded.window_ends,
			last_at = excluded.last_at`,
		args...)
	if err != nil {
		return translate("record login success", err)
	}
	return nil
}

// PurgeAttempts deletes at most limit records whose window ended before
// before, oldest first. SKIP LOCKED lets replicas that purge at once share
// the work instead of waiting for each other's rows.
func (s *Store) PurgeAttempts(ctx context.Context, before time.Time, limit int) (int64, error) {
	tag, err := s.pool.Exec(ctx, `
		DELETE FROM throttle_records
		WHERE key IN (
			SELECT key FROM throttle_records
			WHERE window_ends < $1
			ORDER BY window_ends
			LIMIT $2
			FOR UPDATE SKIP LOCKED)`,
		dbTime(before), limit)
	if err != nil {
		return 0, translate("purge attempts", err)
	}
	return tag.RowsAffected(), nil
}

// groups joins n VALUES groups, group(i) writing the i-th.
func groups(n int, group func(i int) string) string {
	out := make([]string, n)
	for i := range n {
		out[i] = group(i)
	}
	return strings.Join(out, ", ")
}

func keyArgs(keys []auth.AttemptKey) [][]byte {
	out := make([][]byte, len(keys))
	for i := range keys {
		out[i] = keys[i][:]
	}
	return out
}

// scanRecords reads key, count, window_ends, last_at rows and closes them.
func scanRecords(rows pgx.Rows) ([]auth.AttemptRecord, error) {
	defer rows.Close()
	var recs []auth.AttemptRecord
	for rows.Next() {
		var (
			r   auth.AttemptRecord
			key []byte
		)
		if err := rows.Scan(&key, &r.Count, &r.WindowEnds, &r.LastAt); err != nil {
			return nil, err
		}
		if len(key) != len(r.Key) {
			return nil, fmt.Errorf("stored throttle key of %d bytes", len(key))
		}
		copy(r.Key[:], key)
		r.WindowEnds, r.LastAt = r.WindowEnds.UTC(), r.LastAt.UTC()
		recs = append(recs, r)
	}
	return recs, rows.Err()
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/authd/authd/internal/auth"
)

// TestTranslate feeds translate real driver errors, one of each class:
// only an outage is a DATABASE_ERROR, which the circuit breaker counts.
func TestTranslate(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "errors.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := t.Context()
	if _, err := db.ExecContext(ctx, `
		CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
		INSERT INTO t (id, name) VALUES (1, 'a');`); err != nil {
		t.Fatal(err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()

	cases := []struct {
		name     string
		cause    func() error
		want     error // the sentinel the result wraps, or nil for a DatabaseError
		wantCode auth.Code
	}{
		{"no rows", func() error {
			var id int64
			return db.QueryRowContext(ctx, `SELECT id FROM t WHERE id = 2`).Scan(&id)
		}, auth.ErrUserNotFound, ""},
		{"unique violation", func() error {
			_, err := db.ExecContext(ctx, `INSERT INTO t (id, name) VALUES (2, 'a')`)
			return err
		}, auth.ErrUserExists, ""},
		{"primary key violation", func() error {
			_, err := db.ExecContext(ctx, `INSERT INTO t (id, name) VALUES (1, 'b')`)
			return err
		}, auth.ErrUserExists, ""},
		{"not null is not a conflict", func() error {
			_, err := db.ExecContext(ctx, `INSERT INTO t (id, name) VALUES (3, NULL)`)
			return err
		}, nil, auth.CodeInternal},
		{"missing table", func() error {
			_, err := db.ExecContext(ctx, `SELECT * FROM no_such_table`)
			return err
		}, nil, auth.CodeInternal},
		{"value too big", func() error {
			_, err := db.ExecContext(ctx, `SELECT zeroblob(2000000000)`)
			return err
		}, nil, auth.CodeValidation},
		{"datatype mismatch", func() error {
			_, err := db.ExecContext(ctx, `INSERT INTO t (id, name) VALUES ('not a number', 'c')`)
			return err
		}, nil, auth.CodeValidation},
		{"closed database", func() error {
			other, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "closed.db"))
			if err != nil {
				t.Fatal(err)
			}
			other.Close()
			_, err = other.ExecContext(ctx, `SELECT 1`)
			return err
		}, nil, auth.CodeDatabase},
		{"cancelled context", func() error {
			_, err := db.ExecContext(cancelled, `SELECT 1`)
			return err
		}, context.Canceled, auth.CodeDatabase},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cause := tc.cause()
			if cause == nil {
				t.Fatal("the cause did not fail")
			}
			err := translate("op", cause)
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("translate(%v) = %v, want it to wrap %v", cause, err, tc.want)
			}
			var e *auth.Error
			isAuthErr := errors.As(err, &e)
			switch {
			case tc.wantCode == "" && isAuthErr:
				t.Errorf("translate(%v) = %v, want a plain sentinel, not an *auth.Error", cause, err)
			case tc.wantCode != "" && (!isAuthErr || e.Code != tc.wantCode):
				t.Errorf("translate(%v) = %v, want code %s", cause, err, tc.wantCode)
			case tc.wantCode != "" && !errors.Is(err, cause):
				t.Errorf("translate(%v) = %v, want the cause kept for the log", cause, err)
			}
		})
	}
}

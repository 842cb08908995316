package postgres

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/authd/authd/internal/auth"
)

// TestTranslate covers each class of driver error: only an outage is a
// DATABASE_ERROR, which the circuit breaker counts; a refused value is the
// client's 400 and any other refusal a 500 the breaker ignores. pgx's error
// values are plain structs and sentinels, so no server is needed.
func TestTranslate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		cause    error
		want     error // the sentinel the result wraps
		wantCode auth.Code
	}{
		{"no rows", pgx.ErrNoRows, auth.ErrUserNotFound, ""},
		{"unique violation", &pgconn.PgError{Code: "23505", ConstraintName: "users_username_lower_key"}, auth.ErrUserExists, ""},
		{"unique violation wrapped", fmt.Errorf("insert: %w", &pgconn.PgError{Code: "23505"}), auth.ErrUserExists, ""},
		{"not null is not a conflict", &pgconn.PgError{Code: "23502"}, nil, auth.CodeInternal},
		{"foreign key", &pgconn.PgError{Code: "23503"}, nil, auth.CodeInternal},
		{"check", &pgconn.PgError{Code: "23514"}, nil, auth.CodeInternal},
		{"NUL or invalid UTF-8 in text", &pgconn.PgError{Code: "22021"}, nil, auth.CodeValidation},
		{"value too long", &pgconn.PgError{Code: "22001"}, nil, auth.CodeValidation},
		{"numeric out of range", &pgconn.PgError{Code: "22003"}, nil, auth.CodeValidation},
		{"undefined table", &pgconn.PgError{Code: "42P01"}, nil, auth.CodeInternal},
		{"serialization failure", &pgconn.PgError{Code: "40001"}, nil, auth.CodeInternal},
		{"deadlock", &pgconn.PgError{Code: "40P01"}, nil, auth.CodeInternal},
		{"malformed SQLSTATE", &pgconn.PgError{Code: "2"}, nil, auth.CodeInternal},
		{"connection failure", &pgconn.PgError{Code: "08006"}, nil, auth.CodeDatabase},
		{"too many connections", &pgconn.PgError{Code: "53300"}, nil, auth.CodeDatabase},
		{"disk full", &pgconn.PgError{Code: "53100"}, nil, auth.CodeDatabase},
		{"server shutting down", &pgconn.PgError{Code: "57P01"}, nil, auth.CodeDatabase},
		{"statement timeout", &pgconn.PgError{Code: "57014"}, nil, auth.CodeDatabase},
		{"I/O error", &pgconn.PgError{Code: "58030"}, nil, auth.CodeDatabase},
		{"data corrupted", &pgconn.PgError{Code: "XX001"}, nil, auth.CodeDatabase},
		{"server error wrapped", fmt.Errorf("query: %w", &pgconn.PgError{Code: "57P01"}), nil, auth.CodeDatabase},
		{"connection refused", errors.New("dial tcp 127.0.0.1:5432: connect: connection refused"), nil, auth.CodeDatabase},
		{"cancelled context", fmt.Errorf("query: %w", context.Canceled), context.Canceled, auth.CodeDatabase},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), context.DeadlineExceeded, auth.CodeDatabase},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := translate("op", tc.cause)
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("translate(%v) = %v, want it to wrap %v", tc.cause, err, tc.want)
			}
			var e *auth.Error
			isAuthErr := errors.As(err, &e)
			switch {
			case tc.wantCode == "" && isAuthErr:
				t.Errorf("translate(%v) = %v, want a plain sentinel, not an *auth.Error", tc.cause, err)
			case tc.wantCode != "" && (!isAuthErr || e.Code != tc.wantCode):
				t.Errorf("translate(%v) = %v, want code %s", tc.cause, err, tc.wantCode)
			case tc.wantCode != "" && !errors.Is(err, tc.cause):
				t.Errorf("translate(%v) = %v, want the cause kept for the log", tc.cause, err)
			}
		})
	}
}

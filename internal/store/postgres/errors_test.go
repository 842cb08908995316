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

// TestTranslate covers each class of driver error. pgx's error values are
// plain structs and sentinels, so no server is needed.
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
		{"not null is not a conflict", &pgconn.PgError{Code: "23502"}, nil, auth.CodeDatabase},
		{"server shutting down", &pgconn.PgError{Code: "57P01"}, nil, auth.CodeDatabase},
		{"connection failure", errors.New("dial tcp 127.0.0.1:5432: connect: connection refused"), nil, auth.CodeDatabase},
		{"cancelled context", fmt.Errorf("query: %w", context.Canceled), context.Canceled, auth.CodeDatabase},
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

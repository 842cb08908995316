package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/authd/authd/internal/auth"
)

// uniqueViolation is PostgreSQL's SQLSTATE unique_violation.
const uniqueViolation = "23505"

// translate turns an error from pgx into the store's vocabulary, with op as
// context: no row is auth.ErrUserNotFound, a unique violation is
// auth.ErrUserExists, and anything else is an infrastructure failure,
// auth.DatabaseError. This is the one place that knows the driver's error
// types.
func translate(op string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, auth.ErrUserNotFound)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == uniqueViolation {
		return fmt.Errorf("%s: %w", op, auth.ErrUserExists)
	}
	return auth.DatabaseError(fmt.Errorf("%s: %w", op, err))
}

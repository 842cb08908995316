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
// context. This is the one place that knows the driver's error types.
//
//   - No row is auth.ErrUserNotFound; a unique violation is
//     auth.ErrUserExists.
//   - An error the server did not send (connection refused, reset or lost,
//     a timeout, a cancelled call) and the SQLSTATE classes of a server
//     that cannot serve are infrastructure failures, auth.DatabaseError,
//     which the circuit breaker counts; see infrastructureClass.
//   - Every other SQLSTATE is the server answering "no" to this one
//     statement: a data exception (class 22) is the request's fault,
//     auth.InvalidData; the rest (integrity, syntax, transaction
//     rollback, ...) are auth.StoreRefused. Neither counts towards opening the
//     breaker, or five requests with a NUL in them would take authd down
//     for everyone.
func translate(op string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, auth.ErrUserNotFound)
	}
	wrapped := fmt.Errorf("%s: %w", op, err)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return auth.DatabaseError(wrapped)
	}
	switch class := sqlstateClass(pgErr.Code); {
	case pgErr.Code == uniqueViolation:
		return fmt.Errorf("%s: %w", op, auth.ErrUserExists)
	case infrastructureClass(class):
		return auth.DatabaseError(wrapped)
	case class == "22":
		return auth.InvalidData(wrapped)
	default:
		return auth.StoreRefused(wrapped)
	}
}

// sqlstateClass is the first two characters of a SQLSTATE, its class.
func sqlstateClass(code string) string {
	if len(code) < 2 {
		return ""
	}
	return code[:2]
}

// infrastructureClass reports the SQLSTATE classes (PostgreSQL manual,
// appendix A) that say the server cannot serve, whatever the statement:
// 08 connection exception, 53 insufficient resources (disk full, out of
// memory, too many connections), 57 operator intervention (shutdown,
// statement timeout, cancelled query), 58 system error (I/O), XX internal
// error (data corruption).
func infrastructureClass(class string) bool {
	switch class {
	case "08", "53", "57", "58", "XX":
		return true
	}
	return false
}

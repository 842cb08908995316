package sqlite

import (
	"database/sql"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/authd/authd/internal/auth"
)

// translate turns an error from database/sql or the driver into the store's
// vocabulary, with op as context, as the PostgreSQL store does by SQLSTATE
// class. This is the one place that knows the driver's error type.
//
//   - No row is auth.ErrUserNotFound; a unique constraint is
//     auth.ErrUserExists.
//   - A value SQLite cannot hold (SQLITE_TOOBIG, SQLITE_MISMATCH) is the
//     request's fault, auth.InvalidData; any other refusal of this one
//     statement (another constraint, an SQL error such as a missing
//     table, a bad bind index) is auth.StoreRefused. Neither counts
//     towards opening the circuit breaker.
//   - Everything else (busy or locked past the timeout, I/O, a full disk,
//     a corrupt or read-only file, an interrupted call, a closed store) is
//     an infrastructure failure, auth.DatabaseError, which the breaker
//     counts.
func translate(op string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, auth.ErrUserNotFound)
	}
	wrapped := fmt.Errorf("%s: %w", op, err)
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return auth.DatabaseError(wrapped)
	}
	// Extended result codes say which constraint failed; a plain
	// SQLITE_CONSTRAINT would also cover NOT NULL and CHECK, which are
	// bugs, not taken names. PRIMARYKEY can only come from an explicit id,
	// which the store never writes, but it means the same thing.
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return fmt.Errorf("%s: %w", op, auth.ErrUserExists)
	}
	// The primary result code is the low byte of an extended one.
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_TOOBIG, sqlite3.SQLITE_MISMATCH:
		return auth.InvalidData(wrapped)
	case sqlite3.SQLITE_CONSTRAINT, sqlite3.SQLITE_ERROR, sqlite3.SQLITE_RANGE:
		return auth.StoreRefused(wrapped)
	}
	return auth.DatabaseError(wrapped)
}

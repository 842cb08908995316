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
// vocabulary, with op as context: no row is auth.ErrUserNotFound, a unique
// constraint is auth.ErrUserExists, and anything else is an infrastructure
// failure, auth.DatabaseError. This is the one place that knows the
// driver's error type.
func translate(op string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, auth.ErrUserNotFound)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		// Extended result codes say which constraint failed; a plain
		// SQLITE_CONSTRAINT would also cover NOT NULL and CHECK, which are
		// bugs, not taken names. PRIMARYKEY can only come from an explicit
		// id, which the store never writes, but it means the same thing.
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%s: %w", op, auth.ErrUserExists)
		}
	}
	return auth.DatabaseError(fmt.Errorf("%s: %w", op, err))
}

package sqlite

import (
	"context"
	"database/sql"
)

// inTx runs use in one write transaction and commits it when use returns
// nil; otherwise nothing use wrote remains. This is how a use case of more
// than one write (a registration, a login, a password change) is atomic:
// the unexported helpers it calls take the *sql.Tx. use returns errors
// already translated by the statement that failed; inTx translates only
// its own BEGIN and COMMIT. The DSN's _txlock=immediate takes the write
// lock at BEGIN, so a transaction never fails halfway for another
// process's write.
func (s *Store) inTx(ctx context.Context, op string, use func(tx *sql.Tx) error) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return translate(op, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := use(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return translate(op, err)
	}
	return nil
}

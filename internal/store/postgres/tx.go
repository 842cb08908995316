package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// inTx runs use in one transaction and commits it when use returns nil;
// otherwise nothing use wrote remains. This is how a use case of more than
// one write (a registration, a login, a password change) is atomic: the
// unexported helpers it calls take the pgx.Tx. use returns errors already
// translated by the statement that failed; inTx translates only its own
// BEGIN and COMMIT.
func (s *Store) inTx(ctx context.Context, op string, use func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return translate(op, err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // a no-op after Commit
	if err := use(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return translate(op, err)
	}
	return nil
}

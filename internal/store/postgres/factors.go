package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authd/authd/internal/auth"
)

// EnrolFactor upserts the pending factor: the conflict update matches only
// a factor that is not confirmed, so a confirmed one is never replaced.
func (s *Store) EnrolFactor(ctx context.Context, e auth.FactorEnrolment) error {
	res, err := s.pool.Exec(ctx, `
		INSERT INTO mfa_factors (user_id, sealed, last_step, created_at) VALUES ($1, $2, 0, $3)
		ON CONFLICT (user_id) DO UPDATE SET sealed = excluded.sealed, last_step = 0, created_at = excluded.created_at
			WHERE mfa_factors.confirmed_at IS NULL`,
		e.UserID, e.Sealed, dbTime(e.At))
	ok, err := matched("enrol factor", res, err)
	if err == nil && !ok {
		err = fmt.Errorf("enrol factor: %w", auth.ErrFactorOn)
	}
	return err
}

// FactorByUser returns the user's factor.
func (s *Store) FactorByUser(ctx context.Context, userID int64) (auth.Factor, error) {
	var f auth.Factor
	err := s.pool.QueryRow(ctx, `
		SELECT user_id, sealed, last_step, created_at, confirmed_at FROM mfa_factors WHERE user_id = $1`, userID).
		Scan(&f.UserID, &f.Sealed, &f.LastStep, &f.CreatedAt, &f.ConfirmedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.Factor{}, fmt.Errorf("factor by user: %w", auth.ErrFactorNotFound)
	}
	if err != nil {
		return auth.Factor{}, translate("factor by user", err)
	}
	// pgx returns timestamptz in the local time zone; the store's are UTC.
	f.CreatedAt = f.CreatedAt.UTC()
	if f.ConfirmedAt != nil {
		t := f.ConfirmedAt.UTC()
		f.ConfirmedAt = &t
	}
	return f, nil
}

// ConfirmFactor swaps the pending factor on, writes the recovery codes and
// ends the other sessions in one transaction.
func (s *Store) ConfirmFactor(ctx context.Context, c auth.FactorConfirmation) (int64, error) {
	var ended int64
	err := s.inTx(ctx, "confirm factor", func(tx pgx.Tx) error {
		res, err := tx.Exec(ctx, `
			UPDATE mfa_factors SET confirmed_at = $1, last_step = $2
			WHERE user_id = $3 AND confirmed_at IS NULL AND last_step < $4`,
			dbTime(c.At), c.Step, c.UserID, c.Step)
		if err := updated("confirm factor", c.UserID, auth.ErrStepUsed, res, err); err != nil {
			return err
		}
		if err := replaceRecovery(ctx, tx, c.UserID, c.Recovery); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, c.Event); err != nil {
			return err
		}
		ended, err = endUserSessions(ctx, tx, auth.SessionEnd{UserID: c.UserID, Except: c.KeepSession, Reason: auth.EndMFA, At: c.At})
		if err != nil || c.Notice == nil {
			return err
		}
		return queueMail(ctx, tx, *c.Notice, c.UserID)
	})
	return ended, err
}

// SpendProof spends a second factor in a transaction of its own.
func (s *Store) SpendProof(ctx context.Context, u auth.ProofUse) error {
	return s.inTx(ctx, "spend proof", func(tx pgx.Tx) error {
		if err := spendProof(ctx, tx, u.UserID, u.Proof); err != nil {
			return err
		}
		return insertEvent(ctx, tx, u.Event)
	})
}

// DisableFactor spends the proof and deletes the factor and its codes.
func (s *Store) DisableFactor(ctx context.Context, r auth.FactorRemoval) (bool, error) {
	var removed bool
	err := s.inTx(ctx, "disable factor", func(tx pgx.Tx) error {
		if r.Proof != nil {
			if err := spendProof(ctx, tx, r.UserID, *r.Proof); err != nil {
				return err
			}
		}
		if err := insertEvent(ctx, tx, r.Event); err != nil {
			return err
		}
		if err := replaceRecovery(ctx, tx, r.UserID, nil); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `DELETE FROM mfa_factors WHERE user_id = $1`, r.UserID)
		if removed, err = matched("disable factor", res, err); err != nil || !removed || r.Notice == nil {
			return err
		}
		return queueMail(ctx, tx, *r.Notice, r.UserID)
	})
	return removed, err
}

// ReplaceRecoveryCodes spends the proof and swaps the codes.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, r auth.RecoveryCodes) error {
	return s.inTx(ctx, "replace recovery codes", func(tx pgx.Tx) error {
		if err := spendProof(ctx, tx, r.UserID, r.Proof); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, r.Event); err != nil {
			return err
		}
		return replaceRecovery(ctx, tx, r.UserID, r.Hashes)
	})
}

// CreateChallenge inserts the challenge.
func (s *Store) CreateChallenge(ctx context.Context, c auth.MFAChallenge) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO mfa_challenges (token_hash, user_id, tries, created_at, expires_at) VALUES ($1, $2, 0, $3, $4)`,
		c.Hash, c.UserID, dbTime(c.CreatedAt), dbTime(c.ExpiresAt))
	return translateIf("create challenge", err)
}

// ChallengeByHash returns the challenge of a token hash.
func (s *Store) ChallengeByHash(ctx context.Context, hash []byte) (auth.MFAChallenge, error) {
	var c auth.MFAChallenge
	err := s.pool.QueryRow(ctx, `
		SELECT token_hash, user_id, tries, created_at, expires_at FROM mfa_challenges WHERE token_hash = $1`, hash).
		Scan(&c.Hash, &c.UserID, &c.Tries, &c.CreatedAt, &c.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return auth.MFAChallenge{}, fmt.Errorf("challenge by hash: %w", auth.ErrChallengeNotFound)
	}
	if err != nil {
		return auth.MFAChallenge{}, translate("challenge by hash", err)
	}
	c.CreatedAt, c.ExpiresAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC()
	return c, nil
}

// MissChallenge counts a wrong code in one UPDATE.
func (s *Store) MissChallenge(ctx context.Context, hash []byte) (int, error) {
	var tries int
	err := s.pool.QueryRow(ctx, `
		UPDATE mfa_challenges SET tries = tries + 1 WHERE token_hash = $1 RETURNING tries`, hash).Scan(&tries)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("miss challenge: %w", auth.ErrChallengeNotFound)
	}
	if err != nil {
		return 0, translate("miss challenge", err)
	}
	return tries, nil
}

// FinishChallenge deletes the live challenge and spends the proof together.
// Under READ COMMITTED a racing DELETE or UPDATE waits for the row lock and
// then re-checks its WHERE against the winner's row, so of two finishes
// with one token or one code exactly one matches.
func (s *Store) FinishChallenge(ctx context.Context, f auth.ChallengeFinish) error {
	return s.inTx(ctx, "finish challenge", func(tx pgx.Tx) error {
		res, err := tx.Exec(ctx, `
			DELETE FROM mfa_challenges WHERE token_hash = $1 AND user_id = $2 AND tries < $3 AND expires_at > $4`,
			f.Hash, f.UserID, f.MaxTries, dbTime(f.At))
		ok, err := matched("finish challenge", res, err)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("finish challenge: %w", auth.ErrChallengeNotFound)
		}
		if err := insertEvent(ctx, tx, f.Event); err != nil {
			return err
		}
		return spendProof(ctx, tx, f.UserID, f.Proof)
	})
}

// PurgeChallenges deletes at most limit expired challenges; SKIP LOCKED
// lets purges on several replicas share the work.
func (s *Store) PurgeChallenges(ctx context.Context, before time.Time, limit int) (int64, error) {
	tag, err := s.pool.Exec(ctx, `
		DELETE FROM mfa_challenges WHERE token_hash IN (
			SELECT token_hash FROM mfa_challenges WHERE expires_at < $1 ORDER BY expires_at LIMIT $2
			FOR UPDATE SKIP LOCKED)`,
		dbTime(before), limit)
	if err != nil {
		return 0, translate("purge challenges", err)
	}
	return tag.RowsAffected(), nil
}

// spendProof is the compare-and-swap that makes a second factor single-use:
// the confirmed factor's last step moves forward to p.Step only when it is
// before it, or the recovery code p.Recovery is deleted.
func spendProof(ctx context.Context, tx pgx.Tx, userID int64, p auth.Proof) error {
	if p.Recovery != nil {
		res, err := tx.Exec(ctx, `DELETE FROM mfa_recovery_codes WHERE user_id = $1 AND code_hash = $2`, userID, p.Recovery)
		return updated("spend recovery code", userID, auth.ErrRecoveryCodeNotFound, res, err)
	}
	res, err := tx.Exec(ctx, `
		UPDATE mfa_factors SET last_step = $1 WHERE user_id = $2 AND confirmed_at IS NOT NULL AND last_step < $3`,
		p.Step, userID, p.Step)
	return updated("spend totp step", userID, auth.ErrStepUsed, res, err)
}

// replaceRecovery makes hashes the user's only recovery codes.
func replaceRecovery(ctx context.Context, tx pgx.Tx, userID int64, hashes [][]byte) error {
	if _, err := tx.Exec(ctx, `DELETE FROM mfa_recovery_codes WHERE user_id = $1`, userID); err != nil {
		return translate("replace recovery codes", err)
	}
	for _, h := range hashes {
		if _, err := tx.Exec(ctx, `INSERT INTO mfa_recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, h); err != nil {
			return translate("replace recovery codes", err)
		}
	}
	return nil
}

// sessionAAL is the aal column of sess: aal1 unless the session says.
func sessionAAL(sess auth.Session) string {
	if sess.AAL == "" {
		return auth.AAL1
	}
	return sess.AAL
}

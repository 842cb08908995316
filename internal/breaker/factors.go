package breaker

import (
	"context"
	"time"

	"github.com/authd/authd/internal/auth"
)

// EnrolFactor calls the inner store through the breaker.
func (s *Store) EnrolFactor(ctx context.Context, e auth.FactorEnrolment) error {
	return callErr(ctx, s, func(ctx context.Context) error { return s.inner.EnrolFactor(ctx, e) })
}

// FactorByUser calls the inner store through the breaker.
func (s *Store) FactorByUser(ctx context.Context, userID int64) (auth.Factor, error) {
	return call(ctx, s, func(ctx context.Context) (auth.Factor, error) { return s.inner.FactorByUser(ctx, userID) })
}

// ConfirmFactor calls the inner store through the breaker.
func (s *Store) ConfirmFactor(ctx context.Context, c auth.FactorConfirmation) (int64, error) {
	return call(ctx, s, func(ctx context.Context) (int64, error) { return s.inner.ConfirmFactor(ctx, c) })
}

// SpendProof calls the inner store through the breaker.
func (s *Store) SpendProof(ctx context.Context, u auth.ProofUse) error {
	return callErr(ctx, s, func(ctx context.Context) error { return s.inner.SpendProof(ctx, u) })
}

// DisableFactor calls the inner store through the breaker.
func (s *Store) DisableFactor(ctx context.Context, r auth.FactorRemoval) (bool, error) {
	return call(ctx, s, func(ctx context.Context) (bool, error) { return s.inner.DisableFactor(ctx, r) })
}

// ReplaceRecoveryCodes calls the inner store through the breaker.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, r auth.RecoveryCodes) error {
	return callErr(ctx, s, func(ctx context.Context) error { return s.inner.ReplaceRecoveryCodes(ctx, r) })
}

// CreateChallenge calls the inner store through the breaker.
func (s *Store) CreateChallenge(ctx context.Context, c auth.MFAChallenge) error {
	return callErr(ctx, s, func(ctx context.Context) error { return s.inner.CreateChallenge(ctx, c) })
}

// ChallengeByHash calls the inner store through the breaker.
func (s *Store) ChallengeByHash(ctx context.Context, hash []byte) (auth.MFAChallenge, error) {
	return call(ctx, s, func(ctx context.Context) (auth.MFAChallenge, error) { return s.inner.ChallengeByHash(ctx, hash) })
}

// MissChallenge calls the inner store through the breaker.
func (s *Store) MissChallenge(ctx context.Context, hash []byte) (int, error) {
	return call(ctx, s, func(ctx context.Context) (int, error) { return s.inner.MissChallenge(ctx, hash) })
}

// FinishChallenge calls the inner store through the breaker.
func (s *Store) FinishChallenge(ctx context.Context, f auth.ChallengeFinish) error {
	return callErr(ctx, s, func(ctx context.Context) error { return s.inner.FinishChallenge(ctx, f) })
}

// PurgeChallenges calls the inner store through the breaker.
func (s *Store) PurgeChallenges(ctx context.Context, before time.Time, limit int) (int64, error) {
	return call(ctx, s, func(ctx context.Context) (int64, error) { return s.inner.PurgeChallenges(ctx, before, limit) })
}

// callErr is call for a method that returns only an error.
func callErr(ctx context.Context, s *Store, f func(context.Context) error) error {
	_, err := call(ctx, s, func(ctx context.Context) (struct{}, error) { return struct{}{}, f(ctx) })
	return err
}

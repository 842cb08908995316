package breaker

import (
	"context"
	"time"

	"github.com/authd/authd/internal/auth"
)

// RequestCode calls the inner store through the breaker.
func (s *Store) RequestCode(ctx context.Context, r auth.CodeRequest) (bool, error) {
	return call(ctx, s, func(ctx context.Context) (bool, error) { return s.inner.RequestCode(ctx, r) })
}

// CodeByToken calls the inner store through the breaker.
func (s *Store) CodeByToken(ctx context.Context, hash []byte) (auth.OneTimeCode, error) {
	return call(ctx, s, func(ctx context.Context) (auth.OneTimeCode, error) { return s.inner.CodeByToken(ctx, hash) })
}

// CodeByEmail calls the inner store through the breaker.
func (s *Store) CodeByEmail(ctx context.Context, email string, purposes []auth.Purpose) (auth.OneTimeCode, error) {
	return call(ctx, s, func(ctx context.Context) (auth.OneTimeCode, error) {
		return s.inner.CodeByEmail(ctx, email, purposes)
	})
}

// TryCode calls the inner store through the breaker.
func (s *Store) TryCode(ctx context.Context, id int64) (int, error) {
	return call(ctx, s, func(ctx context.Context) (int, error) { return s.inner.TryCode(ctx, id) })
}

// ResetPassword calls the inner store through the breaker.
func (s *Store) ResetPassword(ctx context.Context, r auth.PasswordReset) (int64, error) {
	return call(ctx, s, func(ctx context.Context) (int64, error) { return s.inner.ResetPassword(ctx, r) })
}

// VerifyEmail calls the inner store through the breaker.
func (s *Store) VerifyEmail(ctx context.Context, v auth.EmailVerification) error {
	_, err := call(ctx, s, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.inner.VerifyEmail(ctx, v) })
	return err
}

// PurgeCodes calls the inner store through the breaker.
func (s *Store) PurgeCodes(ctx context.Context, before time.Time, limit int) (int64, error) {
	return call(ctx, s, func(ctx context.Context) (int64, error) { return s.inner.PurgeCodes(ctx, before, limit) })
}

// ClaimMail calls the inner store through the breaker.
func (s *Store) ClaimMail(ctx context.Context, at, leaseUntil time.Time, limit int) ([]auth.QueuedMail, error) {
	return call(ctx, s, func(ctx context.Context) ([]auth.QueuedMail, error) {
		return s.inner.ClaimMail(ctx, at, leaseUntil, limit)
	})
}

// RetryMail calls the inner store through the breaker.
func (s *Store) RetryMail(ctx context.Context, id string, next time.Time) error {
	_, err := call(ctx, s, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.inner.RetryMail(ctx, id, next) })
	return err
}

// FinishMail calls the inner store through the breaker.
func (s *Store) FinishMail(ctx context.Context, id string) error {
	_, err := call(ctx, s, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.inner.FinishMail(ctx, id) })
	return err
}

// MailQueueDepth calls the inner store through the breaker.
func (s *Store) MailQueueDepth(ctx context.Context) (int64, error) {
	return call(ctx, s, func(ctx context.Context) (int64, error) { return s.inner.MailQueueDepth(ctx) })
}

// QueueMail calls the inner store through the breaker.
func (s *Store) QueueMail(ctx context.Context, m auth.QueuedMail) error {
	_, err := call(ctx, s, func(ctx context.Context) (struct{}, error) { return struct{}{}, s.inner.QueueMail(ctx, m) })
	return err
}

package recovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/authd/authd/internal/auth"
)

// VerifyInput is the body of a verification: a link token, or an email
// and code.
type VerifyInput struct {
	Token  string
	Email  string
	Code   string
	Client auth.Client
}

// Verify spends a verification code (API.md, Email verification and
// change): the address it was mailed to becomes verified, or, for an
// address change, becomes the user's address, verified. A taken address
// is 409 and leaves the code unspent.
func (s *Service) Verify(ctx context.Context, in VerifyInput) error {
	ci := codeInput{Token: in.Token, Email: in.Email, Code: in.Code, Client: in.Client}
	if fields := validateCode(ci); len(fields) > 0 {
		return auth.NewValidationError(fields)
	}
	c, err := s.find(ctx, ci, auth.PurposeVerify, auth.PurposeChange)
	if err != nil {
		return err
	}
	now := s.deps.Clock()
	change := c.Purpose == auth.PurposeChange
	action := auth.ActionEmailVerified
	if change {
		action = auth.ActionEmailChanged
	}
	err = s.deps.Store.VerifyEmail(ctx, auth.EmailVerification{CodeID: c.ID, UserID: c.UserID, Email: c.Email, Change: change, At: now,
		Event: in.Client.Event(action, c.UserID, now)})
	switch {
	case errors.Is(err, auth.ErrCodeNotFound):
		return auth.Fail(auth.CodeInvalidCode, err)
	case errors.Is(err, auth.ErrUserExists):
		return auth.Fail(auth.CodeUserExists, err)
	case err != nil:
		return fmt.Errorf("verify email: %w", err)
	}
	s.deps.Logger().InfoContext(ctx, "email verified", slog.Int64("user_id", c.UserID), slog.Bool("changed", change))
	return nil
}

// Resend queues the verification mail of the caller's address again;
// nothing when it is verified already, or past the account's mail limit.
func (s *Service) Resend(ctx context.Context, caller auth.Caller, client auth.Client) error {
	if err := s.limitIP(ctx, client); err != nil {
		return err
	}
	u := caller.User
	if u.EmailVerified() {
		return nil
	}
	over, err := s.overAccount(ctx, fmt.Sprintf("user:%d", u.ID))
	if err != nil {
		return err
	}
	r, err := s.mailer.VerifyRequest(u, client, s.deps.Clock())
	if err != nil {
		return err
	}
	_, err = s.queue(ctx, *r, over)
	return err
}

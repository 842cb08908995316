package recovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/authd/authd/internal/auth"
)

// ResetInput is the body of a reset: a link token, or an email and code,
// and the new password.
type ResetInput struct {
	Token       string
	Email       string
	Code        string
	NewPassword string
	Client      auth.Client
}

// Reset sets a new password with a reset code (API.md, Password
// recovery): every session ends, every reset code of the user is spent,
// the address counts as verified, the account's throttle failures are
// cleared, and a password_changed notice is queued, in one write. Two-
// factor is left as it is.
func (s *Service) Reset(ctx context.Context, in ResetInput) error {
	ci := codeInput{Token: in.Token, Email: in.Email, Code: in.Code, Client: in.Client}
	fields := validateCode(ci)
	if in.NewPassword == "" {
		fields = append(fields, auth.FieldError{Field: "new_password", Message: "new_password is required"})
	}
	if len(fields) > 0 {
		return auth.NewValidationError(fields)
	}
	c, err := s.find(ctx, ci, auth.PurposeReset)
	if err != nil {
		return err
	}
	u, err := s.deps.Store.UserByID(ctx, c.UserID)
	if errors.Is(err, auth.ErrUserNotFound) {
		return auth.Fail(auth.CodeInvalidCode, err)
	}
	if err != nil {
		return fmt.Errorf("find user: %w", err)
	}
	// The code is not spent by a password the rules refuse: the person
	// tries another.
	if msg := s.core.PasswordProblem(in.NewPassword, u.Username, u.Email); msg != "" {
		return auth.NewValidationError([]auth.FieldError{{Field: "new_password", Message: msg}})
	}
	hash, err := s.deps.Hasher.Hash(ctx, in.NewPassword)
	if err != nil {
		return auth.HashFailure("hash password", err)
	}
	now := s.deps.Clock()
	notice, err := s.mailer.mail(auth.MailPasswordChanged, u.Email, auth.MailData{Username: u.Username, At: now, IP: in.Client.IP}, now)
	if err != nil {
		return err
	}
	ended, err := s.deps.Store.ResetPassword(ctx, auth.PasswordReset{CodeID: c.ID, UserID: u.ID, Email: c.Email, Hash: hash, At: now,
		Throttle: s.core.ResetThrottle(u, in.Client), Notice: notice, Event: in.Client.Event(auth.ActionPasswordReset, u.ID, now)})
	if errors.Is(err, auth.ErrCodeNotFound) {
		// Spent by a racing reset, or expired, since it was read.
		return auth.Fail(auth.CodeInvalidCode, err)
	}
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	s.deps.Logger().InfoContext(ctx, "password reset", slog.Int64("user_id", u.ID))
	auth.SessionsEnded(ctx, s.deps, u.ID, auth.EndReset, ended)
	return nil
}

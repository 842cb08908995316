package recovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/authd/authd/internal/auth"
)

// ChangeEmailInput is the body of an address change.
type ChangeEmailInput struct {
	NewEmail string
	Password string
	// Code is a second factor, needed when two-factor is on.
	Code   string
	Client auth.Client
}

// ChangeEmail starts an address change (API.md, Email verification and
// change): the password is checked as a login checks it, a verify_email
// mail goes to the new address and an email_change_notice to the current
// one; the address changes only when the new one is verified.
func (s *Service) ChangeEmail(ctx context.Context, caller auth.Caller, in ChangeEmailInput) error {
	var fields []auth.FieldError
	if msg := auth.EmailProblem(in.NewEmail); msg != "" {
		fields = append(fields, auth.FieldError{Field: "new_email", Message: msg})
	}
	if in.Password == "" {
		fields = append(fields, auth.FieldError{Field: "password", Message: "password is required"})
	}
	if len(fields) > 0 {
		return auth.NewValidationError(fields)
	}
	if err := s.limitIP(ctx, in.Client); err != nil {
		return err
	}
	u := caller.User
	if err := s.core.CheckPassword(ctx, u, in.Password, in.Client); err != nil {
		return err
	}
	if err := s.core.RequireSecondFactor(ctx, u, in.Code, in.Client); err != nil {
		return err
	}
	email := auth.CanonicalEmail(in.NewEmail)
	if _, err := s.deps.Store.UserByEmail(ctx, email); err == nil {
		return auth.Fail(auth.CodeUserExists, nil)
	} else if !errors.Is(err, auth.ErrUserNotFound) {
		return fmt.Errorf("find user: %w", err)
	}
	over, err := s.overAccount(ctx, fmt.Sprintf("user:%d", u.ID))
	if err != nil {
		return err
	}
	now := s.deps.Clock()
	r, err := s.mailer.codeRequest(u, auth.PurposeChange, email, s.mailer.settings.VerifyTTL, auth.MailVerifyEmail, in.Client, now)
	if err != nil {
		return err
	}
	notice, err := s.mailer.mail(auth.MailEmailChange, u.Email, auth.MailData{Username: u.Username, At: now, IP: in.Client.IP, NewEmail: email}, now)
	if err != nil {
		return err
	}
	r.Mails = append(r.Mails, notice)
	r.Event = in.Client.Event(auth.ActionEmailChangeRequested, u.ID, now)
	if _, err := s.queue(ctx, r, over); err != nil {
		return err
	}
	s.deps.Logger().InfoContext(ctx, "email change requested", slog.Int64("user_id", u.ID))
	return nil
}

package auth

import (
	"context"
	"fmt"
	"log/slog"
)

// ChangePasswordInput is the body of a password change.
type ChangePasswordInput struct {
	CurrentPassword string
	NewPassword     string
	// Code is a second factor, needed when two-factor is on (API.md).
	Code string
	// Client is who asks: a wrong current password counts against its IP
	// like a failed login (API.md, Change password).
	Client Client
}

// ChangePassword replaces the caller's password after checking the current
// one, and ends every other session of the user: whoever else held one may
// be who the change is meant to lock out. The calling session stays.
//
// The current password is a password check like a login's, so it is
// throttled like one: refused before bcrypt while the account and IP wait,
// and a wrong one counted as a failed login of the account.
func (s *Service) ChangePassword(ctx context.Context, c Caller, in ChangePasswordInput) error {
	var fields []FieldError
	if in.CurrentPassword == "" {
		fields = append(fields, FieldError{Field: "current_password", Message: "current_password is required"})
	}
	// The register rule for passwords, the one and only.
	if msg := s.passwordProblem(in.NewPassword, c.User.Username, c.User.Email); msg != "" {
		fields = append(fields, FieldError{Field: "new_password", Message: msg})
	}
	if len(fields) > 0 {
		return validationError(fields)
	}
	if err := s.CheckPassword(ctx, c.User, in.CurrentPassword, in.Client); err != nil {
		return err
	}
	if err := s.RequireSecondFactor(ctx, c.User, in.Code, in.Client); err != nil {
		return err
	}
	hash, err := s.deps.Hasher.Hash(ctx, in.NewPassword)
	if err != nil {
		return hashFailure("hash password", err)
	}
	now := s.clock()
	// The new hash and the end of every other session are one write: a
	// changed password never leaves a thief's session alive.
	ended, err := s.deps.Store.ChangePassword(ctx, PasswordChange{UserID: c.User.ID, Hash: hash, KeepSession: c.Session.ID, At: now,
		Event: in.Client.event(ActionPasswordChanged, c.User.ID, now)})
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	s.deps.Log.InfoContext(ctx, "password changed", slog.Int64("user_id", c.User.ID), slog.String("session_id", c.Session.ID))
	SessionsEnded(ctx, s.deps, c.User.ID, EndPassword, ended)
	return nil
}

package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/authd/authd/internal/password"
)

// ChangePasswordInput is the body of a password change.
type ChangePasswordInput struct {
	CurrentPassword string
	NewPassword     string
}

// ChangePassword replaces the caller's password after checking the current
// one, and ends every other session of the user: whoever else held one may
// be who the change is meant to lock out. The calling session stays.
func (s *Service) ChangePassword(ctx context.Context, c Caller, in ChangePasswordInput) error {
	var fields []FieldError
	if in.CurrentPassword == "" {
		fields = append(fields, FieldError{Field: "current_password", Message: "current_password is required"})
	}
	// The register rule for passwords, the one and only.
	if msg := passwordProblem(in.NewPassword); msg != "" {
		fields = append(fields, FieldError{Field: "new_password", Message: msg})
	}
	if len(fields) > 0 {
		return validationError(fields)
	}
	// bcrypt compares only the first 72 bytes; a longer password cannot be right.
	err := password.ErrMismatch
	if len(in.CurrentPassword) <= password.MaxBytes {
		err = s.hasher.Compare(ctx, c.User.HashedPassword, in.CurrentPassword)
	}
	if errors.Is(err, password.ErrMismatch) {
		s.log.InfoContext(ctx, "password change refused", slog.String("reason", "wrong_password"), slog.Int64("user_id", c.User.ID))
		return invalidCredentials()
	}
	if err != nil {
		return hashFailure("compare password", err)
	}
	hash, err := s.hasher.Hash(ctx, in.NewPassword)
	if err != nil {
		return hashFailure("hash password", err)
	}
	now := s.clock()
	if err := s.store.SetPasswordHash(ctx, c.User.ID, hash, now); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	s.log.InfoContext(ctx, "password changed", slog.Int64("user_id", c.User.ID), slog.String("session_id", c.Session.ID))
	return s.endAll(ctx, c.User.ID, c.Session.ID, EndPassword, now)
}

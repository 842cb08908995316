package mfa

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/authd/authd/internal/auth"
)

// LoginInput is the second step of a login: the mfa_token of the first
// and a TOTP code or a recovery code (exactly one).
type LoginInput struct {
	MFAToken     string
	Code         string
	RecoveryCode string
	Client       auth.Client
}

// Login finishes a login that answered MFA_REQUIRED. The challenge and the
// code are spent together in one transaction (FinishChallenge), so of two
// racing requests with one token or one code, on any replica, one wins; a
// wrong code counts a try of the token (5 spend it) and a failed login of
// the pair and the IP. The session opens through the core's OpenSession.
func (s *Service) Login(ctx context.Context, in LoginInput) (auth.Authenticated, error) {
	code, err := in.code()
	if err != nil {
		return auth.Authenticated{}, err
	}
	hash := auth.ChallengeHash(in.MFAToken)
	now := s.deps.Clock()
	ch, err := s.deps.Store.ChallengeByHash(ctx, hash)
	if errors.Is(err, auth.ErrChallengeNotFound) || (err == nil && (!now.Before(ch.ExpiresAt) || ch.Tries >= auth.ChallengeMaxTries)) {
		s.deps.Logger().InfoContext(ctx, "second step refused", slog.String("reason", "invalid_token"))
		return auth.Authenticated{}, auth.Fail(auth.CodeInvalidToken, err)
	}
	if err != nil {
		return auth.Authenticated{}, fmt.Errorf("find challenge: %w", err)
	}
	u, err := s.deps.Store.UserByID(ctx, ch.UserID)
	if err != nil {
		return auth.Authenticated{}, fmt.Errorf("find user: %w", err)
	}
	f, err := s.deps.Store.FactorByUser(ctx, u.ID)
	if errors.Is(err, auth.ErrFactorNotFound) || (err == nil && !f.On()) {
		// Reset since the first step: log in again (and get no challenge).
		return auth.Authenticated{}, auth.Fail(auth.CodeInvalidToken, err)
	}
	if err != nil {
		return auth.Authenticated{}, fmt.Errorf("find factor: %w", err)
	}
	th, err := s.core.LoginCode(ctx, u, f, code, in.Client, func(p auth.Proof) error {
		var ev auth.Event // the login's own event is OpenSession's
		if p.Recovery != nil {
			ev = in.Client.Event(auth.ActionMFARecoveryCodeUsed, u.ID, now)
		}
		err := s.deps.Store.FinishChallenge(ctx, auth.ChallengeFinish{Hash: hash, UserID: u.ID, Proof: p,
			MaxTries: auth.ChallengeMaxTries, At: now, Event: ev})
		if errors.Is(err, auth.ErrChallengeNotFound) {
			return auth.Fail(auth.CodeInvalidToken, err)
		}
		return err
	})
	if auth.AsError(err).Code == auth.CodeInvalidCode {
		if _, merr := s.deps.Store.MissChallenge(ctx, hash); merr != nil && !errors.Is(merr, auth.ErrChallengeNotFound) {
			return auth.Authenticated{}, fmt.Errorf("count wrong code: %w", merr)
		}
		return auth.Authenticated{}, err
	}
	if err != nil {
		return auth.Authenticated{}, err
	}
	return s.core.FinishLogin(ctx, u, in.Client, th)
}

// code is the one code of in, after the checks of its form.
func (in LoginInput) code() (string, error) {
	var fields []auth.FieldError
	if in.MFAToken == "" {
		fields = append(fields, auth.FieldError{Field: "mfa_token", Message: "mfa_token is required"})
	}
	switch {
	case in.Code != "" && in.RecoveryCode != "":
		fields = append(fields, auth.FieldError{Field: "recovery_code", Message: "give code or recovery_code, not both"})
	case in.Code == "" && in.RecoveryCode == "":
		fields = append(fields, auth.FieldError{Field: "code", Message: "code or recovery_code is required"})
	case len(in.MFAToken) > 256 || len(in.Code) > 64 || len(in.RecoveryCode) > 64:
		fields = append(fields, auth.FieldError{Field: "code", Message: "too long"})
	}
	if len(fields) > 0 {
		return "", auth.NewValidationError(fields)
	}
	if in.Code != "" {
		return onlyTOTP(in.Code), nil
	}
	// A recovery code is twelve characters, never taken for a TOTP code.
	return in.RecoveryCode, nil
}

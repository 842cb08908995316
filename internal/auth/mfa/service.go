// Package mfa is two-factor login with TOTP (API.md, Two-factor login):
// enrolment and its confirmation, turning it off, new recovery codes, an
// operator's reset, and the second step of a login. It builds on the
// core's rules (decideTOTP, the throttle, OpenSession) and imports only
// the core.
package mfa

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/authd/authd/internal/auth"
)

// RecoveryCodeCount is how many recovery codes a confirmation or a
// regeneration gives.
const RecoveryCodeCount = 10

// Service is the two-factor use cases on the core Service.
type Service struct {
	core *auth.Service
	deps auth.Deps
}

// New builds the use cases on core; its Deps need Data and TOTP, and
// Mailer when the mfa_changed notice is to be sent.
func New(core *auth.Service) *Service {
	return &Service{core: core, deps: core.Deps()}
}

// Enrolment is what an app needs to hold a new factor.
type Enrolment struct {
	Secret     string
	OTPAuthURL string
}

// Enrol starts TOTP enrolment for the caller after checking the password
// (throttled like a login): a fresh secret, sealed with the data keys,
// pending until Confirm. A pending enrolment is replaced; one that is on
// is MFA_ALREADY_ENABLED; no data key is NOT_CONFIGURED.
func (s *Service) Enrol(ctx context.Context, c auth.Caller, password string, cl auth.Client) (Enrolment, error) {
	if password == "" {
		return Enrolment{}, auth.NewValidationError([]auth.FieldError{{Field: "password", Message: "password is required"}})
	}
	// Refused before the password is checked: a deployment without a data
	// key cannot keep the secret, whatever the password.
	if _, err := s.core.SealSecret(c.User.ID, "probe"); err != nil {
		return Enrolment{}, err
	}
	if err := s.core.CheckPassword(ctx, c.User, password, cl); err != nil {
		return Enrolment{}, err
	}
	secret, url, err := s.deps.TOTP.NewSecret(c.User.Username)
	if err != nil {
		return Enrolment{}, fmt.Errorf("new totp secret: %w", err)
	}
	sealed, err := s.core.SealSecret(c.User.ID, secret)
	if err != nil {
		return Enrolment{}, err
	}
	err = s.deps.Store.EnrolFactor(ctx, auth.FactorEnrolment{UserID: c.User.ID, Sealed: sealed, At: s.deps.Clock()})
	if errors.Is(err, auth.ErrFactorOn) {
		return Enrolment{}, auth.Fail(auth.CodeMFAAlreadyEnabled, err)
	}
	if err != nil {
		return Enrolment{}, fmt.Errorf("enrol factor: %w", err)
	}
	s.deps.Logger().InfoContext(ctx, "mfa enrolment started", slog.Int64("user_id", c.User.ID))
	return Enrolment{Secret: secret, OTPAuthURL: url}, nil
}

// Confirm turns the caller's pending factor on with its first code, and
// returns the recovery codes, shown this once. Every other session of the
// user ends (reason mfa): whoever else held one did not pass the factor.
func (s *Service) Confirm(ctx context.Context, c auth.Caller, code string, cl auth.Client) ([]string, error) {
	f, err := s.factor(ctx, c.User.ID)
	if err != nil {
		return nil, err
	}
	if f.On() {
		return nil, auth.Fail(auth.CodeMFAAlreadyEnabled, nil)
	}
	if code == "" {
		return nil, auth.NewValidationError([]auth.FieldError{{Field: "code", Message: "code is required"}})
	}
	codes, hashes, err := s.recoveryCodes(c.User.ID)
	if err != nil {
		return nil, err
	}
	now := s.deps.Clock()
	notice, err := s.notice(c.User, cl)
	if err != nil {
		return nil, err
	}
	var ended int64
	err = s.core.SpendCode(ctx, c.User, f, onlyTOTP(code), cl, func(p auth.Proof) error {
		if p.Recovery != nil {
			// A pending factor has no recovery codes: this text is no code.
			return auth.ErrRecoveryCodeNotFound
		}
		ended, err = s.deps.Store.ConfirmFactor(ctx, auth.FactorConfirmation{UserID: c.User.ID, Step: p.Step, Recovery: hashes,
			KeepSession: c.Session.ID, At: now, Notice: notice, Event: cl.Event(auth.ActionMFAEnabled, c.User.ID, now)})
		return err
	})
	if err != nil {
		return nil, err
	}
	s.deps.Logger().InfoContext(ctx, "mfa enabled", slog.Int64("user_id", c.User.ID))
	auth.SessionsEnded(ctx, s.deps, c.User.ID, auth.EndMFA, ended)
	return codes, nil
}

// Disable turns the caller's two-factor off with a code (TOTP or
// recovery): the factor and the recovery codes are gone.
func (s *Service) Disable(ctx context.Context, c auth.Caller, code string, cl auth.Client) error {
	f, err := s.onFactor(ctx, c.User.ID, code)
	if err != nil {
		return err
	}
	notice, err := s.notice(c.User, cl)
	if err != nil {
		return err
	}
	now := s.deps.Clock()
	err = s.core.SpendCode(ctx, c.User, f, code, cl, func(p auth.Proof) error {
		_, err := s.deps.Store.DisableFactor(ctx, auth.FactorRemoval{UserID: c.User.ID, Proof: &p, At: now, Notice: notice,
			Event: cl.Event(auth.ActionMFADisabled, c.User.ID, now)})
		return err
	})
	if err != nil {
		return err
	}
	s.deps.Logger().InfoContext(ctx, "mfa disabled", slog.Int64("user_id", c.User.ID))
	return nil
}

// RegenerateRecoveryCodes replaces the caller's recovery codes after a
// code (TOTP or recovery); the old ones stop working.
func (s *Service) RegenerateRecoveryCodes(ctx context.Context, c auth.Caller, code string, cl auth.Client) ([]string, error) {
	f, err := s.onFactor(ctx, c.User.ID, code)
	if err != nil {
		return nil, err
	}
	codes, hashes, err := s.recoveryCodes(c.User.ID)
	if err != nil {
		return nil, err
	}
	now := s.deps.Clock()
	err = s.core.SpendCode(ctx, c.User, f, code, cl, func(p auth.Proof) error {
		return s.deps.Store.ReplaceRecoveryCodes(ctx, auth.RecoveryCodes{UserID: c.User.ID, Proof: p, Hashes: hashes, At: now,
			Event: cl.Event(auth.ActionMFARecoveryRenewed, c.User.ID, now)})
	})
	if err != nil {
		return nil, err
	}
	s.deps.Logger().InfoContext(ctx, "mfa recovery codes regenerated", slog.Int64("user_id", c.User.ID))
	return codes, nil
}

// Reset turns two-factor off for userID without a code: an operator's
// answer to a lost device. actorID names the operator in the event
// (mfa.disabled). It reports whether the user had a factor.
func (s *Service) Reset(ctx context.Context, actorID string, userID int64, cl auth.Client) (bool, error) {
	ev := cl.Event(auth.ActionMFADisabled, userID, s.deps.Clock())
	ev.ActorID = actorID
	return s.reset(ctx, userID, ev)
}

// ResetMFA is Reset as auth.MFAResetter: what `authd user mfa-reset` and
// DELETE /admin/users/{id}/mfa call through the admin use cases, with e
// (admin.mfa_reset, its actor the admin or the operator) as the event.
func (s *Service) ResetMFA(ctx context.Context, userID int64, e auth.Event) error {
	_, err := s.reset(ctx, userID, e)
	return err
}

// reset removes userID's factor and recovery codes with the event ev, in
// one store call, and queues the mfa_changed notice when mail is on.
func (s *Service) reset(ctx context.Context, userID int64, ev auth.Event) (bool, error) {
	u, err := s.deps.Store.UserByID(ctx, userID)
	if errors.Is(err, auth.ErrUserNotFound) {
		return false, auth.Fail(auth.CodeUserNotFound, err)
	}
	if err != nil {
		return false, fmt.Errorf("find user: %w", err)
	}
	notice, err := s.notice(u, auth.Client{IP: ev.IP, UserAgent: ev.UserAgent, RequestID: ev.RequestID})
	if err != nil {
		return false, err
	}
	now := s.deps.Clock()
	ev.UserID, ev.At = u.ID, now
	removed, err := s.deps.Store.DisableFactor(ctx, auth.FactorRemoval{UserID: u.ID, At: now, Notice: notice, Event: ev})
	if err != nil {
		return false, fmt.Errorf("reset factor: %w", err)
	}
	s.deps.Logger().InfoContext(ctx, "mfa reset", slog.Int64("user_id", u.ID), slog.String("actor", ev.ActorID), slog.Bool("removed", removed))
	return removed, nil
}

// factor is the user's factor; INVALID_CODE when there is none to check
// a code against.
func (s *Service) factor(ctx context.Context, userID int64) (auth.Factor, error) {
	f, err := s.deps.Store.FactorByUser(ctx, userID)
	if errors.Is(err, auth.ErrFactorNotFound) {
		return auth.Factor{}, auth.Fail(auth.CodeInvalidCode, err)
	}
	if err != nil {
		return auth.Factor{}, fmt.Errorf("find factor: %w", err)
	}
	return f, nil
}

// onFactor is the user's confirmed factor, for a change that needs code.
func (s *Service) onFactor(ctx context.Context, userID int64, code string) (auth.Factor, error) {
	if code == "" {
		return auth.Factor{}, auth.NewValidationError([]auth.FieldError{{Field: "code", Message: "code is required"}})
	}
	f, err := s.factor(ctx, userID)
	if err == nil && !f.On() {
		err = auth.Fail(auth.CodeInvalidCode, nil)
	}
	return f, err
}

// notice is the mfa_changed mail to u, or nil when mail is off.
func (s *Service) notice(u auth.User, cl auth.Client) (*auth.QueuedMail, error) {
	if s.deps.Mailer == nil {
		return nil, nil
	}
	m, err := s.deps.Mailer.Notice(auth.MailMFAChanged, u, cl, s.deps.Clock())
	if err != nil {
		return nil, fmt.Errorf("mfa notice: %w", err)
	}
	return &m, nil
}

// onlyTOTP keeps a confirmation to TOTP codes: a pending factor has no
// recovery codes, and text that is not six digits cannot be right.
func onlyTOTP(code string) string {
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return "-"
	}
	return code
}

// recoveryAlphabet is RFC 4648's base32 alphabet: 5 bits a character, no
// 0/O or 1/I pairs to confuse.
const recoveryAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

// recoveryCodes makes RecoveryCodeCount codes of 12 characters (60 bits,
// above API.md's 50) grouped by four for reading, and their keyed hashes.
func (s *Service) recoveryCodes(userID int64) ([]string, [][]byte, error) {
	codes := make([]string, RecoveryCodeCount)
	hashes := make([][]byte, RecoveryCodeCount)
	raw := make([]byte, 12)
	for i := range codes {
		if _, err := rand.Read(raw); err != nil {
			return nil, nil, fmt.Errorf("recovery code: %w", err)
		}
		var b strings.Builder
		for j, r := range raw {
			if j > 0 && j%4 == 0 {
				b.WriteByte('-')
			}
			// 256 is a multiple of 32, so r%32 is uniform.
			b.WriteByte(recoveryAlphabet[r%32])
		}
		codes[i] = b.String()
		hashes[i] = s.core.RecoveryHash(userID, codes[i])
	}
	return codes, hashes, nil
}

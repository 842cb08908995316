package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// ChallengeTTL is how long an mfa_token waits for its second step.
const ChallengeTTL = 5 * time.Minute

// ChallengeMaxTries is how many wrong codes spend an mfa_token.
const ChallengeMaxTries = 5

// secondStep is the part of a login that two-factor adds: when u's factor
// is on, no session opens; a challenge is stored (its token only hashed)
// and the login answers MFA_REQUIRED with the token. It runs only after
// the password proved right, so a wrong password answers as before and
// tells nothing about two-factor.
func (s *Service) secondStep(ctx context.Context, u User) error {
	f, err := s.deps.Store.FactorByUser(ctx, u.ID)
	if errors.Is(err, ErrFactorNotFound) || (err == nil && !f.On()) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find factor: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return fmt.Errorf("mfa token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := s.clock()
	if err := s.deps.Store.CreateChallenge(ctx, MFAChallenge{Hash: ChallengeHash(token), UserID: u.ID,
		CreatedAt: now, ExpiresAt: now.Add(ChallengeTTL)}); err != nil {
		return fmt.Errorf("create challenge: %w", err)
	}
	s.deps.Log.InfoContext(ctx, "login needs a second factor", slog.Int64("user_id", u.ID))
	e := Fail(CodeMFARequired, nil)
	e.MFAToken = token
	return e
}

// ChallengeHash is how an mfa_token is stored: SHA-256 is enough for 256
// random bits, which no one can guess or brute-force from the hash.
func ChallengeHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// FinishLogin opens the session of a login whose second factor was just
// spent (internal/auth/mfa): through OpenSession, the one way a login
// finishes, after the checks a password login makes; th is LoginCode's.
func (s *Service) FinishLogin(ctx context.Context, u User, c Client, th LoginSuccess) (Authenticated, error) {
	if !u.IsActive {
		return Authenticated{}, Fail(CodeUserInactive, nil)
	}
	if err := s.usable(u); err != nil {
		return Authenticated{}, err
	}
	u.MFAEnabled = true
	a, err := s.openSession(ctx, u, c, th, AAL2)
	if err != nil {
		return Authenticated{}, err
	}
	s.deps.Observe().LoginAttempt(LoginSucceeded)
	s.deps.Log.InfoContext(ctx, "user logged in", slog.Int64("user_id", u.ID), slog.String("method", "mfa"))
	return a, nil
}

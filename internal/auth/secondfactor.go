package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
)

// recoveryKeyPurpose labels the HMAC key of recovery codes among the data
// keys' purposes.
const recoveryKeyPurpose = "authd mfa recovery code v1"

// factorContext binds a sealed TOTP secret to its user, so a sealed value
// copied to another user's row does not open.
func factorContext(userID int64) []byte {
	return strconv.AppendInt([]byte("authd totp secret "), userID, 10)
}

// SealSecret seals a TOTP secret of userID with the data keys;
// NOT_CONFIGURED when there is no data key to seal it under.
func (s *Service) SealSecret(userID int64, secret string) ([]byte, error) {
	if s.deps.Data == nil || !s.deps.Data.CanSeal() || s.deps.TOTP == nil {
		return nil, Fail(CodeNotConfigured, ErrNoDataKey)
	}
	sealed, err := s.deps.Data.Seal([]byte(secret), factorContext(userID))
	if err != nil {
		return nil, fmt.Errorf("seal totp secret: %w", err)
	}
	return sealed, nil
}

// RecoveryHash is the keyed hash a recovery code of userID is stored as.
// The code is normalised first (case, spaces and dashes do not matter),
// and the user id is in the MAC, so equal codes of two users differ.
func (s *Service) RecoveryHash(userID int64, code string) []byte {
	m := hmac.New(sha256.New, s.deps.Data.MACKey(recoveryKeyPurpose))
	m.Write(binary.BigEndian.AppendUint64(nil, uint64(userID)))
	m.Write([]byte(NormalizeRecoveryCode(code)))
	return m.Sum(nil)
}

// NormalizeRecoveryCode drops the spaces and dashes a recovery code is
// grouped with and upper-cases it.
func NormalizeRecoveryCode(code string) string {
	return strings.ToUpper(strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, code))
}

// isTOTPCode reports whether code has the form of a TOTP code: six digits.
// Anything else is taken as a recovery code.
func isTOTPCode(code string) bool {
	if len(code) != 6 {
		return false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ProveCode turns code into the Proof that spends it, for f's user at the
// clock's now: a TOTP code is matched against the steps within the skew
// and judged by decideTOTP; any other text is a recovery code, whose hash
// the store checks when spending it. A code that cannot be right is
// INVALID_CODE, and so is a replay (the result says which, for metrics).
func (s *Service) ProveCode(f Factor, code string) (Proof, MFAResult, error) {
	if !isTOTPCode(code) {
		if code == "" || len(code) > 64 {
			return Proof{}, MFAInvalid, Fail(CodeInvalidCode, nil)
		}
		return Proof{Recovery: s.RecoveryHash(f.UserID, code)}, MFARecoveryCode, nil
	}
	plain, err := s.deps.Data.Open(f.Sealed, factorContext(f.UserID))
	if err != nil {
		return Proof{}, "", fmt.Errorf("open totp secret: %w", err)
	}
	now := s.clock()
	cur := TOTPStep(now)
	for step := cur - TOTPSkew; step <= cur+TOTPSkew; step++ {
		want, err := s.deps.TOTP.Code(string(plain), step)
		if err != nil {
			return Proof{}, "", fmt.Errorf("totp code: %w", err)
		}
		if !hmac.Equal([]byte(want), []byte(code)) {
			continue
		}
		switch decideTOTP(f, step, now) {
		case totpAccept:
			return Proof{Step: step}, MFASuccess, nil
		case totpReplayed:
			return Proof{}, MFAReplayed, Fail(CodeInvalidCode, ErrStepUsed)
		}
	}
	return Proof{}, MFAInvalid, Fail(CodeInvalidCode, nil)
}

// SpentProof maps a store's refusal to spend a proof (a racing request
// used the step or the recovery code first) to INVALID_CODE, and names
// the result; any other error passes.
func SpentProof(err error) (MFAResult, error) {
	switch {
	case errors.Is(err, ErrStepUsed):
		return MFAReplayed, Fail(CodeInvalidCode, err)
	case errors.Is(err, ErrRecoveryCodeNotFound):
		return MFAInvalid, Fail(CodeInvalidCode, err)
	}
	return "", err
}

// RequireSecondFactor is the check of a change that needs a fresh second
// factor when two-factor is on (API.md: password, address, account
// deletion): nil when it is off; MFA_REQUIRED without a code; the code
// spent (once, on any replica) or INVALID_CODE. The check is throttled
// like a login of u from c, and a wrong code counts as a failed one.
func (s *Service) RequireSecondFactor(ctx context.Context, u User, code string, c Client) error {
	f, err := s.deps.Store.FactorByUser(ctx, u.ID)
	if errors.Is(err, ErrFactorNotFound) || (err == nil && !f.On()) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find factor: %w", err)
	}
	if code == "" {
		return Fail(CodeMFARequired, nil)
	}
	return s.SpendCode(ctx, u, f, code, c, func(p Proof) error {
		// The change's own event records the change; a recovery code's
		// use is worth an event of its own (API.md, Audit).
		var ev Event
		if p.Recovery != nil {
			ev = c.event(ActionMFARecoveryCodeUsed, u.ID, s.clock())
		}
		return s.deps.Store.SpendProof(ctx, ProofUse{UserID: u.ID, Proof: p, At: s.clock(), Event: ev})
	})
}

// SpendCode checks code against f for u, throttled as a login of u from
// c, and runs spend with its Proof; a wrong code (or one spent by a
// racing request) is INVALID_CODE and counts as a failed login.
func (s *Service) SpendCode(ctx context.Context, u User, f Factor, code string, c Client, spend func(Proof) error) error {
	_, err := s.LoginCode(ctx, u, f, code, c, spend)
	return err
}

// LoginCode is SpendCode for the second step of a login: on success it
// also returns what the login changes in the throttle records (the pair's
// failures reset, the IP known to the account), for FinishLogin to write
// with the session, as a password login does.
func (s *Service) LoginCode(ctx context.Context, u User, f Factor, code string, c Client, spend func(Proof) error) (LoginSuccess, error) {
	ip := c.addr()
	guard, err := s.checkLogin(ctx, u.Username, ip)
	if err != nil {
		return LoginSuccess{}, err
	}
	defer s.release(guard)
	p, result, err := s.ProveCode(f, code)
	if err == nil {
		result, err = SpentProof(spend(p))
		if err == nil {
			result = proofResult(p)
		}
	}
	if result != "" {
		s.deps.Observe().MFAAttempt(result)
	}
	if err == nil {
		return s.loginSuccess(guard, u.accountNames(), ip), nil
	}
	if AsError(err).Code != CodeInvalidCode {
		return LoginSuccess{}, err
	}
	s.deps.Log.InfoContext(ctx, "second factor refused", slog.String("reason", string(result)), slog.Int64("user_id", u.ID))
	if cerr := s.countCodeFailure(ctx, u.accountNames(), ip); cerr != nil {
		return LoginSuccess{}, cerr
	}
	return LoginSuccess{}, err
}

// proofResult is the metrics result of a spent proof.
func proofResult(p Proof) MFAResult {
	if p.Recovery != nil {
		return MFARecoveryCode
	}
	return MFASuccess
}

// countCodeFailure counts a wrong second factor as a failed login in the
// pair and IP scopes: guessing codes wears down the allowance guessing
// passwords has. The account scope is left out: whoever sends codes
// already holds the password, and counting there would let them lock the
// account against its owner's logins from unknown IPs.
func (s *Service) countCodeFailure(ctx context.Context, names []string, ip netip.Addr) error {
	t, now := s.deps.Throttle, s.clock()
	account := map[AttemptKey]bool{}
	for _, name := range names {
		account[t.Keys.account(name)] = true
	}
	var hits []CounterHit
	for _, h := range t.failureHits(names, ip, now) {
		if !account[h.Key] {
			hits = append(hits, h)
		}
	}
	if len(hits) == 0 {
		return nil
	}
	if _, err := s.deps.Store.HitCounters(ctx, now, hits); err != nil {
		return fmt.Errorf("count failed code: %w", err)
	}
	return nil
}

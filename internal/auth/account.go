package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"time"
)

// This file is what the use-case packages beneath auth (recovery) use of
// the core's rules, so that each rule stays written once, here.

// Mailer is the port through which the core queues mail it does not
// compose itself: the verification mail of a registration.
// recovery.Mailer implements it.
type Mailer interface {
	// VerifyRequest is the verification code of u's address and its
	// mail, for RequestCode or NewUser.Verify (the store fills in the
	// user id), made at at by c.
	VerifyRequest(u User, c Client, at time.Time) (*CodeRequest, error)
	// Notice is a notice mail of kind to u's address about a change c
	// made at at (mfa_changed), for the store to queue with the change.
	Notice(kind MailKind, u User, c Client, at time.Time) (QueuedMail, error)
}

// usable refuses a user who may not hold a session: inactive, or
// unverified while RequireVerified.
func (s *Service) usable(u User) error {
	if !u.IsActive {
		return Fail(CodeUserInactive, nil)
	}
	if s.deps.RequireVerified && !u.EmailVerified() {
		return Fail(CodeEmailNotVerified, nil)
	}
	return nil
}

// Deps are the dependencies the Service was built from.
func (s *Service) Deps() Deps { return s.deps }

// Limiter is the Service's limiter, for the limits of other use cases.
func (s *Service) Limiter() *Limiter { return s.limiter }

// PasswordProblem is the register rule for a password of the account
// username/email: "" when p passes.
func (s *Service) PasswordProblem(p, username, email string) string {
	return s.passwordProblem(p, username, email)
}

// EmailProblem is the register rule for an address: "" when e passes.
func EmailProblem(e string) string { return emailProblem(e) }

// CanonicalEmail is the form an address is stored and looked up in.
func CanonicalEmail(e string) string { return canonicalEmail(e) }

// Identifier is the login text of in (username, or an email in either
// field), validated as login validates it: 400 for text that cannot name
// an account.
func (in LoginInput) Identifier() (string, error) {
	if in.Password == "" {
		// Asked for an account, not a login: the password rule is not
		// this caller's.
		in.Password = "-"
	}
	return in.identifier()
}

// LookupLogin finds the user a validated login identifier names;
// ErrUserNotFound when none does.
func LookupLogin(ctx context.Context, st UserStore, login string) (User, error) {
	return lookup(ctx, st, login)
}

// Event is the Event of action by the user themself, from c, at at.
func (c Client) Event(action Action, userID int64, at time.Time) Event {
	return c.event(action, userID, at)
}

// CheckPassword checks u's password as a login does, throttled as one:
// refused before bcrypt while the account and c's IP wait, and a wrong
// password counted as a failed login (INVALID_CREDENTIALS).
func (s *Service) CheckPassword(ctx context.Context, u User, password string, c Client) error {
	ip := c.addr()
	guard, err := s.checkLogin(ctx, u.Username, ip)
	if err != nil {
		return err
	}
	defer s.release(guard)
	// bcrypt compares only the first 72 bytes; a longer password cannot be right.
	err = ErrPasswordMismatch
	if len(password) <= PasswordMaxBytes {
		err = s.deps.Hasher.Compare(ctx, u.HashedPassword, password)
	}
	if errors.Is(err, ErrPasswordMismatch) {
		s.deps.Log.InfoContext(ctx, "password check failed", slog.String("reason", "wrong_password"), slog.Int64("user_id", u.ID))
		if err := s.countFailure(ctx, u.accountNames(), ip, c.event("", u.ID, s.clock())); err != nil {
			return err
		}
		return Fail(CodeInvalidCredentials, nil)
	}
	if err != nil {
		return hashFailure("compare password", err)
	}
	return s.countSuccess(ctx, guard, u.accountNames(), ip)
}

// CountFailedCode counts a wrong one-time code as a failed login of c's
// IP (API.md, Password recovery): guessing codes wears down the same
// allowance as guessing passwords.
func (s *Service) CountFailedCode(ctx context.Context, c Client) error {
	if s.deps.Throttle.IPMaxFailures <= 0 {
		return nil
	}
	now := s.clock()
	hit := CounterHit{Key: s.deps.Throttle.Keys.ip(c.addr()), WindowEnds: now.Add(IPWindow)}
	if _, err := s.deps.Store.HitCounters(ctx, now, []CounterHit{hit}); err != nil {
		return fmt.Errorf("count failed code: %w", err)
	}
	return nil
}

// ResetThrottle is what a password reset clears of u's throttle records:
// the failures of the account, and of its pair with c's IP.
func (s *Service) ResetThrottle(u User, c Client) LoginSuccess {
	ls := LoginSuccess{At: s.clock()}
	for _, name := range u.accountNames() {
		ls.Forget = append(ls.Forget, s.deps.Throttle.Keys.account(name), s.deps.Throttle.Keys.pair(name, c.addr()))
	}
	return ls
}

// Addr is the client IP as throttling keys on it (the zero Addr when the
// text is not an address).
func (c Client) Addr() netip.Addr { return c.addr() }

// NewValidationError is the 400 VALIDATION_ERROR naming fields.
func NewValidationError(fields []FieldError) *Error { return validationError(fields) }

// HashFailure is the answer to a failed bcrypt call: OVERLOADED when the
// pool is full, else an internal error naming what.
func HashFailure(what string, err error) error { return hashFailure(what, err) }

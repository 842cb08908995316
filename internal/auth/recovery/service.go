package recovery

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"log/slog"

	"github.com/authd/authd/internal/auth"
)

// Service is the recovery use cases on the core Service's rules.
type Service struct {
	core   *auth.Service
	deps   auth.Deps
	mailer *Mailer
}

// New builds the use cases on core, composing mail with m (the Mailer
// core's Deps hold too).
func New(core *auth.Service, m *Mailer) *Service {
	return &Service{core: core, deps: core.Deps(), mailer: m}
}

// limitIP counts a mail-sending request of c's IP: 429 past IPMax per
// hour, keyed as throttle records are (an IPv6 address by its /64).
func (s *Service) limitIP(ctx context.Context, c auth.Client) error {
	lim := auth.Limit{Scope: auth.ScopeMail, Max: s.mailer.settings.IPMax, Window: mailWindow}
	l := s.core.Limiter()
	return l.Hit(ctx, lim, l.ClientKey(auth.ScopeMail, c.Addr()))
}

// overAccount counts a mail to the account named by name and reports
// whether it is past AccountMax this hour: the request is then answered
// as usual and nothing is sent.
func (s *Service) overAccount(ctx context.Context, name string) (bool, error) {
	lim := auth.Limit{Scope: "mail_account", Max: s.mailer.settings.AccountMax, Window: mailWindow}
	l := s.core.Limiter()
	_, over, err := l.Count(ctx, lim, l.Key(lim.Scope, []byte(name)))
	return over, err
}

// queue stores r (nothing when suppressed, by handing the store no user)
// and counts a suppressed mail.
func (s *Service) queue(ctx context.Context, r auth.CodeRequest, suppressed bool) (bool, error) {
	if suppressed {
		r.Code.UserID = 0
		for _, m := range r.Mails {
			s.deps.Observe().Mail(m.Kind, auth.MailSuppressed)
		}
	}
	stored, err := s.deps.Store.RequestCode(ctx, r)
	if err != nil {
		return false, fmt.Errorf("request code: %w", err)
	}
	return stored, nil
}

// codeInput is a token, or an email and code: the two ways a mailed code
// comes back.
type codeInput struct {
	Token, Email, Code string
	Client             auth.Client
}

// find returns the live code in is of one of purposes, counting a try of
// the code form (and a wrong code as a failed login of the client IP).
// Every miss is the one INVALID_CODE.
func (s *Service) find(ctx context.Context, in codeInput, purposes ...auth.Purpose) (auth.OneTimeCode, error) {
	var (
		c   auth.OneTimeCode
		err error
	)
	if in.Token != "" {
		c, err = s.deps.Store.CodeByToken(ctx, s.mailer.hash.token(in.Token))
	} else {
		c, err = s.deps.Store.CodeByEmail(ctx, auth.CanonicalEmail(in.Email), purposes)
	}
	if errors.Is(err, auth.ErrCodeNotFound) {
		return auth.OneTimeCode{}, s.invalid(ctx, in)
	}
	if err != nil {
		return auth.OneTimeCode{}, fmt.Errorf("find code: %w", err)
	}
	if !purposeIn(c.Purpose, purposes) || decideCode(c, s.deps.Clock()) != codeUsable {
		return auth.OneTimeCode{}, s.invalid(ctx, in)
	}
	if in.Token != "" {
		return c, nil
	}
	// The try is counted before the comparison, in one atomic UPDATE:
	// guesses sent at once cannot all see the same count.
	tries, err := s.deps.Store.TryCode(ctx, c.ID)
	if errors.Is(err, auth.ErrCodeNotFound) {
		return auth.OneTimeCode{}, s.invalid(ctx, in)
	}
	if err != nil {
		return auth.OneTimeCode{}, fmt.Errorf("try code: %w", err)
	}
	if tries > MaxCodeTries || !hmac.Equal(s.mailer.hash.code(c.TokenHash, in.Code), c.CodeHash) {
		return auth.OneTimeCode{}, s.invalid(ctx, in)
	}
	return c, nil
}

// invalid is the one answer for every code that does not work; a wrong
// code of the form counts as a failed login of the client IP.
func (s *Service) invalid(ctx context.Context, in codeInput) error {
	s.deps.Logger().InfoContext(ctx, "one-time code refused", slog.Bool("link", in.Token != ""))
	if in.Token == "" {
		if err := s.core.CountFailedCode(ctx, in.Client); err != nil {
			return err
		}
	}
	return auth.Fail(auth.CodeInvalidCode, nil)
}

func purposeIn(p auth.Purpose, ps []auth.Purpose) bool {
	for _, q := range ps {
		if p == q {
			return true
		}
	}
	return false
}

// validateCode refuses a body that gives neither a token nor an email and
// a code, or both.
func validateCode(in codeInput) []auth.FieldError {
	switch {
	case in.Token != "" && (in.Email != "" || in.Code != ""):
		return []auth.FieldError{{Field: "token", Message: "give token, or email and code, not both"}}
	case in.Token != "":
		return nil
	case in.Email == "" && in.Code == "":
		return []auth.FieldError{{Field: "token", Message: "token, or email and code, is required"}}
	case in.Email == "":
		return []auth.FieldError{{Field: "email", Message: "email is required with code"}}
	case len(in.Code) != 6 || !digits(in.Code):
		return []auth.FieldError{{Field: "code", Message: "code is 6 digits"}}
	}
	return nil
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

package recovery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/authd/authd/internal/auth"
)

// ForgotInput is the body of a forgotten-password request: a username or
// an email (username may also be an email, as at login).
type ForgotInput struct {
	Username string
	Email    string
	Client   auth.Client
}

// Forgot queues a reset request for the account in.Username or in.Email
// names, and answers the same whatever it names (API.md, Password
// recovery). The request writes one queue row holding the name (sealed),
// the same row for every input: whether an account exists, is active, or
// is past its mail limit is found out by the sender (HandleRequest), so
// neither the answer nor its timing can tell. Nothing waits on SMTP.
func (s *Service) Forgot(ctx context.Context, in ForgotInput) error {
	login, err := auth.LoginInput{Username: in.Username, Email: in.Email}.Identifier()
	if err != nil {
		return err
	}
	if err := s.limitIP(ctx, in.Client); err != nil {
		return err
	}
	now := s.deps.Clock()
	req, err := s.mailer.mail(auth.MailResetRequest, "", auth.MailData{Login: login, At: now, IP: in.Client.IP}, now)
	if err != nil {
		return err
	}
	if err := s.deps.Store.QueueMail(ctx, req); err != nil {
		return fmt.Errorf("queue reset request: %w", err)
	}
	s.deps.Logger().InfoContext(ctx, "password reset requested")
	return nil
}

var _ auth.MailRequests = (*Service)(nil)

// HandleRequest resolves a queued reset request: when its login names an
// active account under its hourly mail limit, the reset code and its mail
// are stored and the request leaves the queue, in one write; otherwise
// only the request leaves (a mail-limited account's counted as
// suppressed).
func (s *Service) HandleRequest(ctx context.Context, m auth.QueuedMail, d auth.MailData) error {
	if m.Kind != auth.MailResetRequest {
		return fmt.Errorf("handle request: kind %q is not a request", m.Kind)
	}
	u, err := auth.LookupLogin(ctx, s.deps.Store, d.Login)
	if errors.Is(err, auth.ErrUserNotFound) || err == nil && !u.IsActive {
		return s.deps.Store.FinishMail(ctx, m.ID)
	}
	if err != nil {
		return fmt.Errorf("find user: %w", err)
	}
	over, err := s.overAccount(ctx, "user:"+strconv.FormatInt(u.ID, 10))
	if err != nil {
		return err
	}
	if over {
		s.deps.Observe().Mail(auth.MailResetPassword, auth.MailSuppressed)
		s.deps.Logger().InfoContext(ctx, "reset mail suppressed: account mail limit", slog.Int64("user_id", u.ID))
		return s.deps.Store.FinishMail(ctx, m.ID)
	}
	c := auth.Client{IP: d.IP}
	r, err := s.mailer.codeRequest(u, auth.PurposeReset, u.Email, s.mailer.settings.ResetTTL, auth.MailResetPassword, c, d.At)
	if err != nil {
		return err
	}
	r.Replaces, r.Event = m.ID, c.Event(auth.ActionResetRequested, u.ID, d.At)
	if _, err := s.deps.Store.RequestCode(ctx, r); err != nil {
		return fmt.Errorf("request code: %w", err)
	}
	return nil
}

// QueueReset queues a reset mail for u on an administrator's behalf
// (API.md, Roles and administration): the admin API's password-reset and
// create with "send_reset" call it through auth.ResetMailer. No limit
// applies; e (its action password.reset_requested, its actor the admin's
// id or auth.ActorCLI) is written with the code. An inactive user is
// USER_INACTIVE: their reset could not be used.
func (s *Service) QueueReset(ctx context.Context, u auth.User, e auth.Event) error {
	if !u.IsActive {
		return auth.Fail(auth.CodeUserInactive, nil)
	}
	c := auth.Client{IP: e.IP, UserAgent: e.UserAgent, RequestID: e.RequestID}
	now := s.deps.Clock()
	r, err := s.mailer.codeRequest(u, auth.PurposeReset, u.Email, s.mailer.settings.ResetTTL, auth.MailResetPassword, c, now)
	if err != nil {
		return err
	}
	e.Action, e.UserID, e.At = auth.ActionResetRequested, u.ID, now
	r.Event = e
	if _, err := s.queue(ctx, r, false); err != nil {
		return err
	}
	s.deps.Logger().InfoContext(ctx, "password reset sent", slog.Int64("user_id", u.ID), slog.String("actor", e.ActorID))
	return nil
}

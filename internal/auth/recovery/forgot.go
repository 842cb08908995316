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

// Forgot queues a reset mail for the account in.Username or in.Email
// names, when it exists, is active and is under its mail limit, and
// answers the same in every case (API.md, Password recovery): the same
// store work runs whether or not the account exists (the lookup, the
// limit's counter, the code's transaction, which stores nothing for no
// account), and nothing waits on SMTP.
func (s *Service) Forgot(ctx context.Context, in ForgotInput) error {
	login, err := auth.LoginInput{Username: in.Username, Email: in.Email}.Identifier()
	if err != nil {
		return err
	}
	if err := s.limitIP(ctx, in.Client); err != nil {
		return err
	}
	u, err := auth.LookupLogin(ctx, s.deps.Store, login)
	if err != nil && !errors.Is(err, auth.ErrUserNotFound) {
		return fmt.Errorf("find user: %w", err)
	}
	// An unknown account is counted under the name asked for, a known one
	// under its id: the same one counter write either way.
	name := "login:" + login
	if u.ID != 0 {
		name = "user:" + strconv.FormatInt(u.ID, 10)
	}
	over, err := s.overAccount(ctx, name)
	if err != nil {
		return err
	}
	now := s.deps.Clock()
	r, err := s.mailer.codeRequest(u, auth.PurposeReset, u.Email, s.mailer.settings.ResetTTL, auth.MailResetPassword, in.Client, now)
	if err != nil {
		return err
	}
	r.Event = in.Client.Event(auth.ActionResetRequested, u.ID, now)
	stored, err := s.queue(ctx, r, over && u.ID != 0)
	if err != nil {
		return err
	}
	s.deps.Logger().InfoContext(ctx, "password reset requested", slog.Bool("queued", stored))
	return nil
}

// SendReset queues a reset mail for user id on an administrator's behalf
// (API.md, Roles and administration): no limit applies, and actor (the
// admin's id, or auth.ActorCLI) is the event's actor. It answers
// USER_NOT_FOUND for no such user and USER_INACTIVE for an inactive one.
func (s *Service) SendReset(ctx context.Context, actor string, id int64, c auth.Client) error {
	u, err := s.deps.Store.UserByID(ctx, id)
	if errors.Is(err, auth.ErrUserNotFound) {
		return auth.Fail(auth.CodeUserNotFound, err)
	}
	if err != nil {
		return fmt.Errorf("find user: %w", err)
	}
	if !u.IsActive {
		return auth.Fail(auth.CodeUserInactive, nil)
	}
	now := s.deps.Clock()
	r, err := s.mailer.codeRequest(u, auth.PurposeReset, u.Email, s.mailer.settings.ResetTTL, auth.MailResetPassword, c, now)
	if err != nil {
		return err
	}
	r.Event = c.Event(auth.ActionResetRequested, u.ID, now)
	r.Event.ActorID = actor
	if _, err := s.queue(ctx, r, false); err != nil {
		return err
	}
	s.deps.Logger().InfoContext(ctx, "password reset sent", slog.Int64("user_id", u.ID), slog.String("actor", actor))
	return nil
}

// Package admin holds the operator's use cases: what the `authd user`
// commands call today and the /admin endpoints will call. It builds on the
// core (package auth) and nothing beside it: each use case finds the user
// by the core's rule, makes its change in one store call that carries its
// audit event, and reports what ended as the core does.
package admin

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/authd/authd/internal/auth"
)

// Service runs the operator's use cases on the store of its Deps.
type Service struct {
	deps auth.Deps
	// Mailer queues reset mails; nil (until the mail work is wired in
	// run()) makes the operations that need it NOT_CONFIGURED.
	Mailer auth.ResetMailer
	// MFA turns two-factor login off; nil makes mfa-reset NOT_CONFIGURED.
	MFA auth.MFAResetter
}

// New returns the admin use cases over d; they need d.Store, and use the
// clock, log and observer when d has them.
func New(d auth.Deps) *Service { return &Service{deps: d} }

// SetActive activates or deactivates the account named by username or
// email, acting as actor (auth.ActorCLI for the operator's command). A
// deactivation ends every session of the user in the same write, so their
// tokens stop working at authd's endpoints at once, not when they expire.
func (s *Service) SetActive(ctx context.Context, actor, login string, active bool) (auth.User, error) {
	u, err := auth.FindUser(ctx, s.deps.Store, login)
	if err != nil {
		return auth.User{}, err
	}
	now := s.deps.Clock()
	ended, err := s.deps.Store.SetActive(ctx, auth.ActiveChange{UserID: u.ID, Active: active, At: now,
		Event: auth.Event{Action: auth.ActionAdminUpdated, At: now, ActorID: actor, UserID: u.ID,
			Details: map[string]string{"fields": "is_active"}}})
	if err != nil {
		return auth.User{}, changeFailure("set active", err)
	}
	u.IsActive, u.UpdatedAt = active, now
	s.deps.Logger().InfoContext(ctx, "user activity changed", slog.Int64("user_id", u.ID), slog.Bool("is_active", active))
	if !active {
		auth.SessionsEnded(ctx, s.deps, u.ID, auth.EndDeactivated, ended)
	}
	return u, nil
}

// LogoutUser ends every session of the user named by username or email,
// acting as actor, without deactivating them.
func (s *Service) LogoutUser(ctx context.Context, actor, login string) (auth.User, error) {
	u, err := auth.FindUser(ctx, s.deps.Store, login)
	if err != nil {
		return auth.User{}, err
	}
	now := s.deps.Clock()
	n, err := s.deps.Store.EndUserSessions(ctx, auth.SessionEnd{UserID: u.ID, Reason: auth.EndLogout, At: now,
		Event: auth.Event{Action: auth.ActionAdminLogout, At: now, ActorID: actor, UserID: u.ID}})
	if err != nil {
		return auth.User{}, fmt.Errorf("end sessions: %w", err)
	}
	auth.SessionsEnded(ctx, s.deps, u.ID, auth.EndLogout, n)
	return u, nil
}

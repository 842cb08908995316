package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
)

// DeleteAccount deletes the caller's own account after checking their
// password (API.md, DELETE /auth/me): the user, its sessions and every row
// that references it go in one transaction with the user.deleted event;
// the audit trail keeps the account's events. The last active admin
// cannot delete themself (LAST_ADMIN): authd would be left with nobody to
// administer it.
func (s *Service) DeleteAccount(ctx context.Context, c Caller, password, code string, client Client) error {
	if password == "" {
		return validationError([]FieldError{{Field: "password", Message: "password is required"}})
	}
	if err := s.CheckPassword(ctx, c.User, password, client); err != nil {
		return err
	}
	// With two-factor on, a fresh code too (API.md, Two-factor login).
	if err := s.RequireSecondFactor(ctx, c.User, code, client); err != nil {
		return err
	}
	err := s.deps.Store.DeleteUser(ctx, UserDelete{UserID: c.User.ID, Event: client.event(ActionUserDeleted, c.User.ID, s.clock())})
	if err != nil {
		return DeleteFailure(err)
	}
	s.deps.Log.InfoContext(ctx, "user deleted", slog.Int64("user_id", c.User.ID), slog.String("actor", "self"))
	return nil
}

// DeleteFailure turns a store's refusal of a deletion into the API's
// errors: LAST_ADMIN, USER_NOT_FOUND, or the failure itself.
func DeleteFailure(err error) error {
	switch {
	case errors.Is(err, ErrLastAdmin):
		return Fail(CodeLastAdmin, err)
	case errors.Is(err, ErrUserNotFound):
		return Fail(CodeUserNotFound, err)
	}
	return fmt.Errorf("delete user: %w", err)
}

// MaxOwnEvents is how many events GET /auth/events answers (API.md).
const MaxOwnEvents = 100

// OwnEvents is the caller's recent security activity: their own events,
// newest first, at most MaxOwnEvents.
func (s *Service) OwnEvents(ctx context.Context, c Caller) ([]Event, error) {
	ev, err := s.deps.Store.Events(ctx, EventQuery{UserID: c.User.ID, Limit: MaxOwnEvents})
	if err != nil {
		return nil, fmt.Errorf("own events: %w", err)
	}
	return ev, nil
}

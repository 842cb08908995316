package admin

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"github.com/authd/authd/internal/auth"
)

// Actor is who runs an admin use case: an admin's user id (as text) or
// auth.ActorCLI, and the client they act from, for the audit event.
type Actor struct {
	ID     string
	Client auth.Client
}

// AdminActor is the Actor of an admin's bearer call.
func AdminActor(c auth.Caller, client auth.Client) Actor {
	return Actor{ID: strconv.FormatInt(c.User.ID, 10), Client: client}
}

// CLI is the Actor of the operator's commands.
func CLI() Actor { return Actor{ID: auth.ActorCLI} }

// event is the audit event of a's action on user id at the service's now.
func (s *Service) event(a Actor, action auth.Action, id int64, details map[string]string) auth.Event {
	return auth.Event{Action: action, At: s.deps.Clock(), ActorID: a.ID, UserID: id, IP: a.Client.IP,
		UserAgent: a.Client.UserAgent, RequestID: a.Client.RequestID, Details: details}
}

// NewUser is an admin's create: Password empty leaves the account without
// one that works (it cannot log in until a reset); Active nil is active.
type NewUser struct {
	Username, Email, Password string
	Roles                     []string
	Active                    *bool
	SendReset                 bool
	// Verified creates the user with the address verified.
	Verified bool
}

// Create makes a user as an admin or the operator asks: no session, no
// tokens. With SendReset it queues a reset mail through the ResetMailer,
// which must be configured (checked before anything is written).
func (s *Service) Create(ctx context.Context, a Actor, in NewUser) (auth.User, error) {
	if in.SendReset && s.Mailer == nil {
		return auth.User{}, auth.NewError(auth.CodeNotConfigured, "Mail is not configured in this build", nil)
	}
	err := s.deps.CheckAccount(auth.AccountFields{Username: in.Username, Email: in.Email, Password: in.Password,
		CheckUsername: true, CheckEmail: true, CheckPassword: in.Password != ""})
	if err != nil {
		return auth.User{}, err
	}
	roles, err := auth.NormalizeRoles("roles", in.Roles)
	if err != nil {
		return auth.User{}, err
	}
	password := in.Password
	if password == "" {
		// A bcrypt hash of 32 random bytes nobody keeps: a real hash, so a
		// login compares it like any other and fails like a wrong password.
		password = rand.Text()
	}
	hash, err := s.deps.Hasher.Hash(ctx, password)
	if err != nil {
		return auth.User{}, fmt.Errorf("hash password: %w", err)
	}
	fields := []string{"username", "email"}
	if len(roles) > 0 {
		fields = append(fields, "roles")
	}
	if in.Verified {
		fields = append(fields, "email_verified")
	}
	u, err := s.deps.Store.CreateUser(ctx, auth.NewUser{Username: in.Username, Email: auth.CanonicalEmail(in.Email),
		HashedPassword: hash, CreatedAt: s.deps.Clock(), Roles: roles, Inactive: in.Active != nil && !*in.Active, Verified: in.Verified,
		Event: s.event(a, auth.ActionAdminCreated, 0, map[string]string{"fields": strings.Join(fields, ","), "roles": auth.JoinRoles(roles)})})
	if errors.Is(err, auth.ErrUserExists) {
		return auth.User{}, auth.Fail(auth.CodeUserExists, err)
	}
	if err != nil {
		return auth.User{}, fmt.Errorf("create user: %w", err)
	}
	s.deps.Logger().InfoContext(ctx, "user created", slog.Int64("user_id", u.ID), slog.String("actor", a.ID))
	if in.SendReset {
		if err := s.Mailer.QueueReset(ctx, u, s.event(a, auth.ActionResetRequested, u.ID, nil)); err != nil {
			return u, fmt.Errorf("queue reset: %w", err)
		}
	}
	return u, nil
}

// User returns the user with id and how many live sessions they have.
func (s *Service) User(ctx context.Context, id int64) (auth.User, int, error) {
	u, err := s.byID(ctx, id)
	if err != nil {
		return auth.User{}, 0, err
	}
	list, err := s.deps.Store.UserSessions(ctx, id, s.deps.Clock())
	if err != nil {
		return auth.User{}, 0, fmt.Errorf("user sessions: %w", err)
	}
	return u, len(list), nil
}

// Sessions lists the user's live sessions, newest first.
func (s *Service) Sessions(ctx context.Context, id int64) ([]auth.Session, error) {
	if _, err := s.byID(ctx, id); err != nil {
		return nil, err
	}
	list, err := s.deps.Store.UserSessions(ctx, id, s.deps.Clock())
	if err != nil {
		return nil, fmt.Errorf("user sessions: %w", err)
	}
	return list, nil
}

// byID reads a user, USER_NOT_FOUND when there is none.
func (s *Service) byID(ctx context.Context, id int64) (auth.User, error) {
	u, err := s.deps.Store.UserByID(ctx, id)
	if errors.Is(err, auth.ErrUserNotFound) {
		return auth.User{}, auth.Fail(auth.CodeUserNotFound, err)
	}
	if err != nil {
		return auth.User{}, fmt.Errorf("find user: %w", err)
	}
	return u, nil
}

// Change is an admin's update; a nil field stays as it is.
type Change struct {
	Username *string
	Email    *string
	Active   *bool
	Roles    *[]string
	// Verified sets or clears the address's verification; a new Email
	// without it is unverified.
	Verified *bool
}

// Update applies c to user id in one store call with its audit event
// (the names of the fields changed, never a secret). A deactivation ends
// every session; taking admin from the last active admin is LAST_ADMIN.
func (s *Service) Update(ctx context.Context, a Actor, id int64, c Change) (auth.User, error) {
	var fields []string
	check := auth.AccountFields{}
	if c.Username != nil {
		check.Username, check.CheckUsername = *c.Username, true
		fields = append(fields, "username")
	}
	if c.Email != nil {
		check.Email, check.CheckEmail = *c.Email, true
		e := auth.CanonicalEmail(*c.Email)
		c.Email = &e
		fields = append(fields, "email")
	}
	if err := s.deps.CheckAccount(check); err != nil {
		return auth.User{}, err
	}
	if c.Active != nil {
		fields = append(fields, "is_active")
	}
	details := map[string]string{}
	if c.Roles != nil {
		roles, err := auth.NormalizeRoles("roles", *c.Roles)
		if err != nil {
			return auth.User{}, err
		}
		c.Roles = &roles
		fields = append(fields, "roles")
		details["roles"] = auth.JoinRoles(roles)
	}
	if c.Verified != nil {
		fields = append(fields, "email_verified")
	}
	details["fields"] = strings.Join(fields, ",")
	now := s.deps.Clock()
	u, ended, err := s.deps.Store.UpdateUser(ctx, auth.UserUpdate{UserID: id, Username: c.Username, Email: c.Email,
		Active: c.Active, Roles: c.Roles, Verified: c.Verified, At: now, Event: s.event(a, auth.ActionAdminUpdated, id, details)})
	if err != nil {
		return auth.User{}, changeFailure("update user", err)
	}
	s.deps.Logger().InfoContext(ctx, "user updated", slog.Int64("user_id", id), slog.String("actor", a.ID),
		slog.String("fields", details["fields"]))
	if ended > 0 {
		auth.SessionsEnded(ctx, s.deps, id, auth.EndDeactivated, ended)
	}
	return u, nil
}

// changeFailure turns a store's refusal of a change into the API's errors.
func changeFailure(op string, err error) error {
	switch {
	case errors.Is(err, auth.ErrLastAdmin):
		return auth.Fail(auth.CodeLastAdmin, err)
	case errors.Is(err, auth.ErrUserNotFound):
		return auth.Fail(auth.CodeUserNotFound, err)
	case errors.Is(err, auth.ErrUserExists):
		return auth.Fail(auth.CodeUserExists, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// Delete deletes user id and everything that references it but its audit
// events; the last active admin cannot be deleted (LAST_ADMIN).
func (s *Service) Delete(ctx context.Context, a Actor, id int64) error {
	if err := s.deps.Store.DeleteUser(ctx, auth.UserDelete{UserID: id, Event: s.event(a, auth.ActionAdminDeleted, id, nil)}); err != nil {
		return auth.DeleteFailure(err)
	}
	s.deps.Logger().InfoContext(ctx, "user deleted", slog.Int64("user_id", id), slog.String("actor", a.ID))
	return nil
}

// Logout ends every session of user id.
func (s *Service) Logout(ctx context.Context, a Actor, id int64) error {
	if _, err := s.byID(ctx, id); err != nil {
		return err
	}
	n, err := s.deps.Store.EndUserSessions(ctx, auth.SessionEnd{UserID: id, Reason: auth.EndAdmin, At: s.deps.Clock(),
		Event: s.event(a, auth.ActionAdminLogout, id, nil)})
	if err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	auth.SessionsEnded(ctx, s.deps, id, auth.EndAdmin, n)
	return nil
}

// SetPassword gives user id a new password (the register rules) and ends
// every session of theirs in the same write.
func (s *Service) SetPassword(ctx context.Context, a Actor, id int64, password string) error {
	u, err := s.byID(ctx, id)
	if err != nil {
		return err
	}
	err = s.deps.CheckAccount(auth.AccountFields{Username: u.Username, Email: u.Email, Password: password, CheckPassword: true})
	if err != nil {
		return err
	}
	hash, err := s.deps.Hasher.Hash(ctx, password)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	now := s.deps.Clock()
	ended, err := s.deps.Store.ChangePassword(ctx, auth.PasswordChange{UserID: id, Hash: hash, At: now,
		Event: s.event(a, auth.ActionAdminPassword, id, nil)})
	if err != nil {
		return changeFailure("set password", err)
	}
	s.deps.Logger().InfoContext(ctx, "password set", slog.Int64("user_id", id), slog.String("actor", a.ID))
	auth.SessionsEnded(ctx, s.deps, id, auth.EndPassword, ended)
	return nil
}

// SendReset queues a reset mail for user id: NOT_CONFIGURED until the mail
// work provides the ResetMailer.
func (s *Service) SendReset(ctx context.Context, a Actor, id int64) error {
	if s.Mailer == nil {
		return auth.NewError(auth.CodeNotConfigured, "Mail is not configured in this build", nil)
	}
	u, err := s.byID(ctx, id)
	if err != nil {
		return err
	}
	return s.Mailer.QueueReset(ctx, u, s.event(a, auth.ActionResetRequested, id, nil))
}

// ResetMFA turns two-factor login off for user id: NOT_CONFIGURED until
// the two-factor work provides the MFAResetter.
func (s *Service) ResetMFA(ctx context.Context, a Actor, id int64) error {
	if s.MFA == nil {
		return auth.NewError(auth.CodeNotConfigured, "Two-factor login is not available in this build", nil)
	}
	if _, err := s.byID(ctx, id); err != nil {
		return err
	}
	return s.MFA.ResetMFA(ctx, id, s.event(a, auth.ActionAdminMFAReset, id, nil))
}

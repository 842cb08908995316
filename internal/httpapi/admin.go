package httpapi

import (
	"context"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/admin"
)

// asAdmin is the one authorisation check of the /admin operations: the
// bearer token's session and user are read from the database on this very
// call (auth.Service.Authenticate), so a role removed a moment ago is
// already gone; a valid token of a user without admin is 403 FORBIDDEN.
// Every /admin handler is built through it, so none can skip it.
func asAdmin[I adminRequest, O any](s *Server, h func(ctx context.Context, users *admin.Service, a admin.Actor, in I) (*O, error)) func(context.Context, I) (*O, error) {
	return func(ctx context.Context, in I) (*O, error) {
		if s.opts.Admin == nil {
			return nil, auth.NewError(auth.CodeNotConfigured, "Administration is not configured in this server", nil)
		}
		cred := in.credentials()
		c, err := authenticate(ctx, s.svc, cred.authorization)
		if err != nil {
			return nil, err
		}
		if !c.User.HasRole(auth.RoleAdmin) {
			return nil, auth.Fail(auth.CodeForbidden, nil)
		}
		return h(ctx, s.opts.Admin, admin.AdminActor(c, cred.client), in)
	}
}

func handleListUsers(ctx context.Context, users *admin.Service, _ admin.Actor, in *userListInput) (*privateOutput[UserList], error) {
	list, next, err := users.Users(ctx, in.Query, in.Limit, in.Cursor)
	if err != nil {
		return nil, err
	}
	out := private(UserList{Users: make([]UserBody, len(list)), NextCursor: cursorOf(next)})
	for i, u := range list {
		out.Body.Users[i] = NewUserBody(u)
	}
	return out, nil
}

func handleCreateUser() func(context.Context, *admin.Service, admin.Actor, *adminBodyInput) (*privateOutput[UserBody], error) {
	body := newJSONBody[AdminCreateRequest]()
	return func(ctx context.Context, users *admin.Service, a admin.Actor, in *adminBodyInput) (*privateOutput[UserBody], error) {
		req, err := decodeStrict(body, in.contentType, in.RawBody)
		if err != nil {
			return nil, err
		}
		u, err := users.Create(ctx, a, admin.NewUser{Username: req.Username, Email: req.Email, Password: req.Password,
			Roles: req.Roles, Active: req.IsActive, SendReset: req.SendReset, Verified: req.EmailVerified})
		if err != nil {
			return nil, err
		}
		return private(NewUserBody(u)), nil
	}
}

// decodeStrict checks the media type and decodes a body under jsonBody's
// rules.
func decodeStrict[T any](body jsonBody[T], contentType string, raw []byte) (T, error) {
	if _, err := mediaType(contentType, mediaJSON); err != nil {
		var zero T
		return zero, err
	}
	return body.decode(raw)
}

func handleGetUser(ctx context.Context, users *admin.Service, _ admin.Actor, in *userIDInput) (*privateOutput[AdminUserBody], error) {
	id, err := in.userID()
	if err != nil {
		return nil, err
	}
	u, n, err := users.User(ctx, id)
	if err != nil {
		return nil, err
	}
	return private(AdminUserBody{UserBody: NewUserBody(u), SessionCount: n}), nil
}

func handleUpdateUser() func(context.Context, *admin.Service, admin.Actor, *userIDBodyInput) (*privateOutput[UserBody], error) {
	body := newJSONBody[AdminUpdateRequest]()
	return func(ctx context.Context, users *admin.Service, a admin.Actor, in *userIDBodyInput) (*privateOutput[UserBody], error) {
		id, err := in.userID()
		if err != nil {
			return nil, err
		}
		req, err := decodeStrict(body, in.contentType, in.RawBody)
		if err != nil {
			return nil, err
		}
		u, err := users.Update(ctx, a, id, admin.Change{Username: req.Username, Email: req.Email, Active: req.IsActive, Roles: req.Roles,
			Verified: req.EmailVerified})
		if err != nil {
			return nil, err
		}
		return private(NewUserBody(u)), nil
	}
}

// userAction is an /admin operation on one user that answers no body.
// do is a method expression of admin.Service, such as (*admin.Service).Delete.
func userAction(do func(users *admin.Service, ctx context.Context, a admin.Actor, id int64) error) func(context.Context, *admin.Service, admin.Actor, *userIDInput) (*struct{}, error) {
	return func(ctx context.Context, users *admin.Service, a admin.Actor, in *userIDInput) (*struct{}, error) {
		id, err := in.userID()
		if err != nil {
			return nil, err
		}
		return nil, do(users, ctx, a, id)
	}
}

func handleSetPassword() func(context.Context, *admin.Service, admin.Actor, *userIDBodyInput) (*struct{}, error) {
	body := newJSONBody[AdminPasswordRequest]()
	return func(ctx context.Context, users *admin.Service, a admin.Actor, in *userIDBodyInput) (*struct{}, error) {
		id, err := in.userID()
		if err != nil {
			return nil, err
		}
		req, err := decodeStrict(body, in.contentType, in.RawBody)
		if err != nil {
			return nil, err
		}
		return nil, users.SetPassword(ctx, a, id, req.Password)
	}
}

func handleUserSessions(ctx context.Context, users *admin.Service, _ admin.Actor, in *userIDInput) (*privateOutput[AdminSessionList], error) {
	id, err := in.userID()
	if err != nil {
		return nil, err
	}
	list, err := users.Sessions(ctx, id)
	if err != nil {
		return nil, err
	}
	out := private(AdminSessionList{Sessions: make([]AdminSessionInfo, len(list))})
	for i, s := range list {
		out.Body.Sessions[i] = AdminSessionInfo{ID: s.ID, CreatedAt: s.CreatedAt, LastUsedAt: s.LastUsedAt,
			ExpiresAt: s.ExpiresAt, IP: s.IP, UserAgent: s.UserAgent}
	}
	return out, nil
}

func handleAudit(ctx context.Context, users *admin.Service, _ admin.Actor, in *auditInput) (*privateOutput[EventList], error) {
	ev, next, err := users.Audit(ctx, in.UserID, in.Action, in.Limit, in.Cursor)
	if err != nil {
		return nil, err
	}
	return private(EventList{Events: newEventBodies(ev), NextCursor: cursorOf(next)}), nil
}

// handleDeleteMe is DELETE /auth/me: the caller deletes their own account.
func handleDeleteMe(svc *auth.Service) func(context.Context, *adminBodyInput) (*struct{}, error) {
	body := newJSONBody[DeleteMeRequest]()
	return func(ctx context.Context, in *adminBodyInput) (*struct{}, error) {
		c, err := authenticate(ctx, svc, in.authorization)
		if err != nil {
			return nil, err
		}
		req, err := decodeStrict(body, in.contentType, in.RawBody)
		if err != nil {
			return nil, err
		}
		return nil, svc.DeleteAccount(ctx, c, req.Password, req.Code, in.client)
	}
}

// handleOwnEvents is GET /auth/events: the caller's recent security activity.
func handleOwnEvents(svc *auth.Service) func(context.Context, *adminInput) (*privateOutput[OwnEventList], error) {
	return func(ctx context.Context, in *adminInput) (*privateOutput[OwnEventList], error) {
		c, err := authenticate(ctx, svc, in.authorization)
		if err != nil {
			return nil, err
		}
		ev, err := svc.OwnEvents(ctx, c)
		if err != nil {
			return nil, err
		}
		return private(OwnEventList{Events: newEventBodies(ev)}), nil
	}
}

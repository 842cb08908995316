package httpapi

import (
	"context"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/authd/authd/internal/auth"
)

// LogoutRequest is the optional body of POST /auth/logout: a scope with a
// bearer token, or a refresh token without one.
type LogoutRequest struct {
	Scope        string `json:"scope,omitempty" enum:"current,others,all" example:"current" doc:"With a bearer token: end this session (current, the default), every other session (others) or all of them (all)."`
	RefreshToken string `json:"refresh_token,omitempty" doc:"Without a bearer token: end the session of this refresh token."`
}

// PasswordRequest is the body of POST /auth/password.
type PasswordRequest struct {
	CurrentPassword string `json:"current_password" example:"correct-horse-battery"`
	NewPassword     string `json:"new_password" minLength:"8" maxLength:"72" example:"staple-battery-horse-correct" doc:"The register rules for passwords apply."`
	Code            string `json:"code,omitempty" doc:"With two-factor on: a TOTP code or a recovery code (without: 401 MFA_REQUIRED)."`
}

// SessionInfo is one live session as its user sees it.
type SessionInfo struct {
	ID         string    `json:"id" example:"3q2-7wYk1mXo0dS5aQ9h-A" doc:"The sid claim of this session's access tokens."`
	CreatedAt  time.Time `json:"created_at" example:"2026-11-28T10:30:45Z" doc:"When the session was opened (login or register)."`
	LastUsedAt time.Time `json:"last_used_at" example:"2026-11-28T11:02:10Z" doc:"The session's last refresh."`
	ExpiresAt  time.Time `json:"expires_at" example:"2026-12-05T11:02:10Z" doc:"When the session ends unless it is refreshed."`
	IP         string    `json:"ip" example:"203.0.113.7" doc:"The client IP at login."`
	UserAgent  string    `json:"user_agent" example:"Mozilla/5.0" doc:"The User-Agent at login, cut to 256 characters."`
	Current    bool      `json:"current" doc:"true for the session of the token that asked."`
	AAL        string    `json:"aal" enum:"aal1,aal2" example:"aal1" doc:"aal2 when the login passed a second factor."`
}

// SessionList answers GET /auth/sessions.
type SessionList struct {
	Sessions []SessionInfo `json:"sessions" doc:"Live sessions, newest first."`
}

type sessionListOutput struct {
	CacheControl string `header:"Cache-Control" example:"no-store" doc:"no-store: the list is the user's own data."`
	Body         SessionList
}

// bearerJSONInput is a bearer operation with a JSON body.
type bearerJSONInput struct {
	RawBody       []byte
	contentType   string
	authorization string
	client        auth.Client
}

// Resolve captures Content-Type, Authorization and the client.
func (in *bearerJSONInput) Resolve(ctx huma.Context) []error {
	in.contentType = ctx.Header("Content-Type")
	in.authorization = ctx.Header("Authorization")
	in.client = clientOf(ctx)
	return nil
}

// sessionIDInput names one session in the path.
type sessionIDInput struct {
	ID            string `path:"id" example:"3q2-7wYk1mXo0dS5aQ9h-A" doc:"A session id from GET /auth/sessions; any other value is 404 SESSION_NOT_FOUND."`
	authorization string
	client        auth.Client
}

// Resolve captures the Authorization header and the client.
func (in *sessionIDInput) Resolve(ctx huma.Context) []error {
	in.authorization = ctx.Header("Authorization")
	in.client = clientOf(ctx)
	return nil
}

// authenticate checks the bearer token of a request and its session.
func authenticate(ctx context.Context, svc *auth.Service, authorization string) (auth.Caller, error) {
	raw, ok := bearerToken(authorization)
	if !ok {
		return auth.Caller{}, missingBearer()
	}
	return svc.Authenticate(ctx, raw)
}

func handleLogout(svc *auth.Service) func(context.Context, *bearerJSONInput) (*struct{}, error) {
	body := newJSONBody[LogoutRequest]()
	return func(ctx context.Context, in *bearerJSONInput) (*struct{}, error) {
		var req LogoutRequest
		if len(in.RawBody) > 0 {
			if _, err := mediaType(in.contentType, mediaJSON); err != nil {
				return nil, err
			}
			var err error
			if req, err = body.decode(in.RawBody); err != nil {
				return nil, err
			}
		}
		raw, hasBearer := bearerToken(in.authorization)
		switch {
		case hasBearer && req.RefreshToken != "":
			return nil, fieldProblem("refresh_token", "send a bearer token or a refresh_token, not both")
		case hasBearer:
			return nil, svc.Logout(ctx, raw, auth.LogoutScope(req.Scope), in.client)
		case in.authorization != "":
			return nil, missingBearer()
		case req.RefreshToken == "":
			return nil, missingBearer()
		case req.Scope != "":
			return nil, fieldProblem("scope", "scope needs a bearer token; a refresh_token ends its own session")
		}
		return nil, svc.LogoutRefresh(ctx, req.RefreshToken, in.client)
	}
}

func handleSessions(svc *auth.Service) func(context.Context, *bearerInput) (*sessionListOutput, error) {
	return func(ctx context.Context, in *bearerInput) (*sessionListOutput, error) {
		c, err := authenticate(ctx, svc, in.authorization)
		if err != nil {
			return nil, err
		}
		list, err := svc.Sessions(ctx, c)
		if err != nil {
			return nil, err
		}
		out := &sessionListOutput{CacheControl: noStore, Body: SessionList{Sessions: make([]SessionInfo, 0, len(list))}}
		for _, s := range list {
			out.Body.Sessions = append(out.Body.Sessions, SessionInfo{
				ID: s.ID, CreatedAt: s.CreatedAt, LastUsedAt: s.LastUsedAt, ExpiresAt: s.ExpiresAt,
				IP: s.IP, UserAgent: s.UserAgent, Current: s.ID == c.Session.ID, AAL: s.AAL,
			})
		}
		return out, nil
	}
}

func handleEndSession(svc *auth.Service) func(context.Context, *sessionIDInput) (*struct{}, error) {
	return func(ctx context.Context, in *sessionIDInput) (*struct{}, error) {
		c, err := authenticate(ctx, svc, in.authorization)
		if err != nil {
			return nil, err
		}
		return nil, svc.EndSession(ctx, c, in.ID, in.client)
	}
}

func handlePassword(svc *auth.Service) func(context.Context, *bearerJSONInput) (*struct{}, error) {
	body := newJSONBody[PasswordRequest]()
	return func(ctx context.Context, in *bearerJSONInput) (*struct{}, error) {
		c, err := authenticate(ctx, svc, in.authorization)
		if err != nil {
			return nil, err
		}
		if _, err := mediaType(in.contentType, mediaJSON); err != nil {
			return nil, err
		}
		req, err := body.decode(in.RawBody)
		if err != nil {
			return nil, err
		}
		return nil, svc.ChangePassword(ctx, c, auth.ChangePasswordInput{
			CurrentPassword: req.CurrentPassword, NewPassword: req.NewPassword, Code: req.Code, Client: in.client,
		})
	}
}

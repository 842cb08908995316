package httpapi

import (
	"context"
	"strings"

	"github.com/authd/authd/internal/auth"
)

func handleRegister(svc *auth.Service) func(context.Context, *jsonInput) (*sessionOutput, error) {
	body := newJSONBody[RegisterRequest]()
	return func(ctx context.Context, in *jsonInput) (*sessionOutput, error) {
		if _, err := mediaType(in.contentType, mediaJSON); err != nil {
			return nil, err
		}
		req, err := body.decode(in.RawBody)
		if err != nil {
			return nil, err
		}
		s, err := svc.Register(ctx, auth.RegisterInput{Username: req.Username, Email: req.Email, Password: req.Password, Client: in.client})
		if err != nil {
			return nil, err
		}
		if s.SessionID == "" {
			return &sessionOutput{CacheControl: noStore, Body: SessionBody{User: NewUserBody(s.User)}}, nil
		}
		return newSessionOutput(s, svc.Instant()), nil
	}
}

// handleLogin serves both media types of POST /auth/login: JSON, and the
// form of the OAuth2 token endpoint (see oauth2.go).
func handleLogin(svc *auth.Service) func(context.Context, *jsonInput) (*loginOutput, error) {
	body, form := newJSONBody[LoginRequest](), newFormBody[LoginForm]()
	return func(ctx context.Context, in *jsonInput) (*loginOutput, error) {
		mt, err := mediaType(in.contentType, mediaJSON, mediaForm)
		if err != nil {
			return nil, err
		}
		if mt == mediaForm {
			f, err := form.decode(in.RawBody)
			if err != nil {
				return nil, asTokenFailure(err)
			}
			out, err := tokenRequest(ctx, svc, f, in.client)
			return out, asTokenFailure(err)
		}
		req, err := body.decode(in.RawBody)
		if err != nil {
			return nil, err
		}
		return login(ctx, svc, auth.LoginInput{Username: req.Username, Email: req.Email, Password: req.Password, Client: in.client})
	}
}

func login(ctx context.Context, svc *auth.Service, in auth.LoginInput) (*loginOutput, error) {
	s, err := svc.Login(ctx, in)
	if err != nil {
		return nil, err
	}
	out := newSessionOutput(s, svc.Instant())
	return &loginOutput{CacheControl: out.CacheControl, Body: out.Body}, nil
}

func handleRefresh(svc *auth.Service) func(context.Context, *jsonInput) (*tokenOutput, error) {
	body := newJSONBody[RefreshRequest]()
	return func(ctx context.Context, in *jsonInput) (*tokenOutput, error) {
		if _, err := mediaType(in.contentType, mediaJSON); err != nil {
			return nil, err
		}
		req, err := body.decode(in.RawBody)
		if err != nil {
			return nil, err
		}
		return refresh(ctx, svc, req.RefreshToken, in.client)
	}
}

// refresh is the one implementation behind both doors: POST /auth/refresh
// and the refresh grant of the token endpoint answer alike by construction.
// client decides who may have the grace answer.
func refresh(ctx context.Context, svc *auth.Service, refreshToken string, client auth.Client) (*tokenOutput, error) {
	if refreshToken == "" {
		return nil, fieldProblem("refresh_token", "refresh_token is required")
	}
	pair, err := svc.Refresh(ctx, refreshToken, client)
	if err != nil {
		return nil, err
	}
	return &tokenOutput{CacheControl: noStore, Body: newTokenBody(pair, svc.Instant())}, nil
}

func handleMe(svc *auth.Service) func(context.Context, *bearerInput) (*userOutput, error) {
	return func(ctx context.Context, in *bearerInput) (*userOutput, error) {
		raw, ok := bearerToken(in.authorization)
		if !ok {
			return nil, missingBearer()
		}
		u, err := svc.Me(ctx, raw)
		if err != nil {
			return nil, err
		}
		return &userOutput{Body: NewUserBody(u)}, nil
	}
}

// bearerToken takes the token from "Bearer <token>"; the scheme is
// case-insensitive (RFC 7235 §2.1).
func bearerToken(header string) (string, bool) {
	scheme, tok, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

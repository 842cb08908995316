package httpapi

import (
	"context"
	"strings"

	"github.com/authd/authd/internal/auth"
)

func handleRegister(svc *auth.Service) func(context.Context, *jsonInput) (*sessionOutput, error) {
	return func(ctx context.Context, in *jsonInput) (*sessionOutput, error) {
		if _, err := mediaType(in.contentType, mediaJSON); err != nil {
			return nil, err
		}
		var req RegisterRequest
		if err := decodeJSON(in.RawBody, &req, "username", "email", "password"); err != nil {
			return nil, err
		}
		s, err := svc.Register(ctx, auth.RegisterInput{
			Username: req.Username, Email: req.Email, Password: req.Password, IP: ClientIP(ctx),
		})
		if err != nil {
			return nil, err
		}
		return newSessionOutput(s), nil
	}
}

func handleLogin(svc *auth.Service) func(context.Context, *jsonInput) (*sessionOutput, error) {
	return func(ctx context.Context, in *jsonInput) (*sessionOutput, error) {
		mt, err := mediaType(in.contentType, mediaJSON, mediaForm)
		if err != nil {
			return nil, err
		}
		var li auth.LoginInput
		if mt == mediaForm {
			li, err = loginFromForm(in.RawBody)
		} else {
			var req LoginRequest
			err = decodeJSON(in.RawBody, &req, "username", "email", "password")
			li = auth.LoginInput{Username: req.Username, Email: req.Email, Password: req.Password}
		}
		if err != nil {
			return nil, err
		}
		li.IP = ClientIP(ctx)
		s, err := svc.Login(ctx, li)
		if err != nil {
			return nil, err
		}
		return newSessionOutput(s), nil
	}
}

// loginFromForm reads the OAuth2 password grant. Its username may be an
// email; scope and the client fields are accepted and ignored, as API.md says.
func loginFromForm(body []byte) (auth.LoginInput, error) {
	vals, err := decodeForm(body, "grant_type", "username", "password", "scope", "client_id", "client_secret")
	if err != nil {
		return auth.LoginInput{}, err
	}
	if gt, ok := vals["grant_type"]; ok && gt[0] != "password" {
		return auth.LoginInput{}, fieldProblem("grant_type", `grant_type must be "password"`)
	}
	return auth.LoginInput{Username: vals.Get("username"), Password: vals.Get("password")}, nil
}

func handleRefresh(svc *auth.Service) func(context.Context, *jsonInput) (*tokenOutput, error) {
	return func(ctx context.Context, in *jsonInput) (*tokenOutput, error) {
		if _, err := mediaType(in.contentType, mediaJSON); err != nil {
			return nil, err
		}
		var req RefreshRequest
		if err := decodeJSON(in.RawBody, &req, "refresh_token"); err != nil {
			return nil, err
		}
		if req.RefreshToken == "" {
			return nil, fieldProblem("refresh_token", "refresh_token is required")
		}
		pair, err := svc.Refresh(ctx, req.RefreshToken)
		if err != nil {
			return nil, err
		}
		return &tokenOutput{CacheControl: noStore, Body: newTokenBody(pair)}, nil
	}
}

func handleMe(svc *auth.Service) func(context.Context, *bearerInput) (*userOutput, error) {
	return func(ctx context.Context, in *bearerInput) (*userOutput, error) {
		raw, ok := bearerToken(in.authorization)
		if !ok {
			return nil, &auth.Error{Code: auth.CodeInvalidToken, Detail: "Missing bearer token"}
		}
		u, err := svc.Me(ctx, raw)
		if err != nil {
			return nil, err
		}
		return &userOutput{Body: newUserBody(u)}, nil
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

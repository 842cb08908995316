package httpapi

import (
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/authd/authd/internal/auth"
)

// errNoBearer is the cause of a bearer operation's 401 when the request
// carried no bearer token at all (no Authorization header, another scheme,
// or "Bearer" with nothing after it).
var errNoBearer = errors.New("no bearer token")

// missingBearer is the answer to a bearer endpoint called without one.
func missingBearer() error {
	return &auth.Error{Code: auth.CodeInvalidToken, Detail: "Missing bearer token", Err: errNoBearer}
}

// challenge is the WWW-Authenticate header of an error answer, or "" for
// none. RFC 6750 §3: every 401 of an operation that takes a bearer token
// names the scheme. error="invalid_token" is added when the refusal is about
// a token the request carried (malformed, forged, expired, of an ended
// session); with no token at all §3.1 wants no error code, and a 401 that
// is not about the token (POST /auth/password's wrong current_password)
// gets the bare scheme, since the token itself was accepted. Outside bearer
// operations only a refused token (POST /auth/refresh's) names the scheme,
// as before; a wrong password at login is not a bearer challenge.
func challenge(e *auth.Error, bearer bool) string {
	if e.Status() != http.StatusUnauthorized {
		return ""
	}
	if errors.Is(e, errNoBearer) {
		return "Bearer"
	}
	switch e.Code {
	case auth.CodeInvalidToken, auth.CodeTokenExpired, auth.CodeSessionRevoked:
		return `Bearer error="invalid_token"`
	}
	if bearer {
		return "Bearer"
	}
	return ""
}

// documentChallenge adds WWW-Authenticate to the 401 response of op, as
// challenge sends it: always on a bearer operation, on another only when
// the 401 can be a refused token.
func documentChallenge(op *huma.Operation) {
	r := op.Responses["401"]
	if r == nil {
		return
	}
	desc := "RFC 6750 §3: Bearer, with error=\"invalid_token\" when a token was sent and refused."
	if len(op.Security) == 0 {
		mt := r.Content[mediaJSON]
		if mt == nil || mt.Examples[string(auth.CodeInvalidToken)] == nil {
			return
		}
		desc = "Only when the refresh token was refused: Bearer error=\"invalid_token\"."
	}
	if r.Headers == nil {
		r.Headers = map[string]*huma.Header{}
	}
	r.Headers["WWW-Authenticate"] = &huma.Header{Description: desc, Schema: &huma.Schema{
		Type: "string", Examples: []any{`Bearer error="invalid_token"`},
	}}
}

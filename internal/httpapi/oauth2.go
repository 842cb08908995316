package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"

	"github.com/authd/authd/internal/auth"
)

// The OAuth2 token endpoint (RFC 6749 §3.2) is the form-encoded POST
// /auth/login. It takes the password grant (§4.3), which the Authorize
// button of /docs sends, and the refresh grant (§6), which every standard
// OAuth2 client library sends on its own when an access token expires. Its
// errors add §5.2's "error" member, which those libraries read to tell a
// refused grant (log in again) from a malformed request.

// tokenPath is the token endpoint, for the routes and the OAuth2 flow of
// the OpenAPI document alike; revokePath is RFC 7009's revocation endpoint.
const (
	tokenPath  = "/auth/login"
	revokePath = "/auth/revoke"
)

// The grant types of RFC 6749 that authd takes.
const (
	grantPassword = "password"
	grantRefresh  = "refresh_token"
)

// The RFC 6749 §5.2 error codes authd answers.
const (
	oauth2InvalidRequest   = "invalid_request"
	oauth2InvalidGrant     = "invalid_grant"
	oauth2UnsupportedGrant = "unsupported_grant_type"
	// oauth2MFARequired is not §5.2's: API.md's member for a password
	// grant that needs its second step, which a client must tell apart
	// from a refused grant.
	oauth2MFARequired = "mfa_required"
)

// errUnsupportedGrant is the cause of the 400 for a grant_type authd does
// not take: §5.2 gives it a code of its own, unlike other bad fields.
var errUnsupportedGrant = errors.New("unsupported grant_type")

// tokenRequest answers a form POST to the token endpoint. The refresh grant
// goes through refresh, the very function behind POST /auth/refresh, so the
// two doors give the same answer and follow the same rules. client is kept
// with the session a password grant opens, and is the refresh grant's
// client.
func tokenRequest(ctx context.Context, svc *auth.Service, form LoginForm, client auth.Client) (*loginOutput, error) {
	grant, err := grantOf(form)
	if err != nil {
		return nil, err
	}
	if grant == grantPassword {
		return login(ctx, svc, auth.LoginInput{Username: form.Username, Password: form.Password, Client: client})
	}
	out, err := refresh(ctx, svc, form.RefreshToken, client)
	if err != nil {
		return nil, err
	}
	return &loginOutput{CacheControl: out.CacheControl, Body: out.Body}, nil
}

// grantOf names the grant of a decoded form. A field that is empty counts
// as omitted (RFC 6749 §3.2), so an empty grant_type is the password
// grant, as an absent one is (API.md). scope, client_id and client_secret
// are accepted and ignored; the credential of the other grant is refused,
// since a request with two credentials is ambiguous (§5.2 invalid_request).
func grantOf(form LoginForm) (string, error) {
	type field struct{ name, value string }
	grant := form.GrantType
	var foreign []field
	switch grant {
	case "", grantPassword:
		grant, foreign = grantPassword, []field{{"refresh_token", form.RefreshToken}}
	case grantRefresh:
		foreign = []field{{"username", form.Username}, {"password", form.Password}}
	default:
		e := fieldProblem("grant_type", fmt.Sprintf("grant_type must be %q or %q", grantPassword, grantRefresh))
		e.Err = errUnsupportedGrant
		return "", e
	}
	for _, f := range foreign {
		if f.value != "" {
			return "", fieldProblem(f.name, fmt.Sprintf("%s is not a field of the %s grant", f.name, grant))
		}
	}
	return grant, nil
}

// isTokenRequest tells a form request to the token or the revocation
// endpoint, whose errors follow RFC 6749 §5.2 (RFC 7009 §2.2.1 defers to
// it); JSON logins keep the one error shape unchanged.
func isTokenRequest(r *http.Request) bool {
	if r.Method != http.MethodPost || (r.URL.Path != tokenPath && r.URL.Path != revokePath) {
		return false
	}
	_, err := mediaType(r.Header.Get("Content-Type"), mediaForm)
	return err == nil
}

// oauth2Error is the RFC 6749 §5.2 "error" member of a failed token
// request. Every 401 and 403 there is about the grant (authd does no client
// authentication, so invalid_client never applies), whatever its code:
// codes added later map without a change here. A 429 or 5xx gets none:
// §5.2 has no code for them, and nothing the client sent was wrong; nor
// does FORBIDDEN, a browser's cross-site request, which is no grant at all.
func oauth2Error(e *auth.Error) string {
	if errors.Is(e, errUnsupportedGrant) {
		return oauth2UnsupportedGrant
	}
	switch e.Code {
	case auth.CodeMFARequired:
		return oauth2MFARequired
	case auth.CodeForbidden:
		return ""
	}
	switch e.Status() {
	case http.StatusBadRequest, http.StatusRequestTimeout, http.StatusRequestEntityTooLarge:
		return oauth2InvalidRequest
	case http.StatusUnauthorized, http.StatusForbidden:
		return oauth2InvalidGrant
	}
	return ""
}

// oauth2Status is the status of a failed token request: §5.2 answers
// invalid_grant with 400, whatever 401 or 403 the same failure gets as
// JSON; every other error keeps the table's status.
func oauth2Status(e *auth.Error) int {
	if oauth2Error(e) == oauth2InvalidGrant {
		return http.StatusBadRequest
	}
	return e.Status()
}

// tokenFailure is an error of a form request to the token or revocation
// endpoint: the *auth.Error it wraps, with oauth2Status as the status huma
// answers with (renderError gives the body the member).
type tokenFailure struct{ err *auth.Error }

// asTokenFailure wraps a handler's error; nil stays nil.
func asTokenFailure(err error) error {
	if err == nil {
		return nil
	}
	return &tokenFailure{err: auth.AsError(err)}
}

func (f *tokenFailure) Error() string  { return f.err.Error() }
func (f *tokenFailure) Unwrap() error  { return f.err }
func (f *tokenFailure) GetStatus() int { return oauth2Status(f.err) }

// loginResponses documents login's 200 as one of its two bodies, beside
// its errors; huma keeps a response the operation already describes.
func (s *Server) loginResponses(codes ...auth.Code) map[string]*huma.Response {
	reg := s.api.OpenAPI().Components.Schemas
	out := s.errorResponses(codes...)
	out["200"] = &huma.Response{
		Description: "A login (password grant or JSON) answers with the user and a token pair; " +
			"the refresh grant answers as POST /auth/refresh does.",
		Content: map[string]*huma.MediaType{mediaJSON: {Schema: &huma.Schema{OneOf: []*huma.Schema{
			reg.Schema(reflect.TypeFor[SessionBody](), true, "SessionBody"),
			reg.Schema(reflect.TypeFor[TokenBody](), true, "TokenBody"),
		}}}},
	}
	return out
}

// exampleRefreshToken stands for a refresh token in examples: opaque,
// base64url of a version, a session id (the example session's), a counter
// and a MAC, as package token mints them.
const exampleRefreshToken = "Ad6tvu8GJNZl6NHUuWkPYfgAAAAAAAAAA58cDlp9K0xuig8ePVx7mo9uTSwLGj9efZyLak8uDRw7"

// documentForms gives the form bodies of the token and revocation
// endpoints one example per way of calling: a sample built from the schema
// alone would mix the fields of both grants, which the token endpoint
// refuses.
func (s *Server) documentForms() error {
	for path, examples := range map[string]map[string]*huma.Example{
		tokenPath: {
			grantPassword: {Summary: "Password grant (RFC 6749 §4.3)", Value: map[string]string{
				"grant_type": grantPassword, "username": "alice", "password": "correct-horse-battery"}},
			grantRefresh: {Summary: "Refresh grant (RFC 6749 §6)", Value: map[string]string{
				"grant_type": grantRefresh, "refresh_token": exampleRefreshToken}},
		},
		revokePath: {
			"refresh token": {Summary: "Revoke a refresh token (RFC 7009)", Value: map[string]string{
				"token": exampleRefreshToken, "token_type_hint": auth.HintRefreshToken}},
		},
	} {
		item := s.api.OpenAPI().Paths[path]
		if item == nil || item.Post == nil || item.Post.RequestBody == nil || item.Post.RequestBody.Content[mediaForm] == nil {
			return fmt.Errorf("document forms: no form body on POST %s", path)
		}
		item.Post.RequestBody.Content[mediaForm].Examples = examples
	}
	return nil
}

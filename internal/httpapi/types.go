package httpapi

import (
	"encoding/json"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/logging"
)

// RegisterRequest is the body of POST /auth/register.
type RegisterRequest struct {
	Username string `json:"username" minLength:"3" maxLength:"50" pattern:"^[A-Za-z0-9_.-]+$" example:"alice" doc:"3–50 ASCII letters, digits, '_', '.', '-'; unique without regard to case."`
	Email    string `json:"email" maxLength:"100" format:"email" example:"alice@example.com" doc:"One plain address, at most 100 characters, with a domain name (not an IP address) and no control, invisible, space or bidi characters; stored lower-cased and NFC-normalised; unique."`
	Password string `json:"password" minLength:"8" maxLength:"72" example:"correct-horse-battery" doc:"8–72 bytes (bcrypt's limit); longer is refused, never truncated. A commonly used password (a breach list's, in any case, or one character repeated) is refused: \"this password is too common\". So is one that contains the username or the email's part before @ (3 characters or more), in any case."`
}

// LoginRequest is the JSON body of POST /auth/login: username or email.
type LoginRequest struct {
	Username string `json:"username,omitempty" example:"alice" doc:"Username, or an email address. Give this or email."`
	Email    string `json:"email,omitempty" example:"alice@example.com" doc:"Email address (anything else is a 400 on email: this field never takes a username). Give this or username."`
	Password string `json:"password" example:"correct-horse-battery"`
}

// LoginForm is the form-encoded body of POST /auth/login, the OAuth2 token
// endpoint: the password grant (RFC 6749 §4.3), which the Authorize button
// of /docs sends, or the refresh grant (§6), which OAuth2 client libraries
// send when an access token expires. One flat schema rather than a oneOf
// of two, so Swagger UI can show the form's fields.
type LoginForm struct {
	GrantType    string `json:"grant_type,omitempty" enum:"password,refresh_token" doc:"password (when absent or empty) or refresh_token."`
	Username     string `json:"username,omitempty" example:"alice" doc:"Password grant: username or email address."`
	Password     string `json:"password,omitempty" example:"correct-horse-battery" doc:"Password grant."`
	RefreshToken string `json:"refresh_token,omitempty" doc:"Refresh grant: the refresh_token of an earlier answer. Answered exactly as POST /auth/refresh answers; not a field of the password grant."`
	Scope        string `json:"scope,omitempty" doc:"Accepted and ignored."`
	ClientID     string `json:"client_id,omitempty" doc:"Accepted and ignored."`
	ClientSecret string `json:"client_secret,omitempty" doc:"Accepted and ignored."`
}

// RefreshRequest is the body of POST /auth/refresh.
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token" example:"ASEGFVnDQtD29m3sZxhNYmoAAAAAAAAAAf9IJUnqvxAkLzeC2EDqZi7e6jDkfZPcrMYwxmH3JkcW" doc:"The refresh_token of a login, register or refresh answer: opaque, 76 characters, good for one refresh."`
}

// UserBody is a user as clients see it: never the password hash.
type UserBody struct {
	ID       int64  `json:"id" example:"1"`
	Username string `json:"username" example:"alice"`
	Email    string `json:"email" example:"alice@example.com"`
	// EmailVerified is true once a mailed link or code proved the address.
	EmailVerified bool       `json:"email_verified" example:"false"`
	IsActive      bool       `json:"is_active" example:"true"`
	Roles         []string   `json:"roles" doc:"Role names; admin is authd's own, the others are for applications. Always an array."`
	CreatedAt     time.Time  `json:"created_at" example:"2026-11-28T10:30:45Z"`
	UpdatedAt     time.Time  `json:"updated_at" example:"2026-11-28T10:31:02Z" doc:"A login updates it, with last_login."`
	LastLogin     *time.Time `json:"last_login" nullable:"true" example:"2026-11-28T10:31:02Z" doc:"null until the first login."`
	MFAEnabled    bool       `json:"mfa_enabled" example:"false" doc:"Two-factor login (TOTP) is on."`
}

// TokenBody is the token part of every token-issuing answer.
type TokenBody struct {
	AccessToken  string `json:"access_token" doc:"JWT for Authorization: Bearer, signed with EdDSA or ES256 (keys at /.well-known/jwks.json) or HS256."`
	RefreshToken string `json:"refresh_token" doc:"Exchange at POST /auth/refresh, or as the OAuth2 refresh grant at POST /auth/login; never valid as a bearer token."`
	TokenType    string `json:"token_type" example:"bearer"`
	ExpiresIn    int64  `json:"expires_in" example:"900" doc:"Whole seconds the access token has left when the answer is sent: its exp minus the time of the answer, rounded down, so never more than it lives."`
}

// SessionBody answers register and login.
type SessionBody struct {
	User UserBody `json:"user"`
	TokenBody
}

// MarshalJSON writes the user alone when there are no tokens: a
// registration under AUTHD_REQUIRE_VERIFIED_EMAIL opens no session.
func (b SessionBody) MarshalJSON() ([]byte, error) {
	if b.AccessToken == "" {
		return json.Marshal(struct {
			User UserBody `json:"user"`
		}{b.User})
	}
	type plain SessionBody // without this method
	return json.Marshal(plain(b))
}

// jsonInput is the input of an operation with a body: huma hands the raw
// bytes over, and the handler decodes them strictly (see jsonBody).
type jsonInput struct {
	RawBody     []byte
	contentType string
	// client is kept with a session that the request opens.
	client auth.Client
}

// Resolve captures Content-Type and the client without documenting them
// as parameters.
func (in *jsonInput) Resolve(ctx huma.Context) []error {
	in.contentType = ctx.Header("Content-Type")
	in.client = clientOf(ctx)
	return nil
}

// bearerInput carries the Authorization header. It is read in Resolve
// rather than declared as a header parameter: OpenAPI ignores Authorization
// parameters; the security schemes document it.
type bearerInput struct {
	authorization string
}

// Resolve captures the Authorization header.
func (in *bearerInput) Resolve(ctx huma.Context) []error {
	in.authorization = ctx.Header("Authorization")
	return nil
}

type sessionOutput struct {
	CacheControl string `header:"Cache-Control" example:"no-store" doc:"no-store: tokens must not be cached."`
	Body         SessionBody
}

// loginOutput answers POST /auth/login: a SessionBody for a login, or for
// the refresh grant the TokenBody that POST /auth/refresh sends.
type loginOutput struct {
	CacheControl string `header:"Cache-Control" example:"no-store" doc:"no-store: tokens must not be cached."`
	Body         any
}

type tokenOutput struct {
	CacheControl string `header:"Cache-Control" example:"no-store" doc:"no-store: tokens must not be cached."`
	Body         TokenBody
}

type userOutput struct {
	Body UserBody
}

// NewUserBody is the user object of API.md for u; the operator commands
// print the same JSON.
func NewUserBody(u auth.User) UserBody {
	roles := u.Roles
	if roles == nil {
		roles = []string{}
	}
	return UserBody{
		ID: u.ID, Username: u.Username, Email: u.Email, EmailVerified: u.EmailVerified(), IsActive: u.IsActive, Roles: roles,
		CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, LastLogin: u.LastLogin, MFAEnabled: u.MFAEnabled,
	}
}

// newTokenBody answers with p at now, the service's unrounded clock
// (auth.Service.Instant), which expires_in counts from.
func newTokenBody(p auth.Pair, now time.Time) TokenBody {
	return TokenBody{
		AccessToken: p.Access, RefreshToken: p.Refresh, TokenType: "bearer",
		ExpiresIn: p.ExpiresIn(now),
	}
}

// noStore is RFC 6749 §5.1's rule for answers that carry tokens, and the
// default of every answer (see securityHeaders).
const noStore = "no-store"

func newSessionOutput(s auth.Authenticated, now time.Time) *sessionOutput {
	return &sessionOutput{CacheControl: noStore, Body: SessionBody{User: NewUserBody(s.User), TokenBody: newTokenBody(s.Tokens, now)}}
}

// clientOf is who sent the request, as the audit trail and sessions keep
// it: the client IP (see clientIP), the User-Agent and the request id.
func clientOf(ctx huma.Context) auth.Client {
	return auth.Client{IP: clientIPText(ctx.Context()), UserAgent: ctx.Header("User-Agent"), RequestID: logging.RequestID(ctx.Context())}
}

package httpapi

import (
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/authd/authd/internal/auth"
)

// AdminCreateRequest is the body of POST /admin/users.
type AdminCreateRequest struct {
	Username  string   `json:"username" minLength:"3" maxLength:"50" pattern:"^[A-Za-z0-9_.-]+$" example:"bob" doc:"The register rules apply."`
	Email     string   `json:"email" maxLength:"100" format:"email" example:"bob@example.com" doc:"The register rules apply."`
	Password  string   `json:"password,omitempty" maxLength:"72" example:"staple-battery-horse-correct" doc:"The register rules apply. Without one the account cannot log in until its password is set or reset."`
	Roles     []string `json:"roles,omitempty" maxItems:"20" doc:"Role names matching [a-z][a-z0-9_.-]{0,31}, at most 20; admin is authd's own."`
	IsActive  *bool    `json:"is_active,omitempty" example:"true" doc:"false creates the account deactivated; default true."`
	SendReset bool     `json:"send_reset,omitempty" example:"false" doc:"true queues a password-reset mail (501 NOT_CONFIGURED while mail is not configured)."`
	// EmailVerified creates the account with its address verified.
	EmailVerified bool `json:"email_verified,omitempty" example:"false" doc:"true: the address counts as verified from the start."`
}

// AdminUpdateRequest is the body of PATCH /admin/users/{id}: each field
// present is changed, each absent one stays.
type AdminUpdateRequest struct {
	Username *string   `json:"username,omitempty" example:"bob_b" doc:"A new username (register rules); a taken one is 409."`
	Email    *string   `json:"email,omitempty" example:"bob.b@example.com" doc:"A new email (register rules); a taken one is 409."`
	IsActive *bool     `json:"is_active,omitempty" example:"false" doc:"false deactivates the user and ends every session of theirs."`
	Roles    *[]string `json:"roles,omitempty" doc:"The user's roles from now on (replaces them)."`
	// EmailVerified sets or clears the address's verification.
	EmailVerified *bool `json:"email_verified,omitempty" example:"true" doc:"Sets or clears the address's verification; a new email without it is unverified."`
}

// AdminPasswordRequest is the body of PUT /admin/users/{id}/password.
type AdminPasswordRequest struct {
	Password string `json:"password" minLength:"8" maxLength:"72" example:"staple-battery-horse-correct" doc:"The register rules apply; every session of the user ends."`
}

// DeleteMeRequest is the body of DELETE /auth/me.
type DeleteMeRequest struct {
	Password string `json:"password" example:"correct-horse-battery" doc:"The caller's password, checked (and throttled) like a login's."`
	Code     string `json:"code,omitempty" example:"123456" doc:"With two-factor on: a TOTP or recovery code (without it 401 MFA_REQUIRED)."`
}

// AdminUserBody is a user as an admin reads one: with its live sessions.
type AdminUserBody struct {
	UserBody
	SessionCount int `json:"session_count" example:"2" doc:"How many live sessions the user has."`
}

// UserList answers GET /admin/users.
type UserList struct {
	Users      []UserBody `json:"users" doc:"By id ascending."`
	NextCursor *string    `json:"next_cursor" nullable:"true" example:"dTo0Mg" doc:"Pass as cursor for the next page; null on the last."`
}

// EventBody is one audit event.
type EventBody struct {
	ID        int64             `json:"id" example:"42"`
	At        time.Time         `json:"at" example:"2026-11-28T10:30:45Z"`
	Action    string            `json:"action" example:"user.login"`
	ActorID   *string           `json:"actor_id" nullable:"true" example:"1" doc:"The acting admin's id, \"cli\" for an operator command, null for the user on their own account."`
	UserID    *int64            `json:"user_id" nullable:"true" example:"7" doc:"Whose account it is."`
	IP        string            `json:"ip" example:"203.0.113.7"`
	UserAgent string            `json:"user_agent" example:"Mozilla/5.0"`
	RequestID string            `json:"request_id" example:"550e8400-e29b-41d4-a716-446655440000" doc:"The X-Request-ID of the request that caused it, to find it in the logs."`
	Details   map[string]string `json:"details" doc:"Names of what changed (fields, scope, roles), never a secret."`
}

// EventList answers GET /admin/audit.
type EventList struct {
	Events     []EventBody `json:"events" doc:"Newest first."`
	NextCursor *string     `json:"next_cursor" nullable:"true" example:"ZTo0MQ" doc:"Pass as cursor for the next page; null on the last."`
}

// OwnEventList answers GET /auth/events.
type OwnEventList struct {
	Events []EventBody `json:"events" doc:"The caller's own events, newest first, at most 100."`
}

func newEventBody(e auth.Event) EventBody {
	b := EventBody{ID: e.ID, At: e.At, Action: string(e.Action), IP: e.IP, UserAgent: e.UserAgent, RequestID: e.RequestID, Details: e.Details}
	if e.ActorID != "" {
		b.ActorID = &e.ActorID
	}
	if e.UserID != 0 {
		b.UserID = &e.UserID
	}
	if b.Details == nil {
		b.Details = map[string]string{}
	}
	return b
}

func newEventBodies(ev []auth.Event) []EventBody {
	out := make([]EventBody, len(ev))
	for i, e := range ev {
		out[i] = newEventBody(e)
	}
	return out
}

// cursorOf is a next_cursor: null for "".
func cursorOf(c string) *string {
	if c == "" {
		return nil
	}
	return &c
}

// adminInput is what every /admin operation (and the caller's own account
// operations) reads besides its parameters: the bearer token and the client.
type adminInput struct {
	authorization string
	client        auth.Client
}

// Resolve captures the Authorization header and the client.
func (in *adminInput) Resolve(ctx huma.Context) []error {
	in.authorization = ctx.Header("Authorization")
	in.client = clientOf(ctx)
	return nil
}

func (in *adminInput) credentials() *adminInput { return in }

// adminRequest is an /admin input: asAdmin reads its credentials.
type adminRequest interface{ credentials() *adminInput }

// userIDInput names a user in the path.
type userIDInput struct {
	ID string `path:"id" example:"7" doc:"A user id; one that is no user's is 404 USER_NOT_FOUND."`
	adminInput
}

// userID is the path's id; anything that cannot be one is no user.
func (in *userIDInput) userID() (int64, error) {
	id, err := strconv.ParseInt(in.ID, 10, 64)
	if err != nil || id <= 0 {
		return 0, auth.Fail(auth.CodeUserNotFound, nil)
	}
	return id, nil
}

// userIDBodyInput is a user in the path and a JSON body.
type userIDBodyInput struct {
	ID          string `path:"id" example:"7" doc:"A user id; one that is no user's is 404 USER_NOT_FOUND."`
	RawBody     []byte
	contentType string
	adminInput
}

// Resolve captures Content-Type besides the credentials.
func (in *userIDBodyInput) Resolve(ctx huma.Context) []error {
	in.contentType = ctx.Header("Content-Type")
	return in.adminInput.Resolve(ctx)
}

func (in *userIDBodyInput) userID() (int64, error) {
	return (&userIDInput{ID: in.ID}).userID()
}

// adminBodyInput is an /admin operation with a JSON body and no path.
type adminBodyInput struct {
	RawBody     []byte
	contentType string
	adminInput
}

// Resolve captures Content-Type besides the credentials.
func (in *adminBodyInput) Resolve(ctx huma.Context) []error {
	in.contentType = ctx.Header("Content-Type")
	return in.adminInput.Resolve(ctx)
}

// userListInput is GET /admin/users' query.
type userListInput struct {
	Query  string `query:"query" maxLength:"100" example:"ali" doc:"A case-insensitive part of the username or email."`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" example:"50" doc:"Users per page, 1–200; default 50."`
	Cursor string `query:"cursor" example:"dTo0Mg" doc:"The next_cursor of the previous page."`
	adminInput
}

// auditInput is GET /admin/audit's query.
type auditInput struct {
	UserID int64  `query:"user_id" minimum:"1" example:"7" doc:"Only this user's events."`
	Action string `query:"action" maxLength:"64" example:"user.login" doc:"Only events of this action."`
	Limit  int    `query:"limit" minimum:"1" maximum:"200" example:"50" doc:"Events per page, 1–200; default 50."`
	Cursor string `query:"cursor" example:"ZTo0MQ" doc:"The next_cursor of the previous page."`
	adminInput
}

// privateOutput is an answer of account data: no-store, so no cache
// keeps it.
type privateOutput[B any] struct {
	CacheControl string `header:"Cache-Control" example:"no-store" doc:"no-store: account data."`
	Body         B
}

func private[B any](b B) *privateOutput[B] { return &privateOutput[B]{CacheControl: noStore, Body: b} }

// AdminSessionInfo is one live session as an admin sees it: as
// GET /auth/sessions shows it, without current.
type AdminSessionInfo struct {
	ID         string    `json:"id" example:"3q2-7wYk1mXo0dS5aQ9h-A"`
	CreatedAt  time.Time `json:"created_at" example:"2026-11-28T10:30:45Z"`
	LastUsedAt time.Time `json:"last_used_at" example:"2026-11-28T11:02:10Z"`
	ExpiresAt  time.Time `json:"expires_at" example:"2026-12-05T11:02:10Z"`
	IP         string    `json:"ip" example:"203.0.113.7"`
	UserAgent  string    `json:"user_agent" example:"Mozilla/5.0"`
}

// AdminSessionList answers GET /admin/users/{id}/sessions.
type AdminSessionList struct {
	Sessions []AdminSessionInfo `json:"sessions" doc:"Live sessions, newest first."`
}

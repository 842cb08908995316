// Package auth is the domain of authd: users, the service that registers and
// logs them in, the Store it persists them with, and the one application
// error type every layer speaks.
package auth

import (
	"errors"
	"net/http"
	"strings"
	"time"
)

// Code is a stable, upper-case error code from API.md. Published codes never change.
type Code string

// The error codes of API.md, plus RANGE_NOT_SATISFIABLE, which the contract
// leaves unnamed: a Range header past the end of a docs page or asset gets
// 416 (RFC 9110 §15.5.17), and every error has a code. Each has its row in
// errorTable.
const (
	CodeValidation          Code = "VALIDATION_ERROR"
	CodeInvalidCredentials  Code = "INVALID_CREDENTIALS"
	CodeInvalidToken        Code = "INVALID_TOKEN"
	CodeTokenExpired        Code = "TOKEN_EXPIRED"
	CodeSessionRevoked      Code = "SESSION_REVOKED"
	CodeRefreshReused       Code = "REFRESH_TOKEN_REUSED"
	CodeMFARequired         Code = "MFA_REQUIRED"
	CodeInvalidCode         Code = "INVALID_CODE"
	CodeUserInactive        Code = "USER_INACTIVE"
	CodeEmailNotVerified    Code = "EMAIL_NOT_VERIFIED"
	CodeForbidden           Code = "FORBIDDEN"
	CodeNotFound            Code = "NOT_FOUND"
	CodeUserNotFound        Code = "USER_NOT_FOUND"
	CodeSessionNotFound     Code = "SESSION_NOT_FOUND"
	CodeMethodNotAllowed    Code = "METHOD_NOT_ALLOWED"
	CodeRequestTimeout      Code = "REQUEST_TIMEOUT"
	CodeUserExists          Code = "USER_ALREADY_EXISTS"
	CodeLastAdmin           Code = "LAST_ADMIN"
	CodeMFAAlreadyEnabled   Code = "MFA_ALREADY_ENABLED"
	CodePayloadTooLarge     Code = "PAYLOAD_TOO_LARGE"
	CodeUnsupportedMedia    Code = "UNSUPPORTED_MEDIA_TYPE"
	CodeRangeNotSatisfiable Code = "RANGE_NOT_SATISFIABLE"
	CodeRateLimited         Code = "RATE_LIMITED"
	CodeInternal            Code = "INTERNAL_ERROR"
	CodeDatabase            Code = "DATABASE_ERROR"
	CodeNotConfigured       Code = "NOT_CONFIGURED"
	CodeBreakerOpen         Code = "CIRCUIT_BREAKER_OPEN"
	CodeOverloaded          Code = "OVERLOADED"
	CodeNotReady            Code = "NOT_READY"
)

// codeRow is one row of errorTable.
type codeRow struct {
	code   Code
	status int
	// detail is the public text of an error of this code that brings no
	// detail of its own: it must hold nothing a client should not see.
	detail string
}

// errorTable is the one table of error codes, their HTTP statuses (API.md's
// Errors table) and their default public details; Code.Status and
// Code.Detail read it. It is a sequence over a local array rather than a
// package-level variable because the house keeps no mutable state at
// package level; ranging over it allocates nothing.
func errorTable(yield func(codeRow) bool) {
	rows := [...]codeRow{
		{CodeValidation, http.StatusBadRequest, "Invalid request"},
		{CodeInvalidCredentials, http.StatusUnauthorized, "Invalid credentials"},
		{CodeInvalidToken, http.StatusUnauthorized, "Invalid token"},
		{CodeTokenExpired, http.StatusUnauthorized, "Token has expired"},
		{CodeSessionRevoked, http.StatusUnauthorized, "The session has ended; log in again"},
		{CodeRefreshReused, http.StatusUnauthorized, "Refresh token was already used; the session has ended"},
		{CodeMFARequired, http.StatusUnauthorized, "A second factor is required"},
		{CodeInvalidCode, http.StatusUnauthorized, "Invalid or expired code"},
		{CodeUserInactive, http.StatusForbidden, "User account is inactive"},
		{CodeEmailNotVerified, http.StatusForbidden, "Email address is not verified"},
		{CodeForbidden, http.StatusForbidden, "Not allowed"},
		{CodeNotFound, http.StatusNotFound, "Not found"},
		{CodeUserNotFound, http.StatusNotFound, "User not found"},
		{CodeSessionNotFound, http.StatusNotFound, "No such session"},
		{CodeMethodNotAllowed, http.StatusMethodNotAllowed, "Method not allowed"},
		{CodeRequestTimeout, http.StatusRequestTimeout, "Request body arrived too slowly"},
		{CodeUserExists, http.StatusConflict, "Username or email already registered"},
		{CodeLastAdmin, http.StatusConflict, "Cannot remove the last active admin"},
		{CodeMFAAlreadyEnabled, http.StatusConflict, "Two-factor authentication is already on"},
		{CodePayloadTooLarge, http.StatusRequestEntityTooLarge, "Request body too large"},
		{CodeUnsupportedMedia, http.StatusUnsupportedMediaType, "Unsupported media type"},
		{CodeRangeNotSatisfiable, http.StatusRequestedRangeNotSatisfiable, "Range not satisfiable; Content-Range gives the size"},
		{CodeRateLimited, http.StatusTooManyRequests, "Too many attempts; try again later"},
		{CodeInternal, http.StatusInternalServerError, "Internal server error"},
		{CodeDatabase, http.StatusInternalServerError, "Database error"},
		{CodeNotConfigured, http.StatusNotImplemented, "This feature is not configured"},
		{CodeBreakerOpen, http.StatusServiceUnavailable, "Database unavailable; try again later"},
		{CodeOverloaded, http.StatusServiceUnavailable, "Too many password checks at once; try again shortly"},
		{CodeNotReady, http.StatusServiceUnavailable, "Not ready"},
	}
	for _, r := range rows {
		if !yield(r) {
			return
		}
	}
}

// row is c's row of errorTable. A code without one is treated as
// INTERNAL_ERROR, so an unknown code never shows a client more than
// "internal error".
func (c Code) row() codeRow {
	for r := range errorTable {
		if r.code == c {
			return r
		}
	}
	return codeRow{code: c, status: http.StatusInternalServerError, detail: "Internal server error"}
}

// Status is the HTTP status of a code, from errorTable. An unknown code is a 500.
func (c Code) Status() int { return c.row().status }

// Detail is the default public detail of a code, from errorTable: what a
// client is told when the error brings no detail of its own.
func (c Code) Detail() string { return c.row().detail }

// FieldError names one input field that failed validation and why.
type FieldError struct {
	Field   string
	Message string
}

// Error is the application error: a code, a public detail safe to show a
// client, optional field errors, and the wrapped cause, which is only for logs.
type Error struct {
	Code   Code
	Detail string
	Fields []FieldError
	// RetryAfter, when set, tells the client how long to wait (503, 429).
	RetryAfter time.Duration
	// MFAToken is set on the MFA_REQUIRED of a login: the opaque token
	// the second step (POST /auth/login/mfa) takes.
	MFAToken string
	Err      error
}

// Error returns the code, the detail and the cause for logs; never send it to a client.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause so errors.Is and errors.As see through an Error.
func (e *Error) Unwrap() error { return e.Err }

// Status is the HTTP status of the error's code.
func (e *Error) Status() int { return e.Code.Status() }

// GetStatus is Status under the name the HTTP framework (huma) looks for.
func (e *Error) GetStatus() int { return e.Status() }

// NewError builds an Error with a code, a public detail and an optional cause.
func NewError(code Code, detail string, cause error) *Error {
	return &Error{Code: code, Detail: detail, Err: cause}
}

// Fail builds an Error with a code, the code's default detail from
// errorTable and an optional cause: the constructor for every error whose
// public text needs nothing beyond its code.
func Fail(code Code, cause error) *Error {
	return &Error{Code: code, Detail: code.Detail(), Err: cause}
}

// AsError finds the *Error in err's chain. An error that is not an *Error
// becomes an INTERNAL_ERROR whose cause is err, so nothing unexpected reaches
// a client as anything but "internal error".
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Fail(CodeInternal, err)
}

// Sentinel errors a Store returns, wrapped with context; the Service turns
// them into coded errors.
var (
	// ErrUserNotFound: no user matches the lookup.
	ErrUserNotFound = errors.New("user not found")
	// ErrUserExists: a unique constraint (username or email) refused the write.
	ErrUserExists = errors.New("user already exists")
	// ErrSessionNotFound: no session has that ID.
	ErrSessionNotFound = errors.New("session not found")
	// ErrUserInactive: a login's write found no active user with that ID:
	// the user was deactivated (or is gone) since the login read them.
	ErrUserInactive = errors.New("user is not active")
	// ErrLastAdmin: the change would leave no active user holding admin.
	ErrLastAdmin = errors.New("last active admin")
)

// DatabaseError marks cause as an infrastructure failure of the store
// (connection refused, timeout, I/O): 500 DATABASE_ERROR, with no driver text
// reaching the client.
func DatabaseError(cause error) *Error {
	return Fail(CodeDatabase, cause)
}

// InvalidData marks cause as the database refusing a value a request
// carried (PostgreSQL's data exceptions, such as NUL or invalid UTF-8 in
// text): the client's fault, 400 VALIDATION_ERROR with no driver text. The
// database answered, so the circuit breaker does not count it.
func InvalidData(cause error) *Error {
	return &Error{Code: CodeValidation, Detail: "Request validation failed", Err: cause,
		Fields: []FieldError{{Field: "body", Message: "a value in the request cannot be stored"}}}
}

// StoreRefused marks cause as a refusal by the database that is neither an
// outage nor the client's fault (a NOT NULL or CHECK constraint, a missing
// table, a deadlock): 500 INTERNAL_ERROR with no driver text. The database
// answered, so the circuit breaker does not count it.
func StoreRefused(cause error) *Error {
	return Fail(CodeInternal, cause)
}

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
// 416 (RFC 9110 §15.5.17), and every error has a code.
const (
	CodeValidation          Code = "VALIDATION_ERROR"
	CodeInvalidCredentials  Code = "INVALID_CREDENTIALS"
	CodeInvalidToken        Code = "INVALID_TOKEN"
	CodeTokenExpired        Code = "TOKEN_EXPIRED"
	CodeSessionRevoked      Code = "SESSION_REVOKED"
	CodeRefreshReused       Code = "REFRESH_TOKEN_REUSED"
	CodeUserInactive        Code = "USER_INACTIVE"
	CodeNotFound            Code = "NOT_FOUND"
	CodeUserNotFound        Code = "USER_NOT_FOUND"
	CodeSessionNotFound     Code = "SESSION_NOT_FOUND"
	CodeMethodNotAllowed    Code = "METHOD_NOT_ALLOWED"
	CodeRequestTimeout      Code = "REQUEST_TIMEOUT"
	CodeRangeNotSatisfiable Code = "RANGE_NOT_SATISFIABLE"
	CodeUserExists          Code = "USER_ALREADY_EXISTS"
	CodePayloadTooLarge     Code = "PAYLOAD_TOO_LARGE"
	CodeUnsupportedMedia    Code = "UNSUPPORTED_MEDIA_TYPE"
	CodeRateLimited         Code = "RATE_LIMITED"
	CodeInternal            Code = "INTERNAL_ERROR"
	CodeDatabase            Code = "DATABASE_ERROR"
	CodeBreakerOpen         Code = "CIRCUIT_BREAKER_OPEN"
	CodeOverloaded          Code = "OVERLOADED"
	CodeNotReady            Code = "NOT_READY"
)

// Status is the HTTP status of a code: the one table of codes and statuses.
// An unknown code is a 500.
func (c Code) Status() int {
	switch c {
	case CodeValidation:
		return http.StatusBadRequest
	case CodeInvalidCredentials, CodeInvalidToken, CodeTokenExpired, CodeSessionRevoked, CodeRefreshReused:
		return http.StatusUnauthorized
	case CodeUserInactive:
		return http.StatusForbidden
	case CodeNotFound, CodeUserNotFound, CodeSessionNotFound:
		return http.StatusNotFound
	case CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case CodeRequestTimeout:
		return http.StatusRequestTimeout
	case CodeRangeNotSatisfiable:
		return http.StatusRequestedRangeNotSatisfiable
	case CodeUserExists:
		return http.StatusConflict
	case CodePayloadTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeUnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeBreakerOpen, CodeOverloaded, CodeNotReady:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// CodeForStatus names the code for a status produced outside the domain
// (the router, the HTTP framework). A status with no code of its own is an
// INTERNAL_ERROR when it is a 5xx and a VALIDATION_ERROR otherwise.
func CodeForStatus(status int) Code {
	switch status {
	case http.StatusUnauthorized:
		return CodeInvalidToken
	case http.StatusForbidden:
		return CodeUserInactive
	case http.StatusNotFound:
		return CodeNotFound
	case http.StatusMethodNotAllowed:
		return CodeMethodNotAllowed
	case http.StatusRequestTimeout:
		return CodeRequestTimeout
	case http.StatusRequestedRangeNotSatisfiable:
		return CodeRangeNotSatisfiable
	case http.StatusConflict:
		return CodeUserExists
	case http.StatusRequestEntityTooLarge:
		return CodePayloadTooLarge
	case http.StatusUnsupportedMediaType:
		return CodeUnsupportedMedia
	case http.StatusTooManyRequests:
		return CodeRateLimited
	case http.StatusServiceUnavailable:
		return CodeOverloaded
	}
	if status >= 500 {
		return CodeInternal
	}
	return CodeValidation
}

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
	Err        error
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

// AsError finds the *Error in err's chain. An error that is not an *Error
// becomes an INTERNAL_ERROR whose cause is err, so nothing unexpected reaches
// a client as anything but "internal error".
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: CodeInternal, Detail: "Internal server error", Err: err}
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
)

// DatabaseError marks cause as an infrastructure failure of the store
// (connection refused, timeout, I/O): 500 DATABASE_ERROR, with no driver text
// reaching the client.
func DatabaseError(cause error) *Error {
	return &Error{Code: CodeDatabase, Detail: "Database error", Err: cause}
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
	return &Error{Code: CodeInternal, Detail: "Internal server error", Err: cause}
}

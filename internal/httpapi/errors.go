package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/logging"
)

// errorBody is the one error shape of API.md.
type errorBody struct {
	Detail     string       `json:"detail" example:"Invalid credentials" doc:"What went wrong, for people."`
	ErrorCode  auth.Code    `json:"error_code" example:"INVALID_CREDENTIALS" doc:"Stable code for programs; see API.md."`
	Timestamp  time.Time    `json:"timestamp" example:"2026-11-28T10:30:45Z"`
	RequestID  string       `json:"request_id" example:"550e8400-e29b-41d4-a716-446655440000" doc:"Also in the X-Request-ID header."`
	Errors     []fieldError `json:"errors,omitempty" doc:"Only on VALIDATION_ERROR: one entry per bad field."`
	MFAToken   string       `json:"mfa_token,omitempty" doc:"Only on MFA_REQUIRED of a login: the token POST /auth/login/mfa takes (5 minutes)."`
	MFAMethods []string     `json:"mfa_methods,omitempty" doc:"Only on MFA_REQUIRED of a login: the second factors the user can give."`
	Error      string       `json:"error,omitempty" enum:"invalid_request,invalid_grant,unsupported_grant_type,mfa_required" doc:"Only on errors of a form-encoded POST /auth/login (the OAuth2 token endpoint) or /auth/revoke: the RFC 6749 §5.2 error code (mfa_required is authd's)."`
}

type fieldError struct {
	Field   string `json:"field" example:"email"`
	Message string `json:"message" example:"email must be a plain address such as alice@example.com"`
}

// transportCode names the code of an error status that huma or the mux
// produced on its own, with no *auth.Error behind it. Only transport
// failures arrive that way: huma's 400, 406, 408, 413, 415, 422 (sent as
// 400, see contractStatus) and 500 (see fromFramework) and, through
// jsonErrors, the mux's 404 and 405 and the docs handlers' 404, 405, 412
// and 416. The
// codes below are the transport ones, and the error table gives their
// statuses. A status says nothing about the domain, so none is guessed to
// be a domain code (a 403 is not USER_INACTIVE, a 409 not
// USER_ALREADY_EXISTS); any other status is an INTERNAL_ERROR when it is a
// 5xx and a VALIDATION_ERROR otherwise.
func transportCode(status int) auth.Code {
	for _, code := range [...]auth.Code{
		auth.CodeValidation, auth.CodeNotFound, auth.CodeMethodNotAllowed, auth.CodeRequestTimeout,
		auth.CodePayloadTooLarge, auth.CodeUnsupportedMedia, auth.CodeRangeNotSatisfiable,
	} {
		if code.Status() == status {
			return code
		}
	}
	if status >= 500 {
		return auth.CodeInternal
	}
	return auth.CodeValidation
}

// renderError is the one place where an error becomes a response body. It
// sets the headers that go with the code, logs the cause of a 5xx once, and
// returns the status and body. Whatever the cause says stays in the log.
// bearer says the operation takes a bearer token, which decides the
// WWW-Authenticate of its 401s (see challenge).
func (s *Server) renderError(r *http.Request, h http.Header, err error, bearer bool) (int, errorBody) {
	ctx := r.Context()
	e := fromFramework(err)
	status := e.Status()
	detail := e.Detail
	// An internal error's own detail may name internals, so it always
	// gets the table's.
	if detail == "" || e.Code == auth.CodeInternal {
		detail = e.Code.Detail()
	}
	body := errorBody{
		Detail:    detail,
		ErrorCode: e.Code,
		Timestamp: time.Now().UTC().Truncate(time.Second),
		RequestID: logging.RequestID(ctx),
	}
	for _, f := range e.Fields {
		body.Errors = append(body.Errors, fieldError{Field: f.Field, Message: f.Message})
	}
	if e.MFAToken != "" {
		body.MFAToken, body.MFAMethods = e.MFAToken, []string{"totp", "recovery_code"}
	}
	token := isTokenRequest(r)
	if token {
		body.Error, status = oauth2Error(e), oauth2Status(e)
	}
	// A token endpoint's refused grant is no bearer challenge (RFC 6749
	// §5.2 answers it in the body).
	if c := challenge(e, bearer); c != "" && !token {
		h.Set("WWW-Authenticate", c)
	}
	if e.RetryAfter > 0 || status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
		h.Set("Retry-After", strconv.Itoa(retryAfterSeconds(e.RetryAfter)))
	}
	h.Set("Content-Type", "application/json")
	// A 503 is authd protecting itself (breaker open, bcrypt queue full):
	// the breaker logs its state changes and the access line shows each
	// answer, so one ERROR per refused request would only drown the log.
	if status >= 500 && status != http.StatusServiceUnavailable {
		s.log.ErrorContext(ctx, "request failed", slog.String("error_code", string(e.Code)), slog.Any("error", e))
	}
	return status, body
}

// retryAfterSeconds rounds up to whole seconds, at least 1 (RFC 9110 §10.2.3).
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// fromFramework turns what huma produces on its own (too large, read
// timeout, unreadable body) into an application error keyed by its status.
func fromFramework(err error) *auth.Error {
	var ae *auth.Error
	if errors.As(err, &ae) {
		return ae
	}
	var em *huma.ErrorModel
	if errors.As(err, &em) {
		e := auth.Fail(transportCode(em.Status), err)
		if e.Code == auth.CodeValidation {
			e.Fields = frameworkFields(em)
		}
		return e
	}
	return auth.AsError(err)
}

// writeError renders err for handlers outside huma (router misses,
// recovered panics, docs pages).
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, body := s.renderError(r, w.Header(), err, false)
	w.WriteHeader(status)
	// The body is a handful of strings; encoding it cannot fail.
	_ = json.NewEncoder(w).Encode(body)
}

// jsonErrors puts every error answer that is not already in the error shape
// into it: the mux's own 404 and 405, and the docs handlers' 404, 405 and
// 416 (net/http's helpers write those as plain text). The inner handler
// still decides: its status and headers (Allow, Content-Range) are kept and
// only its body is replaced. An answer that is already JSON was rendered by
// renderError (huma operations) and passes through, as does anything below
// 400 (pages, assets, redirects to a canonical path).
func (s *Server) jsonErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &plainErrorCatcher{ResponseWriter: w}
		next.ServeHTTP(c, r)
		if c.code == 0 {
			return
		}
		e := auth.Fail(transportCode(c.code), nil)
		switch c.code {
		case http.StatusNotFound:
			e.Detail = "No route for " + r.URL.Path
		case http.StatusMethodNotAllowed:
			e.Detail = "Method " + r.Method + " not allowed; allowed: " + w.Header().Get("Allow")
		}
		s.writeError(w, r, e)
	})
}

// plainErrorCatcher passes a response through unless it is an error (400 or
// more) that is not JSON: then it keeps the status in code, sends nothing,
// and drops the body.
type plainErrorCatcher struct {
	http.ResponseWriter
	code    int
	started bool
}

func (c *plainErrorCatcher) WriteHeader(status int) {
	if c.started || c.code != 0 {
		return
	}
	if status >= 400 && !strings.HasPrefix(c.Header().Get("Content-Type"), mediaJSON) {
		c.code = status
		return
	}
	c.started = true
	c.ResponseWriter.WriteHeader(status)
}

func (c *plainErrorCatcher) Write(b []byte) (int, error) {
	if !c.started && c.code == 0 {
		c.WriteHeader(http.StatusOK)
	}
	if c.code != 0 {
		return len(b), nil
	}
	return c.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (c *plainErrorCatcher) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// transformErrors is huma's response transformer: every error value a huma
// operation is about to write goes through renderError, so handler errors
// and huma's own errors share the one shape.
func (s *Server) transformErrors(ctx huma.Context, _ string, v any) (any, error) {
	err, ok := v.(error)
	if !ok {
		return v, nil
	}
	r, w := humago.Unwrap(ctx)
	_, body := s.renderError(r, w.Header(), err, len(ctx.Operation().Security) > 0)
	return body, nil
}

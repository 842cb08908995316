package auth

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestCodeStatus(t *testing.T) {
	t.Parallel()
	// The table of API.md, row by row.
	tests := map[Code]int{
		CodeValidation: 400, CodeInvalidCredentials: 401, CodeInvalidToken: 401, CodeTokenExpired: 401,
		CodeUserInactive: 403, CodeNotFound: 404, CodeUserNotFound: 404, CodeMethodNotAllowed: 405,
		CodeUserExists: 409, CodePayloadTooLarge: 413, CodeUnsupportedMedia: 415, CodeRateLimited: 429,
		CodeInternal: 500, CodeDatabase: 500, CodeBreakerOpen: 503, CodeOverloaded: 503,
		CodeNotReady: 503, CodeRequestTimeout: 408, CodeRangeNotSatisfiable: 416, Code("SOMETHING_NEW"): 500,
		CodeSessionRevoked: 401, CodeRefreshReused: 401, CodeSessionNotFound: 404,
	}
	for code, status := range tests {
		if got := code.Status(); got != status {
			t.Errorf("%s.Status() = %d, want %d", code, got, status)
		}
	}
}

func TestCodeForStatus(t *testing.T) {
	t.Parallel()
	for _, status := range []int{400, 401, 403, 404, 405, 408, 409, 413, 415, 416, 429, 503} {
		if got := CodeForStatus(status).Status(); got != status {
			t.Errorf("CodeForStatus(%d) = %s with status %d", status, CodeForStatus(status), got)
		}
	}
	if CodeForStatus(http.StatusTeapot) != CodeValidation || CodeForStatus(502) != CodeInternal {
		t.Error("fallbacks wrong")
	}
}

func TestErrorWrapping(t *testing.T) {
	t.Parallel()
	cause := errors.New("driver: connection refused")
	wrapped := fmt.Errorf("find user: %w", DatabaseError(cause))
	e := AsError(wrapped)
	if e.Code != CodeDatabase || !errors.Is(wrapped, cause) || e.GetStatus() != 500 {
		t.Errorf("AsError = %+v", e)
	}
	if got := e.Error(); got != "DATABASE_ERROR: Database error: driver: connection refused" {
		t.Errorf("Error() = %q", got)
	}
	plain := AsError(errors.New("boom"))
	if plain.Code != CodeInternal || plain.Detail == "boom" {
		t.Errorf("unknown error became %+v", plain)
	}
	if NewError(CodeValidation, "x", nil).Error() != "VALIDATION_ERROR: x" {
		t.Error("NewError text")
	}
}

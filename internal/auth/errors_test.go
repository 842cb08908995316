package auth

import (
	"errors"
	"fmt"
	"testing"
)

// TestErrorTable holds errorTable to API.md's Errors table, row by row,
// written out here rather than derived, so a change to either side fails.
func TestErrorTable(t *testing.T) {
	t.Parallel()
	rows := []struct {
		codes  []Code
		status int
	}{
		{[]Code{"VALIDATION_ERROR"}, 400},
		{[]Code{"INVALID_CREDENTIALS", "INVALID_TOKEN", "TOKEN_EXPIRED"}, 401},
		{[]Code{"SESSION_REVOKED", "REFRESH_TOKEN_REUSED"}, 401},
		{[]Code{"MFA_REQUIRED", "INVALID_CODE"}, 401},
		{[]Code{"USER_INACTIVE", "EMAIL_NOT_VERIFIED", "FORBIDDEN"}, 403},
		{[]Code{"NOT_FOUND", "USER_NOT_FOUND", "SESSION_NOT_FOUND"}, 404},
		{[]Code{"METHOD_NOT_ALLOWED"}, 405},
		{[]Code{"USER_ALREADY_EXISTS", "LAST_ADMIN", "MFA_ALREADY_ENABLED"}, 409},
		{[]Code{"PAYLOAD_TOO_LARGE"}, 413},
		{[]Code{"UNSUPPORTED_MEDIA_TYPE"}, 415},
		{[]Code{"RATE_LIMITED"}, 429},
		{[]Code{"INTERNAL_ERROR", "DATABASE_ERROR"}, 500},
		{[]Code{"CIRCUIT_BREAKER_OPEN", "OVERLOADED", "NOT_READY"}, 503},
		{[]Code{"REQUEST_TIMEOUT"}, 408},
		{[]Code{"NOT_CONFIGURED"}, 501},
		// Not in API.md's table: a Range past the end of a docs page (RFC 9110 §15.5.17).
		{[]Code{"RANGE_NOT_SATISFIABLE"}, 416},
	}
	want := map[Code]int{}
	for _, row := range rows {
		for _, code := range row.codes {
			want[code] = row.status
		}
	}
	seen := map[Code]bool{}
	for r := range errorTable {
		if seen[r.code] {
			t.Errorf("%s has two rows", r.code)
		}
		seen[r.code] = true
		status, ok := want[r.code]
		if !ok {
			t.Errorf("%s is in the table but not in API.md's", r.code)
			continue
		}
		if r.status != status || r.code.Status() != status {
			t.Errorf("%s: row status %d, Status() %d, want %d", r.code, r.status, r.code.Status(), status)
		}
		if r.detail == "" || r.code.Detail() != r.detail {
			t.Errorf("%s: detail %q, Detail() %q, want the row's, not empty", r.code, r.detail, r.code.Detail())
		}
	}
	for code := range want {
		if !seen[code] {
			t.Errorf("%s of API.md has no row", code)
		}
	}
}

func TestCodeStatus(t *testing.T) {
	t.Parallel()
	// The constants name the codes of API.md's table.
	tests := map[Code]int{
		CodeValidation: 400, CodeInvalidCredentials: 401, CodeInvalidToken: 401, CodeTokenExpired: 401,
		CodeUserInactive: 403, CodeNotFound: 404, CodeUserNotFound: 404, CodeMethodNotAllowed: 405,
		CodeUserExists: 409, CodePayloadTooLarge: 413, CodeUnsupportedMedia: 415, CodeRateLimited: 429,
		CodeInternal: 500, CodeDatabase: 500, CodeBreakerOpen: 503, CodeOverloaded: 503,
		CodeNotReady: 503, CodeRequestTimeout: 408, CodeRangeNotSatisfiable: 416, Code("SOMETHING_NEW"): 500,
		CodeSessionRevoked: 401, CodeRefreshReused: 401, CodeSessionNotFound: 404,
		CodeMFARequired: 401, CodeInvalidCode: 401, CodeEmailNotVerified: 403, CodeForbidden: 403,
		CodeLastAdmin: 409, CodeMFAAlreadyEnabled: 409, CodeNotConfigured: 501,
	}
	for code, status := range tests {
		if got := code.Status(); got != status {
			t.Errorf("%s.Status() = %d, want %d", code, got, status)
		}
	}
}

// TestCodeDetail pins the details clients see today for errors that bring
// none of their own, and that an unknown code says no more than a 500 does.
func TestCodeDetail(t *testing.T) {
	t.Parallel()
	tests := map[Code]string{
		CodeValidation:          "Invalid request",
		CodeInvalidCredentials:  "Invalid credentials",
		CodeInvalidToken:        "Invalid token",
		CodeTokenExpired:        "Token has expired",
		CodeSessionRevoked:      "The session has ended; log in again",
		CodeUserInactive:        "User account is inactive",
		CodeNotFound:            "Not found",
		CodeMethodNotAllowed:    "Method not allowed",
		CodeRequestTimeout:      "Request body arrived too slowly",
		CodeRangeNotSatisfiable: "Range not satisfiable; Content-Range gives the size",
		CodePayloadTooLarge:     "Request body too large",
		CodeUnsupportedMedia:    "Unsupported media type",
		CodeRateLimited:         "Too many attempts; try again later",
		CodeInternal:            "Internal server error",
		CodeDatabase:            "Database error",
		Code("SOMETHING_NEW"):   "Internal server error",
	}
	for code, detail := range tests {
		if got := code.Detail(); got != detail {
			t.Errorf("%s.Detail() = %q, want %q", code, got, detail)
		}
	}
	if e := Fail(CodeTokenExpired, nil); e.Detail != "Token has expired" || e.Status() != 401 {
		t.Errorf("Fail = %+v", e)
	}
}

// TestCodeLookupAllocates nothing: Status runs for every error answer.
func TestCodeLookupAllocates(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = CodeNotReady.Status() + len(Code("X").Detail()) }); n != 0 {
		t.Errorf("lookup allocates %.0f times", n)
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

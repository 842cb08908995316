package auth

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestLoginResult(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    error
		want   LoginResult
		counts bool
	}{
		{"success", nil, LoginSucceeded, true},
		{"malformed request", validationError([]FieldError{{Field: "password", Message: "required"}}), "", false},
		{"wrong password", Fail(CodeInvalidCredentials, nil), LoginInvalidCredentials, true},
		{"inactive", Fail(CodeUserInactive, nil), LoginInactive, true},
		{"throttled", fmt.Errorf("wrapped: %w", &Error{Code: CodeRateLimited}), LoginThrottled, true},
		{"overloaded", &Error{Code: CodeOverloaded}, LoginOverloaded, true},
		{"breaker open", &Error{Code: CodeBreakerOpen}, LoginError, true},
		{"database", DatabaseError(errors.New("io")), LoginError, true},
		{"client gone", context.Canceled, LoginError, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := loginResult(tt.err)
			if got != tt.want || ok != tt.counts {
				t.Errorf("loginResult = %q, %v; want %q, %v", got, ok, tt.want, tt.counts)
			}
		})
	}
}

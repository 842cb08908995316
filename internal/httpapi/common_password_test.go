package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/authd/authd/internal/auth"
)

// wantTooCommon asserts a 400 on field with the common-password message.
func wantTooCommon(t *testing.T, r response, field string) {
	t.Helper()
	wantFieldError(t, r, field, "this password is too common")
}

// wantFieldError asserts a 400 VALIDATION_ERROR whose errors list is one
// entry, on field with message.
func wantFieldError(t *testing.T, r response, field, message string) {
	t.Helper()
	wantError(t, r, http.StatusBadRequest, auth.CodeValidation)
	list, _ := r.json["errors"].([]any)
	if len(list) != 1 {
		t.Fatalf("errors = %v, want one", r.json["errors"])
	}
	m, _ := list[0].(map[string]any)
	if m["field"] != field || m["message"] != message {
		t.Errorf("error %v, want field %s, message %q", m, field, message)
	}
}

// TestCommonPasswordsRefused: register and password change refuse a
// common password with a 400 on the password field, and take an uncommon
// one of the same length.
func TestCommonPasswordsRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	reg := e.mustRegister(t, "nina")
	access := str(reg.json, "access_token")
	// Passwords of breach lists (any case) and repeated characters.
	common := []string{"password", "12345678", "qwertyuiop", "password123", "        ", "PassWord123", "ILOVEYOU", "aaaaaaaaaaaa"}
	for i, pw := range common {
		t.Run(fmt.Sprintf("%q", pw), func(t *testing.T) {
			wantTooCommon(t, e.register(t, fmt.Sprintf("common%d", i), fmt.Sprintf("common%d@example.com", i), pw), "password")
			body, _ := json.Marshal(map[string]string{"current_password": passwordOf("nina"), "new_password": pw})
			wantTooCommon(t, e.bearer(t, http.MethodPost, "/auth/password", access, "application/json", string(body)), "new_password")
		})
	}
	if r := e.register(t, "rare", "rare@example.com", "k9#mQ2vL"); r.status != http.StatusCreated {
		t.Errorf("uncommon 8-byte password: %d %s", r.status, r.raw)
	}
	if logHas(e, "qwertyuiop") {
		t.Error("a refused password reached the log")
	}
}

package httpapi

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestContextPasswordsRefused: register and password change refuse a
// password holding the account's username or its email's local part, in
// any case, with a 400 on the password field (NIST SP 800-63B-4
// §3.1.1.2), and take one that holds neither.
func TestContextPasswordsRefused(t *testing.T) {
	t.Parallel()
	const (
		byName  = "password must not contain the username"
		byLocal = "password must not contain the part of the email before @"
	)
	e := newEnv(t, envOptions{})
	t.Run("register", func(t *testing.T) {
		tests := []struct {
			name, username, email, password, message string
		}{
			{"the username itself", "mallory12", "mallory12@example.com", "mallory12", byName},
			{"the username in upper case, inside", "mallory13", "m13@example.com", "my-MALLORY13-pass", byName},
			{"the local part", "bsmith", "Bob.Smith@example.com", "bob.smith-1984", byLocal},
			{"the local part, another Unicode spelling", "jwalker", "jos\u00e9@example.com", "JOSE\u0301-tulip-1984", byLocal},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantFieldError(t, e.register(t, tt.username, tt.email, tt.password), "password", tt.message)
			})
		}
		if r := e.register(t, "mallory14", "ab@example.com", "ab-tulip-orbit"); r.status != http.StatusCreated {
			t.Errorf("a two-character local part in the password: %d %s, want 201", r.status, r.raw)
		}
	})
	t.Run("change password", func(t *testing.T) {
		reg := e.register(t, "quinn", "q.bright@example.com", "tulip-orbit-42")
		if reg.status != http.StatusCreated {
			t.Fatalf("register: %d %s", reg.status, reg.raw)
		}
		access := str(reg.json, "access_token")
		change := func(newPassword string) response {
			body, _ := json.Marshal(map[string]string{"current_password": "tulip-orbit-42", "new_password": newPassword})
			return e.bearer(t, http.MethodPost, "/auth/password", access, "application/json", string(body))
		}
		wantFieldError(t, change("QUINN-tulip-2026"), "new_password", byName)
		wantFieldError(t, change("tulip-Q.Bright"), "new_password", byLocal)
		if r := change("orbit-tulip-2026"); r.status != http.StatusNoContent {
			t.Errorf("a password with neither: %d %s, want 204", r.status, r.raw)
		}
	})
	if logHas(e, "my-MALLORY13-pass") || logHas(e, "bob.smith-1984") || logHas(e, "QUINN-tulip-2026") {
		t.Error("a refused password reached the log")
	}
}

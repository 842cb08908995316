package httpapi

import (
	"net/http"
	"strings"
	"testing"

	"github.com/authd/authd/internal/auth"
)

// TestLoginIdentifierValidation: a login whose username or email cannot
// name any account is a 400 naming the field, the same on both engines,
// whatever the password; the email field must hold an email, so it never
// logs in by username.
func TestLoginIdentifierValidation(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		e := newEnv(t, envOptions{store: store})
		e.mustRegister(t, "carol")
		const form = "application/x-www-form-urlencoded"
		tests := []struct {
			name, ct, body, field string
		}{
			{"username in the email field", "", `{"email":"carol","password":"` + passwordOf("carol") + `"}`, "email"},
			{"email without a domain", "", `{"email":"carol@","password":"` + passwordOf("carol") + `"}`, "email"},
			{"email with a display name", "", `{"email":"Carol <carol@example.com>","password":"` + passwordOf("carol") + `"}`, "email"},
			{"NUL in username", "", `{"username":"a\u0000b","password":"xxxxxxxx"}`, "username"},
			{"NUL in email", "", `{"email":"carol\u0000@example.com","password":"` + passwordOf("carol") + `"}`, "email"},
			{"control character in username", "", `{"username":"car\u0007ol","password":"` + passwordOf("carol") + `"}`, "username"},
			{"next line in email", "", `{"email":"carol\u0085@example.com","password":"` + passwordOf("carol") + `"}`, "email"},
			{"over-long username", "", `{"username":"` + strings.Repeat("c", 51) + `","password":"` + passwordOf("carol") + `"}`, "username"},
			{"over-long email", "", `{"email":"` + strings.Repeat("c", 89) + `@example.com","password":"` + passwordOf("carol") + `"}`, "email"},
			{"form invalid UTF-8", form, "username=%ff%fe&password=xxxxxxxx", "username"},
			{"form invalid UTF-8 email", form, "username=%ff%fe%40example.com&password=xxxxxxxx", "username"},
			{"form NUL", form, "username=carol%00&password=" + passwordOf("carol"), "username"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				ct := tt.ct
				if ct == "" {
					ct = "application/json"
				}
				r := e.do(t, http.MethodPost, "/auth/login", ct, tt.body)
				if ct == form {
					wantOAuth2Error(t, r, http.StatusBadRequest, auth.CodeValidation, "invalid_request")
				} else {
					wantError(t, r, http.StatusBadRequest, auth.CodeValidation)
				}
				if fe := fieldErrors(r); len(fe) != 1 || fe[0] != tt.field {
					t.Errorf("errors = %v, want one on %s", fe, tt.field)
				}
			})
		}
		for _, l := range e.logs.Lines(t) {
			if l["message"] == "login failed" || l["message"] == "request failed" {
				t.Errorf("a refused identifier reached the service's checks: %v", l)
			}
		}
		// The same account by its real names still logs in.
		for _, body := range []string{`{"username":"carol","password":"` + passwordOf("carol") + `"}`, `{"email":"carol@example.com","password":"` + passwordOf("carol") + `"}`} {
			if r := e.do(t, http.MethodPost, "/auth/login", "application/json", body); r.status != http.StatusOK {
				t.Errorf("login %s: %d %s", body, r.status, r.raw)
			}
		}
	})
}

// TestUserAgentNotUTF8: a User-Agent that is not UTF-8 (HTTP lets bytes
// 0x80-0xFF through) does not fail a register or login on either engine;
// the session keeps it with U+FFFD for each such byte.
func TestUserAgentNotUTF8(t *testing.T) {
	bothStores(t, func(t *testing.T, store string) {
		e := newEnv(t, envOptions{store: store})
		const ua = "Mozilla/5.0 \xff\xfe"
		reg := e.do(t, http.MethodPost, "/auth/register", "application/json",
			`{"username":"uma","email":"uma@example.com","password":"`+passwordOf("uma")+`"}`, "User-Agent", ua)
		if reg.status != http.StatusCreated {
			t.Fatalf("register with a non-UTF-8 User-Agent: %d %s", reg.status, reg.raw)
		}
		login := e.login(t, "uma", "User-Agent", ua)
		r := e.bearer(t, http.MethodGet, "/auth/sessions", str(login.json, "access_token"), "", "")
		list, _ := r.json["sessions"].([]any)
		if r.status != http.StatusOK || len(list) != 2 {
			t.Fatalf("sessions: %d %s", r.status, r.raw)
		}
		for _, item := range list {
			if got := str(item.(map[string]any), "user_agent"); got != "Mozilla/5.0 \ufffd\ufffd" {
				t.Errorf("user_agent = %q, want the bytes replaced by U+FFFD", got)
			}
		}
	})
}

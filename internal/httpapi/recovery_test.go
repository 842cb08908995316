package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
	"github.com/authd/authd/internal/auth/recovery"
	"github.com/authd/authd/internal/mail/mailpit"
)

// mailSettings are the recovery settings of the mail tests: API.md's
// defaults, the IP limit off unless a test turns it on.
func mailSettings() *recovery.Settings {
	return &recovery.Settings{ResetTTL: time.Hour, VerifyTTL: 24 * time.Hour, AccountMax: 5}
}

// mailEnv is a server with mail on, delivering to mp, on store, with the
// clock of clock.
func mailEnv(t *testing.T, store string, mp *mailpit.Server, clock *authtest.Clock, edit func(*envOptions)) *env {
	t.Helper()
	o := envOptions{store: store, mail: mailSettings(), smtpURL: mp.SMTPURL(), now: clock.Now}
	if edit != nil {
		edit(&o)
	}
	return newEnv(t, o)
}

// deliver runs one round of the sender.
func (e *env) deliver(t *testing.T) int {
	t.Helper()
	n, err := e.sender.DeliverDue(t.Context())
	if err != nil {
		t.Fatalf("DeliverDue: %v", err)
	}
	return n
}

// linkOf is the token and code of the newest mail to addr with subject.
func linkOf(t *testing.T, mp *mailpit.Server, addr, subject string) (string, string) {
	t.Helper()
	for _, m := range mp.To(t, addr) {
		if m.Subject == subject {
			token, code := m.Link()
			if token == "" || code == "" {
				t.Fatalf("mail %s holds no link token or code", m)
			}
			return token, code
		}
	}
	t.Fatalf("no mail %q to %s", subject, addr)
	return "", ""
}

const (
	subjectReset  = "Reset your password"
	subjectVerify = "Confirm your email address"
)

func TestPasswordRecovery(t *testing.T) {
	t.Parallel()
	mp := mailpit.Start(t)
	bothStores(t, func(t *testing.T, store string) {
		clock := authtest.NewClock(authtest.Start())
		e := mailEnv(t, store, mp, clock, nil)
		forgot := func(t *testing.T, email string) {
			t.Helper()
			r := e.postJSON(t, "/auth/password/forgot", map[string]string{"email": email})
			if r.status != http.StatusAccepted || jsonField(r, "detail") != forgotDetail {
				t.Fatalf("forgot: %d %s", r.status, r.raw)
			}
		}
		reset := func(t *testing.T, body map[string]string) response {
			t.Helper()
			return e.postJSON(t, "/auth/password/reset", body)
		}
		// mailedReset registers name, asks for a reset and returns the
		// address and the mail's token and code.
		mailedReset := func(t *testing.T, name string) (email, token, code string) {
			t.Helper()
			email = name + "@example.com"
			e.mustRegister(t, name)
			forgot(t, email)
			e.deliver(t)
			token, code = linkOf(t, mp, email, subjectReset)
			return email, token, code
		}

		t.Run("link token: sessions end, single use, notice", func(t *testing.T) {
			name := "rec1" + store
			email := name + "@example.com"
			reg := e.mustRegister(t, name)
			forgot(t, email)
			if n := e.deliver(t); n < 1 {
				t.Fatalf("delivered %d", n)
			}
			token, _ := linkOf(t, mp, email, subjectReset)
			newPw := passwordOf(name + "-new")
			if r := reset(t, map[string]string{"token": token, "new_password": newPw}); r.status != http.StatusNoContent {
				t.Fatalf("reset: %d %s", r.status, r.raw)
			}
			if r := e.refresh(t, jsonField(reg, "refresh_token")); r.status != http.StatusUnauthorized || jsonField(r, "error_code") != "SESSION_REVOKED" {
				t.Errorf("refresh after the reset: %d %s", r.status, r.raw)
			}
			if r := e.postJSON(t, "/auth/login", map[string]string{"username": name, "password": newPw}); r.status != http.StatusOK {
				t.Errorf("login with the new password: %d %s", r.status, r.raw)
			} else if v, _ := r.json["user"].(map[string]any)["email_verified"].(bool); !v {
				t.Error("a reset through the mail did not verify the address")
			}
			if r := reset(t, map[string]string{"token": token, "new_password": passwordOf(name + "-again")}); r.status != http.StatusUnauthorized || jsonField(r, "error_code") != "INVALID_CODE" {
				t.Errorf("the token again: %d %s", r.status, r.raw)
			}
			e.deliver(t)
			var notice bool
			for _, m := range mp.To(t, email) {
				notice = notice || m.Subject == "Your password was changed"
			}
			if !notice {
				t.Error("no password_changed notice")
			}
			_, code := linkOf(t, mp, email, subjectReset)
			for _, secret := range []string{token, code, email} {
				if strings.Contains(e.logs.String(), secret) {
					t.Errorf("the log holds the mail's token, code or address %q", secret)
				}
			}
		})

		t.Run("code, and a newer request replaces the older", func(t *testing.T) {
			name := "rec2" + store
			email, oldToken, oldCode := mailedReset(t, name)
			clock.Add(time.Second)
			forgot(t, email)
			e.deliver(t)
			_, code := linkOf(t, mp, email, subjectReset)
			if r := reset(t, map[string]string{"token": oldToken, "new_password": passwordOf(name + "-x")}); r.status != http.StatusUnauthorized {
				t.Errorf("the older token: %d %s", r.status, r.raw)
			}
			if oldCode != code {
				if r := reset(t, map[string]string{"email": email, "code": oldCode, "new_password": passwordOf(name + "-x")}); r.status != http.StatusUnauthorized {
					t.Errorf("the older code: %d %s", r.status, r.raw)
				}
			}
			if r := reset(t, map[string]string{"email": email, "code": code, "new_password": passwordOf(name + "-x")}); r.status != http.StatusNoContent {
				t.Fatalf("reset with the code: %d %s", r.status, r.raw)
			}
		})

		t.Run("five wrong codes spend the code", func(t *testing.T) {
			name := "rec3" + store
			email, _, code := mailedReset(t, name)
			wrong := "000000"
			if code == wrong {
				wrong = "111111"
			}
			for i := range 5 {
				r := reset(t, map[string]string{"email": email, "code": wrong, "new_password": passwordOf(name + "-y")})
				if r.status != http.StatusUnauthorized || jsonField(r, "error_code") != "INVALID_CODE" {
					t.Fatalf("wrong code %d: %d %s", i+1, r.status, r.raw)
				}
			}
			if r := reset(t, map[string]string{"email": email, "code": code, "new_password": passwordOf(name + "-y")}); r.status != http.StatusUnauthorized {
				t.Errorf("the right code after 5 wrong ones: %d %s", r.status, r.raw)
			}
		})

		t.Run("expiry by the clock", func(t *testing.T) {
			name := "rec4" + store
			_, token, _ := mailedReset(t, name)
			clock.Add(time.Hour)
			if r := reset(t, map[string]string{"token": token, "new_password": passwordOf(name + "-z")}); r.status != http.StatusUnauthorized || jsonField(r, "error_code") != "INVALID_CODE" {
				t.Errorf("an expired token: %d %s", r.status, r.raw)
			}
		})

		t.Run("unknown token, unknown email, bad bodies", func(t *testing.T) {
			for _, body := range []map[string]string{
				{"token": "nope", "new_password": passwordOf("x1")},
				{"email": "nobody@example.com", "code": "123456", "new_password": passwordOf("x1")},
			} {
				if r := reset(t, body); r.status != http.StatusUnauthorized || jsonField(r, "error_code") != "INVALID_CODE" {
					t.Errorf("%v: %d %s", body, r.status, r.raw)
				}
			}
			for _, body := range []map[string]string{
				{"new_password": passwordOf("x1")},
				{"token": "t"},
				{"email": "a@example.com", "code": "12ab56", "new_password": passwordOf("x1")},
			} {
				if r := reset(t, body); r.status != http.StatusBadRequest {
					t.Errorf("%v: %d %s", body, r.status, r.raw)
				}
			}
			if r := e.postJSON(t, "/auth/password/forgot", map[string]string{"email": "not an address"}); r.status != http.StatusBadRequest {
				t.Errorf("forgot with no address: %d %s", r.status, r.raw)
			}
		})
	})
}

func TestEmailVerification(t *testing.T) {
	t.Parallel()
	mp := mailpit.Start(t)
	bothStores(t, func(t *testing.T, store string) {
		clock := authtest.NewClock(authtest.Start())
		e := mailEnv(t, store, mp, clock, nil)
		verified := func(t *testing.T, access string) (bool, string) {
			t.Helper()
			r := e.me(t, access)
			v, _ := r.json["email_verified"].(bool)
			return v, jsonField(r, "email")
		}

		t.Run("register, resend, verify", func(t *testing.T) {
			name := "ver1" + store
			email := name + "@example.com"
			reg := e.mustRegister(t, name)
			access := jsonField(reg, "access_token")
			if v, _ := verified(t, access); v {
				t.Fatal("a new account is verified")
			}
			e.deliver(t)
			first, _ := linkOf(t, mp, email, subjectVerify)
			clock.Add(time.Second)
			if r := e.bearer(t, http.MethodPost, "/auth/email/verify/resend", access, "", ""); r.status != http.StatusAccepted {
				t.Fatalf("resend: %d %s", r.status, r.raw)
			}
			e.deliver(t)
			if n := len(mp.To(t, email)); n != 2 {
				t.Fatalf("%d mails after a resend, want 2", n)
			}
			token, _ := linkOf(t, mp, email, subjectVerify)
			if r := e.postJSON(t, "/auth/email/verify", map[string]string{"token": first}); r.status != http.StatusUnauthorized {
				t.Errorf("the first token after a resend: %d %s", r.status, r.raw)
			}
			if r := e.postJSON(t, "/auth/email/verify", map[string]string{"token": token}); r.status != http.StatusNoContent {
				t.Fatalf("verify: %d %s", r.status, r.raw)
			}
			if v, _ := verified(t, access); !v {
				t.Error("not verified after the link")
			}
			e.bearer(t, http.MethodPost, "/auth/email/verify/resend", access, "", "")
			e.deliver(t)
			if n := len(mp.To(t, email)); n != 2 {
				t.Errorf("a resend for a verified address sent mail (%d mails)", n)
			}
		})

		t.Run("verify by code", func(t *testing.T) {
			name := "ver2" + store
			email := name + "@example.com"
			access := jsonField(e.mustRegister(t, name), "access_token")
			e.deliver(t)
			_, code := linkOf(t, mp, email, subjectVerify)
			if r := e.postJSON(t, "/auth/email/verify", map[string]string{"email": email, "code": code}); r.status != http.StatusNoContent {
				t.Fatalf("verify by code: %d %s", r.status, r.raw)
			}
			if v, _ := verified(t, access); !v {
				t.Error("not verified after the code")
			}
		})

		t.Run("address change", func(t *testing.T) {
			name := "ver3" + store
			email := name + "@example.com"
			other := "ver4" + store
			access := jsonField(e.mustRegister(t, name), "access_token")
			e.mustRegister(t, other)
			change := func(newEmail, pw string) response {
				return e.bearer(t, http.MethodPost, "/auth/email", access, "application/json",
					`{"new_email":"`+newEmail+`","password":"`+pw+`"}`)
			}
			if r := change(other+"@example.com", passwordOf(name)); r.status != http.StatusConflict || jsonField(r, "error_code") != "USER_ALREADY_EXISTS" {
				t.Errorf("a taken address: %d %s", r.status, r.raw)
			}
			newEmail := name + ".new@example.org"
			if r := change(newEmail, passwordOf("wrong")); r.status != http.StatusUnauthorized || jsonField(r, "error_code") != "INVALID_CREDENTIALS" {
				t.Errorf("a wrong password: %d %s", r.status, r.raw)
			}
			if r := change(newEmail, passwordOf(name)); r.status != http.StatusAccepted {
				t.Fatalf("change: %d %s", r.status, r.raw)
			}
			e.deliver(t)
			token, _ := linkOf(t, mp, newEmail, subjectVerify)
			var notice bool
			for _, m := range mp.To(t, email) {
				if m.Subject == "Your email address is being changed" {
					notice = strings.Contains(m.Text, newEmail)
				}
			}
			if !notice {
				t.Error("no email_change_notice naming the new address to the old one")
			}
			if _, got := verified(t, access); got != email {
				t.Errorf("the address changed before confirmation: %s", got)
			}
			if r := e.postJSON(t, "/auth/email/verify", map[string]string{"token": token}); r.status != http.StatusNoContent {
				t.Fatalf("confirm: %d %s", r.status, r.raw)
			}
			if v, got := verified(t, access); got != newEmail || !v {
				t.Errorf("after confirmation: %s verified=%v", got, v)
			}
		})
	})
}

func TestRequireVerifiedEmail(t *testing.T) {
	t.Parallel()
	mp := mailpit.Start(t)
	bothStores(t, func(t *testing.T, store string) {
		clock := authtest.NewClock(authtest.Start())
		e := mailEnv(t, store, mp, clock, func(o *envOptions) { o.requireVerified = true })
		name := "req" + store
		email := name + "@example.com"
		r := e.register(t, name, email, passwordOf(name))
		if r.status != http.StatusCreated || r.json["user"] == nil || r.json["access_token"] != nil || r.json["refresh_token"] != nil {
			t.Fatalf("register: %d %s; want 201 with the user only", r.status, r.raw)
		}
		b := `{"username":"` + name + `","password":"` + passwordOf(name) + `"}`
		if r := e.do(t, http.MethodPost, "/auth/login", "application/json", b); r.status != http.StatusForbidden || jsonField(r, "error_code") != "EMAIL_NOT_VERIFIED" {
			t.Fatalf("login unverified: %d %s", r.status, r.raw)
		}
		e.deliver(t)
		token, _ := linkOf(t, mp, email, subjectVerify)
		if r := e.postJSON(t, "/auth/email/verify", map[string]string{"token": token}); r.status != http.StatusNoContent {
			t.Fatalf("verify: %d %s", r.status, r.raw)
		}
		if r := e.do(t, http.MethodPost, "/auth/login", "application/json", b); r.status != http.StatusOK {
			t.Errorf("login verified: %d %s", r.status, r.raw)
		}
	})
}

func TestMailOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	access := jsonField(e.mustRegister(t, "nomail"), "access_token")
	for _, r := range []response{
		e.postJSON(t, "/auth/password/forgot", map[string]string{"email": "nomail@example.com"}),
		e.postJSON(t, "/auth/password/reset", map[string]string{"token": "x", "new_password": passwordOf("x")}),
		e.postJSON(t, "/auth/email/verify", map[string]string{"token": "x"}),
		e.bearer(t, http.MethodPost, "/auth/email/verify/resend", access, "", ""),
		e.bearer(t, http.MethodPost, "/auth/email", access, "application/json", `{"new_email":"a@example.org","password":"x"}`),
	} {
		if r.status != http.StatusNotImplemented || jsonField(r, "error_code") != "NOT_CONFIGURED" {
			t.Errorf("%d %s; want 501 NOT_CONFIGURED", r.status, r.raw)
		}
	}
	if n, err := e.store.MailQueueDepth(t.Context()); err != nil || n != 0 {
		t.Errorf("queue depth with mail off: %d, %v", n, err)
	}
}

// jsonField is the top-level string field name of r's body.
func jsonField(r response, name string) string { return str(r.json, name) }

// TestSendReset: an admin's "send a reset mail" (POST
// /admin/users/{id}/password-reset, recovery's QueueReset) mails the user a
// working reset, whatever the limits, and records it with the admin as the
// actor; an unknown or inactive user is refused by name.
func TestSendReset(t *testing.T) {
	t.Parallel()
	mp := mailpit.Start(t)
	clock := authtest.NewClock(authtest.Start())
	e := mailEnv(t, "sqlite", mp, clock, nil)
	root, _, _ := adminSetup(t, e)
	id := mustUser(t, e, "sent")
	path := fmt.Sprintf("/admin/users/%d/password-reset", id)
	wantStatus(t, "reset mail", e.call(t, http.MethodPost, path, "", root), http.StatusAccepted)
	e.deliver(t)
	token, _ := linkOf(t, mp, "sent@example.com", subjectReset)
	if r := e.postJSON(t, "/auth/password/reset", map[string]string{"token": token, "new_password": passwordOf("sent-new")}); r.status != http.StatusNoContent {
		t.Errorf("reset with the sent token: %d %s", r.status, r.raw)
	}
	audit := e.call(t, http.MethodGet, fmt.Sprintf("/admin/audit?user_id=%d&action=password.reset_requested", id), "", root)
	events, _ := audit.json["events"].([]any)
	if len(events) != 1 {
		t.Fatalf("password.reset_requested events: %s", audit.raw)
	}
	if ev := events[0].(map[string]any); ev["actor_id"] == nil || ev["actor_id"] == "" {
		t.Errorf("the reset mail's event names no actor: %v", ev)
	}
	// The reset itself is recorded in its transaction, by the user.
	done := e.call(t, http.MethodGet, fmt.Sprintf("/admin/audit?user_id=%d&action=password.reset", id), "", root)
	if events, _ := done.json["events"].([]any); len(events) != 1 || events[0].(map[string]any)["actor_id"] != nil {
		t.Errorf("password.reset events: %s; want one, with no actor", done.raw)
	}
	wantError(t, e.call(t, http.MethodPost, fmt.Sprintf("/admin/users/%d/password-reset", id+100), "", root), http.StatusNotFound, auth.CodeUserNotFound)
	if _, err := e.store.SetActive(t.Context(), auth.ActiveChange{UserID: id, At: clock.Now()}); err != nil {
		t.Fatal(err)
	}
	wantError(t, e.call(t, http.MethodPost, path, "", root), http.StatusForbidden, auth.CodeUserInactive)
}

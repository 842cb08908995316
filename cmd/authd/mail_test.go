package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/mail/mailpit"
)

// mailEnv is sqliteEnv with mail on, to mp.
func mailEnv(t *testing.T, mp *mailpit.Server) map[string]string {
	env := sqliteEnv(t)
	env["AUTHD_SMTP_URL"] = mp.SMTPURL()
	env["AUTHD_MAIL_FROM"] = "authd <no-reply@example.com>"
	env["AUTHD_PUBLIC_URL"] = "http://auth.example.com"
	return env
}

// TestQueuedMailSurvivesRestart: a mail queued while SMTP is down is still
// in the database when authd stops, and the next start delivers it.
func TestQueuedMailSurvivesRestart(t *testing.T) {
	t.Parallel()
	mp := mailpit.Start(t)
	mp.Stop(t)
	env := mailEnv(t, mp)
	a := start(t, env)
	if status, body := a.post(t, "/auth/register", register("restart")); status != http.StatusCreated {
		t.Fatalf("register: %d %v", status, body)
	}
	if err := a.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	mp.Start(t)
	b := start(t, env)
	// The failed attempt set the retry 5 s ahead; wait at most twice that.
	deadline := time.Now().Add(12 * time.Second)
	for time.Now().Before(deadline) {
		if got := mp.To(t, "restart@example.com"); len(got) == 1 {
			if !strings.Contains(got[0].Text, "http://auth.example.com/account/verify-email#token=") {
				t.Errorf("the mail's link: %s", got[0].Text)
			}
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the queued mail was not delivered after the restart:\n%s", b.stdout.String())
}

// TestMailSettingsRequired: mail on without its sender or public URL
// refuses to start, naming the variable.
func TestMailSettingsRequired(t *testing.T) {
	t.Parallel()
	for _, missing := range []string{"AUTHD_MAIL_FROM", "AUTHD_PUBLIC_URL"} {
		env := sqliteEnv(t)
		env["AUTHD_SMTP_URL"] = "smtp://127.0.0.1:2525"
		env["AUTHD_MAIL_FROM"] = "authd <no-reply@example.com>"
		env["AUTHD_PUBLIC_URL"] = "https://auth.example.com"
		delete(env, missing)
		err := run(context.Background(), nil, envFrom(env), &bytes.Buffer{}, &bytes.Buffer{})
		var u *usageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), missing) {
			t.Errorf("without %s: %v, want a usage error naming it", missing, err)
		}
	}
}

// TestMailNeedsADataKey: with a key file that holds no data key, nothing
// could seal the tokens of queued mail (and a key derived from the
// signing keys would be lost at their rotation): mail stays off with a
// WARN, and the mail endpoints answer 501 as when it is not configured.
func TestMailNeedsADataKey(t *testing.T) {
	t.Parallel()
	env := sqliteEnv(t)
	delete(env, "AUTHD_JWT_SECRET")
	env["AUTHD_JWT_KEYS"] = keyFile(t, generate(t))
	env["AUTHD_SMTP_URL"] = "smtp://127.0.0.1:2525"
	env["AUTHD_MAIL_FROM"] = "authd <no-reply@example.com>"
	env["AUTHD_PUBLIC_URL"] = "https://auth.example.com"
	a := start(t, env)
	if m := logLine(a.stdout.String(), "WARN", "mail is off"); m == nil {
		t.Errorf("no WARN that mail is off:\n%s", a.stdout.String())
	}
	if status, body := a.post(t, "/auth/password/forgot", `{"email":"eve@example.com"}`); status != http.StatusNotImplemented || body["error_code"] != "NOT_CONFIGURED" {
		t.Errorf("forgot: %d %v", status, body)
	}
}

package config

import (
	"strings"
	"testing"
	"time"
)

// mailEnv is an environment with mail on; edit changes it.
func mailEnv(edit map[string]string) func(string) string {
	env := map[string]string{
		"AUTHD_SMTP_URL":   "smtps://user:secret-pass@smtp.example.com",
		"AUTHD_MAIL_FROM":  "authd <no-reply@example.com>",
		"AUTHD_PUBLIC_URL": "https://auth.example.com/",
	}
	for k, v := range edit {
		env[k] = v
	}
	return func(k string) string { return env[k] }
}

func TestLoadMail(t *testing.T) {
	t.Parallel()
	c, err := Load(func(string) string { return "" })
	if err != nil || c.Mail.Enabled() || c.Mail.ResetTTL != time.Hour || c.Mail.VerifyTTL != 24*time.Hour ||
		c.Mail.AccountMax != 5 || c.Mail.IPMax != 20 || c.Mail.RequireVerified {
		t.Fatalf("defaults: %+v, %v", c.Mail, err)
	}
	c, err = Load(mailEnv(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Mail.Enabled() || c.Mail.ResetURL != "https://auth.example.com/account/reset-password" ||
		c.Mail.VerifyURL != "https://auth.example.com/account/verify-email" {
		t.Errorf("mail on: %+v", c.Mail)
	}
	c, err = Load(mailEnv(map[string]string{"AUTHD_RESET_URL": "https://app.example.com/reset", "AUTHD_REQUIRE_VERIFIED_EMAIL": "true",
		"AUTHD_MAIL_IP_MAX": "0", "AUTHD_RESET_TOKEN_TTL": "30m"}))
	if err != nil || c.Mail.ResetURL != "https://app.example.com/reset" || !c.Mail.RequireVerified || c.Mail.IPMax != 0 || c.Mail.ResetTTL != 30*time.Minute {
		t.Errorf("values: %+v, %v", c.Mail, err)
	}
}

func TestLoadMailErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, value, problem string
	}{
		{"no from", "AUTHD_MAIL_FROM", "", "required when AUTHD_SMTP_URL"},
		{"no public url", "AUTHD_PUBLIC_URL", "", "required when AUTHD_SMTP_URL"},
		{"bad scheme", "AUTHD_SMTP_URL", "http://smtp.example.com", "smtp:// or smtps://"},
		{"no host", "AUTHD_SMTP_URL", "smtp://", "no host"},
		{"a path", "AUTHD_SMTP_URL", "smtp://smtp.example.com/x", "no path"},
		{"bad from", "AUTHD_MAIL_FROM", "no-reply", "not a mail address"},
		{"fragment in reset url", "AUTHD_RESET_URL", "https://app.example.com/r#x", "no fragment"},
		{"relative verify url", "AUTHD_VERIFY_URL", "/verify", "absolute"},
		{"ttl too short", "AUTHD_RESET_TOKEN_TTL", "10s", "outside"},
		{"ttl too long", "AUTHD_VERIFY_TOKEN_TTL", "721h", "outside"},
		{"bad bool", "AUTHD_REQUIRE_VERIFIED_EMAIL", "maybe", "true or false"},
		{"account max zero", "AUTHD_MAIL_ACCOUNT_MAX", "0", "outside 1–1000"},
		{"negative ip max", "AUTHD_MAIL_IP_MAX", "-1", "outside 0–"},
		{"no template folder", "AUTHD_MAIL_TEMPLATES", "/nonexistent/folder", "not a readable folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load(mailEnv(map[string]string{tt.key: tt.value}))
			var e *Error
			if err == nil || !asError(err, &e) || e.Var != tt.key || !strings.Contains(e.Problem, tt.problem) {
				t.Fatalf("err = %v, want %s: …%s…", err, tt.key, tt.problem)
			}
			if strings.Contains(err.Error(), "secret-pass") {
				t.Errorf("the error shows the SMTP password: %v", err)
			}
		})
	}
	_, err := Load(func(k string) string {
		return map[string]string{"AUTHD_REQUIRE_VERIFIED_EMAIL": "true"}[k]
	})
	if err == nil || !strings.Contains(err.Error(), "AUTHD_REQUIRE_VERIFIED_EMAIL") {
		t.Errorf("require-verified without mail: %v", err)
	}
}

func asError(err error, target **Error) bool {
	e, ok := err.(*Error)
	*target = e
	return ok
}

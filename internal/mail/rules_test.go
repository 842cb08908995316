package mail

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// TestNextAttempt: the first retry within 10 s (5 s), doubling, at most
// 10 min apart, and none 24 h after the mail was queued.
func TestNextAttempt(t *testing.T) {
	t.Parallel()
	queued := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name     string
		attempts int
		after    time.Duration // since queued
		wait     time.Duration // 0: dropped
	}{
		{"first failure", 1, 0, 5 * time.Second},
		{"second", 2, time.Minute, 10 * time.Second},
		{"third", 3, time.Minute, 20 * time.Second},
		{"seventh", 7, time.Hour, 320 * time.Second},
		{"eighth: past 10 min", 8, time.Hour, 10 * time.Minute},
		{"capped", 9, time.Hour, 10 * time.Minute},
		{"many", 200, 23 * time.Hour, 10 * time.Minute},
		{"a second before the day ends", 150, 24*time.Hour - time.Second, 10 * time.Minute},
		{"the day is over", 150, 24 * time.Hour, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			now := queued.Add(c.after)
			next, retry := nextAttempt(auth.QueuedMail{CreatedAt: queued, Attempts: c.attempts}, now)
			if c.wait == 0 {
				if retry {
					t.Errorf("retry at %v, want dropped", next)
				}
				return
			}
			if !retry || next.Sub(now) != min(c.wait, 10*time.Minute) {
				t.Errorf("next in %v (retry %v), want %v", next.Sub(now), retry, c.wait)
			}
		})
	}
}

func TestLifetime(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		time.Hour: "1 hour", 24 * time.Hour: "24 hours", 30 * time.Minute: "30 minutes", 90 * time.Minute: "90 minutes", time.Minute: "1 minute",
	} {
		if got := lifetime(d); got != want {
			t.Errorf("lifetime(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestTemplates: a folder's template replaces the built-in one of its
// kind, the others stay; the HTML part escapes what it shows; a template
// that does not parse is an error naming its file.
func TestTemplates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "reset_password.subject"), []byte("Reset for {{.Username}}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tmpl, err := LoadTemplates(dir)
	if err != nil {
		t.Fatal(err)
	}
	v := View{Username: "<b>bob</b>", Link: "https://a.example/r#token=x", Code: "123456", At: "now", IP: "192.0.2.1"}
	subject, text, html, err := tmpl.render(auth.MailResetPassword, v)
	if err != nil {
		t.Fatal(err)
	}
	if subject != "Reset for <b>bob</b>" || !strings.Contains(text, "123456") || !strings.Contains(text, v.Link) {
		t.Errorf("subject %q, text %q", subject, text)
	}
	if strings.Contains(html, "<b>bob</b>") || !strings.Contains(html, "&lt;b&gt;bob&lt;/b&gt;") {
		t.Errorf("the HTML part does not escape: %s", html)
	}
	if s, _, _, _ := tmpl.render(auth.MailVerifyEmail, v); s != "Confirm your email address" {
		t.Errorf("verify_email subject %q, want the built-in one", s)
	}
	if err := os.WriteFile(filepath.Join(dir, "verify_email.html"), []byte("{{.Nope"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadTemplates(dir); err == nil || !strings.Contains(err.Error(), "verify_email.html") {
		t.Errorf("a broken template: %v", err)
	}
}

func TestNewSMTP(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"smtp://127.0.0.1:1025", "smtp://user:pass@localhost", "smtps://user:pass@smtp.example.com", "smtp://smtp.example.com:2525"} {
		if _, err := NewSMTP(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://smtp.example.com", "smtp://smtp.example.com:port", "::"} {
		if _, err := NewSMTP(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.0.0.2": true, "::1": true, "localhost": true,
		"smtp.example.com": false, "192.0.2.1": false, "2001:db8::1": false, "localhost.example.com": false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v: STARTTLS would be %s", host, got, want, map[bool]string{true: "optional", false: "required"}[got])
		}
	}
}

package config

import (
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"time"
)

// Mail is the mail delivery and the recovery flows (API.md, Mail). Mail
// is on when SMTPURL is set; then From and AUTHD_PUBLIC_URL are required.
type Mail struct {
	// SMTPURL is AUTHD_SMTP_URL: smtp://[user:pass@]host[:port] or
	// smtps://…; "" when mail is off.
	SMTPURL string
	// From is the sender mailbox, as given ("authd <no-reply@example.com>").
	From string
	// ResetURL and VerifyURL are the pages mail links open; the token
	// follows in the fragment.
	ResetURL  string
	VerifyURL string
	ResetTTL  time.Duration
	VerifyTTL time.Duration
	// RequireVerified is AUTHD_REQUIRE_VERIFIED_EMAIL.
	RequireVerified bool
	// AccountMax is mails to one account per hour; IPMax mail-sending
	// requests per client IP per hour (0 = off).
	AccountMax int
	IPMax      int
	// Templates is a folder whose templates replace the built-in ones by
	// kind; "" for none.
	Templates string
}

// Enabled reports whether mail is on.
func (m Mail) Enabled() bool { return m.SMTPURL != "" }

func readMail(r *reader, publicURL string) Mail {
	m := Mail{
		SMTPURL:         r.smtpURL("AUTHD_SMTP_URL"),
		From:            r.mailbox("AUTHD_MAIL_FROM"),
		ResetURL:        r.linkURL("AUTHD_RESET_URL"),
		VerifyURL:       r.linkURL("AUTHD_VERIFY_URL"),
		ResetTTL:        r.duration("AUTHD_RESET_TOKEN_TTL", time.Hour, time.Minute, 24*time.Hour),
		VerifyTTL:       r.duration("AUTHD_VERIFY_TOKEN_TTL", 24*time.Hour, time.Minute, 30*24*time.Hour),
		RequireVerified: r.boolean("AUTHD_REQUIRE_VERIFIED_EMAIL"),
		AccountMax:      r.intRange("AUTHD_MAIL_ACCOUNT_MAX", 5, 1, 1000),
		IPMax:           r.intRange("AUTHD_MAIL_IP_MAX", 20, 0, 1_000_000_000),
		Templates:       r.folder("AUTHD_MAIL_TEMPLATES"),
	}
	if m.ResetURL == "" && publicURL != "" {
		m.ResetURL = publicURL + "/account/reset-password"
	}
	if m.VerifyURL == "" && publicURL != "" {
		m.VerifyURL = publicURL + "/account/verify-email"
	}
	switch {
	case !m.Enabled():
	case m.From == "":
		r.fail("AUTHD_MAIL_FROM", "is required when AUTHD_SMTP_URL is set")
	case publicURL == "":
		r.fail("AUTHD_PUBLIC_URL", "is required when AUTHD_SMTP_URL is set: mail links start with it")
	}
	if m.RequireVerified && !m.Enabled() {
		// Nobody could ever verify, so nobody could ever log in.
		r.fail("AUTHD_REQUIRE_VERIFIED_EMAIL", "needs mail: set AUTHD_SMTP_URL")
	}
	return m
}

// smtpURL reads an smtp:// or smtps:// URL with a host; STARTTLS is
// required for smtp:// (the transport enforces it unless the host is a
// loopback address).
func (r *reader) smtpURL(name string) string {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	switch {
	case err != nil:
		// The error would repeat the URL, password included.
		r.fail(name, "is not a URL")
	case u.Scheme != "smtp" && u.Scheme != "smtps":
		r.fail(name, "must start with smtp:// or smtps://")
	case u.Hostname() == "":
		r.fail(name, "has no host")
	case u.Path != "" && u.Path != "/" || u.RawQuery != "" || u.Fragment != "":
		r.fail(name, "must be smtp[s]://[user:pass@]host[:port] with no path or query")
	default:
		return v
	}
	return ""
}

// mailbox reads one mail address, with or without a display name.
func (r *reader) mailbox(name string) string {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return ""
	}
	if _, err := mail.ParseAddress(v); err != nil {
		r.fail(name, fmt.Sprintf("%q is not a mail address (authd <no-reply@example.com>)", v))
		return ""
	}
	return v
}

// linkURL reads the page a mail link opens: an absolute http(s) URL
// without a fragment, since the token is put there.
func (r *reader) linkURL(name string) string {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" || strings.Contains(v, "#") {
		r.fail(name, fmt.Sprintf("%q must be an absolute http(s) URL with no fragment", v))
		return ""
	}
	return v
}

// boolean reads true or false (also 1/0, yes/no); empty is false.
func (r *reader) boolean(name string) bool {
	switch strings.ToLower(strings.TrimSpace(r.getenv(name))) {
	case "", "false", "0", "no":
		return false
	case "true", "1", "yes":
		return true
	}
	r.fail(name, "must be true or false")
	return false
}

// folder reads the path of an existing directory.
func (r *reader) folder(name string) string {
	v := r.getenv(name)
	if v == "" {
		return ""
	}
	if fi, err := os.Stat(v); err != nil || !fi.IsDir() {
		r.fail(name, fmt.Sprintf("%q is not a readable folder", v))
		return ""
	}
	return v
}

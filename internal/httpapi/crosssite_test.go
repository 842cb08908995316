package httpapi

import (
	"net/http"
	"testing"

	"github.com/authd/authd/internal/auth"
)

// TestCrossSiteForms: a form POST to the token or revocation endpoint that
// a browser sends for another site's page is 403 FORBIDDEN (issue 21, 8);
// authd's own pages (the /docs Authorize button), the origins
// AUTHD_CORS_ALLOWED_ORIGINS lists, JSON, and clients that are no browser
// keep working.
func TestCrossSiteForms(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{opts: Options{CORSAllowedOrigins: []string{"https://app.example", "*"}}})
	public := newEnv(t, envOptions{opts: Options{PublicURL: "https://Auth.Example.com:443/base"}})
	e.mustRegister(t, "cass")
	public.mustRegister(t, "cass")
	login := "username=cass&password=" + passwordOf("cass")
	tests := []struct {
		name    string
		env     *env
		path    string
		ct      string
		body    string
		headers []string
		status  int
	}{
		{"no browser headers", e, tokenPath, mediaForm, login, nil, 200},
		{"docs Authorize: same-origin", e, tokenPath, mediaForm, login, []string{"Sec-Fetch-Site", "same-origin", "Origin", e.url}, 200},
		{"own origin without fetch metadata", e, tokenPath, mediaForm, login, []string{"Origin", e.url}, 200},
		{"own origin in another case", e, tokenPath, mediaForm, login, []string{"Origin", "HTTP://127.0.0.1" + e.url[len("http://127.0.0.1"):]}, 200},
		{"listed origin, cross-site", e, tokenPath, mediaForm, login, []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://app.example"}, 200},
		{"public url's origin, default port", public, tokenPath, mediaForm, login, []string{"Sec-Fetch-Site", "same-origin", "Origin", "https://auth.example.com"}, 200},
		{"user typed the URL", e, tokenPath, mediaForm, login, []string{"Sec-Fetch-Site", "none"}, 200},
		{"json from anywhere", e, tokenPath, mediaJSON, `{"username":"cass","password":"` + passwordOf("cass") + `"}`, []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, 200},
		{"cross-site form", e, tokenPath, mediaForm, login, []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, 403},
		{"cross-site without Origin", e, tokenPath, mediaForm, login, []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"foreign Origin, old browser", e, tokenPath, mediaForm, login, []string{"Origin", "https://evil.example"}, 403},
		{"same-site sibling", e, tokenPath, mediaForm, login, []string{"Sec-Fetch-Site", "same-site", "Origin", "https://evil.127.0.0.1"}, 403},
		{"opaque origin", e, tokenPath, mediaForm, login, []string{"Origin", "null"}, 403},
		{"malformed origin", e, tokenPath, mediaForm, login, []string{"Origin", "%zz"}, 403},
		{"listed origin with its default port", e, tokenPath, mediaForm, login, []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://app.example:443"}, 200},
		{"wildcard lists no one", e, tokenPath, mediaForm, login, []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://other.example"}, 403},
		{"request host is not the public url", public, tokenPath, mediaForm, login, []string{"Origin", public.url}, 403},
		{"multipart", e, tokenPath, "multipart/form-data; boundary=x", "--x--", []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"text/plain", e, tokenPath, "text/plain", login, []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"no content type", e, tokenPath, "", login, []string{"Sec-Fetch-Site", "cross-site"}, 403},
		{"revoke cross-site", e, revokePath, mediaForm, "token=x", []string{"Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example"}, 403},
		{"revoke same-origin", e, revokePath, mediaForm, "token=x", []string{"Sec-Fetch-Site", "same-origin", "Origin", e.url}, 200},
		{"register is not a form endpoint", e, "/auth/register", mediaForm, "x=1", []string{"Sec-Fetch-Site", "cross-site"}, 415},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.env.do(t, http.MethodPost, tt.path, tt.ct, tt.body, tt.headers...)
			switch tt.status {
			case http.StatusForbidden:
				wantError(t, r, http.StatusForbidden, auth.CodeForbidden)
			default:
				if r.status != tt.status {
					t.Errorf("status = %d, want %d; body %s", r.status, tt.status, r.raw)
				}
			}
		})
	}
}

// TestOrigin: the serialized origin both sides of the comparison are put
// in, so that spellings of one origin are equal.
func TestOrigin(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://Auth.Example.COM":           "https://auth.example.com",
		"https://auth.example.com:443/a/b?c": "https://auth.example.com",
		"http://auth.example.com:80":         "http://auth.example.com",
		"http://auth.example.com:443":        "http://auth.example.com:443",
		"http://127.0.0.1:8080":              "http://127.0.0.1:8080",
		"http://[::1]:8080":                  "http://[::1]:8080",
		"https://[2001:DB8::1]":              "https://[2001:db8::1]",
		"null":                               "",
		"*":                                  "",
		"ftp://auth.example.com":             "",
		"https://":                           "",
		"%zz":                                "",
	} {
		if got := origin(in); got != want {
			t.Errorf("origin(%q) = %q, want %q", in, got, want)
		}
	}
}

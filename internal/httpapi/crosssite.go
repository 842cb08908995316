package httpapi

import (
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/authd/authd/internal/auth"
)

// refuseCrossSiteForms answers 403 FORBIDDEN to a form POST to the token or
// revocation endpoint that a browser sends from another site. Such a POST
// needs no CORS preflight, so without this any web page could make its
// visitors' browsers send password guesses from their own IPs, past the
// per-IP throttling. A JSON POST is not checked: a browser sends one
// across sites only after a preflight, which CORS answers.
//
// A request is refused when Sec-Fetch-Site says cross-site, or when its
// Origin is neither authd's own (publicBase's origin) nor listed in
// AUTHD_CORS_ALLOWED_ORIGINS. A listed origin passes either test: the
// operator trusts it with the JSON API, so its form posts (a browser OAuth2
// client's) are no worse; the wildcard "*" lists no one here, since it
// would undo the rule. A client with neither header (no browser, or an old
// one) is not a browser acting for a page, and passes.
func (s *Server) refuseCrossSiteForms(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.crossSiteForm(r) {
			s.writeError(w, r, &auth.Error{Code: auth.CodeForbidden,
				Detail: "Form requests from another site are not allowed; send JSON from an origin listed in AUTHD_CORS_ALLOWED_ORIGINS"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// crossSiteForm reports whether r is a form POST to the token or the
// revocation endpoint sent by a browser for another site's page.
func (s *Server) crossSiteForm(r *http.Request) bool {
	if r.Method != http.MethodPost || (r.URL.Path != tokenPath && r.URL.Path != revokePath) {
		return false
	}
	// Any body but JSON: the form types and text/plain (or none) need no
	// preflight; the others would fail before they got here.
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == mediaJSON {
		return false
	}
	sent := r.Header.Get("Origin")
	from := origin(sent) // "" for "null" and anything malformed
	if from != "" && slices.Contains(s.listedOrigins, from) {
		return false
	}
	if strings.EqualFold(r.Header.Get("Sec-Fetch-Site"), "cross-site") {
		return true
	}
	return sent != "" && (from == "" || from != s.ownOrigin(r))
}

package httpapi

import (
	"bytes"
	"embed"
	"net/http"
	"time"
)

// The pages mail links open (API.md, Pages for mail links), from the
// binary: no CDN, no inline script or style, so the policy below allows
// only authd's own files and calls to its own origin.
//
//go:embed account/*
var accountFiles embed.FS

// The two pages, by their file.
const (
	pageReset  = "account/reset-password.html"
	pageVerify = "account/verify-email.html"
)

// accountCSP lets a page load its script and style from authd and call
// authd's API, and nothing else: no inline code, no frames, no forms that
// post elsewhere.
const accountCSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// accountHeaders are every account page's and asset's: the token stays
// out of Referer headers, and nothing is cached on the way.
func accountHeaders(h http.Header, contentType string) {
	h.Set("Content-Security-Policy", accountCSP)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Type", contentType)
}

// accountPage serves one page.
func accountPage(file string) http.Handler {
	body, err := accountFiles.ReadFile(file)
	if err != nil {
		panic(err) // the file is embedded; its absence is a build mistake
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		accountHeaders(w.Header(), "text/html; charset=utf-8")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}

// accountAssets serves the pages' script and style.
func accountAssets() http.Handler {
	types := map[string]string{"account.js": "text/javascript; charset=utf-8", "account.css": "text/css; charset=utf-8"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct, ok := types[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		body, err := accountFiles.ReadFile("account/" + r.URL.Path)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		accountHeaders(w.Header(), ct)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}

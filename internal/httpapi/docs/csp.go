package docs

// The policy is assembled from pieces so that CSP can add the CDN bundle to
// script-src without repeating the rest.
const (
	// Anything not named below may come only from this origin.
	cspDefault = "default-src 'self'"

	// Scripts only from files on this origin: no inline script, no event
	// handler attributes, no eval, so markup injected into a page cannot run
	// code. That is why the Swagger UI init is a file and not inline.
	cspScript = "script-src 'self'"

	cspRest = "; " +
		// Both UIs inject <style> elements and style attributes at run time
		// (ReDoc through styled-components); styles cannot run code.
		"style-src 'self' 'unsafe-inline'; " +
		// Swagger UI's CSS draws its icons from data: URIs.
		"img-src 'self' data:; " +
		"font-src 'self' data:; " +
		// ReDoc runs its search index in a worker it starts from a blob: URL.
		"worker-src 'self' blob:; " +
		// The document, "Try it out" and the login of the Authorize dialog go
		// to this origin only, so no request leaves it (and a typed-in URL in
		// Swagger UI's top bar cannot fetch from elsewhere).
		"connect-src 'self'; " +
		// No plugins (<object>, <embed>): neither UI uses them.
		"object-src 'none'; " +
		// No framing, against clickjacking of the Authorize dialog.
		"frame-ancestors 'none'; " +
		// An injected <base> could redirect the pages' relative URLs.
		"base-uri 'none'; " +
		// Forms may post only back here.
		"form-action 'self'"
)

// ContentSecurityPolicy is the Content-Security-Policy of the docs pages when
// everything they load is served from the binary: always for /docs, and for
// /redoc when [Pages.RedocEmbedded]. The page handlers set it themselves.
const ContentSecurityPolicy = cspDefault + "; " + cspScript + cspRest

// CSP returns the Content-Security-Policy that /redoc needs in this build:
// [ContentSecurityPolicy] when ReDoc is embedded, else the same policy with the
// pinned CDN bundle added to script-src. It names the one file rather than the
// CDN's origin because cdn.jsdelivr.net serves any npm package, so allowing
// the origin would let an injected <script> load anyone's code.
func (p *Pages) CSP() string {
	if p.redocEmbedded {
		return ContentSecurityPolicy
	}
	return cspDefault + "; " + cspScript + " " + redocCDNURL + cspRest
}

package docs

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
)

// The ReDoc release pinned in redoc/package.json and redoc/package-lock.json.
// A test checks that they agree with redocVersion and, when the bundle is
// embedded, that its SHA-384 is redocIntegrity.
const (
	redocVersion = "2.5.4"
	redocBundle  = "redoc.standalone.js"
	redocCDNURL  = "https://cdn.jsdelivr.net/npm/redoc@" + redocVersion + "/bundles/" + redocBundle
	// redocIntegrity is the Subresource Integrity hash of the npm file, so the
	// browser refuses a CDN copy that differs from what we would embed.
	redocIntegrity = "sha384-w447zOpYfw/1Tv/5AK9NfHTlQIqE3RVR6KY62jCyy9zNDgO64cMwGGP1Fj0zJVf5"
	// redocLogoURL is the image ReDoc's "API docs by Redocly" footer loads
	// from the vendor's CDN on every page view. The served bundle points it
	// at an empty inline SVG instead, so the page asks nothing of another
	// host (the CSP would block the request, but the browser still logs it).
	redocLogoURL = "https://cdn.redoc.ly/redoc/logo-mini.svg"
	redocNoLogo  = "data:image/svg+xml,%3Csvg%20xmlns=%22http://www.w3.org/2000/svg%22/%3E"
)

// redocDist holds the README that keeps the directory non-empty, and the
// bundle once gen_redoc.sh has copied it there.
//
//go:embed redoc/dist
var redocDist embed.FS

// redocBundleFS returns the embedded redoc/dist directory as a file system
// whose root holds redoc.standalone.js (if generated).
func redocBundleFS() fs.FS {
	fsys, err := fs.Sub(redocDist, "redoc/dist")
	if err != nil {
		panic("docs: " + err.Error()) // only for an invalid path literal
	}
	return fsys
}

// hasRedocBundle reports whether fsys holds a non-empty ReDoc bundle.
func hasRedocBundle(fsys fs.FS) bool {
	fi, err := fs.Stat(fsys, redocBundle)
	return err == nil && fi.Mode().IsRegular() && fi.Size() > 0
}

// redocPage returns what /redoc/assets/ serves and the rendered /redoc page,
// which loads the bundle from the binary when it is embedded and from the
// pinned CDN URL, checked by integrity hash, when it is not.
func (p *Pages) redocPage(tmpl *template.Template, specURL string) (map[string]asset, []byte) {
	if !p.redocEmbedded {
		return map[string]asset{}, render(tmpl, "redoc.html", map[string]string{
			"SpecURL":   specURL,
			"Bundle":    redocCDNURL,
			"Integrity": redocIntegrity,
		})
	}
	bundle := redocBundleServed(p.redocFS)
	assets := map[string]asset{
		redocBundle: {fsys: p.redocFS, name: redocBundle, contentType: typeJS, data: bundle},
	}
	return assets, render(tmpl, "redoc.html", map[string]string{
		"SpecURL": specURL,
		"Bundle":  RedocAssetsPrefix + redocBundle,
	})
}

// Redoc returns the handler for GET /redoc: the ReDoc page for specURL. Its
// Content-Security-Policy is [Pages.CSP].
func (p *Pages) Redoc() http.Handler {
	return servePage(p.redocHTML, p.CSP())
}

// RedocAssets returns the handler for GET /redoc/assets/{file}: the ReDoc
// bundle when it is embedded, and 404 for everything otherwise. Mount it
// behind http.StripPrefix(RedocAssetsPrefix, ...).
func (p *Pages) RedocAssets() http.Handler {
	return serveAssets(p.redocAssets)
}

// RedocEmbedded reports whether this build serves ReDoc from the binary, that
// is whether `go generate` ran before it was built. When false, /redoc loads
// the pinned bundle from cdn.jsdelivr.net.
func (p *Pages) RedocEmbedded() bool {
	return p.redocEmbedded
}

// redocBundleServed is the embedded bundle with the footer logo made local;
// nil (serve the file as it is) if it cannot be read.
func redocBundleServed(fsys fs.FS) []byte {
	b, err := fs.ReadFile(fsys, redocBundle)
	if err != nil {
		return nil
	}
	return bytes.ReplaceAll(b, []byte(redocLogoURL), []byte(redocNoLogo))
}

package docs

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"time"

	swaggerfiles "github.com/swaggo/files/v2"
)

// Paths at which the pages link to themselves and their assets; mount the
// handlers at exactly these (see the package comment).
const (
	SwaggerPath         = "/docs"
	SwaggerAssetsPrefix = "/docs/assets/"
	RedocPath           = "/redoc"
	RedocAssetsPrefix   = "/redoc/assets/"
)

// static holds our page templates and the Swagger UI init script.
//
//go:embed static
var static embed.FS

// Pages serves Swagger UI at /docs and ReDoc at /redoc for the OpenAPI
// document at specURL. It is immutable after New and safe for concurrent use.
type Pages struct {
	// redocFS is a field, filled by newPages, rather than a package
	// reference so a test can build Pages with or without the bundle.
	redocFS fs.FS // holds redoc.standalone.js when go generate has run

	redocEmbedded bool
	swaggerHTML   []byte // rendered once: specURL never changes
	redocHTML     []byte
	swaggerAssets map[string]asset
	redocAssets   map[string]asset
}

// New returns the docs pages for the OpenAPI document at specURL, normally a
// same-origin path such as "/openapi.json".
func New(specURL string) *Pages {
	return newPages(specURL, swaggerfiles.FS, redocBundleFS())
}

// newPages builds Pages from the given Swagger UI and ReDoc files. It panics
// only if the embedded templates are broken, which the tests would show.
func newPages(specURL string, swaggerFS, redocFS fs.FS) *Pages {
	tmpl := template.Must(template.ParseFS(static, "static/*.html"))
	p := &Pages{
		redocFS:       redocFS,
		redocEmbedded: hasRedocBundle(redocFS),
	}
	p.swaggerAssets = swaggerAssets(swaggerFS)
	p.swaggerHTML = render(tmpl, "swagger.html", map[string]string{
		"SpecURL": specURL,
		"Assets":  SwaggerAssetsPrefix,
	})
	p.redocAssets, p.redocHTML = p.redocPage(tmpl, specURL)
	return p
}

// render executes one of our own templates. Its data are strings, so only a
// broken template can fail, and that is a programming error.
func render(tmpl *template.Template, name string, data any) []byte {
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, name, data); err != nil {
		panic(fmt.Sprintf("docs: render %s: %v", name, err))
	}
	return b.Bytes()
}

// servePage writes a rendered page with its Content-Security-Policy. The
// policy is set here, by the page itself, because only this package knows
// which sources its pages load.
func servePage(body []byte, csp string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !readOnly(w, r) {
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("Content-Type", "text/html; charset=utf-8")
		// ServeContent handles HEAD, Content-Length and ranges.
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}

// readOnly answers 405 to anything but GET and HEAD and reports whether the
// request may go on. The mux patterns already say GET, but the handlers do
// not rely on being mounted that way.
func readOnly(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
	return false
}

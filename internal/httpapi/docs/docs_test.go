package docs

import (
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	swaggerfiles "github.com/swaggo/files/v2"
)

const specURL = "/openapi.json"

// mount registers the handlers exactly as the package comment tells.
func mount(p *Pages) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET "+SwaggerPath, p.SwaggerUI())
	mux.Handle("GET "+SwaggerAssetsPrefix,
		http.StripPrefix(SwaggerAssetsPrefix, p.SwaggerAssets()))
	mux.Handle("GET "+RedocPath, p.Redoc())
	mux.Handle("GET "+RedocAssetsPrefix,
		http.StripPrefix(RedocAssetsPrefix, p.RedocAssets()))
	return mux
}

func get(t *testing.T, h http.Handler, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, target, nil))
	return w
}

// withRedoc and withoutRedoc build Pages as a build with and without the
// go generate step would, whatever this checkout has in redoc/dist.
func withRedoc(specURL string) *Pages {
	return newPages(specURL, swaggerfiles.FS, fstest.MapFS{
		redocBundle: {Data: []byte("/* redoc */")},
		"README.md": {Data: []byte("placeholder")},
	})
}

func withoutRedoc(specURL string) *Pages {
	return newPages(specURL, swaggerfiles.FS, fstest.MapFS{
		"README.md": {Data: []byte("placeholder")},
	})
}

// builds covers the real embedded files and both ReDoc branches.
var builds = []struct {
	name     string
	pages    func(specURL string) *Pages
	embedded bool // whether ReDoc must be embedded; unchecked when real
	real     bool // the checkout's own files: embedded iff go generate ran
}{
	{name: "this checkout", pages: New, real: true},
	{name: "redoc embedded", pages: withRedoc, embedded: true},
	{name: "redoc from CDN", pages: withoutRedoc, embedded: false},
}

var linkRE = regexp.MustCompile(`(?:src|href)="([^"]*)"`)

// links returns the URLs a page's HTML loads, HTML-unescaped as a browser
// reads them.
func links(body string) []string {
	var urls []string
	for _, m := range linkRE.FindAllStringSubmatch(body, -1) {
		urls = append(urls, html.UnescapeString(m[1]))
	}
	return urls
}

func TestSwaggerUIPage(t *testing.T) {
	t.Parallel()
	w := get(t, mount(New(specURL)), http.MethodGet, "/docs")
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", w.Code)
	}
	if got := w.Header().Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := w.Header().Get("Content-Security-Policy"); got != ContentSecurityPolicy {
		t.Errorf("Content-Security-Policy = %q, want %q", got, ContentSecurityPolicy)
	}
	body := w.Body.String()
	for _, want := range []string{
		`href="/docs/assets/swagger-ui.css"`,
		`src="/docs/assets/swagger-ui-bundle.js"`,
		`src="/docs/assets/swagger-ui-standalone-preset.js"`,
		`src="/docs/assets/authd-init.js"`,
		`id="swagger-ui" data-spec-url="/openapi.json"`,
	} {
		t.Run(want, func(t *testing.T) {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %s", want)
			}
		})
	}
	// The CSP forbids inline scripts, so the page must not need one.
	if strings.Contains(body, "<script>") || strings.Contains(body, "http") {
		t.Errorf("page has an inline script or an absolute URL:\n%s", body)
	}
}

func TestReferencedAssetsAreServed(t *testing.T) {
	t.Parallel()
	wantType := map[string]string{
		".css": "text/css; charset=utf-8",
		".js":  "text/javascript; charset=utf-8",
		".png": "image/png",
	}
	for _, b := range builds {
		p := b.pages(specURL)
		mux := mount(p)
		for _, page := range []string{"/docs", "/redoc"} {
			for _, link := range links(get(t, mux, http.MethodGet, page).Body.String()) {
				t.Run(b.name+page+" "+link, func(t *testing.T) {
					if link == redocCDNURL && !p.RedocEmbedded() {
						return // the one URL served by the CDN, checked in TestRedocPage
					}
					if !strings.HasPrefix(link, SwaggerAssetsPrefix) && !strings.HasPrefix(link, RedocAssetsPrefix) {
						t.Fatalf("%s links %s, outside the binary's asset paths", page, link)
					}
					for _, method := range []string{http.MethodGet, http.MethodHead} {
						w := get(t, mux, method, link)
						if w.Code != http.StatusOK {
							t.Fatalf("%s %s = %d, want 200", method, link, w.Code)
						}
						if got, want := w.Header().Get("Content-Type"), wantType[path.Ext(link)]; got != want {
							t.Errorf("%s %s Content-Type = %q, want %q", method, link, got, want)
						}
						if method == http.MethodGet && w.Body.Len() == 0 {
							t.Errorf("GET %s: empty body", link)
						}
					}
				})
			}
		}
	}
}

func TestInitScriptReadsSpecURLFromPage(t *testing.T) {
	t.Parallel()
	w := get(t, mount(New(specURL)), http.MethodGet, "/docs/assets/authd-init.js")
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d, want 200", w.Code)
	}
	if got := w.Header().Get("Content-Type"); got != "text/javascript; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	script := w.Body.String()
	for _, want := range []string{
		`document.getElementById("swagger-ui")`, // the element that carries data-spec-url
		"url: root.dataset.specUrl",             // dataset name of data-spec-url
		`dom_id: "#swagger-ui"`,
		"validatorUrl: null",
		"queryConfigEnabled: false",
		// Swagger UI's persistence would keep the password (see the
		// browser test, which checks what the storage holds).
		"persistAuthorization: false",
		"sessionStorage.setItem(tokenKey, token)",
		"tryItOutEnabled: true",
		`layout: "StandaloneLayout"`,
	} {
		t.Run(want, func(t *testing.T) {
			if !strings.Contains(script, want) {
				t.Errorf("init script lacks %s", want)
			}
		})
	}
}

var specAttrRE = regexp.MustCompile(`(?:data-spec-url|<redoc spec-url)="([^"]*)"`)

func TestSpecURLIsEscaped(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		specURL string
		want    string // as the browser reads it, percent-decoded
	}{
		{"plain path", "/openapi.json", "/openapi.json"},
		{"markup characters", `/openapi.json?x="<>'&y=1`, `/openapi.json?x="<>'&y=1`},
		{"already escaped", "/a%20b.json", "/a b.json"},
		{"script URL", "javascript:alert(1)", "#ZgotmplZ"}, // html/template's refusal
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mux := mount(New(tt.specURL))
			for _, page := range []string{"/docs", "/redoc"} {
				body := get(t, mux, http.MethodGet, page).Body.String()
				if strings.Contains(body, `"<>`) || strings.Contains(body, "javascript:") {
					t.Errorf("%s: spec URL not escaped:\n%s", page, body)
				}
				m := specAttrRE.FindStringSubmatch(body)
				if m == nil {
					t.Fatalf("%s: no spec URL attribute in\n%s", page, body)
				}
				got, err := url.PathUnescape(html.UnescapeString(m[1]))
				if err != nil || got != tt.want {
					t.Errorf("%s: spec URL reads %q (%v), want %q", page, got, err, tt.want)
				}
			}
		})
	}
}

func TestRedocPage(t *testing.T) {
	t.Parallel()
	for _, b := range builds {
		t.Run(b.name, func(t *testing.T) {
			p := b.pages(specURL)
			if !b.real && p.RedocEmbedded() != b.embedded {
				t.Fatalf("RedocEmbedded() = %v, want %v", p.RedocEmbedded(), b.embedded)
			}
			mux := mount(p)
			w := get(t, mux, http.MethodGet, "/redoc")
			if w.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200", w.Code)
			}
			body := w.Body.String()
			csp := w.Header().Get("Content-Security-Policy")
			if csp != p.CSP() {
				t.Errorf("Content-Security-Policy = %q, want %q", csp, p.CSP())
			}
			if !strings.Contains(body, `<redoc spec-url="/openapi.json">`) {
				t.Errorf("page lacks the redoc element:\n%s", body)
			}
			bundle := get(t, mux, http.MethodGet, "/redoc/assets/"+redocBundle).Code
			if p.RedocEmbedded() {
				wantScript := `<script src="/redoc/assets/redoc.standalone.js"></script>`
				if !strings.Contains(body, wantScript) || strings.Contains(body, "cdn.") {
					t.Errorf("page does not load the embedded bundle only:\n%s", body)
				}
				if csp != ContentSecurityPolicy {
					t.Errorf("CSP = %q, want %q", csp, ContentSecurityPolicy)
				}
				if bundle != http.StatusOK {
					t.Errorf("bundle status = %d, want 200", bundle)
				}
				return
			}
			wantScript := `<script src="` + redocCDNURL + `" integrity="` + redocIntegrity + `" crossorigin="anonymous"></script>`
			if !strings.Contains(body, wantScript) {
				t.Errorf("page lacks %s:\n%s", wantScript, body)
			}
			if !strings.Contains(csp, "script-src 'self' "+redocCDNURL+";") {
				t.Errorf("CSP does not allow the CDN bundle: %q", csp)
			}
			if bundle != http.StatusNotFound {
				t.Errorf("bundle status = %d, want 404", bundle)
			}
		})
	}
}

func TestContentSecurityPolicy(t *testing.T) {
	t.Parallel()
	for _, want := range []string{
		"default-src 'self'", "script-src 'self';", "style-src 'self' 'unsafe-inline'",
		"img-src 'self' data:", "font-src 'self' data:", "worker-src 'self' blob:",
		"connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'",
	} {
		if !strings.Contains(ContentSecurityPolicy, want) {
			t.Errorf("ContentSecurityPolicy lacks %q", want)
		}
	}
	if got := withRedoc(specURL).CSP(); got != ContentSecurityPolicy {
		t.Errorf("CSP() with ReDoc embedded = %q, want the constant", got)
	}
	// Swagger UI never needs the CDN, even when ReDoc does.
	w := get(t, mount(withoutRedoc(specURL)), http.MethodGet, "/docs")
	if got := w.Header().Get("Content-Security-Policy"); got != ContentSecurityPolicy {
		t.Errorf("/docs CSP without embedded ReDoc = %q", got)
	}
}

func TestUnknownAssetIsNotFound(t *testing.T) {
	t.Parallel()
	mux := mount(withRedoc(specURL))
	for _, target := range []string{
		"/docs/assets/",
		"/docs/assets/nope.js",
		"/docs/assets/swagger-initializer.js", // swaggo's petstore initialiser
		"/docs/assets/index.html",
		"/docs/assets/swagger-ui.js",
		"/docs/assets/swagger-ui-bundle.js.map",
		"/docs/assets/static/authd-init.js",
		"/docs/assets/swagger-ui.css/",
		"/docs/assets/x/swagger-ui.css",
		"/redoc/assets/",
		"/redoc/assets/README.md", // in the embedded directory, but not an asset
		"/redoc/assets/swagger-ui.css",
	} {
		t.Run(target, func(t *testing.T) {
			if w := get(t, mux, http.MethodGet, target); w.Code != http.StatusNotFound {
				t.Errorf("GET %s = %d, want 404", target, w.Code)
			}
		})
	}
}

func TestOnlyGetAndHead(t *testing.T) {
	t.Parallel()
	p := withRedoc(specURL)
	tests := []struct {
		name    string
		handler http.Handler
		target  string
	}{
		{"swagger page", p.SwaggerUI(), "/docs"},
		{"swagger asset", http.StripPrefix(SwaggerAssetsPrefix, p.SwaggerAssets()), "/docs/assets/swagger-ui.css"},
		{"redoc page", p.Redoc(), "/redoc"},
		{"redoc asset", http.StripPrefix(RedocAssetsPrefix, p.RedocAssets()), "/redoc/assets/" + redocBundle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The handlers themselves, not only the GET mux patterns, refuse.
			w := get(t, tt.handler, http.MethodPost, tt.target)
			if w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET, HEAD" {
				t.Errorf("POST = %d, Allow %q; want 405, GET, HEAD", w.Code, w.Header().Get("Allow"))
			}
			w = get(t, tt.handler, http.MethodHead, tt.target)
			if w.Code != http.StatusOK || w.Body.Len() != 0 || w.Header().Get("Content-Length") == "" {
				t.Errorf("HEAD = %d, %d body bytes, Content-Length %q", w.Code, w.Body.Len(), w.Header().Get("Content-Length"))
			}
		})
	}
}

// TestRedocPin keeps the Go constants, the npm pin and the embedded bundle in
// step: a version bump must change all of them.
func TestRedocPin(t *testing.T) {
	t.Parallel()
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	readJSON(t, "redoc/package.json", &pkg)
	if got := pkg.Dependencies["redoc"]; got != redocVersion {
		t.Errorf("redoc/package.json pins redoc %q, redocVersion is %q", got, redocVersion)
	}
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	readJSON(t, "redoc/package-lock.json", &lock)
	if got := lock.Packages["node_modules/redoc"].Version; got != redocVersion {
		t.Errorf("redoc/package-lock.json locks redoc %q, redocVersion is %q", got, redocVersion)
	}

	fsys := redocBundleFS()
	if !hasRedocBundle(fsys) {
		t.Log("ReDoc bundle not generated; integrity hash not checked")
		return
	}
	f, err := fsys.Open(redocBundle)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha512.New384()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	if got := "sha384-" + base64.StdEncoding.EncodeToString(h.Sum(nil)); got != redocIntegrity {
		t.Errorf("embedded bundle hash %s, redocIntegrity is %s", got, redocIntegrity)
	}
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// The placeholder keeps //go:embed matching in a checkout without the bundle.
func TestPlaceholderIsEmbedded(t *testing.T) {
	t.Parallel()
	if _, err := fs.Stat(redocBundleFS(), "README.md"); err != nil {
		t.Errorf("redoc/dist/README.md not embedded: %v", err)
	}
}

// TestRedocBundleAsksNoOtherHost: the served bundle's footer logo points at
// an inline image, not the vendor's CDN.
func TestRedocBundleAsksNoOtherHost(t *testing.T) {
	t.Parallel()
	p := New(specURL)
	if !p.RedocEmbedded() {
		t.Skip("ReDoc bundle not generated (go generate ./...); nothing to check")
	}
	w := get(t, mount(p), http.MethodGet, RedocAssetsPrefix+redocBundle)
	if w.Code != http.StatusOK || w.Body.Len() < 100_000 {
		t.Fatalf("bundle: %d, %d bytes", w.Code, w.Body.Len())
	}
	if strings.Contains(w.Body.String(), redocLogoURL) || !strings.Contains(w.Body.String(), redocNoLogo) {
		t.Error("served bundle still loads the logo from the CDN")
	}
}

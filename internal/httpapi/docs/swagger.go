package docs

import (
	"io/fs"
	"net/http"
)

// swaggerInit is our Swagger UI start-up script, served among Swagger UI's
// own assets. Its name differs from swaggo's swagger-initializer.js, which we
// do not serve.
const swaggerInit = "authd-init.js"

// swaggerAssets lists what /docs/assets/ serves: the files the page links to,
// nothing else from swaggerFS.
func swaggerAssets(swaggerFS fs.FS) map[string]asset {
	assets := map[string]asset{
		swaggerInit: {fsys: static, name: "static/" + swaggerInit, contentType: typeJS},
	}
	for name, contentType := range map[string]string{
		"swagger-ui.css":                  typeCSS,
		"index.css":                       typeCSS,
		"swagger-ui-bundle.js":            typeJS,
		"swagger-ui-standalone-preset.js": typeJS,
		"favicon-32x32.png":               typePNG,
		"favicon-16x16.png":               typePNG,
	} {
		assets[name] = asset{fsys: swaggerFS, name: name, contentType: contentType}
	}
	return assets
}

// SwaggerUI returns the handler for GET /docs: the Swagger UI page, which
// loads everything from /docs/assets/ and the document from specURL.
func (p *Pages) SwaggerUI() http.Handler {
	// Swagger UI never loads from the CDN, whatever this build does for ReDoc.
	return servePage(p.swaggerHTML, ContentSecurityPolicy)
}

// SwaggerAssets returns the handler for GET /docs/assets/{file}: Swagger UI's
// CSS, JavaScript and icons, and our init script. Mount it behind
// http.StripPrefix(SwaggerAssetsPrefix, ...).
func (p *Pages) SwaggerAssets() http.Handler {
	return serveAssets(p.swaggerAssets)
}

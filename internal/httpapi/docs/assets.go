package docs

import (
	"bytes"
	"io/fs"
	"net/http"
	"time"
)

// Content types of the assets, set explicitly so they do not depend on the
// host's mime.types files.
const (
	typeJS  = "text/javascript; charset=utf-8"
	typeCSS = "text/css; charset=utf-8"
	typePNG = "image/png"
)

// asset is one file an asset handler may serve.
type asset struct {
	fsys        fs.FS
	name        string // path within fsys
	contentType string
	// data, when set, is served instead of the file: a copy changed at start.
	data []byte
}

// serveAssets serves the files in assets by bare name, as left in r.URL.Path
// by http.StripPrefix. It serves only the files listed, never a directory
// listing or anything else that happens to sit in the same file system (such
// as swaggo's swagger-initializer.js, which points at the petstore demo).
func serveAssets(assets map[string]asset) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !readOnly(w, r) {
			return
		}
		a, ok := assets[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		// A preset Content-Type stops ServeFileFS from guessing one.
		w.Header().Set("Content-Type", a.contentType)
		if a.data != nil {
			http.ServeContent(w, r, a.name, time.Time{}, bytes.NewReader(a.data))
			return
		}
		http.ServeFileFS(w, r, a.fsys, a.name)
	})
}

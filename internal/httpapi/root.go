package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
)

// handleRoot answers GET / with pointers to the API documentation instead
// of a 404, so a newcomer who opens authd's address finds where to start.
// A browser (Accept naming text/html) gets a page of links; anything else
// gets JSON. The route is not an API operation, so, like /docs and /redoc,
// it is not in /openapi.json.
func handleRoot() http.Handler {
	// Where a visitor goes next. The paths are relative to authd's own
	// origin, so they stay right behind a proxy that serves it elsewhere.
	links := [...]struct{ name, path, title string }{
		{"docs", "/docs", "Swagger UI: try every endpoint"},
		{"redoc", "/redoc", "ReDoc: the API reference"},
		{"openapi", "/openapi.json", "the OpenAPI 3.1 document"},
	}
	doc := map[string]string{"name": "authd"}
	var page strings.Builder
	page.WriteString("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>authd</title></head><body>\n<h1>authd</h1>\n<ul>\n")
	for _, l := range links {
		doc[l.name] = l.path
		page.WriteString("<li><a href=\"" + l.path + "\">" + l.path + "</a>: " + l.title + "</li>\n")
	}
	page.WriteString("</ul>\n</body></html>\n")
	body, err := json.Marshal(doc)
	if err != nil {
		panic("httpapi: root document: " + err.Error()) // a map of strings always marshals
	}
	html := []byte(page.String())
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Vary", "Accept")
		if strings.Contains(r.Header.Get("Accept"), "text/html") {
			h.Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(html)
			return
		}
		h.Set("Content-Type", "application/json")
		_, _ = w.Write(append(body, '\n'))
	})
}

// Package docs serves authd's interactive API documentation — Swagger UI at
// /docs and ReDoc at /redoc — for the OpenAPI document at a given URL, from
// files inside the binary, so that reading the docs sends no request off the
// machine.
//
// Swagger UI's files come from the Go module github.com/swaggo/files/v2. The
// ReDoc bundle comes from the npm package pinned in redoc/package-lock.json and
// is copied into the package by `go generate` (gen_redoc.sh, which needs npm).
// The bundle is not committed: a build without the generate step still
// compiles, and /redoc then loads the same pinned release from
// cdn.jsdelivr.net, checked by Subresource Integrity; [Pages.RedocEmbedded]
// tells which.
//
// # Mounting
//
// The page handlers answer at their own path. The asset handlers expect the
// path prefix already stripped: they look up r.URL.Path as a bare file name
// ("swagger-ui.css"), so mount them behind [http.StripPrefix] with exactly
// [SwaggerAssetsPrefix] and [RedocAssetsPrefix], which are also the prefixes
// the pages put in their links:
//
//	p := docs.New("/openapi.json")
//	mux.Handle("GET "+docs.SwaggerPath, p.SwaggerUI())
//	mux.Handle("GET "+docs.SwaggerAssetsPrefix,
//		http.StripPrefix(docs.SwaggerAssetsPrefix, p.SwaggerAssets()))
//	mux.Handle("GET "+docs.RedocPath, p.Redoc())
//	mux.Handle("GET "+docs.RedocAssetsPrefix,
//		http.StripPrefix(docs.RedocAssetsPrefix, p.RedocAssets()))
//
// That is, "GET /docs", "GET /docs/assets/", "GET /redoc" and
// "GET /redoc/assets/". The spec URL should be a same-origin path: the
// pages' Content-Security-Policy lets them fetch only from their own origin.
//
// Every handler answers GET and HEAD only (405 otherwise) and an unknown
// asset with [http.NotFound], in net/http's plain text; the server that
// mounts them (authd's httpapi) puts every such error in its JSON shape. The page handlers set their own
// Content-Security-Policy header (see [ContentSecurityPolicy] and
// [Pages.CSP]); middleware should not replace it.
package docs

//go:generate sh ./gen_redoc.sh

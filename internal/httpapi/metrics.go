package httpapi

import (
	"net/http"
	"strings"
	"time"
)

// MetricsUnmatched is the route of a request no pattern matched (404, 405,
// a redirect to a canonical path): one label for all of them, so random
// URLs cannot create new series.
const MetricsUnmatched = "unmatched"

// countRequests tells observe each request's route, method, status and
// duration. The route is the ServeMux pattern that matched, which the mux
// writes into the *http.Request it is given; this middleware must
// therefore hand its own r on unchanged (no WithContext below it up to the
// mux), which TestMetricsRouteLabels guards.
func countRequests(observe func(route, method string, status int, elapsed time.Duration)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			// accessLog, just outside, already records the status: one
			// recorder a request, not two.
			sw, ok := w.(*statusRecorder)
			if !ok {
				sw = &statusRecorder{ResponseWriter: w}
			}
			next.ServeHTTP(sw, r)
			observe(routeOf(r.Pattern), r.Method, sw.status(), time.Since(start))
		})
	}
}

// routeOf is the path part of a ServeMux pattern ("GET /auth/me" →
// "/auth/me"), or MetricsUnmatched when there is none.
func routeOf(pattern string) string {
	if pattern == "" {
		return MetricsUnmatched
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}

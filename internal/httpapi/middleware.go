package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/authd/authd/internal/logging"
)

// validRequestID is what a caller's X-Request-ID must match to be kept;
// anything else could inject text into logs, so it is replaced.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,128}$`)

// requestID puts the caller's X-Request-ID, or a new UUID, in the context
// and on the response.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !validRequestID.MatchString(id) {
			id = uuid.NewString()
		}
		w.Header().Set("X-Request-ID", id)
		next.ServeHTTP(w, r.WithContext(logging.WithRequestID(r.Context(), id)))
	})
}

// isQuiet tells the paths polled by probes and browsers (/health, /docs,
// /redoc, /openapi.json and what lies below them): their access lines are debug.
func isQuiet(path string) bool {
	for _, p := range [...]string{"/health", "/docs", "/redoc", "/openapi.json"} {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// accessLog writes one line per request. Only method, path, status, size,
// duration and the client IP (remote_ip, found by clientAddress, which must
// run before it): never the query string, headers or body, which may
// carry credentials.
func accessLog(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			sw := &statusRecorder{ResponseWriter: w}
			next.ServeHTTP(sw, r)
			level := slog.LevelInfo
			if isQuiet(r.URL.Path) {
				level = slog.LevelDebug
			}
			if !log.Enabled(r.Context(), level) {
				return
			}
			// The record goes to the handler directly, with no caller PC:
			// the line names no source, and Logger.LogAttrs would walk the
			// stack for one on every request (1.3% of /auth/me's CPU).
			rec := slog.NewRecord(time.Now(), level, "request", 0)
			rec.AddAttrs(
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", sw.status()),
				slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
				slog.Int64("bytes", sw.bytes),
				slog.String("remote_ip", clientIPText(r.Context())),
			)
			_ = log.Handler().Handle(r.Context(), rec)
		})
	}
}

// statusRecorder remembers the status and counts the bytes written.
type statusRecorder struct {
	http.ResponseWriter
	code  int
	bytes int64
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *statusRecorder) status() int {
	if r.code == 0 {
		return http.StatusOK
	}
	return r.code
}

// Unwrap lets http.ResponseController reach the connection (deadlines, flush).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// recoverPanics turns a panic into a 500 in the error shape; the stack goes
// to the log at ERROR, never to the client.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as net/http does
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic recovered",
				slog.String("panic", fmt.Sprint(v)), slog.String("stack", string(debug.Stack())))
			if rec.code != 0 {
				return // headers already sent: nothing sane left to write
			}
			s.writeError(rec, r, fmt.Errorf("panic: %v", v))
		}()
		next.ServeHTTP(rec, r)
	})
}

// securityHeaders sets the headers every response carries. The CSP allows
// nothing: JSON needs no scripts, styles or frames. The docs pages replace
// it with their own, which lets them load their own assets.
//
// Cache-Control: no-store is the default of every answer, so user data and
// tokens are never kept by a browser or proxy (RFC 6749 §5.1, RFC 9111
// §5.2.2.5) on any route, including routes added later; a handler whose
// answer is public and cacheable (the JWKS) replaces it, and documents so.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", noStore)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		next.ServeHTTP(w, r)
	})
}

// Package httpapi is authd's HTTP face: the routes, the middleware, the one
// error renderer, the OpenAPI document and the docs pages. Handlers decode,
// call the auth.Service and encode; they hold no SQL, bcrypt or JWT code.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/rs/cors"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/logging"
)

// Options are the HTTP settings of config.Config that the server needs.
type Options struct {
	Version            string
	CORSAllowedOrigins []string
	MaxBodyBytes       int64
	// Metrics, when set, is served at GET /metrics, outside the OpenAPI
	// document and the access log.
	Metrics http.Handler
	// ObserveRequest, when set, is told every answered request's route
	// pattern (MetricsUnmatched when no route matched), method, status and
	// duration.
	ObserveRequest func(route, method string, status int, elapsed time.Duration)
}

// HealthCheck is one component's entry in /health: Check returns the value
// shown under checks[Name] and whether the component is fit to serve.
type HealthCheck struct {
	Name  string
	Check func(ctx context.Context) (status string, healthy bool)
}

// Server is the HTTP handler of authd.
type Server struct {
	svc     *auth.Service
	checks  []HealthCheck
	log     *slog.Logger
	opts    Options
	api     huma.API
	spec    []byte
	handler http.Handler
}

// NewServer builds the handler with every route and middleware in place.
func NewServer(opts Options, svc *auth.Service, checks []HealthCheck, log *slog.Logger) (*Server, error) {
	s := &Server{svc: svc, checks: checks, log: logging.For(log, "httpapi"), opts: opts}
	mux := http.NewServeMux()
	s.api = humago.New(mux, s.humaConfig())
	if err := s.routes(mux); err != nil {
		return nil, err
	}
	var h http.Handler = s.routeMisses(mux)
	if len(opts.CORSAllowedOrigins) > 0 {
		h = newCORS(opts.CORSAllowedOrigins).Handler(h)
	}
	h = securityHeaders(h)
	h = s.recoverPanics(h)
	if opts.ObserveRequest != nil {
		h = countRequests(opts.ObserveRequest)(h)
	}
	h = accessLog(s.log)(h)
	s.handler = requestID(h)
	return s, nil
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// newCORS answers preflights for the listed origins only. Credentials are
// never allowed: authd uses bearer tokens, not cookies, and a wildcard
// origin with credentials would let any site act as the user.
func newCORS(origins []string) *cors.Cors {
	return cors.New(cors.Options{
		AllowedOrigins:   origins,
		AllowedMethods:   []string{http.MethodGet, http.MethodPost},
		AllowedHeaders:   []string{"Authorization", "Content-Type", "X-Request-ID"},
		ExposedHeaders:   []string{"X-Request-ID", "Retry-After", "WWW-Authenticate"},
		AllowCredentials: false,
		MaxAge:           600,
	})
}

// routeMisses renders the mux's own 404 and 405 in the error shape. The
// mux decides (it knows every pattern and computes Allow); only its status
// and Allow header are kept, its plain-text body is dropped.
func (s *Server) routeMisses(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		probe := &headerProbe{header: http.Header{}}
		h.ServeHTTP(probe, r)
		switch probe.code {
		case http.StatusNotFound:
			s.writeError(w, r, &auth.Error{Code: auth.CodeNotFound, Detail: "No route for " + r.URL.Path})
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", probe.header.Get("Allow"))
			s.writeError(w, r, &auth.Error{Code: auth.CodeMethodNotAllowed,
				Detail: "Method " + r.Method + " not allowed; allowed: " + probe.header.Get("Allow")})
		default: // a redirect to the canonical path
			for k, v := range probe.header {
				w.Header()[k] = v
			}
			w.WriteHeader(probe.code)
		}
	})
}

// headerProbe records what the mux would answer, without a body.
type headerProbe struct {
	header http.Header
	code   int
}

func (p *headerProbe) Header() http.Header { return p.header }
func (p *headerProbe) Write(b []byte) (int, error) {
	if p.code == 0 {
		p.code = http.StatusOK
	}
	return len(b), nil
}
func (p *headerProbe) WriteHeader(code int) {
	if p.code == 0 {
		p.code = code
	}
}

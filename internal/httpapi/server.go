// Package httpapi is authd's HTTP face: the routes, the middleware, the one
// error renderer, the OpenAPI document and the docs pages. Handlers decode,
// call the auth.Service and encode; they hold no SQL, bcrypt or JWT code.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/rs/cors"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/admin"
	"github.com/authd/authd/internal/auth/mfa"
	"github.com/authd/authd/internal/auth/recovery"
	"github.com/authd/authd/internal/logging"
	"github.com/authd/authd/internal/token"
)

// Options are what the server needs: config.HTTP's settings, the version,
// the public keys and the request observer of the metrics.
type Options struct {
	// Admin is the administration use cases the /admin operations call;
	// nil answers them 501 NOT_CONFIGURED.
	Admin              *admin.Service
	Version            string
	CORSAllowedOrigins []string
	MaxBodyBytes       int64
	// BodyReadTimeout bounds how long a request body may take to arrive,
	// from the end of its headers; zero means DefaultBodyReadTimeout.
	BodyReadTimeout time.Duration
	// TrustedProxies are the peers whose X-Forwarded-For names the client
	// (see ClientIP), as config.Load returns them.
	TrustedProxies []netip.Prefix
	// Issuer is AUTHD_JWT_ISSUER, the issuer of the RFC 8414 metadata.
	Issuer string
	// PublicURL is AUTHD_PUBLIC_URL: the base of the metadata's URLs and
	// authd's own origin; empty means the request's scheme and host.
	PublicURL string
	// JWKS is the public half of every key that verifies access tokens,
	// served at /.well-known/jwks.json; empty with an HS256 secret.
	JWKS []token.JWK
	// ObserveRequest, when set, is told every answered request's route
	// pattern (MetricsUnmatched when no route matched), method, status and
	// duration.
	ObserveRequest func(route, method string, status int, elapsed time.Duration)
	// Recovery is the mail use cases; nil while mail is off, and then
	// every endpoint that would send mail answers 501 NOT_CONFIGURED.
	Recovery *recovery.Service
	// MFA is the two-factor use cases.
	MFA *mfa.Service
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
	// listedOrigins are the origins AUTHD_CORS_ALLOWED_ORIGINS names, in
	// origin's form, without "*" (see refuseCrossSiteForms).
	listedOrigins []string
}

// NewServer builds the handler with every route and middleware in place.
func NewServer(opts Options, svc *auth.Service, checks []HealthCheck, log *slog.Logger) (*Server, error) {
	if opts.BodyReadTimeout == 0 {
		opts.BodyReadTimeout = DefaultBodyReadTimeout
	}
	s := &Server{svc: svc, checks: checks, log: logging.For(log, "httpapi"), opts: opts}
	for _, o := range opts.CORSAllowedOrigins {
		if o := origin(o); o != "" { // "*" is no origin
			s.listedOrigins = append(s.listedOrigins, o)
		}
	}
	mux := http.NewServeMux()
	s.api = s.newAPI(mux)
	if err := s.routes(mux); err != nil {
		return nil, err
	}
	var h http.Handler = s.jsonErrors(mux)
	h = s.readBodies(h)
	h = s.refuseCrossSiteForms(h)
	if len(opts.CORSAllowedOrigins) > 0 {
		h = newCORS(opts.CORSAllowedOrigins).Handler(h)
	}
	h = securityHeaders(h)
	h = s.recoverPanics(h)
	if opts.ObserveRequest != nil {
		h = countRequests(opts.ObserveRequest)(h)
	}
	h = accessLog(s.log)(h)
	h = clientAddress(opts.TrustedProxies)(h)
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
		AllowedOrigins: origins,
		// Every method an operation uses: DELETE /auth/sessions/{id}, and the
		// admin API's PATCH and PUT, must pass a listed origin's preflight.
		AllowedMethods:   []string{http.MethodGet, http.MethodPost, http.MethodDelete, http.MethodPatch, http.MethodPut},
		AllowedHeaders:   []string{"Authorization", "Content-Type", "X-Request-ID"},
		ExposedHeaders:   []string{"X-Request-ID", "Retry-After", "WWW-Authenticate"},
		AllowCredentials: false,
		MaxAge:           600,
	})
}

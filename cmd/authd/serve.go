package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/admin"
	"github.com/authd/authd/internal/auth/mfa"
	"github.com/authd/authd/internal/breaker"
	"github.com/authd/authd/internal/config"
	"github.com/authd/authd/internal/httpapi"
	"github.com/authd/authd/internal/logging"
	"github.com/authd/authd/internal/token"
)

// Log buffering of the server's output.
const (
	logBufferBytes   = 64 << 10
	logFlushInterval = 100 * time.Millisecond
)

// runServe is "authd serve", and "authd" alone.
func runServe(ctx context.Context, c call) error {
	if err := noArgs(c); err != nil {
		return err
	}
	// serve's log is its output, on stdout. One write per access line
	// would cost a cheap request more than its JWT check; lines wait at
	// most logFlushInterval.
	buffered := logging.NewBufferedWriter(c.stdout, logBufferBytes, logFlushInterval)
	defer buffered.Close()
	d, err := openDeps(ctx, c.getenv, buffered)
	if err != nil {
		return err
	}
	defer d.st.Close()
	return serve(ctx, d.cfg, d.keys, d.st, d.log)
}

// serve runs the API on the open store until ctx ends, then shuts down.
func serve(ctx context.Context, cfg config.Config, keys token.Keys, st store, log *slog.Logger) error {
	mainLog := logging.For(log, "main")
	if cfg.Tokens.Keys != nil && cfg.Tokens.Secret != nil {
		mainLog.WarnContext(ctx, "AUTHD_JWT_SECRET is not used: AUTHD_JWT_KEYS is set, and its keys sign and verify every token")
	}
	mainLog.InfoContext(ctx, "signing key ready", slog.String("alg", keys.Alg()), slog.String("kid", keys.KID()))
	if cfg.Hash.Cost < 10 {
		mainLog.WarnContext(ctx, "bcrypt cost below 10 is weak for production", slog.Int("bcrypt_cost", cfg.Hash.Cost))
	}
	// Every store call the server makes goes through the one breaker.
	guarded := breaker.New(st, breaker.Settings{
		FailureThreshold: cfg.Breaker.FailureThreshold,
		RecoveryTimeout:  cfg.Breaker.RecoveryTimeout,
		CallTimeout:      cfg.Breaker.CallTimeout,
	}, logging.For(log, "breaker"))
	hasher, err := newHasher(cfg.Hash)
	if err != nil {
		return err
	}
	reg, err := newMetrics(cfg.Metrics, st, guarded, hasher)
	if err != nil {
		return err
	}
	var obs auth.Observer
	if reg != nil {
		obs = reg
	}
	d, err := coreDeps(cfg, keys, guarded, hasher, log, obs)
	if err != nil {
		return err
	}
	mailer, err := newMailing(ctx, cfg.Mail, d, log)
	if err != nil {
		return err
	}
	if mailer.mailer != nil {
		d.Mailer = mailer.mailer
	}
	d.RequireVerified = cfg.Mail.RequireVerified
	svc := auth.NewService(d)
	jwks, err := keys.Public()
	if err != nil {
		return err
	}
	checks := []httpapi.HealthCheck{
		httpapi.CachedCheck(httpapi.HealthCheck{Name: "database", Check: pingCheck(guarded)}, pingCacheTTL, time.Now),
		{Name: "circuit_breaker", Check: breakerCheck(guarded)},
	}
	rec := mailer.recoveryService(svc)
	adm := admin.New(d)
	if rec != nil {
		// Not assigned when nil: a nil *recovery.Service in the interface
		// would not be a nil ResetMailer, and the 501 would be lost.
		adm.Mailer = rec
	}
	mfaSvc := mfa.New(svc)
	adm.MFA = mfaSvc
	httpOpts := httpapi.Options{
		Version: buildVersion(), CORSAllowedOrigins: cfg.HTTP.CORSAllowedOrigins, MaxBodyBytes: cfg.HTTP.MaxBodyBytes,
		BodyReadTimeout: cfg.HTTP.BodyReadTimeout,
		TrustedProxies:  cfg.HTTP.TrustedProxies, JWKS: jwks,
		Issuer: cfg.Tokens.Issuer, PublicURL: cfg.HTTP.PublicURL,
		Recovery: rec,
		Admin:    adm,
		MFA:      mfaSvc,
	}
	if err := mountMetrics(ctx, cfg.Metrics, reg, &httpOpts, mainLog); err != nil {
		return err
	}
	srv, err := httpapi.NewServer(httpOpts, svc, checks, log)
	if err != nil {
		return err
	}

	if cfg.Pprof.Addr != "" {
		if err := servePprof(ctx, cfg.Pprof.Addr, mainLog); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTP.Addr, err)
	}
	busy := &handlers{}
	hs := &http.Server{
		Handler: busy.track(srv),
		// Bounds so a slow or idle client cannot hold a connection forever.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logging.For(log, "http").Handler(), slog.LevelWarn),
	}
	// Building the routes and the OpenAPI document left a few MiB of
	// garbage; hand those pages back now, not over the scavenger's next
	// minutes, so an idle replica holds only what it uses (issue 21 counts
	// idle RSS).
	debug.FreeOSMemory()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	// The purge of ended and expired sessions runs beside the server and
	// stops before the store closes.
	purgeCtx, stopPurge := context.WithCancel(ctx)
	purged := make(chan struct{})
	go func() {
		defer close(purged)
		svc.PurgeLoop(purgeCtx, cfg.Sessions.PurgeInterval)
	}()
	defer func() {
		stopPurge()
		<-purged
	}()
	// The mail sender too: a delivery under way finishes first.
	defer mailer.startSender(ctx)()
	mainLog.InfoContext(ctx, "server listening", slog.String("addr", ln.Addr().String()),
		slog.String("version", buildVersion()), slog.String("database", cfg.DB.Driver))

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	mainLog.InfoContext(ctx, "shutting down")
	if err := shutdown(ctx, hs, busy, cfg.HTTP.ShutdownTimeout, mainLog); err != nil {
		return err
	}
	mainLog.InfoContext(ctx, "stopped")
	return nil
}

// pingCacheTTL is how long /health and /health/ready reuse one database
// ping: probes polling every second or faster then cost at most one ping a
// second, whatever their number.
const pingCacheTTL = time.Second

// pingCheck asks the database whether it answers. The breaker's Ping goes
// around the breaker: a health probe neither counts towards opening it nor
// is refused by it (see breaker.Store.Ping).
func pingCheck(st auth.Store) func(context.Context) (string, bool) {
	return func(ctx context.Context) (string, bool) {
		if err := st.Ping(ctx); err != nil {
			return "error", false
		}
		return "ok", true
	}
}

// breakerCheck shows the breaker's state; only an open breaker makes authd
// unready, since half-open is the state in which it finds out it can serve.
func breakerCheck(b *breaker.Store) func(context.Context) (string, bool) {
	return func(ctx context.Context) (string, bool) {
		state := b.State(ctx)
		return state, state != "open"
	}
}

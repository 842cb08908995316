package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/breaker"
	"github.com/authd/authd/internal/config"
	"github.com/authd/authd/internal/httpapi"
	"github.com/authd/authd/internal/logging"
	"github.com/authd/authd/internal/password"
	"github.com/authd/authd/internal/store/postgres"
	"github.com/authd/authd/internal/store/sqlite"
	"github.com/authd/authd/internal/token"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

// usageError is a mistake in how authd was called or configured: exit 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// Log buffering of the server's output.
const (
	logBufferBytes   = 64 << 10
	logFlushInterval = 100 * time.Millisecond
)

const usage = `usage: authd [serve | migrate | user activate|deactivate|logout <username-or-email> | keys generate [--alg EdDSA|ES256] | version]`

// run is the whole program; main only supplies the process's context,
// arguments, environment and streams, so tests can start authd in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch {
	case cmd == "version" && len(args) == 1:
		_, err := fmt.Fprintln(stdout, buildVersion())
		return err
	case cmd == "keys" && len(args) >= 2 && args[1] == "generate":
		return generateKeys(args[2:], stdout, stderr)
	case cmd == "serve" && len(args) <= 1, cmd == "migrate" && len(args) == 1:
	case cmd == "user" && len(args) == 3 && (args[1] == "activate" || args[1] == "deactivate" || args[1] == "logout"):
	default:
		return &usageError{errors.New(usage)}
	}

	cfg, err := config.Load(getenv)
	if err != nil {
		return &usageError{err}
	}
	if cfg.DB.Driver == "postgres" {
		// config knows only the scheme (it uses the standard library
		// only); the driver reads the rest, before anything is opened.
		if err := postgres.CheckURL(cfg.DB.DSN); err != nil {
			return &usageError{&config.Error{Var: "AUTHD_DATABASE_URL", Problem: err.Error()}}
		}
	}
	keys, err := signingKeys(cfg.Tokens)
	if err != nil {
		return &usageError{err}
	}
	// serve's log is its output; the operator commands print their result
	// on stdout and keep the log on stderr.
	logOut := stderr
	if cmd == "serve" {
		// One write per access line would cost a cheap request more than
		// its JWT check; lines wait at most logFlushInterval.
		buffered := logging.NewBufferedWriter(stdout, logBufferBytes, logFlushInterval)
		defer buffered.Close()
		logOut = buffered
	}
	log := logging.New(logOut, cfg.Log.Level)
	st, err := openStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}

	switch cmd {
	case "migrate":
		log.InfoContext(ctx, "migrations applied", slog.String("logger", "main"), slog.String("database", cfg.DB.Driver))
		return nil
	case "user":
		return userCommand(ctx, cfg, keys, st, log, args[1], args[2], stdout)
	}
	return serve(ctx, cfg, keys, st, log)
}

// store is what run needs of a database: the auth.Store plus migrations.
type store interface {
	auth.Store
	Migrate(ctx context.Context) error
}

// openStore opens the database db names; config has already refused any
// other driver.
func openStore(ctx context.Context, db config.DB) (store, error) {
	switch db.Driver {
	case "postgres":
		return postgres.Open(ctx, db.DSN, db.MaxConns)
	default:
		return sqlite.Open(ctx, db.DSN)
	}
}

func newHasher(cfg config.Config) (*password.Hasher, error) {
	hasher, err := password.NewHasher(cfg.Hash.Cost, password.Pool{Workers: cfg.Hash.Workers, Queue: cfg.Hash.Queue, MaxWait: cfg.Hash.MaxWait})
	if err != nil {
		return nil, fmt.Errorf("password hasher: %w", err)
	}
	return hasher, nil
}

func newService(cfg config.Config, keys token.Keys, st auth.Store, hasher *password.Hasher, log *slog.Logger, opts ...auth.Option) (*auth.Service, error) {
	issuer, err := token.NewIssuer(keys, cfg.Tokens.Issuer, cfg.Tokens.AccessTTL, time.Now)
	if err != nil {
		return nil, fmt.Errorf("token issuer: %w", err)
	}
	macKeys, err := keys.MACKeys()
	if err != nil {
		return nil, fmt.Errorf("refresh tokens: %w", err)
	}
	refresher, err := token.NewRefresher(macKeys)
	if err != nil {
		return nil, fmt.Errorf("refresh tokens: %w", err)
	}
	policy := auth.SessionPolicy{RefreshTTL: cfg.Sessions.RefreshTTL, MaxAge: cfg.Sessions.MaxAge, ReuseGrace: cfg.Sessions.ReuseGrace}
	// The common-password set is built here, once per process, and only
	// read after (about 11,600 entries; see password.NewCommonList).
	opts = append(opts, auth.WithThrottle(throttle(cfg)))
	return auth.NewService(st, hasher, password.NewCommonList(), issuer, refresher, policy, logging.For(log, "auth"), time.Now, opts...), nil
}

// throttle is the throttling policy of cfg. Its record keys derive from
// the configured signing material (the AUTHD_JWT_KEYS file, else
// AUTHD_JWT_SECRET): replicas configured alike share counts, and the key is
// not in the database whose table it hashes. With neither set, authd signs
// with a key of its own process and throttles with one too: counts then
// neither survive a restart nor are shared, like its tokens.
func throttle(cfg config.Config) auth.Throttle {
	material := cfg.Tokens.Keys
	if material == nil {
		material = cfg.Tokens.Secret
	}
	if material == nil {
		material = make([]byte, 32)
		// crypto/rand.Read never returns an error (Go 1.24+): it aborts instead.
		_, _ = rand.Read(material)
	}
	return auth.Throttle{
		PairFreeFailures:   cfg.Throttle.PairFreeFailures,
		AccountMaxFailures: cfg.Throttle.AccountMaxFailures,
		IPMaxFailures:      cfg.Throttle.IPMaxFailures,
		RegisterIPMax:      cfg.Throttle.RegisterIPMax,
		Keys:               auth.NewAttemptKeys(material),
	}
}

// userCommand runs `authd user activate|deactivate|logout <login>`.
func userCommand(ctx context.Context, cfg config.Config, keys token.Keys, st auth.Store, log *slog.Logger, verb, login string, stdout io.Writer) error {
	hasher, err := newHasher(cfg)
	if err != nil {
		return err
	}
	svc, err := newService(cfg, keys, st, hasher, log)
	if err != nil {
		return err
	}
	var u auth.User
	switch verb {
	case "logout":
		u, err = svc.LogoutUser(ctx, login)
	default:
		u, err = svc.SetActive(ctx, login, verb == "activate")
	}
	if err != nil {
		var ae *auth.Error
		switch {
		case errors.As(err, &ae) && ae.Code == auth.CodeUserNotFound:
			return fmt.Errorf("no user %q", login)
		case errors.As(err, &ae) && ae.Code == auth.CodeValidation && len(ae.Fields) > 0:
			return &usageError{fmt.Errorf("%q is not a username or email: %s", login, ae.Fields[0].Message)}
		}
		return err
	}
	done := verb + "d"
	if verb == "logout" {
		done = "logged out of every session"
	}
	_, err = fmt.Fprintf(stdout, "user %d (%s) %s\n", u.ID, u.Username, done)
	return err
}

func serve(ctx context.Context, cfg config.Config, keys token.Keys, st store, log *slog.Logger) error {
	mainLog := logging.For(log, "main")
	if cfg.Tokens.Keys != nil && cfg.Tokens.Secret != nil {
		mainLog.WarnContext(ctx, "AUTHD_JWT_SECRET is not used: AUTHD_JWT_KEYS is set, and its keys sign and verify every token")
	}
	if cfg.Tokens.Keys == nil && cfg.Tokens.Secret == nil {
		mainLog.WarnContext(ctx, "neither AUTHD_JWT_KEYS nor AUTHD_JWT_SECRET is set: signing with a new Ed25519 key of this process; tokens will not survive a restart")
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
	hasher, err := newHasher(cfg)
	if err != nil {
		return err
	}
	reg, err := newMetrics(cfg.Metrics, st, guarded, hasher)
	if err != nil {
		return err
	}
	var observe []auth.Option
	if reg != nil {
		observe = append(observe, auth.WithObserver(reg))
	}
	svc, err := newService(cfg, keys, guarded, hasher, log, observe...)
	if err != nil {
		return err
	}
	jwks, err := keys.Public()
	if err != nil {
		return err
	}
	checks := []httpapi.HealthCheck{
		httpapi.CachedCheck(httpapi.HealthCheck{Name: "database", Check: pingCheck(guarded)}, pingCacheTTL, time.Now),
		{Name: "circuit_breaker", Check: breakerCheck(guarded)},
	}
	httpOpts := httpapi.Options{
		Version: buildVersion(), CORSAllowedOrigins: cfg.HTTP.CORSAllowedOrigins, MaxBodyBytes: cfg.HTTP.MaxBodyBytes,
		BodyReadTimeout: cfg.HTTP.BodyReadTimeout,
		TrustedProxies:  cfg.HTTP.TrustedProxies, JWKS: jwks,
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

// buildVersion is the -ldflags version, else the module version Go recorded.
// It is the one source of `authd version`, /health's version and
// authd_build_info's version label.
func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

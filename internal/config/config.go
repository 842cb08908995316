// Package config reads authd's settings from the environment once, at start,
// into one validated value that is passed explicitly to each component.
package config

import (
	"fmt"
	"log/slog"
	"net/netip"
	"time"
)

// MinSecretBytes is the shortest AUTHD_JWT_SECRET accepted: HS256 wants a key
// at least as long as its 256-bit output (RFC 7518 §3.2).
const MinSecretBytes = 32

// Config is every setting authd reads from its environment.
type Config struct {
	Addr string
	// DatabaseDriver is "sqlite" or "postgres"; DatabaseDSN is the SQLite file
	// path or the PostgreSQL URL.
	DatabaseDriver string
	DatabaseDSN    string
	DatabaseURL    string
	// DatabaseMaxConns sizes the PostgreSQL pool.
	DatabaseMaxConns int32
	// DatabaseTimeout bounds every store call, so a database that hangs
	// cannot hang a request.
	DatabaseTimeout time.Duration
	// JWTKeys is the content of the AUTHD_JWT_KEYS file, a JWK Set of
	// private signing keys, which token.ParseKeys validates in run (config
	// uses the standard library only); nil when the variable is not set.
	JWTKeys []byte
	// JWTSecret is the HS256 secret of AUTHD_JWT_SECRET, used only when
	// JWTKeys is nil; nil when not set. With neither, authd signs with a
	// new Ed25519 key of its own.
	JWTSecret       []byte
	JWTIssuer       string
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration
	// SessionMaxAge is a session's absolute lifetime, however often it is
	// refreshed; RefreshReuseGrace is how long a just-spent refresh token
	// is answered with its successor (parallel tabs).
	SessionMaxAge     time.Duration
	RefreshReuseGrace time.Duration
	// SessionPurgeInterval is how often ended and expired sessions are
	// deleted.
	SessionPurgeInterval time.Duration
	BcryptCost           int
	// HashWorkers, HashQueue and HashMaxWait bound the bcrypt pool: how many
	// hashes run at once (0: one per CPU), how many logins may wait, and
	// for how long, before authd answers 503 OVERLOADED.
	HashWorkers int
	HashQueue   int
	HashMaxWait time.Duration
	// PprofAddr, when set, serves net/http/pprof there; loopback only.
	PprofAddr string
	// MetricsAddr is where /metrics is served: "" on the main listener,
	// MetricsOff nowhere, else a host:port of its own.
	MetricsAddr        string
	CORSAllowedOrigins []string
	LogLevel           slog.Level
	BreakerThreshold   int
	BreakerTimeout     time.Duration
	// MaxBodyBytes bounds every request body.
	MaxBodyBytes int64
	// BodyReadTimeout bounds how long every request body may take to
	// arrive, so a client that sends one byte a second cannot hold a
	// connection (and a handler) for long.
	BodyReadTimeout time.Duration
	// ShutdownTimeout bounds how long in-flight requests may take to finish
	// after SIGINT or SIGTERM.
	ShutdownTimeout time.Duration

	// TrustedProxies are the peers whose X-Forwarded-For is believed when
	// finding a request's client IP: masked, IPv4 written as IPv4, no zones.
	TrustedProxies []netip.Prefix

	// The throttling limits of API.md; 0 turns that rule off.
	LoginPairFreeFailures   int
	LoginAccountMaxFailures int
	LoginIPMaxFailures      int
	RegisterIPMax           int
}

// Error names the variable whose value is wrong and what is wrong with it.
type Error struct {
	Var     string
	Problem string
}

func (e *Error) Error() string { return e.Var + ": " + e.Problem }

// Load reads and validates the configuration. getenv is os.Getenv in
// production and a map lookup in tests. The first bad value is returned as
// an *Error.
func Load(getenv func(string) string) (Config, error) {
	r := reader{getenv: getenv}
	// Every bound is checked here, before authd acts on any setting: a
	// value far outside what a deployment could mean (a million bcrypt
	// workers, a token born expired) is refused, not obeyed.
	c := Config{
		Addr:                 r.addr("AUTHD_ADDR", ":8080"),
		JWTIssuer:            r.str("AUTHD_JWT_ISSUER", "authd"),
		AccessTokenTTL:       r.duration("AUTHD_ACCESS_TOKEN_TTL", 15*time.Minute, time.Second, 24*time.Hour),
		RefreshTokenTTL:      r.duration("AUTHD_REFRESH_TOKEN_TTL", 168*time.Hour, time.Second, 365*24*time.Hour),
		SessionMaxAge:        r.duration("AUTHD_SESSION_MAX_AGE", 720*time.Hour, time.Second, 10*365*24*time.Hour),
		RefreshReuseGrace:    r.duration("AUTHD_REFRESH_REUSE_GRACE", 10*time.Second, time.Second, 10*time.Minute),
		SessionPurgeInterval: r.duration("AUTHD_SESSION_PURGE_INTERVAL", time.Minute, time.Second, 24*time.Hour),
		BcryptCost:           r.intRange("AUTHD_BCRYPT_COST", 12, 4, 31),
		HashWorkers:          r.intRange("AUTHD_HASH_WORKERS", 0, 0, 256),
		HashQueue:            r.intRange("AUTHD_HASH_QUEUE", 256, 1, 100_000),
		HashMaxWait:          r.duration("AUTHD_HASH_MAX_WAIT", 5*time.Second, time.Millisecond, time.Minute),
		PprofAddr:            r.loopback("AUTHD_PPROF_ADDR"),
		MetricsAddr:          r.metricsAddr("AUTHD_METRICS_ADDR"),
		CORSAllowedOrigins:   r.origins("AUTHD_CORS_ALLOWED_ORIGINS"),
		TrustedProxies:       r.prefixes("AUTHD_TRUSTED_PROXIES"),
		// API.md's throttling defaults; 0 turns a rule off.
		LoginPairFreeFailures:   r.intRange("AUTHD_LOGIN_PAIR_FREE_FAILURES", 5, 0, 1_000_000),
		LoginAccountMaxFailures: r.intRange("AUTHD_LOGIN_ACCOUNT_MAX_FAILURES", 100, 0, 1_000_000_000),
		LoginIPMaxFailures:      r.intRange("AUTHD_LOGIN_IP_MAX_FAILURES", 100, 0, 1_000_000_000),
		RegisterIPMax:           r.intRange("AUTHD_REGISTER_IP_MAX", 20, 0, 1_000_000_000),
		LogLevel:                r.level("AUTHD_LOG_LEVEL", slog.LevelInfo),
		BreakerThreshold:        r.intRange("AUTHD_BREAKER_FAILURE_THRESHOLD", 5, 1, 10_000),
		BreakerTimeout:          r.duration("AUTHD_BREAKER_RECOVERY_TIMEOUT", 60*time.Second, time.Millisecond, 24*time.Hour),
		DatabaseMaxConns:        int32(r.intRange("AUTHD_DATABASE_MAX_CONNS", 10, 1, 1000)),
		DatabaseTimeout:         r.duration("AUTHD_DATABASE_TIMEOUT", 5*time.Second, 10*time.Millisecond, time.Minute),
		MaxBodyBytes:            int64(r.intRange("AUTHD_MAX_BODY_BYTES", 64<<10, 1<<10, 1<<20)),
		BodyReadTimeout:         r.duration("AUTHD_BODY_READ_TIMEOUT", 5*time.Second, time.Millisecond, 10*time.Minute),
		ShutdownTimeout:         r.duration("AUTHD_SHUTDOWN_TIMEOUT", 10*time.Second, time.Millisecond, 10*time.Minute),
	}
	c.DatabaseURL = r.str("AUTHD_DATABASE_URL", "sqlite:authd.db")
	c.DatabaseDriver, c.DatabaseDSN = r.database("AUTHD_DATABASE_URL", c.DatabaseURL)
	c.JWTKeys = r.file("AUTHD_JWT_KEYS", maxKeyFileBytes)
	c.JWTSecret = r.secret("AUTHD_JWT_SECRET")
	if c.RefreshTokenTTL <= c.AccessTokenTTL {
		// A refresh token that dies first could never be used to renew.
		r.fail("AUTHD_REFRESH_TOKEN_TTL", fmt.Sprintf("%s must be longer than AUTHD_ACCESS_TOKEN_TTL (%s)",
			shortDuration(c.RefreshTokenTTL), shortDuration(c.AccessTokenTTL)))
	}
	if r.err != nil {
		return Config{}, r.err
	}
	return c, nil
}

// MetricsOff is the AUTHD_METRICS_ADDR value that turns metrics off.
const MetricsOff = "off"

// maxKeyFileBytes bounds AUTHD_JWT_KEYS: a JWK Set of a few keys is a few
// kilobytes, and a path such as /dev/zero must not hang the start.
const maxKeyFileBytes = 1 << 20

// Package config reads authd's settings from the environment once, at start,
// into one validated value that is passed explicitly to each component.
//
// Config is made of groups that mirror the constructors receiving them, so
// run hands each component its own group and nothing more. Which variables
// make up a group, with their defaults and bounds, is written here; how a
// value is parsed and checked is in parse.go.
package config

import (
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"time"
)

// Config is every setting authd reads from its environment.
type Config struct {
	HTTP     HTTP
	DB       DB
	Tokens   Tokens
	Sessions Sessions
	Throttle Throttle
	Hash     Hash
	Breaker  Breaker
	Log      Log
	Metrics  Metrics
	Pprof    Pprof
	Mail     Mail
	MFA      MFA
}

// MFA is two-factor login's setting.
type MFA struct {
	// Issuer is the name authenticator apps show beside the account
	// (AUTHD_MFA_ISSUER).
	Issuer string
}

// HTTP is the API listener and what httpapi.Options needs.
type HTTP struct {
	// Addr is the API's listen address (AUTHD_ADDR).
	Addr               string
	CORSAllowedOrigins []string
	// TrustedProxies are the peers whose X-Forwarded-For is believed when
	// finding a request's client IP: masked, IPv4 written as IPv4, no zones.
	TrustedProxies []netip.Prefix
	// MaxBodyBytes bounds every request body.
	MaxBodyBytes int64
	// BodyReadTimeout bounds how long every request body may take to
	// arrive, so a client that sends one byte a second cannot hold a
	// connection (and a handler) for long.
	BodyReadTimeout time.Duration
	// ShutdownTimeout bounds how long in-flight requests may take to finish
	// after SIGINT or SIGTERM.
	ShutdownTimeout time.Duration
	// PublicURL is the URL people and clients reach authd at
	// (AUTHD_PUBLIC_URL): an absolute http(s) URL without query or
	// fragment, and without a trailing slash; empty when not set.
	PublicURL string
}

func readHTTP(r *reader) HTTP {
	return HTTP{
		Addr:               r.addr("AUTHD_ADDR", ":8080"),
		CORSAllowedOrigins: r.origins("AUTHD_CORS_ALLOWED_ORIGINS"),
		TrustedProxies:     r.prefixes("AUTHD_TRUSTED_PROXIES"),
		MaxBodyBytes:       int64(r.intRange("AUTHD_MAX_BODY_BYTES", 64<<10, 1<<10, 1<<20)),
		BodyReadTimeout:    r.duration("AUTHD_BODY_READ_TIMEOUT", 5*time.Second, time.Millisecond, 10*time.Minute),
		ShutdownTimeout:    r.duration("AUTHD_SHUTDOWN_TIMEOUT", 10*time.Second, time.Millisecond, 10*time.Minute),
		PublicURL:          r.publicURL("AUTHD_PUBLIC_URL"),
	}
}

// DB is the store to open: AUTHD_DATABASE_URL split into the engine and
// what it opens, and the pool's size.
type DB struct {
	// Driver is "sqlite" or "postgres"; DSN is the SQLite file path or the
	// PostgreSQL URL.
	Driver string
	DSN    string
	// MaxConns sizes the PostgreSQL pool.
	MaxConns int32
}

func readDB(r *reader) DB {
	driver, dsn := r.database("AUTHD_DATABASE_URL", r.str("AUTHD_DATABASE_URL", "sqlite:authd.db"))
	return DB{
		Driver:   driver,
		DSN:      dsn,
		MaxConns: int32(r.intRange("AUTHD_DATABASE_MAX_CONNS", 10, 1, 1000)),
	}
}

// MinSecretBytes is the shortest AUTHD_JWT_SECRET accepted: HS256 wants a key
// at least as long as its 256-bit output (RFC 7518 §3.2).
const MinSecretBytes = 32

// MaxKeyFileBytes bounds a key file (AUTHD_JWT_KEYS, or the one beside
// the SQLite database): a JWK Set of a few keys is a few kilobytes, and a
// path such as /dev/zero must not hang the start.
const MaxKeyFileBytes = 1 << 20

// Tokens is the signing material and what the access-token issuer needs.
type Tokens struct {
	// Keys is the content of the AUTHD_JWT_KEYS file, a JWK Set of private
	// signing keys and data keys, which token.ParseKeys validates in run
	// (config uses the standard library only); nil when the variable is
	// not set.
	Keys []byte
	// Secret is the HS256 secret of AUTHD_JWT_SECRET, used only when Keys
	// is nil; nil when not set. With neither, run uses the key file beside
	// the SQLite database, and refuses PostgreSQL.
	Secret    []byte
	Issuer    string
	AccessTTL time.Duration
}

func readTokens(r *reader) Tokens {
	return Tokens{
		Keys:      r.file("AUTHD_JWT_KEYS", MaxKeyFileBytes),
		Secret:    r.secret("AUTHD_JWT_SECRET"),
		Issuer:    r.str("AUTHD_JWT_ISSUER", "authd"),
		AccessTTL: r.duration("AUTHD_ACCESS_TOKEN_TTL", 15*time.Minute, time.Second, 24*time.Hour),
	}
}

// Sessions is the session policy (auth.SessionPolicy) and how often ended
// sessions are purged.
type Sessions struct {
	// RefreshTTL is how long a refresh token lives unused.
	RefreshTTL time.Duration
	// MaxAge is a session's absolute lifetime, however often it is
	// refreshed.
	MaxAge time.Duration
	// ReuseGrace is how long a just-spent refresh token is answered with
	// its successor (parallel tabs).
	ReuseGrace time.Duration
	// MaxPerUser is how many live sessions one user may have; opening one
	// more ends the least recently used.
	MaxPerUser int
	// AuditRetention is how long audit events are kept; the same purge
	// loop deletes older ones.
	AuditRetention time.Duration
	// PurgeInterval is how often ended and expired sessions are deleted.
	PurgeInterval time.Duration
}

func readSessions(r *reader) Sessions {
	return Sessions{
		RefreshTTL:    r.duration("AUTHD_REFRESH_TOKEN_TTL", 168*time.Hour, time.Second, 365*24*time.Hour),
		MaxAge:        r.duration("AUTHD_SESSION_MAX_AGE", 720*time.Hour, time.Second, 10*365*24*time.Hour),
		ReuseGrace:    r.duration("AUTHD_REFRESH_REUSE_GRACE", 10*time.Second, time.Second, 10*time.Minute),
		PurgeInterval: r.duration("AUTHD_SESSION_PURGE_INTERVAL", time.Minute, time.Second, 24*time.Hour),
		// At least one: the session being opened. At most 100,000: a
		// session list past that is no list a person reads.
		MaxPerUser: r.intRange("AUTHD_SESSIONS_PER_USER_MAX", 100, 1, 100_000),
		// At least an hour: a shorter trail answers nobody's question.
		AuditRetention: r.duration("AUTHD_AUDIT_RETENTION", 2160*time.Hour, time.Hour, 10*365*24*time.Hour),
	}
}

// Throttle is the throttling limits of API.md (auth.Throttle); 0 turns
// that rule off.
type Throttle struct {
	PairFreeFailures   int
	AccountMaxFailures int
	IPMaxFailures      int
	RegisterIPMax      int
}

func readThrottle(r *reader) Throttle {
	return Throttle{
		PairFreeFailures:   r.intRange("AUTHD_LOGIN_PAIR_FREE_FAILURES", 5, 0, 1_000_000),
		AccountMaxFailures: r.intRange("AUTHD_LOGIN_ACCOUNT_MAX_FAILURES", 100, 0, 1_000_000_000),
		IPMaxFailures:      r.intRange("AUTHD_LOGIN_IP_MAX_FAILURES", 100, 0, 1_000_000_000),
		RegisterIPMax:      r.intRange("AUTHD_REGISTER_IP_MAX", 20, 0, 1_000_000_000),
	}
}

// Hash is the password hasher: the bcrypt cost and the pool it runs on.
type Hash struct {
	Cost int
	// Workers, Queue and MaxWait bound the bcrypt pool: how many hashes run
	// at once (0: one per CPU), how many logins may wait, and for how long,
	// before authd answers 503 OVERLOADED.
	Workers int
	Queue   int
	MaxWait time.Duration
}

func readHash(r *reader) Hash {
	return Hash{
		Cost:    r.intRange("AUTHD_BCRYPT_COST", 12, 4, 31),
		Workers: r.intRange("AUTHD_HASH_WORKERS", 0, 0, 256),
		Queue:   r.intRange("AUTHD_HASH_QUEUE", 256, 1, 100_000),
		MaxWait: r.duration("AUTHD_HASH_MAX_WAIT", 5*time.Second, time.Millisecond, time.Minute),
	}
}

// Breaker is the circuit breaker every store call of the server goes
// through (breaker.Settings).
type Breaker struct {
	FailureThreshold int
	RecoveryTimeout  time.Duration
	// CallTimeout (AUTHD_DATABASE_TIMEOUT) bounds every store call, so a
	// database that hangs cannot hang a request; the breaker enforces it.
	CallTimeout time.Duration
}

func readBreaker(r *reader) Breaker {
	return Breaker{
		FailureThreshold: r.intRange("AUTHD_BREAKER_FAILURE_THRESHOLD", 5, 1, 10_000),
		RecoveryTimeout:  r.duration("AUTHD_BREAKER_RECOVERY_TIMEOUT", 60*time.Second, time.Millisecond, 24*time.Hour),
		CallTimeout:      r.duration("AUTHD_DATABASE_TIMEOUT", 5*time.Second, 10*time.Millisecond, time.Minute),
	}
}

// Log is the JSON log's settings.
type Log struct {
	Level slog.Level
}

// Metrics is where /metrics is served.
type Metrics struct {
	// Addr is the host:port of the metrics listener, or "" when metrics
	// are off (the default). /metrics is never served on the API
	// listener: it names the Go version, pool sizes and which throttle
	// refused a client, which is not for anyone who can reach the API.
	Addr string
}

// Pprof is the runtime profiles' listener.
type Pprof struct {
	// Addr, when set, serves net/http/pprof there; loopback only.
	Addr string
}

// Error names the variable whose value is wrong and what is wrong with it.
type Error struct {
	Var     string
	Problem string
}

// Error reads "VAR: problem", one line.
func (e *Error) Error() string { return e.Var + ": " + e.Problem }

// Load reads and validates the configuration. getenv is os.Getenv in
// production and a map lookup in tests. The first bad value is returned as
// an *Error.
//
// Every bound is checked here, before authd acts on any setting: a value
// far outside what a deployment could mean (a million bcrypt workers, a
// token born expired) is refused, not obeyed.
func Load(getenv func(string) string) (Config, error) {
	r := &reader{getenv: getenv}
	c := Config{
		HTTP:     readHTTP(r),
		DB:       readDB(r),
		Tokens:   readTokens(r),
		Sessions: readSessions(r),
		Throttle: readThrottle(r),
		Hash:     readHash(r),
		Breaker:  readBreaker(r),
		Log:      Log{Level: r.level("AUTHD_LOG_LEVEL", slog.LevelInfo)},
		Metrics:  Metrics{Addr: r.metricsAddr("AUTHD_METRICS_ADDR")},
		Pprof:    Pprof{Addr: r.loopback("AUTHD_PPROF_ADDR")},
	}
	c.Mail = readMail(r, c.HTTP.PublicURL)
	c.MFA = readMFA(r)
	if c.Sessions.RefreshTTL <= c.Tokens.AccessTTL {
		// A refresh token that dies first could never be used to renew.
		r.fail("AUTHD_REFRESH_TOKEN_TTL", fmt.Sprintf("%s must be longer than AUTHD_ACCESS_TOKEN_TTL (%s)",
			shortDuration(c.Sessions.RefreshTTL), shortDuration(c.Tokens.AccessTTL)))
	}
	if r.err != nil {
		return Config{}, r.err
	}
	return c, nil
}

// readMFA reads the MFA group. The issuer goes into otpauth:// URLs, where
// a colon would split it from the account name, so one is refused.
func readMFA(r *reader) MFA {
	issuer := r.str("AUTHD_MFA_ISSUER", "authd")
	if issuer == "" || len(issuer) > 64 || strings.ContainsAny(issuer, ":\x00") {
		r.fail("AUTHD_MFA_ISSUER", "must be 1 to 64 characters without a colon")
	}
	return MFA{Issuer: issuer}
}

// Package config reads authd's settings from the environment once, at start,
// into one validated value that is passed explicitly to each component.
package config

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
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

// reader keeps the first error so Load reads as a list of settings.
type reader struct {
	getenv func(string) string
	err    error
}

func (r *reader) fail(name, problem string) {
	if r.err == nil {
		r.err = &Error{Var: name, Problem: problem}
	}
}

func (r *reader) str(name, def string) string {
	if v := r.getenv(name); v != "" {
		return v
	}
	return def
}

// duration reads a Go duration within [lo, hi].
func (r *reader) duration(name string, def, lo, hi time.Duration) time.Duration {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		r.fail(name, fmt.Sprintf("%q is not a Go duration such as 15m or 168h", v))
		return def
	}
	if d <= 0 {
		r.fail(name, fmt.Sprintf("%q must be greater than zero", v))
		return def
	}
	if d < lo || d > hi {
		r.fail(name, fmt.Sprintf("%s is outside %s–%s", shortDuration(d), shortDuration(lo), shortDuration(hi)))
		return def
	}
	return d
}

// shortDuration writes 24h and 1m, not 24h0m0s and 1m0s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func (r *reader) intRange(name string, def, lo, hi int) int {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.fail(name, fmt.Sprintf("%q is not a whole number", v))
		return def
	}
	if n < lo || n > hi {
		r.fail(name, fmt.Sprintf("%d is outside %d–%d", n, lo, hi))
		return def
	}
	return n
}

func (r *reader) level(name string, def slog.Level) slog.Level {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	switch strings.ToLower(v) {
	case "debug":
		return slog.LevelDebug
	case "info":
		return slog.LevelInfo
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	r.fail(name, fmt.Sprintf("%q is not one of debug, info, warn, error", v))
	return def
}

// addr accepts a listen address: host:port with a port of 0–65535 and an
// empty, named or literal host. Whether it can be bound is learnt only by
// binding it, but a malformed one is refused before anything else is done.
func (r *reader) addr(name, def string) string {
	v := r.str(name, def)
	_, port, err := net.SplitHostPort(v)
	if err == nil {
		_, err = strconv.ParseUint(port, 10, 16)
	}
	if err != nil {
		r.fail(name, fmt.Sprintf("%q is not a listen address such as :8080 or 127.0.0.1:8080", v))
		return def
	}
	return v
}

// loopback accepts an empty value or a host:port on a loopback address:
// profiles show internals and must not be reachable from the network.
func (r *reader) loopback(name string) string {
	v := r.getenv(name)
	if v == "" {
		return ""
	}
	host, _, err := net.SplitHostPort(v)
	ip := net.ParseIP(host)
	if err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
		r.fail(name, fmt.Sprintf("%q must be a loopback host:port such as 127.0.0.1:6060", v))
		return ""
	}
	return v
}

// MetricsOff is the AUTHD_METRICS_ADDR value that turns metrics off.
const MetricsOff = "off"

// metricsAddr accepts empty, "off", or a listen address. Any host is
// allowed: a scraper usually runs on another machine.
func (r *reader) metricsAddr(name string) string {
	switch v := r.getenv(name); v {
	case "", MetricsOff:
		return v
	}
	return r.addr(name, "")
}

// origins parses a comma-separated list; "*" alone means any origin.
func (r *reader) origins(name string) []string {
	v := r.getenv(name)
	if strings.TrimSpace(v) == "" {
		return nil
	}
	var out []string
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if o != "*" && !strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") {
			r.fail(name, fmt.Sprintf("origin %q must start with http:// or https://, or be *", o))
			return nil
		}
		out = append(out, strings.TrimRight(o, "/"))
	}
	return out
}

// prefixes parses a comma-separated list of CIDRs; a bare address stands for
// itself (/32 or /128). IPv4-mapped IPv6 (::ffff:10.0.0.0/104) is folded to
// IPv4 (10.0.0.0/8), as the client-IP rule folds the addresses it checks, so
// one proxy is not trusted under one spelling and distrusted under the other.
func (r *reader) prefixes(name string) []netip.Prefix {
	v := r.getenv(name)
	var out []netip.Prefix
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		p, err := parsePrefix(s)
		if err != nil {
			r.fail(name, fmt.Sprintf("%q %v", s, err))
			return nil
		}
		out = append(out, p)
	}
	return out
}

func parsePrefix(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if !strings.Contains(s, "/") {
		var a netip.Addr
		a, err = netip.ParseAddr(s)
		if a.Zone() != "" {
			err = errors.New("zone")
		}
		p = netip.PrefixFrom(a, a.BitLen())
	}
	if err != nil {
		return netip.Prefix{}, errors.New("is not a CIDR such as 10.0.0.0/8 or an IP address")
	}
	if a := p.Addr(); a.Is4In6() {
		if p.Bits() < 96 {
			return netip.Prefix{}, errors.New("reaches beyond the IPv4-mapped range: write it as IPv4 or plain IPv6")
		}
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// database splits the URL into a driver and what that driver opens. The
// value is never echoed back in an error: a PostgreSQL URL may hold a password.
func (r *reader) database(name, v string) (driver, dsn string) {
	switch {
	case strings.HasPrefix(v, "sqlite:"):
		path := strings.TrimPrefix(v, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			r.fail(name, "sqlite: needs a file path, as in sqlite:authd.db")
		}
		return "sqlite", path
	case strings.HasPrefix(v, "postgres://"), strings.HasPrefix(v, "postgresql://"):
		return "postgres", v
	}
	scheme, _, found := strings.Cut(v, ":")
	if !found {
		scheme = "(none)"
	}
	r.fail(name, fmt.Sprintf("unknown scheme %q: use sqlite:<path>, postgres:// or postgresql://", scheme))
	return "", ""
}

// secret returns the configured key, or nil when none is set.
func (r *reader) secret(name string) []byte {
	v := r.getenv(name)
	if v == "" {
		return nil
	}
	if len(v) < MinSecretBytes {
		r.fail(name, fmt.Sprintf("must be at least %d bytes, got %d", MinSecretBytes, len(v)))
		return nil
	}
	return []byte(v)
}

// maxKeyFileBytes bounds AUTHD_JWT_KEYS: a JWK Set of a few keys is a few
// kilobytes, and a path such as /dev/zero must not hang the start.
const maxKeyFileBytes = 1 << 20

// file returns the content of the file the variable names, or nil when it
// is not set.
func (r *reader) file(name string, limit int64) []byte {
	path := r.getenv(name)
	if path == "" {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		r.fail(name, fmt.Sprintf("cannot read the file: %v", err))
		return nil
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	switch {
	case err != nil:
		r.fail(name, fmt.Sprintf("cannot read %s: %v", path, err))
		return nil
	case int64(len(b)) > limit:
		r.fail(name, fmt.Sprintf("%s is larger than %d bytes", path, limit))
		return nil
	}
	return b
}

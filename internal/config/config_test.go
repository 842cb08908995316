package config

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(env(nil))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"addr", c.HTTP.Addr, ":8080"},
		{"driver", c.DB.Driver, "sqlite"},
		{"dsn", c.DB.DSN, "authd.db"},
		{"issuer", c.Tokens.Issuer, "authd"},
		{"access ttl", c.Tokens.AccessTTL, 15 * time.Minute},
		{"refresh ttl", c.Sessions.RefreshTTL, 168 * time.Hour},
		{"session max age", c.Sessions.MaxAge, 720 * time.Hour},
		{"refresh reuse grace", c.Sessions.ReuseGrace, 10 * time.Second},
		{"session purge interval", c.Sessions.PurgeInterval, time.Minute},
		{"sessions per user", c.Sessions.MaxPerUser, 100},
		{"bcrypt cost", c.Hash.Cost, 12},
		{"cors", len(c.HTTP.CORSAllowedOrigins), 0},
		{"log level", c.Log.Level, slog.LevelInfo},
		{"breaker threshold", c.Breaker.FailureThreshold, 5},
		{"breaker timeout", c.Breaker.RecoveryTimeout, 60 * time.Second},
		{"database timeout", c.Breaker.CallTimeout, 5 * time.Second},
		{"max body", c.HTTP.MaxBodyBytes, int64(64 << 10)},
		{"body read timeout", c.HTTP.BodyReadTimeout, 5 * time.Second},
		{"hash workers", c.Hash.Workers, 0},
		{"hash queue", c.Hash.Queue, 256},
		{"hash max wait", c.Hash.MaxWait, 5 * time.Second},
		{"pprof off", c.Pprof.Addr, ""},
		{"no secret", c.Tokens.Secret == nil, true},
		{"no keys", c.Tokens.Keys == nil, true},
		{"pair free failures", c.Throttle.PairFreeFailures, 5},
		{"account max failures", c.Throttle.AccountMaxFailures, 100},
		{"ip max failures", c.Throttle.IPMaxFailures, 100},
		{"register ip max", c.Throttle.RegisterIPMax, 20},
		{"max conns", c.DB.MaxConns, int32(10)},
		{"shutdown timeout", c.HTTP.ShutdownTimeout, 10 * time.Second},
		{"metrics off", c.Metrics.Addr, ""},
		{"public url", c.HTTP.PublicURL, ""},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

func TestLoadValues(t *testing.T) {
	t.Parallel()
	secret := strings.Repeat("s", 32)
	c, err := Load(env(map[string]string{
		"AUTHD_ADDR":                       "127.0.0.1:9000",
		"AUTHD_DATABASE_URL":               "postgresql://u:p@db:5432/authd",
		"AUTHD_JWT_SECRET":                 secret,
		"AUTHD_JWT_ISSUER":                 "me",
		"AUTHD_ACCESS_TOKEN_TTL":           "1m",
		"AUTHD_REFRESH_TOKEN_TTL":          "2h",
		"AUTHD_BCRYPT_COST":                "4",
		"AUTHD_CORS_ALLOWED_ORIGINS":       " https://a.example , http://b.example/ ",
		"AUTHD_PUBLIC_URL":                 "https://auth.example.com:8443/id/",
		"AUTHD_LOG_LEVEL":                  "DEBUG",
		"AUTHD_BREAKER_FAILURE_THRESHOLD":  "3",
		"AUTHD_BREAKER_RECOVERY_TIMEOUT":   "5s",
		"AUTHD_PPROF_ADDR":                 "127.0.0.1:6060",
		"AUTHD_HASH_WORKERS":               "3",
		"AUTHD_DATABASE_TIMEOUT":           "750ms",
		"AUTHD_SESSION_MAX_AGE":            "48h",
		"AUTHD_REFRESH_REUSE_GRACE":        "3s",
		"AUTHD_SESSION_PURGE_INTERVAL":     "10m",
		"AUTHD_SESSIONS_PER_USER_MAX":      "3",
		"AUTHD_AUDIT_RETENTION":            "48h",
		"AUTHD_BODY_READ_TIMEOUT":          "1500ms",
		"AUTHD_LOGIN_PAIR_FREE_FAILURES":   "0",
		"AUTHD_LOGIN_ACCOUNT_MAX_FAILURES": "7",
		"AUTHD_LOGIN_IP_MAX_FAILURES":      "8",
		"AUTHD_REGISTER_IP_MAX":            "0",
	}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.HTTP.Addr != "127.0.0.1:9000" || c.DB.Driver != "postgres" || c.DB.DSN != "postgresql://u:p@db:5432/authd" ||
		string(c.Tokens.Secret) != secret || c.Tokens.Issuer != "me" ||
		c.Tokens.AccessTTL != time.Minute || c.Sessions.RefreshTTL != 2*time.Hour || c.Hash.Cost != 4 ||
		c.Log.Level != slog.LevelDebug || c.Breaker.FailureThreshold != 3 || c.Breaker.RecoveryTimeout != 5*time.Second {
		t.Errorf("Load = %+v", c)
	}
	if c.Pprof.Addr != "127.0.0.1:6060" || c.Hash.Workers != 3 {
		t.Errorf("pprof %q, workers %d", c.Pprof.Addr, c.Hash.Workers)
	}
	if c.Sessions.MaxAge != 48*time.Hour || c.Sessions.ReuseGrace != 3*time.Second || c.Sessions.PurgeInterval != 10*time.Minute ||
		c.Sessions.MaxPerUser != 3 || c.Sessions.AuditRetention != 48*time.Hour {
		t.Errorf("sessions: max age %s, grace %s, purge every %s, %d per user", c.Sessions.MaxAge, c.Sessions.ReuseGrace,
			c.Sessions.PurgeInterval, c.Sessions.MaxPerUser)
	}
	if c.Breaker.CallTimeout != 750*time.Millisecond {
		t.Errorf("database timeout %s, want 750ms", c.Breaker.CallTimeout)
	}
	if c.Throttle.PairFreeFailures != 0 || c.Throttle.AccountMaxFailures != 7 || c.Throttle.IPMaxFailures != 8 || c.Throttle.RegisterIPMax != 0 {
		t.Errorf("throttle limits %d %d %d %d, want 0 7 8 0", c.Throttle.PairFreeFailures,
			c.Throttle.AccountMaxFailures, c.Throttle.IPMaxFailures, c.Throttle.RegisterIPMax)
	}
	if c.HTTP.BodyReadTimeout != 1500*time.Millisecond {
		t.Errorf("body read timeout %s, want 1.5s", c.HTTP.BodyReadTimeout)
	}
	if c.HTTP.PublicURL != "https://auth.example.com:8443/id" {
		t.Errorf("public url = %q, want it without the trailing slash", c.HTTP.PublicURL)
	}
	if got := strings.Join(c.HTTP.CORSAllowedOrigins, "|"); got != "https://a.example|http://b.example" {
		t.Errorf("origins = %q", got)
	}
}

func TestLoadMetricsAddr(t *testing.T) {
	t.Parallel()
	// Empty is off (the default); so is "off", which earlier releases
	// needed and which must keep starting.
	for v, want := range map[string]string{"": "", "off": "", ":9090": ":9090", "0.0.0.0:9090": "0.0.0.0:9090",
		"127.0.0.1:0": "127.0.0.1:0", "[::1]:9090": "[::1]:9090", "metrics.internal:9090": "metrics.internal:9090"} {
		t.Run(v, func(t *testing.T) {
			c, err := Load(env(map[string]string{"AUTHD_METRICS_ADDR": v}))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.Metrics.Addr != want {
				t.Errorf("Metrics.Addr = %q, want %q", c.Metrics.Addr, want)
			}
		})
	}
}

func TestLoadDatabaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url, driver, dsn string
	}{
		{"sqlite:authd.db", "sqlite", "authd.db"},
		{"sqlite:///var/lib/authd.db", "sqlite", "/var/lib/authd.db"},
		{"sqlite://data.db", "sqlite", "data.db"},
		{"postgres://localhost/x", "postgres", "postgres://localhost/x"},
		{"postgresql://localhost/x", "postgres", "postgresql://localhost/x"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			c, err := Load(env(map[string]string{"AUTHD_DATABASE_URL": tt.url}))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.DB.Driver != tt.driver || c.DB.DSN != tt.dsn {
				t.Errorf("got %s %s, want %s %s", c.DB.Driver, c.DB.DSN, tt.driver, tt.dsn)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, value, problem string
	}{
		{"short secret", "AUTHD_JWT_SECRET", "short", "at least 32 bytes"},
		{"31-byte secret", "AUTHD_JWT_SECRET", strings.Repeat("x", 31), "got 31"},
		{"bad duration", "AUTHD_ACCESS_TOKEN_TTL", "15 minutes", "not a Go duration"},
		{"zero duration", "AUTHD_REFRESH_TOKEN_TTL", "0s", "greater than zero"},
		{"bad session max age", "AUTHD_SESSION_MAX_AGE", "30d", "not a Go duration"},
		{"negative reuse grace", "AUTHD_REFRESH_REUSE_GRACE", "-1s", "greater than zero"},
		{"negative duration", "AUTHD_BREAKER_RECOVERY_TIMEOUT", "-1s", "greater than zero"},
		{"zero database timeout", "AUTHD_DATABASE_TIMEOUT", "0", "greater than zero"},
		{"cost too low", "AUTHD_BCRYPT_COST", "3", "outside 4–31"},
		{"cost too high", "AUTHD_BCRYPT_COST", "32", "outside 4–31"},
		{"cost not a number", "AUTHD_BCRYPT_COST", "twelve", "not a whole number"},
		{"negative pair failures", "AUTHD_LOGIN_PAIR_FREE_FAILURES", "-1", "outside 0–"},
		{"account max not a number", "AUTHD_LOGIN_ACCOUNT_MAX_FAILURES", "many", "not a whole number"},
		{"negative ip max", "AUTHD_LOGIN_IP_MAX_FAILURES", "-5", "outside 0–"},
		{"register max not a number", "AUTHD_REGISTER_IP_MAX", "1e3", "not a whole number"},
		{"no sessions per user", "AUTHD_SESSIONS_PER_USER_MAX", "0", "outside 1–100000"},
		{"sessions per user too many", "AUTHD_SESSIONS_PER_USER_MAX", "100001", "outside 1–100000"},
		{"audit retention too short", "AUTHD_AUDIT_RETENTION", "30m", "AUTHD_AUDIT_RETENTION"},
		{"audit retention not a duration", "AUTHD_AUDIT_RETENTION", "90d", "AUTHD_AUDIT_RETENTION"},
		{"unknown scheme", "AUTHD_DATABASE_URL", "mysql://localhost/x", `unknown scheme "mysql"`},
		{"no scheme", "AUTHD_DATABASE_URL", "authd.db", "unknown scheme"},
		{"empty sqlite path", "AUTHD_DATABASE_URL", "sqlite:", "needs a file path"},
		{"bad level", "AUTHD_LOG_LEVEL", "loud", "debug, info, warn, error"},
		{"bad origin", "AUTHD_CORS_ALLOWED_ORIGINS", "example.com", "must start with http"},
		{"public url without scheme", "AUTHD_PUBLIC_URL", "auth.example.com", "must start with http"},
		{"public url ftp", "AUTHD_PUBLIC_URL", "ftp://auth.example.com", "must start with http"},
		{"public url relative", "AUTHD_PUBLIC_URL", "/auth", "must start with http"},
		{"public url no host", "AUTHD_PUBLIC_URL", "https:///path", "has no host"},
		{"public url port only", "AUTHD_PUBLIC_URL", "https://:8080", "has no host"},
		{"public url user", "AUTHD_PUBLIC_URL", "https://u:p@auth.example.com", "user or password"},
		{"public url query", "AUTHD_PUBLIC_URL", "https://auth.example.com/?x=1", "no query or fragment"},
		{"public url empty query", "AUTHD_PUBLIC_URL", "https://auth.example.com?", "no query or fragment"},
		{"public url fragment", "AUTHD_PUBLIC_URL", "https://auth.example.com/#top", "no query or fragment"},
		{"public url bad escape", "AUTHD_PUBLIC_URL", "https://auth.example.com/%zz", "not a URL"},
		{"threshold zero", "AUTHD_BREAKER_FAILURE_THRESHOLD", "0", "outside"},
		{"hash queue zero", "AUTHD_HASH_QUEUE", "0", "outside"},
		{"hash wait", "AUTHD_HASH_MAX_WAIT", "soon", "not a Go duration"},
		{"body read timeout zero", "AUTHD_BODY_READ_TIMEOUT", "0s", "greater than zero"},
		{"body read timeout long", "AUTHD_BODY_READ_TIMEOUT", "11m", "outside 1ms–10m"},
		{"pprof public", "AUTHD_PPROF_ADDR", "0.0.0.0:6060", "loopback"},
		{"pprof no port", "AUTHD_PPROF_ADDR", "127.0.0.1", "loopback"},
		{"pprof host name", "AUTHD_PPROF_ADDR", "example.com:6060", "loopback"},
		{"metrics no port", "AUTHD_METRICS_ADDR", "127.0.0.1", "not a listen address"},
		{"metrics bad port", "AUTHD_METRICS_ADDR", ":http", "not a listen address"},
		{"metrics port too big", "AUTHD_METRICS_ADDR", ":65536", "not a listen address"},
		{"metrics word", "AUTHD_METRICS_ADDR", "none", "not a listen address"},
		{"access token born expired", "AUTHD_ACCESS_TOKEN_TTL", "500ms", "500ms is outside 1s–24h"},
		{"access token for a week", "AUTHD_ACCESS_TOKEN_TTL", "168h", "outside 1s–24h"},
		{"refresh token under a second", "AUTHD_REFRESH_TOKEN_TTL", "999ms", "outside 1s–8760h"},
		{"refresh shorter than access", "AUTHD_REFRESH_TOKEN_TTL", "10m", "10m must be longer than AUTHD_ACCESS_TOKEN_TTL (15m)"},
		{"refresh equal to access", "AUTHD_REFRESH_TOKEN_TTL", "15m", "must be longer than AUTHD_ACCESS_TOKEN_TTL"},
		{"hash workers absurd", "AUTHD_HASH_WORKERS", "100000000", "100000000 is outside 0–256"},
		{"hash workers negative", "AUTHD_HASH_WORKERS", "-1", "outside 0–256"},
		{"hash queue absurd", "AUTHD_HASH_QUEUE", "10000000", "outside 1–100000"},
		{"hash wait an hour", "AUTHD_HASH_MAX_WAIT", "1h", "outside 1ms–1m"},
		{"max conns absurd", "AUTHD_DATABASE_MAX_CONNS", "100000", "outside 1–1000"},
		{"body bytes absurd", "AUTHD_MAX_BODY_BYTES", "1073741824", "outside 1024–1048576"},
		{"body bytes tiny", "AUTHD_MAX_BODY_BYTES", "10", "outside 1024–1048576"},
		{"threshold absurd", "AUTHD_BREAKER_FAILURE_THRESHOLD", "1000000", "outside 1–10000"},
		{"database timeout a nanosecond", "AUTHD_DATABASE_TIMEOUT", "1ns", "outside 10ms–1m"},
		{"shutdown an hour", "AUTHD_SHUTDOWN_TIMEOUT", "1h", "outside 1ms–10m"},
		{"recovery a week", "AUTHD_BREAKER_RECOVERY_TIMEOUT", "168h", "outside 1ms–24h"},
		{"addr port too big", "AUTHD_ADDR", "127.0.0.1:99999", "not a listen address"},
		{"addr without port", "AUTHD_ADDR", "localhost", "not a listen address"},
		{"addr port not a number", "AUTHD_ADDR", ":eighty", "not a listen address"},
		{"proxy not a CIDR", "AUTHD_TRUSTED_PROXIES", "10.0.0.0/8, lb.internal", `"lb.internal" is not a CIDR`},
		{"proxy prefix too long", "AUTHD_TRUSTED_PROXIES", "10.0.0.0/33", "is not a CIDR"},
		{"proxy with zone", "AUTHD_TRUSTED_PROXIES", "fe80::1%eth0", "is not a CIDR"},
		{"proxy mapped too wide", "AUTHD_TRUSTED_PROXIES", "::ffff:0.0.0.0/80", "IPv4-mapped"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(env(map[string]string{tt.key: tt.value}))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want *Error", err)
			}
			if ce.Var != tt.key || !strings.Contains(err.Error(), tt.problem) {
				t.Errorf("err = %q, want variable %s and %q", err, tt.key, tt.problem)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("err spans lines: %q", err)
			}
		})
	}
}

// TestLoadRefreshAfterAccess: the refresh TTL is compared with the access
// TTL as configured, not only with the default.
func TestLoadRefreshAfterAccess(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{"AUTHD_ACCESS_TOKEN_TTL": "2h", "AUTHD_REFRESH_TOKEN_TTL": "1h"}))
	var ce *Error
	if !errors.As(err, &ce) || ce.Var != "AUTHD_REFRESH_TOKEN_TTL" || !strings.Contains(err.Error(), "longer than AUTHD_ACCESS_TOKEN_TTL (2h)") {
		t.Errorf("err = %v, want AUTHD_REFRESH_TOKEN_TTL longer than 2h", err)
	}
	c, err := Load(env(map[string]string{"AUTHD_ACCESS_TOKEN_TTL": "1s", "AUTHD_REFRESH_TOKEN_TTL": "2s", "AUTHD_ADDR": "[::1]:0"}))
	if err != nil || c.Tokens.AccessTTL != time.Second || c.Sessions.RefreshTTL != 2*time.Second || c.HTTP.Addr != "[::1]:0" {
		t.Errorf("Load = %+v, %v; want the smallest TTLs and an IPv6 address accepted", c, err)
	}
}

func TestLoadTrustedProxies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value, want string
	}{
		{"unset", "", ""},
		{"one CIDR", "10.0.0.0/8", "10.0.0.0/8"},
		{"spaces and empty items", " 10.0.0.0/8 ,, 192.168.1.0/24 ,", "10.0.0.0/8 192.168.1.0/24"},
		{"bare IPv4 is /32", "10.1.2.3", "10.1.2.3/32"},
		{"bare IPv6 is /128", "2001:db8::1", "2001:db8::1/128"},
		{"host bits masked", "10.1.2.3/8", "10.0.0.0/8"},
		{"IPv6 CIDR", "2001:db8::/32", "2001:db8::/32"},
		{"mapped CIDR folded", "::ffff:10.0.0.0/104", "10.0.0.0/8"},
		{"mapped address folded", "::ffff:10.1.2.3", "10.1.2.3/32"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(env(map[string]string{"AUTHD_TRUSTED_PROXIES": tt.value}))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			var got []string
			for _, p := range c.HTTP.TrustedProxies {
				got = append(got, p.String())
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("HTTP.TrustedProxies = %v, want %s", got, tt.want)
			}
		})
	}
}

func TestDatabaseErrorHidesPassword(t *testing.T) {
	t.Parallel()
	_, err := Load(env(map[string]string{"AUTHD_DATABASE_URL": "mysql://user:hunter2@db/x"}))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v, want an error without the password", err)
	}
}

// TestLoadKeysFile: config reads the AUTHD_JWT_KEYS file (token.ParseKeys
// judges what is in it); a file it cannot read names the variable.
func TestLoadKeysFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "keys.json")
	if err := os.WriteFile(good, []byte(`{"keys":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.json")
	if err := os.WriteFile(huge, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(huge, MaxKeyFileBytes+1); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{"AUTHD_JWT_KEYS": good}))
	if err != nil || string(c.Tokens.Keys) != `{"keys":[]}` {
		t.Fatalf("Load = %q, %v", c.Tokens.Keys, err)
	}
	tests := []struct{ name, path, problem string }{
		{"missing", filepath.Join(dir, "nope.json"), "no such file"},
		{"a directory", dir, "is a directory"},
		{"too large", huge, "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(env(map[string]string{"AUTHD_JWT_KEYS": tt.path}))
			var ce *Error
			if !errors.As(err, &ce) || ce.Var != "AUTHD_JWT_KEYS" || !strings.Contains(err.Error(), tt.problem) {
				t.Errorf("err = %v, want AUTHD_JWT_KEYS and %q", err, tt.problem)
			}
		})
	}
}

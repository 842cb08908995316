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
		{"addr", c.Addr, ":8080"},
		{"driver", c.DatabaseDriver, "sqlite"},
		{"dsn", c.DatabaseDSN, "authd.db"},
		{"issuer", c.JWTIssuer, "authd"},
		{"access ttl", c.AccessTokenTTL, 15 * time.Minute},
		{"refresh ttl", c.RefreshTokenTTL, 168 * time.Hour},
		{"bcrypt cost", c.BcryptCost, 12},
		{"cors", len(c.CORSAllowedOrigins), 0},
		{"log level", c.LogLevel, slog.LevelInfo},
		{"breaker threshold", c.BreakerThreshold, 5},
		{"breaker timeout", c.BreakerTimeout, 60 * time.Second},
		{"database timeout", c.DatabaseTimeout, 5 * time.Second},
		{"max body", c.MaxBodyBytes, int64(64 << 10)},
		{"body read timeout", c.BodyReadTimeout, 5 * time.Second},
		{"hash workers", c.HashWorkers, 0},
		{"hash queue", c.HashQueue, 256},
		{"hash max wait", c.HashMaxWait, 5 * time.Second},
		{"pprof off", c.PprofAddr, ""},
		{"no secret", c.JWTSecret == nil, true},
		{"no keys", c.JWTKeys == nil, true},
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
		"AUTHD_ADDR":                      "127.0.0.1:9000",
		"AUTHD_DATABASE_URL":              "postgresql://u:p@db:5432/authd",
		"AUTHD_JWT_SECRET":                secret,
		"AUTHD_JWT_ISSUER":                "me",
		"AUTHD_ACCESS_TOKEN_TTL":          "1m",
		"AUTHD_REFRESH_TOKEN_TTL":         "2h",
		"AUTHD_BCRYPT_COST":               "4",
		"AUTHD_CORS_ALLOWED_ORIGINS":      " https://a.example , http://b.example/ ",
		"AUTHD_LOG_LEVEL":                 "DEBUG",
		"AUTHD_BREAKER_FAILURE_THRESHOLD": "3",
		"AUTHD_BREAKER_RECOVERY_TIMEOUT":  "5s",
		"AUTHD_PPROF_ADDR":                "127.0.0.1:6060",
		"AUTHD_HASH_WORKERS":              "3",
		"AUTHD_DATABASE_TIMEOUT":          "750ms",
		"AUTHD_BODY_READ_TIMEOUT":         "1500ms",
	}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Addr != "127.0.0.1:9000" || c.DatabaseDriver != "postgres" || c.DatabaseDSN != "postgresql://u:p@db:5432/authd" ||
		string(c.JWTSecret) != secret || c.JWTIssuer != "me" ||
		c.AccessTokenTTL != time.Minute || c.RefreshTokenTTL != 2*time.Hour || c.BcryptCost != 4 ||
		c.LogLevel != slog.LevelDebug || c.BreakerThreshold != 3 || c.BreakerTimeout != 5*time.Second {
		t.Errorf("Load = %+v", c)
	}
	if c.PprofAddr != "127.0.0.1:6060" || c.HashWorkers != 3 {
		t.Errorf("pprof %q, workers %d", c.PprofAddr, c.HashWorkers)
	}
	if c.DatabaseTimeout != 750*time.Millisecond {
		t.Errorf("database timeout %s, want 750ms", c.DatabaseTimeout)
	}
	if c.BodyReadTimeout != 1500*time.Millisecond {
		t.Errorf("body read timeout %s, want 1.5s", c.BodyReadTimeout)
	}
	if got := strings.Join(c.CORSAllowedOrigins, "|"); got != "https://a.example|http://b.example" {
		t.Errorf("origins = %q", got)
	}
}

func TestLoadMetricsAddr(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"", "off", ":9090", "0.0.0.0:9090", "127.0.0.1:0", "[::1]:9090", "metrics.internal:9090"} {
		t.Run(v, func(t *testing.T) {
			c, err := Load(env(map[string]string{"AUTHD_METRICS_ADDR": v}))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.MetricsAddr != v {
				t.Errorf("MetricsAddr = %q, want %q", c.MetricsAddr, v)
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
			if c.DatabaseDriver != tt.driver || c.DatabaseDSN != tt.dsn {
				t.Errorf("got %s %s, want %s %s", c.DatabaseDriver, c.DatabaseDSN, tt.driver, tt.dsn)
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
		{"negative duration", "AUTHD_BREAKER_RECOVERY_TIMEOUT", "-1s", "greater than zero"},
		{"zero database timeout", "AUTHD_DATABASE_TIMEOUT", "0", "greater than zero"},
		{"cost too low", "AUTHD_BCRYPT_COST", "3", "outside 4–31"},
		{"cost too high", "AUTHD_BCRYPT_COST", "32", "outside 4–31"},
		{"cost not a number", "AUTHD_BCRYPT_COST", "twelve", "not a whole number"},
		{"unknown scheme", "AUTHD_DATABASE_URL", "mysql://localhost/x", `unknown scheme "mysql"`},
		{"no scheme", "AUTHD_DATABASE_URL", "authd.db", "unknown scheme"},
		{"empty sqlite path", "AUTHD_DATABASE_URL", "sqlite:", "needs a file path"},
		{"bad level", "AUTHD_LOG_LEVEL", "loud", "debug, info, warn, error"},
		{"bad origin", "AUTHD_CORS_ALLOWED_ORIGINS", "example.com", "must start with http"},
		{"threshold zero", "AUTHD_BREAKER_FAILURE_THRESHOLD", "0", "outside"},
		{"hash queue zero", "AUTHD_HASH_QUEUE", "0", "outside"},
		{"hash wait", "AUTHD_HASH_MAX_WAIT", "soon", "not a Go duration"},
		{"body read timeout zero", "AUTHD_BODY_READ_TIMEOUT", "0s", "greater than zero"},
		{"body read timeout long", "AUTHD_BODY_READ_TIMEOUT", "11m", "longer than 10m0s"},
		{"pprof public", "AUTHD_PPROF_ADDR", "0.0.0.0:6060", "loopback"},
		{"pprof no port", "AUTHD_PPROF_ADDR", "127.0.0.1", "loopback"},
		{"pprof host name", "AUTHD_PPROF_ADDR", "example.com:6060", "loopback"},
		{"metrics no port", "AUTHD_METRICS_ADDR", "127.0.0.1", "host:port"},
		{"metrics bad port", "AUTHD_METRICS_ADDR", ":http", "host:port"},
		{"metrics port too big", "AUTHD_METRICS_ADDR", ":65536", "host:port"},
		{"metrics word", "AUTHD_METRICS_ADDR", "none", "empty, off, or a host:port"},
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
			for _, p := range c.TrustedProxies {
				got = append(got, p.String())
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("TrustedProxies = %v, want %s", got, tt.want)
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
	if err := os.Truncate(huge, maxKeyFileBytes+1); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{"AUTHD_JWT_KEYS": good}))
	if err != nil || string(c.JWTKeys) != `{"keys":[]}` {
		t.Fatalf("Load = %q, %v", c.JWTKeys, err)
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

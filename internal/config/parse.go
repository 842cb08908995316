package config

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

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

// metricsAddr accepts a listen address, or empty for no metrics. Any host
// is allowed: a scraper usually runs on another machine. "off", which
// earlier releases needed to turn metrics off, still means off, so such a
// deployment keeps starting.
func (r *reader) metricsAddr(name string) string {
	switch v := r.getenv(name); v {
	case "", "off":
		return ""
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

// publicURL reads the URL authd is reached at: absolute, http or https, a
// host, and no user, query or fragment, since everything built on it
// (discovery URLs, links) appends a path. A trailing slash is dropped.
func (r *reader) publicURL(name string) string {
	v := strings.TrimSpace(r.getenv(name))
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	switch {
	case err != nil:
		r.fail(name, fmt.Sprintf("%q is not a URL", v))
	case u.Scheme != "http" && u.Scheme != "https":
		r.fail(name, fmt.Sprintf("%q must start with http:// or https://", v))
	case u.Host == "" || u.Hostname() == "":
		r.fail(name, fmt.Sprintf("%q has no host", v))
	case u.User != nil:
		r.fail(name, fmt.Sprintf("%q must not hold a user or password", v))
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(v, "?#"):
		r.fail(name, fmt.Sprintf("%q must have no query or fragment", v))
	default:
		return strings.TrimRight(v, "/")
	}
	return ""
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

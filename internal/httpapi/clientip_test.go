package httpapi

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

func TestClientIP(t *testing.T) {
	t.Parallel()
	trusted := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("192.168.1.1/32"),
		netip.MustParsePrefix("2001:db8:ffff::/48"),
		netip.MustParsePrefix("fe80::/64"),
	}
	tests := []struct {
		name string
		peer string
		xff  []string
		want string
	}{
		{"no header, untrusted peer", "203.0.113.7:4000", nil, "203.0.113.7"},
		{"no header, trusted peer", "10.0.0.1:4000", nil, "10.0.0.1"},
		{"untrusted peer, forged header ignored", "203.0.113.7:4000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"untrusted peer, forged trusted-looking header", "203.0.113.7:4000", []string{"10.9.9.9"}, "203.0.113.7"},
		{"one proxy", "10.0.0.1:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"forged left part skipped", "10.0.0.1:4000", []string{"1.1.1.1, 198.51.100.1"}, "198.51.100.1"},
		{"two proxies", "10.0.0.1:4000", []string{"1.1.1.1, 198.51.100.1, 10.0.0.2"}, "198.51.100.1"},
		{"several header lines joined in order", "10.0.0.1:4000", []string{"1.1.1.1, 198.51.100.1", "10.0.0.3", "192.168.1.1"}, "198.51.100.1"},
		{"untrusted entry in the last line", "10.0.0.1:4000", []string{"1.1.1.1", "198.51.100.1"}, "198.51.100.1"},
		{"spaces and tabs", "10.0.0.1:4000", []string{"  1.1.1.1 ,\t198.51.100.1\t,  10.0.0.2  "}, "198.51.100.1"},
		{"no spaces", "10.0.0.1:4000", []string{"1.1.1.1,198.51.100.1,10.0.0.2"}, "198.51.100.1"},
		{"all trusted: leftmost", "10.0.0.1:4000", []string{"10.0.0.5, 192.168.1.1", "10.0.0.2"}, "10.0.0.5"},
		{"garbage stops at the last trusted hop", "10.0.0.1:4000", []string{"198.51.100.1, garbage, 10.0.0.2"}, "10.0.0.2"},
		{"garbage right after the peer", "10.0.0.1:4000", []string{"198.51.100.1, unknown"}, "10.0.0.1"},
		{"garbage left of the client is never reached", "10.0.0.1:4000", []string{"<script>, 198.51.100.1"}, "198.51.100.1"},
		{"empty item is garbage", "10.0.0.1:4000", []string{"198.51.100.1,,10.0.0.2"}, "10.0.0.2"},
		{"empty header line", "10.0.0.1:4000", []string{""}, "10.0.0.1"},
		{"address with port", "10.0.0.1:4000", []string{"198.51.100.1:5555"}, "198.51.100.1"},
		{"IPv6 entry", "10.0.0.1:4000", []string{"2001:db8::1"}, "2001:db8::1"},
		{"IPv6 in brackets", "10.0.0.1:4000", []string{"[2001:db8::1]"}, "2001:db8::1"},
		{"IPv6 in brackets with port", "10.0.0.1:4000", []string{"[2001:db8::1]:443"}, "2001:db8::1"},
		{"IPv6 zone dropped", "10.0.0.1:4000", []string{"fe80::1%eth0, 10.0.0.2"}, "fe80::1"},
		{"IPv6 trusted proxy", "[2001:db8:ffff::1]:4000", []string{"2001:db8::7, 2001:db8:ffff::2"}, "2001:db8::7"},
		{"IPv6 peer with zone", "[fe80::2%eth0]:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"IPv6 untrusted peer", "[2001:db8::9]:4000", []string{"198.51.100.1"}, "2001:db8::9"},
		{"mapped peer folded and trusted", "[::ffff:10.0.0.1]:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"mapped entry folded and trusted", "10.0.0.1:4000", []string{"198.51.100.1, ::ffff:10.0.0.2"}, "198.51.100.1"},
		{"mapped client folded", "10.0.0.1:4000", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		{"mapped untrusted peer folded", "[::ffff:203.0.113.7]:4000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"bracketed garbage", "10.0.0.1:4000", []string{"[nope], 10.0.0.2"}, "10.0.0.2"},
		{"port without address", "10.0.0.1:4000", []string{":80"}, "10.0.0.1"},
		{"peer not an address", "pipe", []string{"198.51.100.1"}, "invalid IP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := clientIP(tt.peer, tt.xff, trusted).String(); got != tt.want {
				t.Errorf("clientIP(%q, %q) = %s, want %s", tt.peer, tt.xff, got, tt.want)
			}
		})
	}
}

func TestClientIPNothingTrusted(t *testing.T) {
	t.Parallel()
	if got := clientIP("10.0.0.1:4000", []string{"198.51.100.1"}, nil).String(); got != "10.0.0.1" {
		t.Errorf("clientIP = %s, want the peer when no proxy is trusted", got)
	}
}

// TestClientIPReachesHandlers checks that the rule's answer is in the
// context of the handlers and that several X-Forwarded-For lines of a real
// request are read in order.
func TestClientIPReachesHandlers(t *testing.T) {
	t.Parallel()
	var got netip.Addr
	h := clientAddress([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")})(
		http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = ClientIP(r.Context()) }))
	req := httptest.NewRequest(http.MethodGet, "/auth/me", nil)
	req.RemoteAddr = "10.0.0.1:4000"
	req.Header.Add("X-Forwarded-For", "1.1.1.1, 198.51.100.1")
	req.Header.Add("x-forwarded-for", "10.0.0.2")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got.String() != "198.51.100.1" {
		t.Errorf("ClientIP = %s, want 198.51.100.1", got)
	}
	if a := ClientIP(req.Context()); a.IsValid() {
		t.Errorf("ClientIP outside the server = %s, want the zero Addr", a)
	}
}

// TestAccessLogClientIP checks remote_ip of the access line behind a
// trusted proxy (the test client is on 127.0.0.1) and from an untrusted one.
func TestAccessLogClientIP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		trusted []netip.Prefix
		want    string
	}{
		{"behind a trusted proxy", []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, "198.51.100.1"},
		{"peer not trusted", nil, "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{level: slog.LevelInfo, opts: Options{TrustedProxies: tt.trusted}})
			e.do(t, http.MethodGet, "/auth/me", "", "", "X-Forwarded-For", "1.1.1.1, 198.51.100.1")
			var line map[string]any
			for _, l := range e.logs.Lines(t) {
				if l["message"] == "request" && l["path"] == "/auth/me" {
					line = l
				}
			}
			if line == nil {
				t.Fatalf("no access line in %s", e.logs.String())
			}
			if line["remote_ip"] != tt.want {
				t.Errorf("remote_ip = %v, want %s", line["remote_ip"], tt.want)
			}
		})
	}
}

// FuzzClientIP checks the rule's promises on any input: no panic; an
// untrusted peer is the client whatever the header says; the client is the
// peer or one of the header's entries, folded (no zone, never mapped).
func FuzzClientIP(f *testing.F) {
	f.Add("10.0.0.1:4000", "1.1.1.1, 198.51.100.1\n10.0.0.2")
	f.Add("[::ffff:10.0.0.1]:1", "[2001:db8::1]:443, fe80::1%eth0,, garbage")
	f.Add("203.0.113.7:4000", "10.0.0.5")
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fe80::/64")}
	f.Fuzz(func(t *testing.T, peer, header string) {
		xff := strings.Split(header, "\n")
		got := clientIP(peer, xff, trusted)
		p, ok := parseHop(peer)
		if !ok {
			if got.IsValid() {
				t.Fatalf("peer %q is no address, client %s", peer, got)
			}
			return
		}
		if got.Zone() != "" || got.Is4In6() {
			t.Fatalf("client %s not folded", got)
		}
		if got == p {
			return
		}
		if !isTrusted(p, trusted) {
			t.Fatalf("untrusted peer %s, client %s from the header", p, got)
		}
		for _, e := range strings.Split(strings.Join(xff, ","), ",") {
			if a, ok := parseHop(e); ok && a == got {
				return
			}
		}
		t.Fatalf("client %s is neither the peer nor an entry of %q", got, header)
	})
}

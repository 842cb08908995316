package httpapi

import (
	"context"
	"net/http"
	"net/netip"
	"strings"
)

// clientIP is the client-IP rule of API.md (Throttling): the client is the
// TCP peer; when the peer is a trusted proxy, it is the rightmost
// X-Forwarded-For entry that is not one. Every proxy appends the address it
// received the request from, so only the right end of the header, written
// by our own proxies, can be believed; anything left of the first untrusted
// entry may have been forged by the client.
//
//   - xff holds every X-Forwarded-For header line in order; several lines are
//     one list, as RFC 9110 §5.3 joins them.
//   - An untrusted peer's header is ignored entirely.
//   - When every entry is trusted, the leftmost is the client.
//   - An entry that is not an IP address (garbage, "unknown", an empty item)
//     stops the walk, and the last trusted hop seen is the client: the walk
//     never steps past what it cannot read, so garbage can neither name a
//     client nor hide the address of the proxy that passed it on.
//   - Entries may carry spaces, a port (1.2.3.4:80, [2001:db8::1]:80),
//     brackets or an IPv6 zone. Zones are dropped and IPv4-mapped IPv6 is
//     folded to IPv4, for the peer as for the entries, so that one client is
//     one key whatever its spelling. trusted must be folded the same way, as
//     config.Load returns it.
//
// A peer that is not an address (never, over TCP) gives the zero Addr.
func clientIP(peer string, xff []string, trusted []netip.Prefix) netip.Addr {
	client, ok := parseHop(peer)
	if !ok || !isTrusted(client, trusted) {
		return client
	}
	for i := len(xff) - 1; i >= 0; i-- {
		rest := xff[i]
		for {
			comma := strings.LastIndexByte(rest, ',')
			hop, ok := parseHop(rest[comma+1:])
			if !ok {
				return client
			}
			client = hop
			if !isTrusted(hop, trusted) {
				return hop
			}
			if comma < 0 {
				break
			}
			rest = rest[:comma]
		}
	}
	return client
}

// parseHop reads one address: bare, with a port, or in brackets, with
// surrounding spaces. The result has no zone and IPv4 is never mapped.
func parseHop(s string) (netip.Addr, bool) {
	s = strings.TrimSpace(s)
	a, err := netip.ParseAddr(s)
	if err != nil {
		var ap netip.AddrPort
		if ap, err = netip.ParseAddrPort(s); err == nil {
			a = ap.Addr()
		} else if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
			a, err = netip.ParseAddr(s[1 : len(s)-1])
		}
	}
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

type clientIPKey struct{}

// ClientIP returns the client IP of the request whose context is ctx, as
// the rule of API.md (Throttling) finds it; the zero Addr outside a request
// served by Server. Throttling keys on it and sessions record it.
func ClientIP(ctx context.Context) netip.Addr {
	a, _ := ctx.Value(clientIPKey{}).(netip.Addr)
	return a
}

// clientIPText is ClientIP as the access line shows it: empty when unknown.
func clientIPText(ctx context.Context) string {
	if a := ClientIP(ctx); a.IsValid() {
		return a.String()
	}
	return ""
}

// clientAddress finds the client IP once per request and puts it in the
// context, for the access line and the handlers.
func clientAddress(trusted []netip.Prefix) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			a := clientIP(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), trusted)
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientIPKey{}, a)))
		})
	}
}

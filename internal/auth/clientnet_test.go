package auth

import (
	"net/netip"
	"testing"
)

// TestClientNet: IPv4 counts by address, IPv6 by its /64, and an
// IPv4-mapped IPv6 address as the IPv4 address.
func TestClientNet(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ip   string
		want string
	}{
		{"203.0.113.7", "203.0.113.7/32"},
		{"::ffff:203.0.113.7", "203.0.113.7/32"},
		{"2001:db8:1::2", "2001:db8:1::/64"},
		{"2001:db8:1:0:ffff:ffff:ffff:ffff", "2001:db8:1::/64"},
		{"2001:db8:1:1::2", "2001:db8:1:1::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			if got := ClientNet(netip.MustParseAddr(tt.ip)); got.String() != tt.want {
				t.Errorf("ClientNet(%s) = %s, want %s", tt.ip, got, tt.want)
			}
		})
	}
	if got := ClientNet(netip.Addr{}); got.IsValid() {
		t.Errorf("ClientNet(zero) = %s, want the zero Prefix", got)
	}
}

// TestClientKeys: every key made from a client IP is the same for two
// addresses of one client and differs for two clients, in both families.
func TestClientKeys(t *testing.T) {
	t.Parallel()
	k := NewAttemptKeys([]byte("material"))
	l := NewLimiter(Deps{Throttle: Throttle{Keys: k}})
	keys := map[string]func(ip netip.Addr) AttemptKey{
		"pair":     func(ip netip.Addr) AttemptKey { return k.pair("alice", ip) },
		"ip":       k.ip,
		"register": k.register,
		"known":    func(ip netip.Addr) AttemptKey { return k.known("alice", ip) },
		"limit":    func(ip netip.Addr) AttemptKey { return l.ClientKey("mail_ip", ip) },
	}
	tests := []struct {
		name string
		a, b string
		same bool
	}{
		{"IPv6 in one /64", "2001:db8:1::2", "2001:db8:1::3", true},
		{"IPv6 temporary address in the /64", "2001:db8:1::2", "2001:db8:1:0:a1b2:c3d4:e5f6:789", true},
		{"IPv6 in the next /64", "2001:db8:1::2", "2001:db8:1:1::2", false},
		{"IPv4 neighbours", "203.0.113.7", "203.0.113.8", false},
		{"IPv4 and its mapped form", "203.0.113.7", "::ffff:203.0.113.7", true},
		{"IPv4 and an IPv6 of the same leading bytes", "203.0.113.7", "cb00:7107::", false},
	}
	for kind, key := range keys {
		for _, tt := range tests {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				a, b := key(netip.MustParseAddr(tt.a)), key(netip.MustParseAddr(tt.b))
				if (a == b) != tt.same {
					t.Errorf("%s key of %s and of %s: same = %t, want %t", kind, tt.a, tt.b, a == b, tt.same)
				}
			})
		}
	}
}

package httpapi

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// TestMetadata: RFC 8414's document has exactly API.md's members, is
// cacheable for five minutes, and its URLs start with AUTHD_PUBLIC_URL, or
// else with the request's own scheme and host, forwarded ones believed only
// from a trusted proxy.
func TestMetadata(t *testing.T) {
	t.Parallel()
	loopback := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	tests := []struct {
		name    string
		opts    Options
		headers []string
		base    string // "" for the test server's own URL
	}{
		{"request's host", Options{}, nil, ""},
		{"public url", Options{PublicURL: "https://auth.example.com/id"}, []string{"X-Forwarded-Host", "evil.example"}, "https://auth.example.com/id"},
		{"forwarded from an untrusted peer", Options{}, []string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "evil.example"}, ""},
		{"forwarded from a trusted proxy", Options{TrustedProxies: loopback}, []string{"X-Forwarded-Proto", "https", "X-Forwarded-Host", "auth.example.com:8443"}, "https://auth.example.com:8443"},
		{"nearest proxy's entry", Options{TrustedProxies: loopback}, []string{"X-Forwarded-Proto", "http, HTTPS", "X-Forwarded-Host", "a.example, b.example"}, "https://b.example"},
		{"bad forwarded values", Options{TrustedProxies: loopback}, []string{"X-Forwarded-Proto", "gopher", "X-Forwarded-Host", "evil.example/path"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{opts: tt.opts})
			r := e.do(t, http.MethodGet, metadataPath, "", "", tt.headers...)
			if r.status != http.StatusOK {
				t.Fatalf("status = %d; body %s", r.status, r.raw)
			}
			if got := r.header.Get("Cache-Control"); got != "public, max-age=300" {
				t.Errorf("Cache-Control = %q", got)
			}
			base := tt.base
			if base == "" {
				base = e.url
			}
			want := map[string]any{
				"issuer":                                "authd",
				"token_endpoint":                        base + "/auth/login",
				"jwks_uri":                              base + "/.well-known/jwks.json",
				"revocation_endpoint":                   base + "/auth/revoke",
				"grant_types_supported":                 []any{"password", "refresh_token"},
				"token_endpoint_auth_methods_supported": []any{"none"},
				"revocation_endpoint_auth_methods_supported": []any{"none"},
				"response_types_supported":                   []any{},
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(r.raw), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("document = %s\nwant %v", r.raw, want)
			}
			if !strings.Contains(r.raw, `"response_types_supported":[]`) {
				t.Errorf("response_types_supported is not an empty array: %s", r.raw)
			}
		})
	}
}

// TestOpenAPIServers: the document's one server is AUTHD_PUBLIC_URL, or
// the origin that served it ("/"), where /docs sends its requests.
func TestOpenAPIServers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ public, want string }{{"", "/"}, {"https://auth.acme.test/id", "https://auth.acme.test/id"}} {
		r := newEnv(t, envOptions{opts: Options{PublicURL: tt.public}}).do(t, http.MethodGet, "/openapi.json", "", "")
		var doc struct {
			Servers []struct{ URL string }
		}
		if err := json.Unmarshal([]byte(r.raw), &doc); err != nil || len(doc.Servers) != 1 || doc.Servers[0].URL != tt.want {
			t.Errorf("public url %q: servers = %+v (%v), want one, %q", tt.public, doc.Servers, err, tt.want)
		}
	}
}

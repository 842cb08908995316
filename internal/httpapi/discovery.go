package httpapi

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

// metadataPath is RFC 8414 §3's well-known path of the authorization
// server metadata, which OAuth2 client libraries discover authd by.
const metadataPath = "/.well-known/oauth-authorization-server"

// MetadataBody is the answer of GET /.well-known/oauth-authorization-server
// (RFC 8414 §2): where a client finds the token, revocation and key
// endpoints, and what they take.
type MetadataBody struct {
	Issuer                                 string   `json:"issuer" example:"https://auth.example.com" doc:"AUTHD_JWT_ISSUER, the iss claim of access tokens."`
	TokenEndpoint                          string   `json:"token_endpoint" format:"uri" example:"https://auth.example.com/auth/login"`
	JWKSURI                                string   `json:"jwks_uri" format:"uri" example:"https://auth.example.com/.well-known/jwks.json"`
	RevocationEndpoint                     string   `json:"revocation_endpoint" format:"uri" example:"https://auth.example.com/auth/revoke"`
	GrantTypesSupported                    []string `json:"grant_types_supported" nullable:"false" example:"[\"password\",\"refresh_token\"]"`
	TokenEndpointAuthMethodsSupported      []string `json:"token_endpoint_auth_methods_supported" nullable:"false" example:"[\"none\"]" doc:"none: authd has public clients only."`
	RevocationEndpointAuthMethodsSupported []string `json:"revocation_endpoint_auth_methods_supported" nullable:"false" example:"[\"none\"]"`
	ResponseTypesSupported                 []string `json:"response_types_supported" nullable:"false" example:"[]" doc:"Empty: authd has no authorization endpoint."`
}

// metadataCacheControl lets clients and proxies keep the document five
// minutes (API.md): it changes only with the settings.
const metadataCacheControl = "public, max-age=300"

type metadataOutput struct {
	CacheControl string `header:"Cache-Control" example:"public, max-age=300" doc:"public, max-age=300"`
	Body         MetadataBody
}

// requestInput hands an operation the request itself, for what is derived
// from its transport (scheme, host, peer) rather than declared as input.
type requestInput struct {
	r *http.Request
}

// Resolve captures the request without documenting anything.
func (in *requestInput) Resolve(ctx huma.Context) []error {
	in.r, _ = humago.Unwrap(ctx)
	return nil
}

func (s *Server) handleMetadata() func(context.Context, *requestInput) (*metadataOutput, error) {
	return func(_ context.Context, in *requestInput) (*metadataOutput, error) {
		base := s.publicBase(in.r)
		return &metadataOutput{CacheControl: metadataCacheControl, Body: MetadataBody{
			Issuer:                                 s.opts.Issuer,
			TokenEndpoint:                          base + tokenPath,
			JWKSURI:                                base + jwksPath,
			RevocationEndpoint:                     base + revokePath,
			GrantTypesSupported:                    []string{grantPassword, grantRefresh},
			TokenEndpointAuthMethodsSupported:      []string{"none"},
			RevocationEndpointAuthMethodsSupported: []string{"none"},
			ResponseTypesSupported:                 []string{},
		}}, nil
	}
}

// publicBase is the URL clients reach authd at, with no trailing slash:
// AUTHD_PUBLIC_URL when set, else the scheme and host r came with. Those of
// X-Forwarded-Proto and X-Forwarded-Host are believed only from a trusted
// proxy (AUTHD_TRUSTED_PROXIES), as X-Forwarded-For is: from anyone else,
// they would let a client point the links of an answer at its own host.
func (s *Server) publicBase(r *http.Request) string {
	if s.opts.PublicURL != "" {
		return strings.TrimRight(s.opts.PublicURL, "/")
	}
	scheme, host := "http", r.Host
	if r.TLS != nil {
		scheme = "https"
	}
	if peer, ok := parseHop(r.RemoteAddr); ok && isTrusted(peer, s.opts.TrustedProxies) {
		if p := lastItem(r.Header.Get("X-Forwarded-Proto")); p == "http" || p == "https" {
			scheme = p
		}
		if h := lastItem(r.Header.Get("X-Forwarded-Host")); validHost(h) {
			host = h
		}
	}
	return scheme + "://" + host
}

// lastItem is the rightmost entry of a comma-separated header, the one the
// nearest proxy wrote, lower-cased.
func lastItem(v string) string {
	return strings.ToLower(strings.TrimSpace(v[strings.LastIndexByte(v, ',')+1:]))
}

// validHost reports whether h is a bare host[:port], nothing more.
func validHost(h string) bool {
	if h == "" {
		return false
	}
	u, err := url.Parse("http://" + h)
	return err == nil && u.Host == h && u.User == nil && u.Path == "" && u.RawQuery == "" && u.Fragment == ""
}

// ownOrigin is the origin (RFC 6454) of publicBase: what a browser sends
// as Origin from authd's own pages.
func (s *Server) ownOrigin(r *http.Request) string {
	return origin(s.publicBase(r))
}

// origin is the serialized origin of a URL, as browsers send it in Origin
// (RFC 6454 §6.2): scheme and host lower-cased, no default port, no path.
// Anything that is not an http(s) URL with a host gives "", which matches
// no origin.
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port := u.Port(); port != "" && !(scheme == "http" && port == "80") && !(scheme == "https" && port == "443") {
		host += ":" + port
	}
	return scheme + "://" + host
}

package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/authd/authd/internal/auth"
)

// Security scheme names in the OpenAPI document.
const (
	schemeOAuth2 = "OAuth2Password"
	schemeBearer = "BearerAuth"
)

const apiDescription = `authd registers users, logs them in by username or email, and issues
short-lived JWT access tokens with refresh tokens.

Quick start:

1. POST /auth/register with a username, email and password.
2. Press **Authorize** and enter the username (or email) and password: the
   OAuth2 password flow calls POST /auth/login for you.
3. Try GET /auth/me and GET /auth/sessions.
4. POST /auth/refresh with the refresh_token to get a new pair: each refresh
   token works once (it rotates).
5. POST /auth/logout ends the session; its tokens stop working here at once.

Every error has the same JSON shape (detail, error_code, timestamp,
request_id) and every response carries X-Request-ID.`

// humaConfig starts from huma's defaults and removes what authd does not
// want: huma's own docs and schema routes (authd serves its own, offline),
// the $schema link added to every body, and formats other than JSON.
func (s *Server) humaConfig() huma.Config {
	cfg := huma.DefaultConfig("authd", s.opts.Version)
	cfg.OpenAPIPath, cfg.DocsPath, cfg.SchemasPath = "", "", ""
	cfg.CreateHooks = nil
	// huma picks application/problem+json for its own errors before the
	// transformer replaces them (and the Content-Type) with authd's shape.
	cfg.Formats = map[string]huma.Format{mediaJSON: huma.DefaultJSONFormat, "application/problem+json": huma.DefaultJSONFormat}
	cfg.DefaultFormat = mediaJSON
	cfg.Transformers = []huma.Transformer{s.transformErrors}
	cfg.Info.Description = apiDescription
	cfg.Info.License = &huma.License{Name: "Apache-2.0", Identifier: "Apache-2.0"}
	cfg.Info.Contact = &huma.Contact{Name: "authd maintainers"}
	// One server: AUTHD_PUBLIC_URL, else the origin /openapi.json was
	// fetched from, which is where /docs sends its requests.
	server := &huma.Server{URL: "/", Description: "This authd, at the origin that served this document."}
	if s.opts.PublicURL != "" {
		server = &huma.Server{URL: s.opts.PublicURL, Description: "This authd (AUTHD_PUBLIC_URL)."}
	}
	cfg.Servers = []*huma.Server{server}
	cfg.Tags = []*huma.Tag{
		{Name: "auth", Description: "Register, log in (also the OAuth2 token endpoint), refresh, revoke, and the user of a token."},
		{Name: "sessions", Description: "The caller's sessions: log out, list, end one, change the password."},
		{Name: "recovery", Description: "Mail: forgotten passwords, email verification and address change. 501 NOT_CONFIGURED while mail is off."},
		{Name: "mfa", Description: "Two-factor login with TOTP: enrolment, recovery codes, and the second step of a login that answered MFA_REQUIRED."},
		{Name: "keys", Description: "What other services and OAuth2 clients discover authd by: the public keys and the RFC 8414 metadata."},
		{Name: "health", Description: "Liveness and readiness, for probes and load balancers."},
		{Name: "admin", Description: "Administration, for users holding the admin role: find, create, change and delete users, end their sessions, set passwords, and read the audit trail. Every change is recorded in the audit trail with the acting admin."},
	}
	cfg.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		schemeOAuth2: {
			Type:        "oauth2",
			Description: "Username (or email) and password, sent form-encoded to POST /auth/login, the token endpoint, which also takes the refresh grant.",
			Flows:       &huma.OAuthFlows{Password: &huma.OAuthFlow{TokenURL: tokenPath, RefreshURL: tokenPath, Scopes: map[string]string{}}},
		},
		schemeBearer: {Type: "http", Scheme: "bearer", BearerFormat: "JWT", Description: "An access token from login, register or refresh."},
	}
	return cfg
}

// bearerSecurity marks an operation as needing an access token, by either scheme.
func bearerSecurity() []map[string][]string {
	return []map[string][]string{{schemeOAuth2: {}}, {schemeBearer: {}}}
}

// publicSecurity marks an operation that needs no credentials: an empty
// list, which OpenAPI reads as "no security", unlike an absent one.
func publicSecurity() []map[string][]string {
	return []map[string][]string{}
}

// optionalBearerSecurity marks an operation that takes an access token or
// works without one (logout by refresh token).
func optionalBearerSecurity() []map[string][]string {
	return append(bearerSecurity(), map[string][]string{})
}

// errorResponses documents each error code an operation can answer, grouped
// by status, with one example body per code. specJSON adds the codes that
// come with every operation, or with every operation that reads a body.
func (s *Server) errorResponses(codes ...auth.Code) map[string]*huma.Response {
	out := map[string]*huma.Response{}
	s.addErrors(out, codes...)
	return out
}

// addErrors adds codes to responses, each as an example of its status.
func (s *Server) addErrors(responses map[string]*huma.Response, codes ...auth.Code) {
	schema := s.api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[errorBody](), true, "ErrorBody")
	for _, code := range codes {
		status := strconv.Itoa(code.Status())
		r, ok := responses[status]
		if !ok {
			r = &huma.Response{Description: http.StatusText(code.Status())}
			responses[status] = r
		}
		if r.Content == nil {
			r.Content = map[string]*huma.MediaType{}
		}
		mt := r.Content[mediaJSON]
		if mt == nil {
			mt = &huma.MediaType{Schema: schema}
			r.Content[mediaJSON] = mt
		}
		if mt.Examples == nil {
			mt.Examples = map[string]*huma.Example{}
		}
		mt.Examples[string(code)] = &huma.Example{Summary: string(code), Value: exampleError(code)}
		if code.Status() == http.StatusServiceUnavailable || code.Status() == http.StatusTooManyRequests {
			if r.Headers == nil {
				r.Headers = map[string]*huma.Header{}
			}
			r.Headers["Retry-After"] = &huma.Header{Schema: &huma.Schema{
				Type: "integer", Examples: []any{1},
				Description: "Whole seconds to wait before trying again.",
			}}
		}
	}
}

// operation finds a registered operation of the document.
func (s *Server) operation(method, path string) (*huma.Operation, error) {
	item := s.api.OpenAPI().Paths[path]
	if item == nil {
		return nil, fmt.Errorf("no path %s", path)
	}
	op := map[string]*huma.Operation{http.MethodPost: item.Post, http.MethodGet: item.Get,
		http.MethodPut: item.Put, http.MethodPatch: item.Patch, http.MethodDelete: item.Delete}[method]
	if op == nil {
		return nil, fmt.Errorf("no %s %s", method, path)
	}
	return op, nil
}

// requestBody documents a RawBody operation's body with the Go types its
// handler decodes into, one per media type. huma would otherwise describe
// a raw body as opaque bytes.
func (s *Server) requestBody(method, path string, types map[string]reflect.Type) error {
	op, err := s.operation(method, path)
	if err != nil {
		return fmt.Errorf("document body: %w", err)
	}
	reg := s.api.OpenAPI().Components.Schemas
	// The logout body is optional: a bearer token alone ends its session.
	rb := &huma.RequestBody{Required: path != "/auth/logout", Content: map[string]*huma.MediaType{}}
	keys := make([]string, 0, len(types))
	for mt := range types {
		keys = append(keys, mt)
	}
	sort.Strings(keys)
	for _, mt := range keys {
		t := types[mt]
		rb.Content[mt] = &huma.MediaType{Schema: reg.Schema(t, true, t.Name())}
	}
	op.RequestBody = rb
	return nil
}

// specJSON renders the OpenAPI document once, at start. huma registers its
// own error model whenever an operation is added, and gives an operation
// with no documented errors a "default" response in that model; authd never
// sends it, so both are taken out of the document.
//
// Every operation can answer 500 INTERNAL_ERROR (a recovered panic) and
// what readBodies answers to any body (408, 413), and every one that takes
// a body what the decoders answer too (400, 415): the document lists those for each operation
// here, so one added later cannot leave them out. Every success answer
// carries Cache-Control (no-store unless its handler says otherwise, see
// securityHeaders); the document says so for each operation whose output
// type does not declare the header itself.
func (s *Server) specJSON() ([]byte, error) {
	for _, item := range s.api.OpenAPI().Paths {
		for _, op := range []*huma.Operation{item.Get, item.Post, item.Put, item.Patch, item.Delete} {
			if op == nil {
				continue
			}
			delete(op.Responses, "default")
			documentChallenge(op)
			// readBodies reads any request's body, a GET's too, within the
			// size and time bounds.
			s.addErrors(op.Responses, auth.CodeInternal, auth.CodeRequestTimeout, auth.CodePayloadTooLarge)
			if op.RequestBody != nil {
				s.addErrors(op.Responses, auth.CodeValidation, auth.CodeRequestTimeout, auth.CodePayloadTooLarge, auth.CodeUnsupportedMedia)
			}
			for status, r := range op.Responses {
				if !strings.HasPrefix(status, "2") || r.Headers["Cache-Control"] != nil {
					continue
				}
				if r.Headers == nil {
					r.Headers = map[string]*huma.Header{}
				}
				r.Headers["Cache-Control"] = &huma.Header{Schema: &huma.Schema{
					Type: "string", Examples: []any{noStore},
					Description: "no-store: the answer must not be cached.",
				}}
			}
		}
	}
	schemas := s.api.OpenAPI().Components.Schemas.Map()
	delete(schemas, "ErrorModel")
	delete(schemas, "ErrorDetail")
	b, err := json.Marshal(s.api.OpenAPI())
	if err != nil {
		return nil, fmt.Errorf("render OpenAPI document: %w", err)
	}
	return b, nil
}

func serveSpec(spec []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", mediaJSON)
		_, _ = w.Write(spec)
	})
}

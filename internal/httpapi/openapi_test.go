package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	var doc struct {
		OpenAPI string `json:"openapi"`
		Info    struct {
			Title, Version, Description string
		}
		Paths      map[string]map[string]json.RawMessage
		Components struct {
			Schemas         map[string]json.RawMessage
			SecuritySchemes map[string]map[string]any
		}
	}
	newEnv(t, envOptions{}).openAPI(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	if doc.Info.Title != "authd" || doc.Info.Version != "test" || !strings.Contains(doc.Info.Description, "Quick start") {
		t.Errorf("info = %+v", doc.Info)
	}
	routes := map[string]string{
		"/auth/register": "post", "/auth/login": "post", "/auth/refresh": "post",
		"/auth/me": "get", "/health": "get", "/health/ready": "get", "/.well-known/jwks.json": "get",
	}
	for path, method := range routes {
		if _, ok := doc.Paths[path][method]; !ok {
			t.Errorf("%s %s missing from the document", method, path)
		}
	}
	for _, name := range []string{"OAuth2Password", "BearerAuth"} {
		if _, ok := doc.Components.SecuritySchemes[name]; !ok {
			t.Errorf("security scheme %s missing", name)
		}
	}
	flow := fmt.Sprint(doc.Components.SecuritySchemes["OAuth2Password"]["flows"])
	if !strings.Contains(flow, "refreshUrl:/auth/login") || !strings.Contains(flow, "tokenUrl:/auth/login") {
		t.Errorf("OAuth2 password flow = %s, want tokenUrl and refreshUrl /auth/login", flow)
	}
	if doc.Components.SecuritySchemes["BearerAuth"]["scheme"] != "bearer" {
		t.Errorf("BearerAuth = %v", doc.Components.SecuritySchemes["BearerAuth"])
	}
	for _, name := range []string{"ErrorBody", "RegisterRequest", "LoginRequest", "LoginForm", "RefreshRequest", "SessionBody", "UserBody", "TokenBody"} {
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("schema %s missing (have %v)", name, keys(doc.Components.Schemas))
		}
	}
	if _, ok := doc.Components.Schemas["ErrorModel"]; ok {
		t.Error("huma's ErrorModel is documented but never sent")
	}
	var errSchema struct {
		Properties map[string]any
	}
	_ = json.Unmarshal(doc.Components.Schemas["ErrorBody"], &errSchema)
	for _, f := range []string{"detail", "error_code", "timestamp", "request_id", "errors", "error"} {
		if _, ok := errSchema.Properties[f]; !ok {
			t.Errorf("ErrorBody schema lacks %s", f)
		}
	}

	var login struct {
		RequestBody struct {
			Content map[string]any
		}
		Responses map[string]json.RawMessage
	}
	_ = json.Unmarshal(doc.Paths["/auth/login"]["post"], &login)
	for _, mt := range []string{"application/json", "application/x-www-form-urlencoded"} {
		if _, ok := login.RequestBody.Content[mt]; !ok {
			t.Errorf("login body lacks %s", mt)
		}
	}
	for _, status := range []string{"200", "400", "401", "403", "415"} {
		if _, ok := login.Responses[status]; !ok {
			t.Errorf("login responses lack %s", status)
		}
	}
	if !strings.Contains(string(login.Responses["401"]), "INVALID_CREDENTIALS") {
		t.Errorf("login 401 has no INVALID_CREDENTIALS example: %s", login.Responses["401"])
	}
	for _, want := range []string{"TOKEN_EXPIRED", "INVALID_TOKEN"} { // the refresh grant's
		if !strings.Contains(string(login.Responses["401"]), want) {
			t.Errorf("login 401 has no %s example: %s", want, login.Responses["401"])
		}
	}
	for _, body := range []string{"SessionBody", "TokenBody"} {
		if !strings.Contains(string(login.Responses["200"]), "#/components/schemas/"+body) {
			t.Errorf("login 200 does not offer %s: %s", body, login.Responses["200"])
		}
	}
	var form struct {
		Properties map[string]struct {
			Enum []string
		}
	}
	_ = json.Unmarshal(doc.Components.Schemas["LoginForm"], &form)
	if g := form.Properties["grant_type"].Enum; !slices.Equal(g, []string{"password", "refresh_token"}) {
		t.Errorf("LoginForm grant_type enum = %v, want both grants", g)
	}
	if _, ok := form.Properties["refresh_token"]; !ok {
		t.Error("LoginForm lacks refresh_token")
	}
	formBody, _ := json.Marshal(login.RequestBody.Content["application/x-www-form-urlencoded"])
	for _, grant := range []string{`"grant_type":"password"`, `"grant_type":"refresh_token"`} {
		if !strings.Contains(string(formBody), grant) {
			t.Errorf("login form has no example with %s: %s", grant, formBody)
		}
	}
	var reg struct {
		Responses map[string]json.RawMessage
	}
	_ = json.Unmarshal(doc.Paths["/auth/register"]["post"], &reg)
	if _, ok := reg.Responses["201"]; !ok {
		t.Errorf("register lacks 201: %v", keys(reg.Responses))
	}
	jwks := string(doc.Paths["/.well-known/jwks.json"]["get"])
	if !strings.Contains(jwks, `"Cache-Control"`) || !strings.Contains(jwks, "JWKSBody") {
		t.Errorf("/.well-known/jwks.json lacks its Cache-Control header or body schema: %s", jwks)
	}
	if !strings.Contains(string(doc.Paths["/auth/me"]["get"]), "BearerAuth") {
		t.Error("/auth/me has no bearer security")
	}
}

// TestOpenAPIRefsResolve walks the whole document: every $ref must name a
// schema that is there (ReDoc refuses to render a document with a dangling one).
func TestOpenAPIRefsResolve(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	r := e.do(t, http.MethodGet, "/openapi.json", "", "")
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.raw), &doc); err != nil {
		t.Fatal(err)
	}
	schemas, _ := doc["components"].(map[string]any)["schemas"].(map[string]any)
	var refs int
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if ref, ok := x.(string); ok && k == "$ref" {
					refs++
					name := strings.TrimPrefix(ref, "#/components/schemas/")
					if _, ok := schemas[name]; !ok || name == ref {
						t.Errorf("dangling $ref %q", ref)
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	if refs == 0 {
		t.Error("no $ref found; the walk is broken")
	}
	if strings.Contains(r.raw, `"default"`) {
		t.Error(`a "default" response is documented; authd documents each status`)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// openAPI fetches the served OpenAPI document into doc.
func (e *env) openAPI(t *testing.T, doc any) {
	t.Helper()
	r := e.do(t, http.MethodGet, "/openapi.json", "", "")
	if r.status != http.StatusOK {
		t.Fatalf("GET /openapi.json: status %d", r.status)
	}
	if err := json.Unmarshal([]byte(r.raw), doc); err != nil {
		t.Fatalf("GET /openapi.json: not JSON: %v", err)
	}
}

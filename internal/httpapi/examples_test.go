package httpapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// The OpenAPI document as these tests read it: plain JSON, so they see what
// a client sees and cover operations added later without a change here.
type (
	apiDoc struct {
		Paths      map[string]map[string]*apiOperation `json:"paths"`
		Components struct {
			Schemas map[string]apiSchema `json:"schemas"`
		} `json:"components"`
	}
	apiOperation struct {
		OperationID string                `json:"operationId"`
		Security    []map[string][]string `json:"security"`
		Parameters  []struct {
			Name    string `json:"name"`
			In      string `json:"in"`
			Example any    `json:"example"`
		} `json:"parameters"`
		RequestBody *struct {
			Content map[string]apiMedia `json:"content"`
		} `json:"requestBody"`
		Responses map[string]apiResponse `json:"responses"`
	}
	apiMedia struct {
		Examples map[string]struct {
			Value any `json:"value"`
		} `json:"examples"`
	}
	apiResponse struct {
		Headers map[string]struct {
			Schema struct {
				Examples []any `json:"examples"`
			} `json:"schema"`
		} `json:"headers"`
		Content map[string]apiMedia `json:"content"`
	}
	apiSchema struct {
		Properties map[string]struct {
			Format   string `json:"format"`
			Examples []any  `json:"examples"`
		} `json:"properties"`
	}
)

// exampleEnv is a server set up as cmd/authd sets one up: the health checks
// carry production's names, so documented health answers can be compared.
func exampleEnv(t *testing.T) *env {
	t.Helper()
	// A fixed clock, so the two-factor examples can compute their codes.
	return newEnv(t, envOptions{now: exampleClock, checks: []HealthCheck{
		{Name: "database", Check: func(context.Context) (string, bool) { return "ok", true }},
		{Name: "circuit_breaker", Check: func(context.Context) (string, bool) { return "closed", true }},
	}, mail: mailSettings()})
}

func fetchDoc(t *testing.T, e *env) apiDoc {
	t.Helper()
	r := e.do(t, http.MethodGet, "/openapi.json", "", "")
	var doc apiDoc
	if err := json.Unmarshal([]byte(r.raw), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// exampleCall is one documented way of calling an operation.
type exampleCall struct {
	name, method, path string
	op                 *apiOperation
	mediaType          string
	body               any // the example's value; nil without a body
}

// exampleCalls lists, for every operation, one call per request example of
// each media type, or one call without a body. It fails an operation that
// takes a body but documents no example for a media type: ReDoc and Swagger
// UI then build a sample from the schema, which is how the login sample
// came to hold username, email and password at once.
func exampleCalls(t *testing.T, doc apiDoc) []exampleCall {
	t.Helper()
	var calls []exampleCall
	for path, item := range doc.Paths {
		for method, op := range item {
			method = strings.ToUpper(method)
			if op.RequestBody == nil {
				calls = append(calls, exampleCall{name: op.OperationID, method: method, path: path, op: op})
				continue
			}
			for mt, media := range op.RequestBody.Content {
				if len(media.Examples) == 0 {
					t.Errorf("%s %s: no request example for %s", method, path, mt)
				}
				for name, ex := range media.Examples {
					calls = append(calls, exampleCall{name: op.OperationID + "/" + mt + "/" + name,
						method: method, path: path, op: op, mediaType: mt, body: ex.Value})
				}
			}
		}
	}
	sort.Slice(calls, func(i, j int) bool { return calls[i].name < calls[j].name })
	return calls
}

// TestDocumentedExamplesWork sends every request example of /openapi.json
// to a real server and expects the documented success status, its
// Cache-Control and a body shaped like a documented success example.
//
// Each call gets a fresh server holding one fixture user: the one the
// register operation's own example creates, so the examples of the other
// operations (login, a password change) must name that user and password.
// Where an example can only stand for a secret the server made (a refresh
// token), the fixture's live value of the same name replaces it; an
// operation with security is sent the fixture's access token; a path
// parameter takes a live value of its name, else its documented example
// (see liveValues).
func TestDocumentedExamplesWork(t *testing.T) {
	t.Parallel()
	doc := fetchDoc(t, exampleEnv(t))
	register := findOperation(t, doc, "register")
	var fixture map[string]any
	for name, ex := range register.RequestBody.Content[mediaJSON].Examples {
		if fixture != nil {
			t.Fatalf("register has several JSON examples (%s too): which is the fixture?", name)
		}
		fixture, _ = ex.Value.(map[string]any)
	}
	if fixture == nil {
		t.Fatal("register documents no JSON example to make the fixture user from")
	}
	for _, c := range exampleCalls(t, doc) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := exampleEnv(t)
			live := map[string]string{}
			if c.op.OperationID != "register" {
				r := e.postJSON(t, "/auth/register", fixture)
				if r.status != http.StatusCreated {
					t.Fatalf("fixture user from register's example: %d %s", r.status, r.raw)
				}
				live = liveValues(t, r)
			}
			if strings.HasPrefix(c.path, "/admin/") {
				live["id"] = adminFixture(t, e)
			}
			if prep, ok := mfaExamples[c.op.OperationID]; ok {
				prep(t, e, live)
			}
			r := sendExample(t, e, c, live)
			if mailedSecret[c.op.OperationID] {
				// The token or code exists only in a mail; the flows
				// through Mailpit (recovery_test.go) show the 204. Here
				// the example must be a well-formed body, refused as a
				// code that does not work.
				if r.status != http.StatusUnauthorized || jsonField(r, "error_code") != "INVALID_CODE" {
					t.Fatalf("%s %s with its example: %d %s; want 401 INVALID_CODE", c.method, c.path, r.status, r.raw)
				}
				return
			}
			status, want := successResponse(t, c.op)
			if strconv.Itoa(r.status) != status {
				t.Fatalf("%s %s with its example: %d, documented %s; body %s", c.method, c.path, r.status, status, r.raw)
			}
			if h, ok := want.Headers["Cache-Control"]; !ok || len(h.Schema.Examples) == 0 {
				t.Errorf("%s: Cache-Control not documented with an example", status)
			} else if got := r.header.Get("Cache-Control"); got != h.Schema.Examples[0].(string) {
				t.Errorf("Cache-Control = %q, documented %q", got, h.Schema.Examples[0])
			}
			media, hasBody := want.Content[mediaJSON]
			if !hasBody {
				return
			}
			if len(media.Examples) == 0 {
				t.Fatalf("%s has a body but no example", status)
			}
			var got any
			if err := json.Unmarshal([]byte(r.raw), &got); err != nil {
				t.Fatalf("answer is not JSON: %s", r.raw)
			}
			var diffs []string
			for name, ex := range media.Examples {
				d := shapeDiff(ex.Value, got, "")
				if d == "" {
					return
				}
				diffs = append(diffs, name+": "+d)
			}
			t.Errorf("answer %s matches no documented example: %s", r.raw, strings.Join(diffs, "; "))
		})
	}
}

// mailedSecret are the operations whose examples stand for a secret that
// only a delivered mail holds.
var mailedSecret = map[string]bool{"resetPassword": true, "verifyEmail": true}

// adminFixture makes the fixture user (alice, user 1) an admin and adds
// the user the /admin examples act on; it returns that user's id, the
// {id} of their paths.
func adminFixture(t *testing.T, e *env) string {
	t.Helper()
	roles := []string{"admin"}
	if _, _, err := e.store.UpdateUser(t.Context(), auth.UserUpdate{UserID: 1, Roles: &roles, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	u, err := e.store.CreateUser(t.Context(), auth.NewUser{Username: "bob", Email: "bob@example.com",
		HashedPassword: "$2a$04$nobody-knows-this-hash-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", CreatedAt: time.Now(), Roles: []string{"editor"}})
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(u.ID, 10)
}

func findOperation(t *testing.T, doc apiDoc, id string) *apiOperation {
	t.Helper()
	for _, item := range doc.Paths {
		for _, op := range item {
			if op.OperationID == id {
				return op
			}
		}
	}
	t.Fatalf("no operation %s in the document", id)
	return nil
}

// liveValues are the fixture's secrets by name: the answer's top-level
// strings (access_token, refresh_token), which an example can only stand
// for, and id, the session id of its access token (the sid claim), for the
// one path parameter so far, DELETE /auth/sessions/{id}. Nothing else is
// replaced: a username or password in an example must be the fixture's.
func liveValues(t *testing.T, r response) map[string]string {
	t.Helper()
	live := map[string]string{}
	for k, v := range r.json {
		if s, ok := v.(string); ok {
			live[k] = s
		}
	}
	parts := strings.Split(live["access_token"], ".")
	if len(parts) != 3 {
		t.Fatalf("access token is not a JWT: %q", live["access_token"])
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims struct {
		SID string `json:"sid"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil || claims.SID == "" {
		t.Fatalf("access token claims %s: no sid (%v)", payload, err)
	}
	live["id"] = claims.SID
	return live
}

func sendExample(t *testing.T, e *env, c exampleCall, live map[string]string) response {
	t.Helper()
	path := c.path
	for _, p := range c.op.Parameters {
		if p.In != "path" {
			continue
		}
		v, ok := live[p.Name]
		if !ok {
			v = strings.Trim(string(mustJSON(t, p.Example)), `"`)
		}
		path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(v))
	}
	var body string
	carriesCredential := false
	if c.body != nil {
		fields, ok := c.body.(map[string]any)
		if !ok {
			t.Fatalf("example is not an object: %v", c.body)
		}
		sent := map[string]any{}
		for k, v := range fields {
			sent[k] = v
			if lv, ok := live[k]; ok {
				sent[k] = lv
				carriesCredential = true
			}
		}
		switch c.mediaType {
		case mediaForm:
			form := url.Values{}
			for k, v := range sent {
				s, ok := v.(string)
				if !ok {
					t.Fatalf("form example field %s is not a string: %v", k, v)
				}
				form.Set(k, s)
			}
			body = form.Encode()
		default:
			body = string(mustJSON(t, sent))
		}
	}
	// An operation that takes a bearer token optionally (logout) is sent
	// one unless its example carries a credential of its own.
	optional := false
	for _, req := range c.op.Security {
		optional = optional || len(req) == 0
	}
	var headers []string
	if len(c.op.Security) > 0 && !(optional && carriesCredential) {
		headers = append(headers, "Authorization", "Bearer "+live["access_token"])
	}
	return e.do(t, c.method, path, c.mediaType, body, headers...)
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// successResponse is the operation's documented 2xx (the lowest, if several).
func successResponse(t *testing.T, op *apiOperation) (string, apiResponse) {
	t.Helper()
	var statuses []string
	for s := range op.Responses {
		if strings.HasPrefix(s, "2") {
			statuses = append(statuses, s)
		}
	}
	if len(statuses) == 0 {
		t.Fatalf("%s documents no success status", op.OperationID)
	}
	sort.Strings(statuses)
	return statuses[0], op.Responses[statuses[0]]
}

// shapeDiff compares a documented example with a real answer: the same keys
// at every level and the same kind of JSON value for each. It returns ""
// when they agree, else where they first differ. Arrays compare their
// first elements when both have one.
func shapeDiff(doc, got any, at string) string {
	switch d := doc.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return at + ": documented an object, got " + kind(got)
		}
		for k := range d {
			if _, ok := g[k]; !ok {
				return at + "." + k + ": documented, not answered"
			}
		}
		for k := range g {
			if _, ok := d[k]; !ok {
				return at + "." + k + ": answered, not documented"
			}
		}
		for k := range d {
			if diff := shapeDiff(d[k], g[k], at+"."+k); diff != "" {
				return diff
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return at + ": documented an array, got " + kind(got)
		}
		if len(d) > 0 && len(g) > 0 {
			return shapeDiff(d[0], g[0], at+"[0]")
		}
		return ""
	}
	if kind(doc) != kind(got) {
		return at + ": documented " + kind(doc) + ", got " + kind(got)
	}
	return ""
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return "unknown"
}

// TestDocumentedStatuses: every operation documents the statuses its kind of
// work can answer, so an operation added later cannot leave them out.
func TestDocumentedStatuses(t *testing.T) {
	t.Parallel()
	doc := fetchDoc(t, newEnv(t, envOptions{}))
	for path, item := range doc.Paths {
		for method, op := range item {
			has := func(status, code string) bool {
				for name := range op.Responses[status].Content[mediaJSON].Examples {
					if name == code {
						return true
					}
				}
				return false
			}
			want := [][2]string{{"500", "INTERNAL_ERROR"}}
			if op.RequestBody != nil {
				want = append(want, [][2]string{{"400", "VALIDATION_ERROR"}, {"408", "REQUEST_TIMEOUT"},
					{"413", "PAYLOAD_TOO_LARGE"}, {"415", "UNSUPPORTED_MEDIA_TYPE"}}...)
			}
			// A store call can fail, or meet the open breaker: both or neither.
			if has("500", "DATABASE_ERROR") || has("503", "CIRCUIT_BREAKER_OPEN") {
				want = append(want, [][2]string{{"500", "DATABASE_ERROR"}, {"503", "CIRCUIT_BREAKER_OPEN"}}...)
			}
			for _, w := range want {
				if !has(w[0], w[1]) {
					t.Errorf("%s %s does not document %s %s", method, path, w[0], w[1])
				}
			}
		}
	}
	for _, id := range []string{"register", "login", "refresh", "me"} {
		op := findOperation(t, doc, id)
		if _, ok := op.Responses["503"].Content[mediaJSON].Examples["CIRCUIT_BREAKER_OPEN"]; !ok {
			t.Errorf("%s calls the store but does not document 503 CIRCUIT_BREAKER_OPEN", id)
		}
	}
	for _, id := range []string{"register", "login"} {
		if _, ok := findOperation(t, doc, id).Responses["503"].Content[mediaJSON].Examples["OVERLOADED"]; !ok {
			t.Errorf("%s runs bcrypt but does not document 503 OVERLOADED", id)
		}
	}
}

// TestDocumentedTimestampsAgree: a sample built from the schemas, as ReDoc
// builds one, must be a user that could exist: every date-time property has
// an example (else the viewer makes up its own, such as 2019-08-24), and a
// user's created_at comes before its updated_at and last_login.
func TestDocumentedTimestampsAgree(t *testing.T) {
	t.Parallel()
	doc := fetchDoc(t, newEnv(t, envOptions{}))
	for name, s := range doc.Components.Schemas {
		times := map[string]time.Time{}
		for prop, p := range s.Properties {
			if p.Format != "date-time" {
				continue
			}
			if len(p.Examples) == 0 {
				t.Errorf("%s.%s: date-time without an example", name, prop)
				continue
			}
			str, _ := p.Examples[0].(string)
			ts, err := time.Parse(time.RFC3339, str)
			if err != nil {
				t.Errorf("%s.%s: example %v is not RFC 3339", name, prop, p.Examples[0])
			}
			times[prop] = ts
		}
		created, ok := times["created_at"]
		for _, later := range []string{"updated_at", "last_login"} {
			if ts, has := times[later]; ok && has && ts.Before(created) {
				t.Errorf("%s: %s %s is before created_at %s", name, later, ts, created)
			}
		}
	}
}

// TestExampleUsersAgree walks every example value in the document: each
// user in them (an object with created_at) was created before it was
// updated or logged in.
func TestExampleUsersAgree(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	var doc any
	if err := json.Unmarshal([]byte(e.do(t, http.MethodGet, "/openapi.json", "", "").raw), &doc); err != nil {
		t.Fatal(err)
	}
	users := 0
	var walk func(v any, inExample bool)
	walk = func(v any, inExample bool) {
		switch v := v.(type) {
		case map[string]any:
			if c, ok := v["created_at"].(string); ok && inExample {
				users++
				created, _ := time.Parse(time.RFC3339, c)
				for _, later := range []string{"updated_at", "last_login"} {
					s, _ := v[later].(string)
					if ts, err := time.Parse(time.RFC3339, s); err == nil && ts.Before(created) {
						t.Errorf("example user %v: %s before created_at", v, later)
					}
				}
			}
			for k, x := range v {
				walk(x, inExample || k == "examples" || k == "example")
			}
		case []any:
			for _, x := range v {
				walk(x, inExample)
			}
		}
	}
	walk(doc, false)
	if users == 0 {
		t.Error("no example user found; the walk is broken")
	}
}

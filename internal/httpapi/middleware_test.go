package httpapi

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/logging"
	"github.com/authd/authd/internal/logging/logtest"
)

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRequestID(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	tests := []struct {
		name, sent string
		kept       bool
	}{
		{"valid kept", "abc-123_X.y", true},
		{"128 chars kept", strings.Repeat("a", 128), true},
		{"129 chars replaced", strings.Repeat("a", 129), false},
		{"space replaced", "abc def", false},
		{"injection replaced", `x","level":"ERROR`, false},
		{"missing gets one", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, e.url+"/nope", nil)
			if tt.sent != "" {
				req.Header["X-Request-Id"] = []string{tt.sent}
			}
			r := send(t, req)
			got := r.header.Get("X-Request-ID")
			if tt.kept && got != tt.sent {
				t.Errorf("X-Request-ID = %q, want %q", got, tt.sent)
			}
			if !tt.kept && !uuidRe.MatchString(got) {
				t.Errorf("X-Request-ID = %q, want a new UUID", got)
			}
			if r.json["request_id"] != got {
				t.Errorf("body request_id = %v, header %q", r.json["request_id"], got)
			}
		})
	}
}

func TestRouterErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	t.Run("404 unknown path", func(t *testing.T) {
		wantError(t, e.do(t, http.MethodGet, "/no/such/path", "", ""), http.StatusNotFound, auth.CodeNotFound)
	})
	t.Run("405 with Allow", func(t *testing.T) {
		r := e.do(t, http.MethodDelete, "/auth/register", "", "")
		wantError(t, r, http.StatusMethodNotAllowed, auth.CodeMethodNotAllowed)
		if got := r.header.Get("Allow"); got != "POST" {
			t.Errorf("Allow = %q, want POST", got)
		}
		r = e.do(t, http.MethodPost, "/health", "application/json", "{}")
		wantError(t, r, http.StatusMethodNotAllowed, auth.CodeMethodNotAllowed)
		if got := r.header.Get("Allow"); !strings.Contains(got, "GET") {
			t.Errorf("Allow = %q, want GET in it", got)
		}
	})
}

func TestBodyErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	big := `{"username":"` + strings.Repeat("a", 70<<10) + `"}`
	tests := []struct {
		name, ct, body string
		status         int
		code           auth.Code
		field, detail  string
	}{
		{"text/plain", "text/plain", `{"username":"a"}`, 415, auth.CodeUnsupportedMedia, "", "application/json"},
		{"no content type", "", `{}`, 415, auth.CodeUnsupportedMedia, "", ""},
		{"form to register", "application/x-www-form-urlencoded", `username=a`, 415, auth.CodeUnsupportedMedia, "", ""},
		{"malformed", "application/json", `{"username":`, 400, auth.CodeValidation, "body", ""},
		{"not an object", "application/json", `["a"]`, 400, auth.CodeValidation, "body", ""},
		{"empty", "application/json", ``, 400, auth.CodeValidation, "body", ""},
		{"trailing data", "application/json", `{"username":"alice","email":"a@example.com","password":"tulip-orbit-1"} {}`, 400, auth.CodeValidation, "body", "after"},
		{"unknown field named", "application/json", `{"username":"alice","email":"a@example.com","password":"tulip-orbit-1","is_admin":true}`, 400, auth.CodeValidation, "is_admin", "is_admin"},
		{"duplicate key", "application/json", `{"username":"alice","username":"bob","email":"a@example.com","password":"tulip-orbit-1"}`, 400, auth.CodeValidation, "username", "duplicate"},
		{"key in other case", "application/json", `{"USERNAME":"alice","email":"a@example.com","password":"tulip-orbit-1"}`, 400, auth.CodeValidation, "USERNAME", "unknown"},
		{"wrong type", "application/json", `{"username":1,"email":"a@example.com","password":"tulip-orbit-1"}`, 400, auth.CodeValidation, "body", "string"},
		{"too large", "application/json", big, 413, auth.CodePayloadTooLarge, "", ""},
		{"charset param ok", "application/json; charset=utf-8", `{"username":"x"}`, 400, auth.CodeValidation, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(t, http.MethodPost, "/auth/register", tt.ct, tt.body)
			wantError(t, r, tt.status, tt.code)
			if tt.field != "" && !strings.Contains(strings.Join(fieldErrors(r), ","), tt.field) {
				t.Errorf("errors = %v, want field %q", fieldErrors(r), tt.field)
			}
			if tt.detail != "" && !strings.Contains(r.raw, tt.detail) {
				t.Errorf("body %s does not mention %q", r.raw, tt.detail)
			}
		})
	}
}

// TestChunkedBodyTooLarge sends a body with no Content-Length: the limit
// must hold on what arrives, not on what the client announced.
func TestChunkedBodyTooLarge(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	body := io.MultiReader(strings.NewReader(`{"username":"`), bytes.NewReader(bytes.Repeat([]byte("a"), 100<<10)), strings.NewReader(`"}`))
	req, _ := http.NewRequest(http.MethodPost, e.url+"/auth/register", io.NopCloser(body))
	req.Header.Set("Content-Type", "application/json")
	req.ContentLength = -1
	r := send(t, req)
	wantError(t, r, http.StatusRequestEntityTooLarge, auth.CodePayloadTooLarge)
}

func TestBodyAtLimitAccepted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{opts: Options{MaxBodyBytes: 2048}})
	pad := `{"username":"alice","email":"alice@example.com","password":"tulip-orbit-1"}`
	body := pad + strings.Repeat(" ", 2048-len(pad))
	if r := e.do(t, http.MethodPost, "/auth/register", "application/json", body); r.status != http.StatusCreated {
		t.Errorf("body of exactly the limit: %d %s", r.status, r.raw)
	}
	if r := e.do(t, http.MethodPost, "/auth/register", "application/json", body+" "); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("body one byte over the limit: %d %s", r.status, r.raw)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	for _, path := range []string{"/health", "/nope", "/openapi.json"} {
		r := e.do(t, http.MethodGet, path, "", "")
		want := map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "no-referrer",
		}
		for k, v := range want {
			if got := r.header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", path, k, got, v)
			}
		}
		if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s: CSP = %q, want default-src 'none'", path, csp)
		}
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	preflight := func(t *testing.T, e *env, origin string) response {
		return e.do(t, http.MethodOptions, "/auth/login", "", "",
			"Origin", origin, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type")
	}
	t.Run("listed origin", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOptions{opts: Options{CORSAllowedOrigins: []string{"https://app.example"}}})
		r := preflight(t, e, "https://app.example")
		if got := r.header.Get("Access-Control-Allow-Origin"); got != "https://app.example" {
			t.Errorf("Allow-Origin = %q", got)
		}
		if got := r.header.Get("Access-Control-Allow-Methods"); !strings.Contains(got, "POST") {
			t.Errorf("Allow-Methods = %q", got)
		}
		if r.header.Get("Access-Control-Allow-Credentials") != "" {
			t.Error("credentials allowed")
		}
		g := e.do(t, http.MethodGet, "/health", "", "", "Origin", "https://app.example")
		if got := g.header.Get("Access-Control-Allow-Origin"); got != "https://app.example" {
			t.Errorf("simple request Allow-Origin = %q", got)
		}
	})
	t.Run("every method the API uses", func(t *testing.T) {
		// DELETE /auth/sessions/{id} (and the admin API's PATCH and PUT)
		// from a listed origin's page must pass the browser's preflight.
		t.Parallel()
		e := newEnv(t, envOptions{opts: Options{CORSAllowedOrigins: []string{"https://app.example"}}})
		for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodDelete, http.MethodPatch, http.MethodPut} {
			r := e.do(t, http.MethodOptions, "/auth/sessions/x", "", "",
				"Origin", "https://app.example", "Access-Control-Request-Method", m, "Access-Control-Request-Headers", "authorization")
			if got := r.header.Get("Access-Control-Allow-Methods"); !strings.Contains(got, m) {
				t.Errorf("preflight of %s: Allow-Methods = %q", m, got)
			}
		}
	})
	t.Run("other origin refused", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOptions{opts: Options{CORSAllowedOrigins: []string{"https://app.example"}}})
		r := preflight(t, e, "https://evil.example")
		for k := range r.header {
			if strings.HasPrefix(k, "Access-Control-Allow") {
				t.Errorf("header %s present for a refused origin", k)
			}
		}
	})
	t.Run("wildcard without credentials", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOptions{opts: Options{CORSAllowedOrigins: []string{"*"}}})
		r := preflight(t, e, "https://any.example")
		if got := r.header.Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("Allow-Origin = %q, want *", got)
		}
		if r.header.Get("Access-Control-Allow-Credentials") != "" {
			t.Error("credentials allowed with *")
		}
	})
	t.Run("not configured", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, envOptions{})
		r := preflight(t, e, "https://app.example")
		if r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Error("CORS header without configuration")
		}
	})
}

func TestAccessLog(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{level: slog.LevelInfo})
	const pw = "Sup3r-Secret-Passw0rd"
	r := e.do(t, http.MethodPost, "/auth/register", "application/json",
		`{"username":"logger","email":"logger@example.com","password":"`+pw+`"}`, "X-Request-ID", "trace-1")
	if r.status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.status, r.raw)
	}
	e.do(t, http.MethodPost, "/auth/login", "application/json", `{"username":"logger","password":"`+pw+`"}`)
	e.do(t, http.MethodGet, "/health", "", "")

	var access, registered map[string]any
	for _, l := range e.logs.Lines(t) {
		for _, k := range []string{"timestamp", "level", "message", "logger"} {
			if _, ok := l[k]; !ok {
				t.Errorf("line without %s: %v", k, l)
			}
		}
		if l["message"] == "request" && l["path"] == "/auth/register" {
			access = l
		}
		if l["message"] == "request" && l["path"] == "/health" {
			t.Errorf("/health logged at info: %v", l)
		}
		if l["message"] == "user registered" {
			registered = l
		}
	}
	if access == nil {
		t.Fatalf("no access line for /auth/register in %s", e.logs.String())
	}
	for k, v := range map[string]any{"method": "POST", "status": float64(201), "request_id": "trace-1", "level": "INFO", "remote_ip": "127.0.0.1"} {
		if access[k] != v {
			t.Errorf("access %s = %v, want %v", k, access[k], v)
		}
	}
	if b, _ := access["bytes"].(float64); int(b) != len(r.raw) {
		t.Errorf("access bytes = %v, want %d", access["bytes"], len(r.raw))
	}
	if _, ok := access["duration_ms"].(float64); !ok {
		t.Errorf("access duration_ms = %v", access["duration_ms"])
	}
	if registered == nil || registered["request_id"] != "trace-1" || registered["user_id"] == nil {
		t.Errorf("user registered line = %v, want request_id and user_id", registered)
	}
	all := e.logs.String()
	for _, secret := range []string{pw, str(r.json, "access_token"), str(r.json, "refresh_token")} {
		if strings.Contains(all, secret) {
			t.Errorf("log holds a secret %q", secret[:8])
		}
	}
}

func TestQuietPathsLogAtDebug(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{level: slog.LevelDebug})
	e.do(t, http.MethodGet, "/health", "", "")
	e.do(t, http.MethodGet, "/openapi.json", "", "")
	found := map[string]bool{}
	for _, l := range e.logs.Lines(t) {
		if l["message"] == "request" {
			if l["level"] != "DEBUG" {
				t.Errorf("%v logged at %v", l["path"], l["level"])
			}
			found[str(l, "path")] = true
		}
	}
	if !found["/health"] || !found["/openapi.json"] {
		t.Errorf("debug access lines missing: %v", found)
	}
}

// TestPanicRecovered drives the middleware with a handler that panics: a
// real route cannot be made to panic on purpose.
func TestPanicRecovered(t *testing.T) {
	t.Parallel()
	logs := &logtest.Buffer{}
	s := &Server{log: logging.For(logging.New(logs, slog.LevelInfo), "httpapi")}
	h := requestID(accessLog(s.log)(s.recoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("boom: internal detail")
	}))))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/x", nil))
	res := rec.Result()
	r := response{status: res.StatusCode, header: res.Header, raw: rec.Body.String()}
	_ = jsonUnmarshal(rec.Body.Bytes(), &r.json)
	wantError(t, r, http.StatusInternalServerError, auth.CodeInternal)
	if strings.Contains(r.raw, "boom") || strings.Contains(r.raw, "goroutine") {
		t.Errorf("panic text reached the client: %s", r.raw)
	}
	var sawStack, sawAccess bool
	for _, l := range logs.Lines(t) {
		if l["message"] == "panic recovered" && l["level"] == "ERROR" && strings.Contains(str(l, "stack"), "goroutine") {
			sawStack = true
		}
		if l["message"] == "request" && l["status"] == float64(500) {
			sawAccess = true
		}
	}
	if !sawStack || !sawAccess {
		t.Errorf("stack logged %v, access 500 logged %v: %s", sawStack, sawAccess, logs.String())
	}
}

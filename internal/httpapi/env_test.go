package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/admin"
	"github.com/authd/authd/internal/auth/authtest"
	"github.com/authd/authd/internal/auth/mfa"
	"github.com/authd/authd/internal/auth/recovery"
	"github.com/authd/authd/internal/logging"
	"github.com/authd/authd/internal/logging/logtest"
	"github.com/authd/authd/internal/mail"
	"github.com/authd/authd/internal/otp"
	"github.com/authd/authd/internal/password"
	"github.com/authd/authd/internal/store/postgres"
	"github.com/authd/authd/internal/store/sqlite"
	"github.com/authd/authd/internal/store/storetest"
	"github.com/authd/authd/internal/token"
)

const testSecret = "test-secret-that-is-at-least-32-bytes-long"

// env is a running authd HTTP server on a real store.
type env struct {
	url     string
	handler http.Handler // the server itself, for benchmarks that skip the network
	logs    *logtest.Buffer
	store   auth.Store
	issuer  *token.Issuer
	svc     *auth.Service
	// deps built svc, for the use cases beside it (admin).
	deps auth.Deps
	// sender delivers the mail queue when envOptions.mail is set; tests
	// drive it with DeliverDue.
	sender *mail.Sender
	// rec is the recovery use cases when mail is on.
	rec *recovery.Service
}

type envOptions struct {
	store      string // "sqlite" (default) or "postgres"
	opts       Options
	accessTTL  time.Duration
	refreshTTL time.Duration
	maxAge     time.Duration
	grace      time.Duration
	cost       int
	pool       password.Pool
	level      slog.Level
	checks     []HealthCheck
	now        func() time.Time
	observer   auth.Observer
	// throttle, when set, turns throttling on with these limits.
	throttle *auth.Throttle
	// wrap, when set, wraps the store the service uses (a fault on purpose).
	wrap func(auth.Store) auth.Store
	// logOut, when set, takes the log instead of env.logs (a benchmark's
	// io.Discard: a buffer kept for assertions would grow without end).
	logOut io.Writer
	// issuerURL makes the server's own URL its issuer (AUTHD_JWT_ISSUER),
	// as a deployment that clients discover by RFC 8414 sets it.
	issuerURL bool
	// keys sign the tokens; the zero value means HS256 with testSecret.
	// Their public halves become opts.JWKS.
	keys token.Keys
	// sessionsMax is AUTHD_SESSIONS_PER_USER_MAX; 0 sets no cap.
	sessionsMax int
	// mail, when set, turns mail on with these settings; smtpURL is where
	// env.sender delivers ("" for a server that is never reached).
	mail            *recovery.Settings
	smtpURL         string
	requireVerified bool
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	ctx := context.Background()
	var st interface {
		auth.Store
		Migrate(context.Context) error
	}
	var err error
	switch o.store {
	case "postgres":
		st, err = postgres.Open(ctx, storetest.PostgresURL(t), 5)
	default:
		st, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "authd.db"))
	}
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return newEnvOn(t, st, o)
}

// newEnvOn starts a server on st, a migrated store (o.store is not used):
// a second server on another's store is another replica, or the same
// database after a restart with other settings.
func newEnvOn(t testing.TB, st auth.Store, o envOptions) *env {
	t.Helper()
	if o.accessTTL == 0 {
		o.accessTTL = 15 * time.Minute
	}
	if o.refreshTTL == 0 {
		o.refreshTTL = time.Hour
	}
	if o.maxAge == 0 {
		o.maxAge = 24 * time.Hour
	}
	if o.grace == 0 {
		o.grace = 10 * time.Second
	}
	if o.cost == 0 {
		o.cost = 4
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.opts.MaxBodyBytes == 0 {
		o.opts.MaxBodyBytes = 64 << 10
	}
	// The listener comes first, so that the server can know its own URL.
	ts := httptest.NewUnstartedServer(nil)
	t.Cleanup(ts.Close)
	url := "http://" + ts.Listener.Addr().String()
	o.opts.Issuer = "authd"
	if o.issuerURL {
		o.opts.Issuer = url
	}
	if o.opts.Version == "" {
		o.opts.Version = "test"
	}
	if o.checks == nil {
		o.checks = []HealthCheck{{Name: "database", Check: func(ctx context.Context) (string, bool) {
			if st.Ping(ctx) != nil {
				return "error", false
			}
			return "ok", true
		}}}
	}
	logs := &logtest.Buffer{}
	var logOut io.Writer = logs
	if o.logOut != nil {
		logOut = o.logOut
	}
	log := logging.New(logOut, o.level)
	hasher, err := password.NewHasher(o.cost, o.pool)
	if err != nil {
		t.Fatal(err)
	}
	if o.keys.Alg() == "" {
		if o.keys, err = token.SecretKeys([]byte(testSecret)); err != nil {
			t.Fatal(err)
		}
	}
	if o.opts.JWKS, err = o.keys.Public(); err != nil {
		t.Fatal(err)
	}
	tokens, err := token.NewTokens(o.keys, o.opts.Issuer, o.accessTTL, o.now)
	if err != nil {
		t.Fatal(err)
	}
	deps := auth.Deps{
		Store: st, Hasher: hasher, Common: password.NewCommonList(), Tokens: tokens.Access, Refresh: tokens.Refresh,
		Policy: auth.SessionPolicy{RefreshTTL: o.refreshTTL, MaxAge: o.maxAge, ReuseGrace: o.grace, MaxPerUser: o.sessionsMax},
		Log:    logging.For(log, "auth"), Now: o.now,
	}
	if o.throttle != nil {
		deps.Throttle = *o.throttle
		deps.Throttle.Keys = auth.NewAttemptKeys([]byte(testSecret))
	}
	if o.wrap != nil {
		deps.Store = o.wrap(st)
	}
	if o.observer != nil {
		deps.Observer = o.observer
	}
	deps.Data = o.keys.Data()
	deps.RequireVerified = o.requireVerified
	var sender *mail.Sender
	var mailer *recovery.Mailer
	if o.mail != nil {
		mailer = recovery.NewMailer(deps, *o.mail)
		deps.Mailer = mailer
		sender = newTestSender(t, deps, o.smtpURL, url, log)
	}
	deps.TOTP = otp.TOTP{Issuer: "authd"}
	svc := auth.NewService(deps)
	o.opts.MFA = mfa.New(svc)
	if mailer != nil {
		o.opts.Recovery = recovery.New(svc, mailer)
		sender.Requests = o.opts.Recovery
	}
	o.opts.Admin = admin.New(deps)
	o.opts.Admin.MFA = o.opts.MFA
	if o.opts.Recovery != nil {
		o.opts.Admin.Mailer = o.opts.Recovery
	}
	srv, err := NewServer(o.opts, svc, o.checks, log)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	ts.Config.Handler = srv
	ts.Start()
	return &env{url: url, handler: srv, logs: logs, store: st, issuer: tokens.Access, svc: svc, deps: deps, sender: sender, rec: o.opts.Recovery}
}

// newTestSender is the sender of deps' queue to smtpURL, with links to
// the pages of the server at base.
func newTestSender(t testing.TB, deps auth.Deps, smtpURL, base string, log *slog.Logger) *mail.Sender {
	t.Helper()
	tmpl, err := mail.LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	if smtpURL == "" {
		smtpURL = "smtp://127.0.0.1:1"
	}
	transport, err := mail.NewSMTP(smtpURL)
	if err != nil {
		t.Fatal(err)
	}
	return &mail.Sender{Store: deps.Store, Keys: deps.Data, Transport: transport, Templates: tmpl,
		Links: mail.Links{Reset: base + "/account/reset-password", Verify: base + "/account/verify-email"},
		From:  "authd <no-reply@example.com>", Observer: deps.Observe(), Log: logging.For(log, "mail"), Now: deps.Now}
}

// response is a finished HTTP exchange with its body decoded when JSON.
type response struct {
	status int
	header http.Header
	raw    string
	json   map[string]any
	// closed: the server said it closes the connection after this answer.
	closed bool
}

func (e *env) do(t testing.TB, method, path, contentType, body string, headers ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return send(t, req)
}

func send(t testing.TB, req *http.Request) response {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	return read(t, res)
}

// read finishes an exchange: the whole body, decoded when JSON.
func read(t testing.TB, res *http.Response) response {
	t.Helper()
	req := res.Request
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := response{status: res.StatusCode, header: res.Header, raw: string(raw), closed: res.Close}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &r.json); err != nil {
			t.Fatalf("%s %s: body is not JSON: %q", req.Method, req.URL.Path, raw)
		}
	}
	return r
}

func (e *env) postJSON(t testing.TB, path string, body any) response {
	t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return e.do(t, http.MethodPost, path, "application/json", string(b))
}

func (e *env) register(t testing.TB, username, email, pw string) response {
	t.Helper()
	return e.postJSON(t, "/auth/register", map[string]string{"username": username, "email": email, "password": pw})
}

func (e *env) mustRegister(t testing.TB, username string) response {
	t.Helper()
	r := e.register(t, username, username+"@example.com", passwordOf(username))
	if r.status != http.StatusCreated {
		t.Fatalf("register %s: %d %s", username, r.status, r.raw)
	}
	return r
}

// wantError asserts the contract's error shape with a status and code.
func wantError(t *testing.T, r response, status int, code auth.Code) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.raw)
	}
	if got := r.header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	if r.json["error_code"] != string(code) {
		t.Errorf("error_code = %v, want %s; body %s", r.json["error_code"], code, r.raw)
	}
	if d, _ := r.json["detail"].(string); d == "" {
		t.Errorf("detail missing: %s", r.raw)
	}
	ts, _ := r.json["timestamp"].(string)
	if _, err := time.Parse(time.RFC3339, ts); err != nil || !strings.HasSuffix(ts, "Z") {
		t.Errorf("timestamp = %q, want RFC 3339 UTC", ts)
	}
	if id := r.header.Get("X-Request-ID"); id == "" || r.json["request_id"] != id {
		t.Errorf("request_id = %v, X-Request-ID = %q; want equal and set", r.json["request_id"], id)
	}
	for k := range r.json {
		switch k {
		case "detail", "error_code", "timestamp", "request_id", "errors":
		default:
			t.Errorf("unexpected key %q in error body %s", k, r.raw)
		}
	}
}

// fieldErrors returns the field names of a VALIDATION_ERROR's errors list.
func fieldErrors(r response) []string {
	var out []string
	list, _ := r.json["errors"].([]any)
	for _, item := range list {
		m, _ := item.(map[string]any)
		f, _ := m["field"].(string)
		out = append(out, f)
	}
	return out
}

func str(m map[string]any, path ...string) string {
	var v any = m
	for _, p := range path {
		mm, _ := v.(map[string]any)
		v = mm[p]
	}
	s, _ := v.(string)
	return s
}

// bothStores runs f against SQLite and against PostgreSQL.
func bothStores(t *testing.T, f func(t *testing.T, store string)) {
	for _, s := range []string{"sqlite", "postgres"} {
		t.Run(s, func(t *testing.T) {
			t.Parallel()
			f(t, s)
		})
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// deactivatedWithSession deactivates the user with id, which ends their
// sessions, and then opens one more for them straight in the store, with
// its tokens: what a login that passed its checks just before the
// deactivation committed leaves behind. It is the state in which bearer
// calls and refreshes must still answer USER_INACTIVE.
func (e *env) deactivatedWithSession(t *testing.T, id int64, username string, now time.Time) (access, refresh string) {
	t.Helper()
	if _, err := e.store.SetActive(t.Context(), auth.ActiveChange{UserID: id, At: now}); err != nil {
		t.Fatal(err)
	}
	sid := auth.NewSessionID()
	sess := auth.Session{ID: sid, UserID: id, CreatedAt: now, LastUsedAt: now, RotatedAt: now,
		ExpiresAt: now.Add(time.Hour), MaxExpiresAt: now.Add(24 * time.Hour)}
	if _, err := e.store.CreateSession(t.Context(), auth.NewSession{Session: sess}); err != nil {
		t.Fatal(err)
	}
	access, _, err := e.issuer.Issue(auth.AccessClaims{UserID: id, Username: username, SessionID: sid})
	if err != nil {
		t.Fatal(err)
	}
	refresh, err = refresherOf(t, testSecret).Mint(sid, 0)
	if err != nil {
		t.Fatal(err)
	}
	return access, refresh
}

// passwordOf is the password mustRegister gives the account name: one the
// register rules accept, which never holds the name itself.
func passwordOf(name string) string { return authtest.Password(name) }

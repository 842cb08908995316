package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/authd/authd/internal/httpapi/docs"
)

// TestBrowserDocs uses the docs pages of a real authd in headless Chromium
// the way a newcomer would: in Swagger UI, authorize with the OAuth2
// password flow, call GET /auth/me, reload the page and call it again,
// list the sessions, register an account and log out, after which GET
// /auth/me is refused, and log out in the Authorize dialog; then read the
// same operations in ReDoc. After Authorize and after the reload, the
// browser's storage holds the access token alone, in sessionStorage: never
// the password nor the refresh token; after the dialog's Logout, nothing.
// No request may leave authd. Full-page screenshots of both pages are
// saved (see artifactDir).
func TestBrowserDocs(t *testing.T) {
	t.Parallel()
	exe := needChromium(t)
	authd := start(t, sqliteEnv(t))
	const username, password = "browser-alice", "correct-horse-battery"
	status, body := authd.post(t, "/auth/register",
		fmt.Sprintf(`{"username":%q,"email":"alice@example.com","password":%q}`, username, password))
	if status != http.StatusCreated {
		t.Fatalf("register: %d %v", status, body)
	}
	ops := documentedOperations(t, authd.url)
	shots := artifactDir(t)

	// One bound for everything the browser does, so that a page that never
	// renders fails the test instead of hanging it.
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	rec := newPageRecord()
	guard := newEgressGuard(t)
	tab := newBrowser(t, ctx, exe, guard.srv.URL, rec)

	t.Run("swagger", func(t *testing.T) {
		steps := []struct {
			name string
			do   chromedp.Action[chromedp.Void]
		}{
			{"open /docs", chromedp.Navigate(authd.url + "/docs")},
			{"every operation renders", waitSwaggerOperations(ops)},
			{"open the Authorize dialog", chromedp.Steps(
				chromedp.Click(chromedp.CSS(".auth-wrapper .btn.authorize"), chromedp.NodeVisible),
				chromedp.WaitVisible(chromedp.CSS("#oauth_username")),
			)},
			{"fill in the password flow", chromedp.Steps(
				chromedp.SendKeys(chromedp.CSS("#oauth_username"), username),
				chromedp.SendKeys(chromedp.CSS("#oauth_password"), password),
			)},
			// Two schemes share the dialog; this button is the OAuth2 one's.
			{"authorize", chromedp.Steps(
				chromedp.Click(chromedp.CSS(`button[aria-label="Apply given OAuth2 credentials"]`), chromedp.NodeVisible),
				waitAuthorized(),
			)},
			{"close the dialog", chromedp.Steps(
				chromedp.Click(chromedp.CSS(".modal-ux .close-modal"), chromedp.NodeVisible),
				chromedp.WaitNotPresent(chromedp.CSS(".modal-ux")),
			)},
		}
		for _, s := range steps {
			if err := chromedp.Do(tab, s.do); err != nil {
				screenshot(t, tab, shots, "docs-failed.png")
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		access, refresh := loginAnswer(t, tab, rec, authd.url+"/auth/login")
		checkStorage(t, tab, "after Authorize", access, password, refresh)

		// Each call goes through "Try it out" and "Execute"; the page shows
		// the response, from which the test reads the status and a user name.
		calls := []struct {
			name string
			// reload opens /docs again first, as a user pressing F5: the
			// tab is still authorized, from sessionStorage.
			reload bool
			op     string // Swagger UI's element id of the operation
			body   string // pasted as the request body; "" for none
			status string
			field  []string // path to a string in the response body; nil for none
			want   string
		}{
			{
				name: "GET /auth/me", op: "operations-auth-me",
				status: "200", field: []string{"username"}, want: username,
			},
			{
				name: "GET /auth/me after a reload", reload: true, op: "operations-auth-me",
				status: "200", field: []string{"username"}, want: username,
			},
			{
				name: "POST /auth/register", op: "operations-auth-register",
				body:   `{"username":"browser-bob","email":"bob@example.com","password":"another-horse-battery"}`,
				status: "201", field: []string{"user", "username"}, want: "browser-bob",
			},
			{
				name: "GET /auth/sessions", op: "operations-sessions-listSessions",
				status: "200",
			},
			{
				name: "POST /auth/logout", op: "operations-sessions-logout",
				body: `{"scope":"current"}`, status: "204",
			},
			{
				name: "GET /auth/me after the logout", op: "operations-auth-me",
				status: "401", field: []string{"error_code"}, want: "SESSION_REVOKED",
			},
		}
		for _, c := range calls {
			if c.reload {
				if err := chromedp.Do(tab, chromedp.Steps(chromedp.Navigate(authd.url+"/docs"), waitSwaggerOperations(ops))); err != nil {
					screenshot(t, tab, shots, "docs-failed.png")
					t.Fatalf("reload /docs: %v", err)
				}
				checkStorage(t, tab, "after a reload", access, password, refresh)
			}
			if c.status == "401" {
				rec.expectRefusal(authd.url + "/auth/me")
			}
			if err := chromedp.Do(tab, tryOperation("#"+c.op, c.body)); err != nil {
				screenshot(t, tab, shots, "docs-failed.png")
				t.Fatalf("%s: %v", c.name, err)
			}
			status, body := liveResponse(t, tab, "#"+c.op)
			if status != c.status {
				t.Errorf("%s in Swagger UI answered %s, want %s; body %s", c.name, status, c.status, body)
			}
			if c.field == nil {
				continue
			}
			if got := jsonField(body, c.field...); got != c.want {
				t.Errorf("%s in Swagger UI: %s = %q, want %q; body %s", c.name, strings.Join(c.field, "."), got, c.want, body)
			}
		}
		screenshot(t, tab, shots, "docs.png")

		// The dialog's Logout forgets the kept token.
		logout := chromedp.Steps(
			chromedp.Click(chromedp.CSS(".auth-wrapper .btn.authorize"), chromedp.NodeVisible),
			chromedp.Click(chromedp.CSS(`button[aria-label="Remove authorization"]`), chromedp.NodeVisible),
			chromedp.WaitNotPresent(chromedp.CSS(`button[aria-label="Remove authorization"]`)),
			chromedp.Click(chromedp.CSS(".modal-ux .close-modal"), chromedp.NodeVisible),
		)
		if err := chromedp.Do(tab, logout); err != nil {
			screenshot(t, tab, shots, "docs-failed.png")
			t.Fatalf("log out in the Authorize dialog: %v", err)
		}
		if s := readStorage(t, tab); len(s.Session) != 0 || len(s.Local) != 0 {
			t.Errorf("after the dialog's Logout: %s, want empty storage", s.raw)
		}
	})

	t.Run("redoc", func(t *testing.T) {
		if !docs.New("/openapi.json").RedocEmbedded() {
			const msg = "the ReDoc bundle is not embedded in this build, so /redoc would load it from cdn.jsdelivr.net; run `go generate ./...` first"
			if inCI() {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
		err := chromedp.Do(tab, chromedp.Navigate(authd.url+"/redoc"), waitRedoc(ops))
		screenshot(t, tab, shots, "redoc.png")
		if err != nil {
			t.Fatalf("/redoc: %v", err)
		}
		for _, op := range ops {
			text, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(redocSection(op))))
			if err != nil {
				t.Errorf("%s %s: %v", op.method, op.path, err)
				continue
			}
			for _, want := range []string{op.summary, op.path} {
				if !strings.Contains(text, want) {
					t.Errorf("ReDoc's section of %s %s lacks %q", op.method, op.path, want)
				}
			}
		}
	})

	// Last, so that the record covers everything the browser did.
	rec.check(t, authd.url)
	guard.log(t)
}

// docOperation is one operation of authd's OpenAPI document.
type docOperation struct {
	method, path, id, tag, summary string
}

// documentedOperations reads the operations from /openapi.json, so that the
// test looks on the pages for exactly what the document describes.
func documentedOperations(t *testing.T, base string) []docOperation {
	t.Helper()
	res, err := http.Get(base + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(res.Body).Decode(&doc); err != nil {
		t.Fatalf("decode /openapi.json: %v", err)
	}
	var ops []docOperation
	for path, item := range doc.Paths {
		for method, raw := range item {
			switch method {
			case "get", "put", "post", "delete", "options", "head", "patch", "trace":
			default:
				continue // a path-level field such as parameters
			}
			var op struct {
				OperationID string   `json:"operationId"`
				Summary     string   `json:"summary"`
				Tags        []string `json:"tags"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("/openapi.json: %s %s: %v", method, path, err)
			}
			if len(op.Tags) == 0 {
				t.Fatalf("/openapi.json: %s %s has no tag", method, path)
			}
			ops = append(ops, docOperation{strings.ToUpper(method), path, op.OperationID, op.Tags[0], op.Summary})
		}
	}
	if len(ops) == 0 {
		t.Fatal("/openapi.json has no operations")
	}
	// Sorted, not in map order, so that failures read the same in every run.
	sort.Slice(ops, func(i, j int) bool {
		return ops[i].path < ops[j].path || ops[i].path == ops[j].path && ops[i].method < ops[j].method
	})
	return ops
}

// waitSwaggerOperations waits until Swagger UI shows every operation. With
// deepLinking on, each has the element id operations-<tag>-<operationId>.
func waitSwaggerOperations(ops []docOperation) chromedp.Action[chromedp.Void] {
	steps := make([]chromedp.Action[chromedp.Void], 0, len(ops))
	for _, op := range ops {
		steps = append(steps, chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#operations-%s-%s", op.tag, op.id))))
	}
	return chromedp.Steps(steps...)
}

// waitAuthorized waits for the OAuth2 login that the dialog sends to
// POST /auth/login, and fails with Swagger UI's own message when it went
// wrong, instead of at the deadline.
func waitAuthorized() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		state, err := chromedp.Poll[string](`document.querySelector('button[aria-label="Remove authorization"]') ? "ok"
			: document.querySelector(".modal-ux .errors")?.innerText`)(ctx, t)
		if err != nil {
			return err
		}
		if state != "ok" {
			return fmt.Errorf("swagger UI says: %s", state)
		}
		return nil
	})
}

// tryOperation expands an operation, switches on "Try it out", replaces the
// example request body with body (unless it is empty), presses "Execute"
// and waits for the response.
func tryOperation(op, body string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		expanded, err := chromedp.Evaluate[bool](fmt.Sprintf(`!!document.querySelector(%q)`, op+" .opblock-body"))(ctx, t)
		if err != nil {
			return err
		}
		if !expanded {
			if _, err := chromedp.Click(chromedp.CSS(op+" .opblock-summary-control"), chromedp.NodeVisible)(ctx, t); err != nil {
				return fmt.Errorf("expand: %w", err)
			}
		}
		if _, err := chromedp.WaitVisible(chromedp.CSS(op+" .try-out__btn"))(ctx, t); err != nil {
			return err
		}
		// authd's Swagger UI starts in "Try it out" mode (tryItOutEnabled);
		// then the button reads "Cancel", and pressing it would leave it.
		on, err := chromedp.Evaluate[bool](fmt.Sprintf(`!!document.querySelector(%q)`, op+" .try-out__btn.cancel"))(ctx, t)
		if err != nil {
			return err
		}
		if !on {
			if _, err := chromedp.Click(chromedp.CSS(op+" .try-out__btn"), chromedp.NodeVisible)(ctx, t); err != nil {
				return fmt.Errorf("try it out: %w", err)
			}
		}
		if body != "" {
			if _, err := replaceText(op+" textarea.body-param__text", body)(ctx, t); err != nil {
				return fmt.Errorf("request body: %w", err)
			}
		}
		if _, err := chromedp.Click(chromedp.CSS(op+" .btn.execute"), chromedp.NodeVisible)(ctx, t); err != nil {
			return fmt.Errorf("execute: %w", err)
		}
		_, err = chromedp.WaitVisible(chromedp.CSS(op+" .live-responses-table .response .response-col_status"))(ctx, t)
		return err
	})
}

// replaceText replaces the text of a textarea as a user pasting would:
// select it all, then insert. Setting .value from script would bypass the
// input event that React, inside Swagger UI, listens to; typing key by key
// works too but takes seconds, as Swagger UI renders again on every key.
func replaceText(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Focus(chromedp.CSS(sel), chromedp.NodeVisible),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).select()`, sel)),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: text})
			return err
		}),
	)
}

// liveResponse returns the status and body of the response that Swagger UI
// shows under an executed operation.
func liveResponse(t *testing.T, tab context.Context, op string) (status, body string) {
	t.Helper()
	row := op + " .live-responses-table .response"
	status, err := chromedp.Run(tab, chromedp.Text(chromedp.CSS(row+" .response-col_status")))
	if err != nil {
		t.Fatalf("read the response status: %v", err)
	}
	body, err = chromedp.Run(tab, chromedp.Text(chromedp.CSS(row+" .response-col_description pre")))
	if err != nil {
		t.Fatalf("read the response body: %v", err)
	}
	return strings.TrimSpace(status), body
}

// jsonField returns the string at path in a JSON object, or "" when there
// is none.
func jsonField(body string, path ...string) string {
	var v any
	if json.Unmarshal([]byte(body), &v) != nil {
		return ""
	}
	for _, key := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[key]
	}
	s, _ := v.(string)
	return s
}

// redocSection is the selector of ReDoc's section of an operation.
func redocSection(op docOperation) string {
	return fmt.Sprintf(`[data-section-id="operation/%s"]`, op.id)
}

// waitRedoc waits until ReDoc has rendered a section for every operation.
// ReDoc shows a document it cannot render as "Something went wrong..." in
// the page; that ends the wait at once, with ReDoc's message, instead of at
// the deadline.
func waitRedoc(ops []docOperation) chromedp.Action[chromedp.Void] {
	sels := make([]string, 0, len(ops))
	for _, op := range ops {
		sels = append(sels, redocSection(op))
	}
	want, _ := json.Marshal(sels) // strings only: cannot fail
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		state, err := chromedp.Poll[string](fmt.Sprintf(`(() => {
			const root = document.querySelector("redoc");
			const h1 = root && root.querySelector("h1");
			if (h1 && h1.textContent.includes("Something went wrong")) return root.innerText;
			return %s.every(s => document.querySelector(s)) && "ok";
		})()`, want))(ctx, t)
		if err != nil {
			return err
		}
		if state != "ok" {
			return fmt.Errorf("ReDoc failed to render the document: %s", strings.Join(strings.Fields(state), " "))
		}
		return nil
	})
}

// screenshot saves a full-page PNG of the tab into dir.
func screenshot(t *testing.T, tab context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100)) // quality 100 means PNG
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	t.Logf("screenshot: %s", path)
}

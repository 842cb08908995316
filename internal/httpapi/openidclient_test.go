package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth/authtest"
)

// openIDClientDir holds the pinned openid-client (package-lock.json) and
// the client app the test runs; `npm ci` there installs it (.ci/run does).
const openIDClientDir = "testdata/openid-client"

// TestOpenIDClient runs a real RFC 8414 client, openid-client on Node,
// against authd: it discovers the endpoints from the metadata, logs in
// with the password grant, refreshes, revokes, and sees the revoked tokens
// refused (client.mjs). Without node or the installed package the test is
// skipped with the reason, except in CI (CI=true), which installs both:
// there a missing piece fails it.
func TestOpenIDClient(t *testing.T) {
	node := needNode(t, openIDClientDir, "openid-client")
	bothStores(t, func(t *testing.T, store string) {
		// A clock that stands still: expires_in is then exactly the TTL.
		e := newEnv(t, envOptions{store: store, issuerURL: true, now: authtest.NewClock(time.Now()).Now})
		e.mustRegister(t, "otto")
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, "client.mjs", e.url, "otto", passwordOf("otto"))
		cmd.Dir = openIDClientDir
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.Output()
		if err != nil {
			t.Fatalf("node client.mjs: %v\n%s", err, stderr.String())
		}
		var got map[string]any
		if err := json.Unmarshal(stdout, &got); err != nil {
			t.Fatalf("client output is not one JSON object: %v\n%s", err, stdout)
		}
		want := map[string]any{
			"discovered": map[string]any{
				"issuer":              e.url,
				"token_endpoint":      e.url + "/auth/login",
				"revocation_endpoint": e.url + "/auth/revoke",
				"jwks_uri":            e.url + "/.well-known/jwks.json",
			},
			"login":                map[string]any{"token_type": "bearer", "expires_in": float64(900), "has_refresh": true},
			"me":                   map[string]any{"status": float64(200), "username": "otto"},
			"refresh":              map[string]any{"rotated": true, "expires_in": float64(900)},
			"me_after_refresh":     map[string]any{"status": float64(200), "username": "otto"},
			"refresh_after_revoke": map[string]any{"error": "invalid_grant", "status": float64(400)},
			"me_after_revoke":      map[string]any{"error": "OAUTH_WWW_AUTHENTICATE_CHALLENGE", "status": float64(401)},
		}
		for k, w := range want {
			if !reflect.DeepEqual(got[k], w) {
				t.Errorf("%s = %v, want %v", k, got[k], w)
			}
		}
	})
}

// needNode returns the node binary, once the npm package pkg is installed
// in dir (by `npm ci` there, from its package-lock.json); it skips the
// test, or fails it under CI (CI=true: .ci/run installs both), when either
// is missing.
func needNode(t *testing.T, dir, pkg string) string {
	t.Helper()
	fromRoot := filepath.Join("internal/httpapi", dir) // as the repository's root names it
	missing := func(reason string) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s (.ci/run installs Node.js and runs npm ci in %s)", reason, fromRoot)
		}
		t.Skipf("skipped: %s; install Node.js and run `npm ci` in %s", reason, fromRoot)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); errors.Is(err, os.ErrNotExist) {
		missing(pkg + " is not installed")
	}
	return node
}

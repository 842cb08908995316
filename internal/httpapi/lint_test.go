package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// lintDir pins the two OpenAPI linters (package-lock.json) with their
// configurations; `npm ci` there installs them (.ci/run does).
const lintDir = "../../tools/lint"

// TestOpenAPILint lints the document the server serves at /openapi.json
// with Redocly CLI's recommended rules and Spectral's spectral:oas: no
// error and no warning from either (issue 22). Skipped like
// TestOpenIDClient when Node.js or the linters are missing, except in CI.
func TestOpenAPILint(t *testing.T) {
	t.Parallel()
	node := needNode(t, lintDir, "@redocly/cli")
	needNode(t, lintDir, "@stoplight/spectral-cli")
	// The document of the default settings: AUTHD_PUBLIC_URL changes only
	// the server's URL, and each linter takes seconds to start.
	doc := filepath.Join(t.TempDir(), "openapi.json")
	r := newEnv(t, envOptions{}).do(t, http.MethodGet, "/openapi.json", "", "")
	if r.status != http.StatusOK {
		t.Fatalf("/openapi.json: %d", r.status)
	}
	if err := os.WriteFile(doc, []byte(r.raw), 0o600); err != nil {
		t.Fatal(err)
	}

	var redocly struct {
		Totals struct {
			Errors, Warnings int
		}
		Problems []struct {
			RuleID, Severity, Message string
			Location                  []struct{ Pointer string }
		}
	}
	lint(t, node, &redocly, "node_modules/@redocly/cli/bin/cli.js", "lint", "--config", "redocly.yaml", "--format=json", doc)
	for _, p := range redocly.Problems {
		where := ""
		if len(p.Location) > 0 {
			where = p.Location[0].Pointer
		}
		t.Errorf("redocly %s %s at %s: %s", p.Severity, p.RuleID, where, p.Message)
	}
	t.Logf("redocly: %d errors, %d warnings", redocly.Totals.Errors, redocly.Totals.Warnings)

	var spectral []struct {
		Code, Message string
		Severity      int // 0 error, 1 warning, 2 info, 3 hint
		Path          []string
	}
	lint(t, node, &spectral, "node_modules/@stoplight/spectral-cli/dist/index.js", "lint", "--ruleset", ".spectral.yaml", "--format", "json", "--fail-severity", "hint", doc)
	counts := map[int]int{}
	for _, p := range spectral {
		counts[p.Severity]++
		if p.Severity <= 1 {
			t.Errorf("spectral %s at %s: %s", p.Code, strings.Join(p.Path, "."), p.Message)
		}
	}
	t.Logf("spectral: %d errors, %d warnings, %d infos, %d hints", counts[0], counts[1], counts[2], counts[3])
}

// lint runs one linter's script from lintDir with node and decodes its JSON
// report into report. Both exit non-zero when they find problems, so the
// exit status is not the verdict: the report is.
func lint(t *testing.T, node string, report any, script string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, append([]string{script}, args...)...)
	cmd.Dir = lintDir
	// No usage reports and no update checks: CI reaches only the package
	// registry, and the answer must not depend on the network.
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_UPDATE_NOTIFIER=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	// Spectral writes a sentence after its JSON: read the first value only.
	if jerr := json.NewDecoder(bytes.NewReader(out)).Decode(report); jerr != nil {
		t.Fatalf("%s: no JSON report (%v, exit %v)\nstdout: %s\nstderr: %s", script, jerr, err, out, stderr.String())
	}
}

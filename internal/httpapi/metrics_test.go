package httpapi

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/authd/authd/internal/metrics"
	"github.com/authd/authd/internal/metrics/metricstest"
)

func metricsEnv(t *testing.T, level slog.Level) *env {
	m := metrics.New("test")
	return newEnv(t, envOptions{level: level, observer: m,
		opts: Options{Metrics: m.Handler(), ObserveRequest: m.ObserveRequest}})
}

// TestMetricsRouteLabels: requests are counted under the route pattern that
// matched, every miss under one label, so a client cannot mint series.
func TestMetricsRouteLabels(t *testing.T) {
	t.Parallel()
	e := metricsEnv(t, slog.LevelInfo)
	e.do(t, http.MethodGet, "/auth/me", "", "")
	e.do(t, http.MethodGet, "/auth/me", "", "", "Authorization", "Bearer not-a-token")
	e.do(t, http.MethodGet, "/health", "", "")
	e.do(t, http.MethodGet, "/no/such/alice@example.com", "", "")
	e.do(t, http.MethodGet, "/auth/me/"+strings.Repeat("x", 40), "", "")
	e.do(t, http.MethodDelete, "/auth/register", "", "")
	e.do(t, http.MethodGet, "/docs/assets/no-such-file.js", "", "")
	e.do(t, http.MethodPost, "/auth/login", "application/json", `{"username":"nobody","password":"wrong-password"}`)
	s := metricstest.Get(t, http.DefaultClient, e.url+"/metrics")

	want := []string{
		`authd_http_requests_total{code="401",method="GET",route="/auth/me"}`,
		`authd_http_requests_total{code="401",method="POST",route="/auth/login"}`,
		`authd_http_requests_total{code="404",method="GET",route="/docs/assets/"}`,
		`authd_http_requests_total{code="404",method="GET",route="unmatched"}`,
		`authd_http_requests_total{code="405",method="DELETE",route="unmatched"}`,
		`authd_http_requests_total{code="200",method="GET",route="/health"}`,
	}
	slices.Sort(want)
	if got := s.Series("authd_http_requests_total"); !slices.Equal(got, want) {
		t.Errorf("series:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for series, n := range map[string]float64{
		`authd_http_requests_total{code="401",method="GET",route="/auth/me"}`:      2,
		`authd_http_requests_total{code="404",method="GET",route="unmatched"}`:     2,
		`authd_http_request_duration_seconds_count{method="GET",route="/auth/me"}`: 2,
		// The login decided by the service is counted by the observer too.
		`authd_login_attempts_total{result="invalid_credentials"}`: 1,
	} {
		if got := s.Values[series]; got != n {
			t.Errorf("%s = %v, want %v", series, got, n)
		}
	}
	// The scrape itself is counted, under its own route.
	s = metricstest.Get(t, http.DefaultClient, e.url+"/metrics")
	if got := s.Values[`authd_http_requests_total{code="200",method="GET",route="/metrics"}`]; got != 1 {
		t.Errorf("/metrics counted %v times, want 1", got)
	}
}

// TestMetricsNotLoggedNorDocumented: /metrics writes no access line, even
// at debug, and is not an operation of the OpenAPI document.
func TestMetricsNotLoggedNorDocumented(t *testing.T) {
	t.Parallel()
	e := metricsEnv(t, slog.LevelDebug)
	if r := e.do(t, http.MethodGet, "/metrics", "", ""); r.status != http.StatusOK || !strings.Contains(r.raw, "authd_build_info") {
		t.Fatalf("/metrics: %d %.200s", r.status, r.raw)
	}
	e.do(t, http.MethodGet, "/health", "", "")
	var paths []string
	for _, l := range e.logs.Lines(t) {
		if l["message"] == "request" {
			paths = append(paths, str(l, "path"))
		}
	}
	if !slices.Equal(paths, []string{"/health"}) {
		t.Errorf("access lines for %v, want only /health", paths)
	}
	spec := e.do(t, http.MethodGet, "/openapi.json", "", "")
	if strings.Contains(spec.raw, `"/metrics"`) {
		t.Errorf("/openapi.json documents /metrics")
	}
}

// TestMetricsOff: without a metrics handler there is no /metrics route.
func TestMetricsOff(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	wantError(t, e.do(t, http.MethodGet, "/metrics", "", ""), http.StatusNotFound, "NOT_FOUND")
}

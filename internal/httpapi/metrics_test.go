package httpapi

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/authd/authd/internal/metrics"
	"github.com/authd/authd/internal/metrics/metricstest"
)

// metricsEnv is a server whose requests and use cases m counts; /metrics
// itself is served elsewhere (cmd/authd's metrics listener), see scrape.
func metricsEnv(t *testing.T, level slog.Level) (*env, *metrics.Metrics) {
	m := metrics.New("test")
	return newEnv(t, envOptions{level: level, observer: m, opts: Options{ObserveRequest: m.ObserveRequest}}), m
}

// scrape reads m's page from a listener of its own, as the metrics
// listener of cmd/authd serves it.
func scrape(t *testing.T, m *metrics.Metrics) metricstest.Scrape {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	return metricstest.Get(t, srv.Client(), srv.URL+"/metrics")
}

// TestMetricsRouteLabels: requests are counted under the route pattern that
// matched, every miss under one label, so a client cannot mint series.
func TestMetricsRouteLabels(t *testing.T) {
	t.Parallel()
	e, m := metricsEnv(t, slog.LevelInfo)
	e.do(t, http.MethodGet, "/auth/me", "", "")
	e.do(t, http.MethodGet, "/auth/me", "", "", "Authorization", "Bearer not-a-token")
	e.do(t, http.MethodGet, "/health", "", "")
	e.do(t, http.MethodGet, "/no/such/alice@example.com", "", "")
	e.do(t, http.MethodGet, "/auth/me/"+strings.Repeat("x", 40), "", "")
	e.do(t, http.MethodDelete, "/auth/register", "", "")
	e.do(t, http.MethodGet, "/docs/assets/no-such-file.js", "", "")
	e.do(t, http.MethodPost, "/auth/login", "application/json", `{"username":"nobody","password":"wrong-password"}`)
	s := scrape(t, m)

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
}

// TestMetricsNotOnAPI: the API listener has no /metrics even with metrics
// on (cmd/authd serves them on AUTHD_METRICS_ADDR only): GET /metrics is an
// ordinary 404, logged and counted like any other miss, and the document
// has no such path.
func TestMetricsNotOnAPI(t *testing.T) {
	t.Parallel()
	e, m := metricsEnv(t, slog.LevelInfo)
	wantError(t, e.do(t, http.MethodGet, "/metrics", "", ""), http.StatusNotFound, "NOT_FOUND")
	var paths []string
	for _, l := range e.logs.Lines(t) {
		if l["message"] == "request" {
			paths = append(paths, str(l, "path"))
		}
	}
	if !slices.Equal(paths, []string{"/metrics"}) {
		t.Errorf("access lines for %v, want one for /metrics", paths)
	}
	if got := scrape(t, m).Values[`authd_http_requests_total{code="404",method="GET",route="unmatched"}`]; got != 1 {
		t.Errorf("GET /metrics on the API counted %v times as an unmatched 404, want 1", got)
	}
	spec := e.do(t, http.MethodGet, "/openapi.json", "", "")
	if strings.Contains(spec.raw, `"/metrics"`) {
		t.Errorf("/openapi.json documents /metrics")
	}
}

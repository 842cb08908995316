package metrics_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/metrics"
	"github.com/authd/authd/internal/metrics/metricstest"
	"github.com/authd/authd/internal/store/postgres"
	"github.com/authd/authd/internal/store/sqlite"
	"github.com/authd/authd/internal/store/storetest"
)

func scrape(t *testing.T, m *metrics.Metrics) metricstest.Scrape {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	return metricstest.Get(t, srv.Client(), srv.URL)
}

func TestNewSeries(t *testing.T) {
	t.Parallel()
	m := metrics.New("v1.2.3-test")
	s := scrape(t, m)
	want := map[string]float64{
		`authd_build_info{version="v1.2.3-test"}`:                      1,
		`authd_login_attempts_total{result="success"}`:                 0,
		`authd_login_attempts_total{result="invalid_credentials"}`:     0,
		`authd_login_attempts_total{result="inactive"}`:                0,
		`authd_login_attempts_total{result="throttled"}`:               0,
		`authd_login_attempts_total{result="overloaded"}`:              0,
		`authd_login_attempts_total{result="error"}`:                   0,
		`authd_refresh_total{result="rotated"}`:                        0,
		`authd_refresh_total{result="grace"}`:                          0,
		`authd_refresh_total{result="reused"}`:                         0,
		`authd_refresh_total{result="expired"}`:                        0,
		`authd_refresh_total{result="revoked"}`:                        0,
		`authd_refresh_total{result="invalid"}`:                        0,
		`authd_sessions_ended_total{reason="logout"}`:                  0,
		`authd_sessions_ended_total{reason="reuse"}`:                   0,
		`authd_sessions_ended_total{reason="password"}`:                0,
		`authd_sessions_ended_total{reason="deactivated"}`:             0,
		`authd_sessions_ended_total{reason="expired"}`:                 0,
		`authd_throttle_refusals_total{scope="pair"}`:                  0,
		`authd_throttle_refusals_total{scope="account"}`:               0,
		`authd_throttle_refusals_total{scope="ip"}`:                    0,
		`authd_throttle_refusals_total{scope="register"}`:              0,
		`authd_http_requests_total{code="200",method="GET",route="x"}`: -1, // absent until counted
	}
	for series, v := range want {
		got, ok := s.Values[series]
		switch {
		case v < 0 && ok:
			t.Errorf("%s served before any request", series)
		case v >= 0 && (!ok || got != v):
			t.Errorf("%s = %v (served %v), want %v", series, got, ok, v)
		}
	}
	for _, series := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes", "process_open_fds"} {
		if !s.Has(series) {
			t.Errorf("%s missing: the Go runtime and process collectors are registered", series)
		}
	}
}

func TestOutcomes(t *testing.T) {
	t.Parallel()
	m := metrics.New("dev")
	var o auth.Observer = m
	o.LoginAttempt(auth.LoginSucceeded)
	o.LoginAttempt(auth.LoginSucceeded)
	o.LoginAttempt(auth.LoginThrottled)
	o.RefreshAttempt(auth.RefreshGrace)
	o.SessionsEnded(auth.EndPassword, 3)
	o.SessionsEnded(auth.EndLogout, 1)
	o.ThrottleRefusal(auth.ScopeIP)
	s := scrape(t, m)
	for series, want := range map[string]float64{
		`authd_login_attempts_total{result="success"}`:    2,
		`authd_login_attempts_total{result="throttled"}`:  1,
		`authd_login_attempts_total{result="error"}`:      0,
		`authd_refresh_total{result="grace"}`:             1,
		`authd_sessions_ended_total{reason="password"}`:   3,
		`authd_sessions_ended_total{reason="logout"}`:     1,
		`authd_throttle_refusals_total{scope="ip"}`:       1,
		`authd_throttle_refusals_total{scope="register"}`: 0,
	} {
		if got := s.Values[series]; got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
}

func TestObserveRequest(t *testing.T) {
	t.Parallel()
	m := metrics.New("dev")
	m.ObserveRequest("/auth/me", http.MethodGet, 200, 2*time.Millisecond)
	m.ObserveRequest("/auth/me", http.MethodGet, 200, 3*time.Millisecond)
	m.ObserveRequest("/auth/me", http.MethodGet, 401, time.Millisecond)
	// net/http accepts any token as a method; it must not become a label.
	m.ObserveRequest("unmatched", "PROPFIND-alice@example.com", 405, time.Millisecond)
	s := scrape(t, m)
	for series, want := range map[string]float64{
		`authd_http_requests_total{code="200",method="GET",route="/auth/me"}`:      2,
		`authd_http_requests_total{code="401",method="GET",route="/auth/me"}`:      1,
		`authd_http_requests_total{code="405",method="OTHER",route="unmatched"}`:   1,
		`authd_http_request_duration_seconds_count{method="GET",route="/auth/me"}`: 3,
		`authd_http_request_duration_seconds_sum{method="GET",route="/auth/me"}`:   0.006,
	} {
		if got := s.Values[series]; got < want*0.999 || got > want*1.001 {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
	if got := s.Series("authd_http_requests_total"); len(got) != 3 {
		t.Errorf("request series %v, want 3", got)
	}
}

func TestGauges(t *testing.T) {
	t.Parallel()
	m := metrics.New("dev")
	var state atomic.Value
	state.Store("closed")
	var depth atomic.Int64
	if err := m.WatchBreaker(func() string { return state.Load().(string) }); err != nil {
		t.Fatal(err)
	}
	if err := m.WatchHashQueue(func() int { return int(depth.Load()) }); err != nil {
		t.Fatal(err)
	}
	// Registered twice is a wiring mistake, reported, not a panic.
	if err := m.WatchHashQueue(func() int { return 0 }); err == nil {
		t.Error("second WatchHashQueue: no error")
	}
	for _, tt := range []struct {
		state string
		depth int64
		want  float64
	}{{"closed", 0, 0}, {"half_open", 7, 1}, {"open", 250, 2}, {"bogus", 1, -1}} {
		state.Store(tt.state)
		depth.Store(tt.depth)
		s := scrape(t, m)
		if got := s.Values["authd_circuit_breaker_state"]; got != tt.want {
			t.Errorf("breaker %s: authd_circuit_breaker_state = %v, want %v", tt.state, got, tt.want)
		}
		if got := s.Values["authd_hash_queue_depth"]; got != float64(tt.depth) {
			t.Errorf("authd_hash_queue_depth = %v, want %d", got, tt.depth)
		}
	}
}

func TestSQLitePools(t *testing.T) {
	t.Parallel()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "authd.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m := metrics.New("dev")
	for role, db := range st.DBs() {
		if err := m.WatchSQLDB("sqlite_"+role, db); err != nil {
			t.Fatal(err)
		}
	}
	s := scrape(t, m)
	// One writer connection: SQLite takes one writer at a time.
	if got := s.Values[`go_sql_max_open_connections{db_name="sqlite_write"}`]; got != 1 {
		t.Errorf("sqlite_write max open = %v, want 1", got)
	}
	if got := s.Values[`go_sql_max_open_connections{db_name="sqlite_read"}`]; got < 2 {
		t.Errorf("sqlite_read max open = %v, want several", got)
	}
}

func TestPgxPool(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	st, err := postgres.Open(t.Context(), url, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	m := metrics.New("dev")
	if err := m.WatchPgxPool(st.Stat); err != nil {
		t.Fatal(err)
	}
	s := scrape(t, m)
	if got := s.Values["authd_pgxpool_max_conns"]; got != 3 {
		t.Errorf("authd_pgxpool_max_conns = %v, want 3", got)
	}
	if got := s.Values["authd_pgxpool_total_conns"]; got < 1 {
		t.Errorf("authd_pgxpool_total_conns = %v, want the connection Open and Ping made", got)
	}
	if got := s.Values["authd_pgxpool_acquires_total"]; got < 1 {
		t.Errorf("authd_pgxpool_acquires_total = %v, want at least Ping's", got)
	}
	for _, series := range []string{"authd_pgxpool_idle_conns", "authd_pgxpool_acquired_conns", "authd_pgxpool_constructing_conns",
		"authd_pgxpool_empty_acquires_total", "authd_pgxpool_canceled_acquires_total", "authd_pgxpool_acquire_duration_seconds_total",
		"authd_pgxpool_new_conns_total", "authd_pgxpool_max_lifetime_destroys_total", "authd_pgxpool_max_idle_destroys_total"} {
		if !s.Has(series) {
			t.Errorf("%s missing", series)
		}
	}
}

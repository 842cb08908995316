package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/authd/authd/internal/breaker"
	"github.com/authd/authd/internal/config"
	"github.com/authd/authd/internal/httpapi"
	"github.com/authd/authd/internal/metrics"
	"github.com/authd/authd/internal/password"
	"github.com/authd/authd/internal/store/postgres"
	"github.com/authd/authd/internal/store/sqlite"
)

// newMetrics builds the registry when AUTHD_METRICS_ADDR is set (nil
// otherwise: metrics are off by default), with the gauges read at each
// scrape: the breaker, the bcrypt queue and the database pools.
func newMetrics(cfg config.Metrics, st store, guarded *breaker.Store, hasher *password.Hasher) (*metrics.Metrics, error) {
	if cfg.Addr == "" {
		return nil, nil
	}
	m := metrics.New(buildVersion())
	// A scrape has no request context; the breaker only uses it to log a
	// state change the read itself causes (open → half-open).
	if err := m.WatchBreaker(func() string { return guarded.State(context.Background()) }); err != nil {
		return nil, err
	}
	if err := m.WatchHashQueue(hasher.Waiting); err != nil {
		return nil, err
	}
	switch db := st.(type) {
	case *sqlite.Store:
		for role, pool := range db.DBs() {
			if err := m.WatchSQLDB("sqlite_"+role, pool); err != nil {
				return nil, err
			}
		}
	case *postgres.Store:
		if err := m.WatchPgxPool(db.Stat); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// mountMetrics serves /metrics on a listener of its own at
// AUTHD_METRICS_ADDR, never on the API listener, whose requests it counts.
func mountMetrics(ctx context.Context, cfg config.Metrics, m *metrics.Metrics, opts *httpapi.Options, log *slog.Logger) error {
	if m == nil {
		return nil
	}
	opts.ObserveRequest = m.ObserveRequest
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	return serveAside(ctx, "metrics", cfg.Addr, mux, log)
}

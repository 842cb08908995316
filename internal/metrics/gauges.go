package metrics

import (
	"database/sql"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// breakerValue is the value of authd_circuit_breaker_state for a state
// name as /health shows it.
func breakerValue(state string) float64 {
	switch state {
	case "closed":
		return 0
	case "half_open":
		return 1
	case "open":
		return 2
	}
	return -1
}

// WatchBreaker adds authd_circuit_breaker_state (0 closed, 1 half-open,
// 2 open), read from state at each scrape; state returns the names /health
// shows: closed, half_open, open (-1 for anything else).
func (m *Metrics) WatchBreaker(state func() string) error {
	return m.register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "authd_circuit_breaker_state", Help: "State of the database circuit breaker: 0 closed, 1 half-open, 2 open.",
	}, func() float64 { return breakerValue(state()) }))
}

// WatchHashQueue adds authd_hash_queue_depth, the number of password
// hashes waiting for a bcrypt worker, read from depth at each scrape.
func (m *Metrics) WatchHashQueue(depth func() int) error {
	return m.register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "authd_hash_queue_depth", Help: "Password hashes and comparisons waiting for a bcrypt worker.",
	}, func() float64 { return float64(depth()) }))
}

// WatchSQLDB adds the go_sql_* pool series of db, labelled db_name=name.
func (m *Metrics) WatchSQLDB(name string, db *sql.DB) error {
	return m.register(collectors.NewDBStatsCollector(db, name))
}

func (m *Metrics) register(c prometheus.Collector) error {
	if err := m.reg.Register(c); err != nil {
		return fmt.Errorf("metrics: register: %w", err)
	}
	return nil
}

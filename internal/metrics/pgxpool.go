package metrics

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// pgxPoolCollector reports a pgxpool.Pool's Stat() at each scrape. pgxpool
// counts other things than database/sql does (no wait count, but empty and
// canceled acquires), so its series have names of their own,
// authd_pgxpool_*, rather than borrowed go_sql_* names that would mislead.
type pgxPoolCollector struct {
	stat func() *pgxpool.Stat

	maxConns, totalConns, acquiredConns, idleConns, constructing *prometheus.Desc
	acquires, emptyAcquires, canceledAcquires, acquireSeconds    *prometheus.Desc
	newConns, lifetimeDestroys, idleDestroys                     *prometheus.Desc
}

// WatchPgxPool adds the authd_pgxpool_* series of a PostgreSQL pool;
// stat is the pool's Stat method.
func (m *Metrics) WatchPgxPool(stat func() *pgxpool.Stat) error {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("authd_pgxpool_"+name, help, nil, nil)
	}
	return m.register(&pgxPoolCollector{
		stat:             stat,
		maxConns:         d("max_conns", "Maximum size of the pool."),
		totalConns:       d("total_conns", "Connections in the pool: idle, acquired and being built."),
		acquiredConns:    d("acquired_conns", "Connections in use."),
		idleConns:        d("idle_conns", "Idle connections."),
		constructing:     d("constructing_conns", "Connections being built."),
		acquires:         d("acquires_total", "Successful acquires of a connection."),
		emptyAcquires:    d("empty_acquires_total", "Acquires that waited because the pool had no idle connection."),
		canceledAcquires: d("canceled_acquires_total", "Acquires abandoned by their context."),
		acquireSeconds:   d("acquire_duration_seconds_total", "Total time spent in successful acquires."),
		newConns:         d("new_conns_total", "Connections opened."),
		lifetimeDestroys: d("max_lifetime_destroys_total", "Connections closed for exceeding their maximum lifetime."),
		idleDestroys:     d("max_idle_destroys_total", "Connections closed for exceeding their maximum idle time."),
	})
}

// Describe sends every series' description.
func (c *pgxPoolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{
		c.maxConns, c.totalConns, c.acquiredConns, c.idleConns, c.constructing,
		c.acquires, c.emptyAcquires, c.canceledAcquires, c.acquireSeconds,
		c.newConns, c.lifetimeDestroys, c.idleDestroys,
	} {
		ch <- d
	}
}

// Collect reads one Stat and sends every series.
func (c *pgxPoolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.stat()
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	counter := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	gauge(c.maxConns, float64(s.MaxConns()))
	gauge(c.totalConns, float64(s.TotalConns()))
	gauge(c.acquiredConns, float64(s.AcquiredConns()))
	gauge(c.idleConns, float64(s.IdleConns()))
	gauge(c.constructing, float64(s.ConstructingConns()))
	counter(c.acquires, float64(s.AcquireCount()))
	counter(c.emptyAcquires, float64(s.EmptyAcquireCount()))
	counter(c.canceledAcquires, float64(s.CanceledAcquireCount()))
	counter(c.acquireSeconds, s.AcquireDuration().Seconds())
	counter(c.newConns, float64(s.NewConnsCount()))
	counter(c.lifetimeDestroys, float64(s.MaxLifetimeDestroyCount()))
	counter(c.idleDestroys, float64(s.MaxIdleDestroyCount()))
}

// Package metrics is authd's Prometheus face: one registry, built in run()
// and passed to what records, with the series of API.md's Metrics section.
// There is no package-level collector and the default registry is never
// used, so two servers in one process (tests) never share a count.
//
// Label values come only from fixed sets (route patterns, methods, status
// codes, the outcome names auth defines), never from a request's content:
// a username, email, IP or token cannot reach a label, and random URLs
// cannot grow the number of series.
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/authd/authd/internal/auth"
)

// durationBuckets span authd's answers, from a JWT check (well under a
// millisecond) to a queued bcrypt comparison (seconds).
func durationBuckets() []float64 {
	return []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
}

// Metrics owns the registry and the series authd records.
type Metrics struct {
	reg           *prometheus.Registry
	httpRequests  *prometheus.CounterVec
	httpDuration  *prometheus.HistogramVec
	logins        *prometheus.CounterVec
	refreshes     *prometheus.CounterVec
	sessionsEnded *prometheus.CounterVec
	refusals      *prometheus.CounterVec
	mails         *prometheus.CounterVec
	mailQueue     prometheus.Gauge
	mfa           *prometheus.CounterVec

	// requests caches each requestKey's two series, so a request costs a
	// map read instead of two label lookups (hash, lock, slice). The keys
	// are bounded: route patterns, standard methods, status codes.
	requests sync.Map // requestKey → requestSeries
}

type requestKey struct {
	route, method string
	status        int
}

type requestSeries struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

var _ auth.Observer = (*Metrics)(nil)

// New builds the registry with the Go runtime and process collectors,
// authd_build_info{version} and the HTTP and outcome series. Every outcome
// label value starts at zero, so a dashboard or an alert sees the series
// before the first event.
func New(version string) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_http_requests_total", Help: "HTTP requests answered, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "authd_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route pattern and method.",
			Buckets: durationBuckets(),
		}, []string{"route", "method"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_login_attempts_total", Help: "Login attempts, by result.",
		}, []string{"result"}),
		refreshes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_refresh_total", Help: "Refresh token exchanges, by result.",
		}, []string{"result"}),
		sessionsEnded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_sessions_ended_total", Help: "Sessions ended before their natural end or purged after it, by reason.",
		}, []string{"reason"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_throttle_refusals_total", Help: "Attempts refused by throttling, by the rule (scope) that refused them.",
		}, []string{"scope"}),
		mails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_mail_sent_total", Help: "Mails by kind and result: sent, failed (to be retried), dropped after 24 h, suppressed by the per-account limit.",
		}, []string{"kind", "result"}),
		mfa: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "authd_mfa_attempts_total", Help: "Second-factor checks by result: success (TOTP), invalid, replayed (a TOTP step used before), recovery_code.",
		}, []string{"result"}),
		mailQueue: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "authd_mail_queue_depth", Help: "Mails waiting in the queue, as this replica's sender last counted them.",
		}),
	}
	buildInfo := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "authd_build_info", Help: "Always 1; the version label is the one `authd version` and /health show.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	buildInfo.Set(1)
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo, m.httpRequests, m.httpDuration, m.logins, m.refreshes, m.sessionsEnded, m.refusals, m.mails, m.mailQueue, m.mfa,
	)
	for _, r := range auth.LoginResults() {
		m.logins.WithLabelValues(string(r))
	}
	for _, r := range auth.RefreshResults() {
		m.refreshes.WithLabelValues(string(r))
	}
	for _, r := range auth.EndReasons() {
		m.sessionsEnded.WithLabelValues(string(r))
	}
	for _, s := range auth.ThrottleScopes() {
		m.refusals.WithLabelValues(string(s))
	}
	for _, r := range auth.MFAResults() {
		m.mfa.WithLabelValues(string(r))
	}
	for _, k := range auth.MailKinds() {
		for _, r := range auth.MailResults() {
			m.mails.WithLabelValues(string(k), string(r))
		}
	}
	return m
}

// Handler serves the registry in the Prometheus text format. Errors of a
// collector are served as a 500 rather than a partial page.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveRequest records one answered HTTP request. route is the pattern
// that matched (one fixed value when none did), never the raw path.
func (m *Metrics) ObserveRequest(route, method string, status int, elapsed time.Duration) {
	k := requestKey{route: route, method: knownMethod(method), status: status}
	v, ok := m.requests.Load(k)
	if !ok {
		v, _ = m.requests.LoadOrStore(k, requestSeries{
			count:    m.httpRequests.WithLabelValues(k.route, k.method, strconv.Itoa(status)),
			duration: m.httpDuration.WithLabelValues(k.route, k.method),
		})
	}
	s := v.(requestSeries)
	s.count.Inc()
	s.duration.Observe(elapsed.Seconds())
}

// knownMethod keeps the method label to the standard set: net/http accepts
// any token as a method, and a client must not be able to invent labels.
func knownMethod(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
}

// LoginAttempt counts one login attempt.
func (m *Metrics) LoginAttempt(result auth.LoginResult) {
	m.logins.WithLabelValues(string(result)).Inc()
}

// RefreshAttempt counts one refresh.
func (m *Metrics) RefreshAttempt(result auth.RefreshResult) {
	m.refreshes.WithLabelValues(string(result)).Inc()
}

// SessionsEnded counts n ended sessions.
func (m *Metrics) SessionsEnded(reason auth.EndReason, n int) {
	m.sessionsEnded.WithLabelValues(string(reason)).Add(float64(n))
}

// ThrottleRefusal counts one refused attempt.
func (m *Metrics) ThrottleRefusal(scope auth.ThrottleScope) {
	m.refusals.WithLabelValues(string(scope)).Inc()
}

// Mail counts one mail outcome.
func (m *Metrics) Mail(kind auth.MailKind, result auth.MailResult) {
	m.mails.WithLabelValues(string(kind), string(result)).Inc()
}

// MailQueueDepth sets the queue depth gauge.
func (m *Metrics) MailQueueDepth(n int64) { m.mailQueue.Set(float64(n)) }

// MFAAttempt counts one second-factor check.
func (m *Metrics) MFAAttempt(result auth.MFAResult) { m.mfa.WithLabelValues(string(result)).Inc() }

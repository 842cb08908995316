package main

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// recorder collects one scenario's answers from many workers.
type recorder struct {
	mu        sync.Mutex
	latencies []time.Duration
	statuses  map[int]int
	netErrors int
	firstErr  string
}

func newRecorder() *recorder { return &recorder{statuses: map[int]int{}} }

func (r *recorder) add(status int, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.latencies = append(r.latencies, d)
	r.statuses[status]++
}

// count is the number of requests recorded: answers and network errors.
func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.latencies) + r.netErrors
}

// answered is the number of answers recorded with status.
func (r *recorder) answered(status int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.statuses[status]
}

func (r *recorder) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.netErrors == 0 {
		r.firstErr = err.Error()
	}
	r.netErrors++
}

// switched records into whichever recorder is current: the guess
// scenario's real users log in across its phases without a pause, and
// each answer counts for the phase it arrived in.
type switched struct{ cur atomic.Pointer[recorder] }

func (s *switched) add(status int, d time.Duration) { s.cur.Load().add(status, d) }
func (s *switched) fail(err error)                  { s.cur.Load().fail(err) }

// Result is one scenario's figures, as printed and as --json emits them.
type Result struct {
	Scenario  string         `json:"scenario"`
	Requests  int            `json:"requests"`
	Statuses  map[int]int    `json:"statuses"`
	NetErrors int            `json:"net_errors"`
	FirstErr  string         `json:"first_net_error,omitempty"`
	Seconds   float64        `json:"seconds"`
	RPS       float64        `json:"rps"`
	P50ms     float64        `json:"p50_ms"`
	P90ms     float64        `json:"p90_ms"`
	P99ms     float64        `json:"p99_ms"`
	MaxMs     float64        `json:"max_ms"`
	Extra     map[string]any `json:"extra,omitempty"`
	CPU       *CPUSplit      `json:"cpu,omitempty"` // where the machine's CPU went meanwhile
	// Checked, on the guess scenario's flood row, is how many guesses the
	// back-off let through to bcrypt (401) in the measured flood phases.
	Checked *int `json:"guesses_checked,omitempty"`
}

func (r *recorder) result(name string, elapsed time.Duration) Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	ls := slices.Clone(r.latencies)
	slices.Sort(ls)
	res := Result{Scenario: name, Requests: len(ls), Statuses: map[int]int{}, NetErrors: r.netErrors, FirstErr: r.firstErr, Seconds: elapsed.Seconds()}
	for k, v := range r.statuses {
		res.Statuses[k] = v
	}
	if elapsed > 0 {
		res.RPS = float64(len(ls)) / elapsed.Seconds()
	}
	if len(ls) > 0 {
		res.P50ms = ms(percentile(ls, 0.50))
		res.P90ms = ms(percentile(ls, 0.90))
		res.P99ms = ms(percentile(ls, 0.99))
		res.MaxMs = ms(ls[len(ls)-1])
	}
	return res
}

// percentile uses the nearest-rank method on sorted latencies.
func percentile(sorted []time.Duration, p float64) time.Duration {
	i := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

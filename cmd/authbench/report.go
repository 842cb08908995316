package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
)

// report is everything one run measured.
type report struct {
	Machine          string  `json:"machine"`
	URL              string  `json:"url"`
	Database         string  `json:"database,omitempty"`
	Metrics          string  `json:"metrics,omitempty"`
	Alg              string  `json:"signing_alg,omitempty"`
	Cost             int     `json:"bcrypt_cost"`
	Workers          int     `json:"hash_workers"`
	Concurrency      int     `json:"concurrency"`
	LoginConcurrency int     `json:"login_concurrency"`
	FloodConcurrency int     `json:"flood_concurrency"`
	MeasureConc      int     `json:"flood_measure_concurrency"`
	MeasureRate      int     `json:"flood_measure_rate"`
	GuessRate        int     `json:"guess_rate"`
	GuessWarmup      string  `json:"guess_warmup"`
	Duration         string  `json:"duration"`
	Rounds           int     `json:"rounds"`
	HashMedianMs     float64 `json:"hash_median_ms"`   // one hash alone
	HashTogetherMs   float64 `json:"hash_together_ms"` // hash_workers hashes started together
	// HashTogetherAfterMs is the same timing taken after the load, when a
	// scenario that is compared with the limit ran.
	HashTogetherAfterMs float64 `json:"hash_together_after_ms,omitempty"`
	// LoginLimit is hash_workers / hash_together_ms, or over the mean of
	// both timings when the second was taken.
	LoginLimit     float64  `json:"login_limit_rps"`
	StartToReadyMs float64  `json:"start_to_ready_ms,omitempty"`
	IdleRSSMiB     float64  `json:"idle_rss_mib,omitempty"`
	Results        []Result `json:"results"`
	// Ratios are the figures to compare across machines.
	Ratios map[string]float64 `json:"ratios"`
}

func machine() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s %s/%s, %d CPUs, GOMAXPROCS %d, %s", host, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
}

func (r *report) find(name string) (Result, bool) {
	for _, res := range r.Results {
		if res.Scenario == name {
			return res, true
		}
	}
	return Result{}, false
}

// okRPS is the rate of answers with the given status.
func okRPS(res Result, status int) float64 {
	if res.Seconds == 0 {
		return 0
	}
	return float64(res.Statuses[status]) / res.Seconds
}

// derive computes the ratios the targets in docs/benchmarks.md speak of.
func (r *report) derive() {
	r.Ratios = map[string]float64{}
	health, hok := r.find("health")
	if me, ok := r.find("me"); ok && hok && health.RPS > 0 {
		r.Ratios["me_rps_over_health"] = me.RPS / health.RPS
	}
	if rf, ok := r.find("refresh"); ok && hok && health.RPS > 0 {
		r.Ratios["refresh_rps_over_health"] = rf.RPS / health.RPS
	}
	// -metrics both: each cheap scenario with metrics over without.
	for _, name := range []string{"health", "me", "refresh"} {
		on, ok := r.find(name)
		off, offOK := r.find(name + offSuffix)
		if ok && offOK && off.RPS > 0 {
			r.Ratios[name+"_rps_metrics_on_over_off"] = on.RPS / off.RPS
		}
	}
	if l, ok := r.find("login"); ok && r.LoginLimit > 0 {
		r.Ratios["login_over_limit"] = okRPS(l, 200) / r.LoginLimit
	}
	if l, ok := r.find("flood-login"); ok && r.LoginLimit > 0 {
		r.Ratios["flood_login_over_limit"] = okRPS(l, 200) / r.LoginLimit
	}
	if l, ok := r.find("guess-login"); ok && r.LoginLimit > 0 {
		r.Ratios["guess_login_over_limit"] = okRPS(l, 200) / r.LoginLimit
	}
	// The same users with the guessers paused, in phases interleaved with
	// the flood's: the comparison that the machine's drift does not enter.
	if l, ok := r.find("guess-login"); ok {
		if q, ok := r.find("guess-login-quiet"); ok && okRPS(q, 200) > 0 {
			r.Ratios["guess_login_over_quiet"] = okRPS(l, 200) / okRPS(q, 200)
		}
	}
}

func (r *report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func (r *report) writeTable(w io.Writer) error {
	fmt.Fprintf(w, "machine: %s\ntarget: %s", r.Machine, r.URL)
	if r.Database != "" {
		fmt.Fprintf(w, " (started by authbench on %s, tokens signed with %s, metrics %s)", r.Database, r.Alg, r.Metrics)
	}
	together, divisor := fmt.Sprintf("%.1f ms", r.HashTogetherMs), r.HashTogetherMs
	if r.HashTogetherAfterMs > 0 {
		together = fmt.Sprintf("%.1f ms before the load and %.1f ms after it", r.HashTogetherMs, r.HashTogetherAfterMs)
		divisor = (r.HashTogetherMs + r.HashTogetherAfterMs) / 2
	}
	fmt.Fprintf(w, "\nbcrypt cost %d: one hash alone %.1f ms, %d started together %s (medians of %d) → login limit %d / %.1f ms = %.2f/s\n",
		r.Cost, r.HashMedianMs, r.Workers, together, limitRounds, r.Workers, divisor, r.LoginLimit)
	if r.StartToReadyMs > 0 {
		fmt.Fprintf(w, "start to ready: %.1f ms; idle RSS %.1f MiB\n", r.StartToReadyMs, r.IdleRSSMiB)
	}
	fmt.Fprintf(w, "each scenario %s (health, me and refresh interleaved in %d rounds; guess after its warm-up in as many flood phases, %[1]s in all, each followed by a quiet one); -c %[3]d, -login-c %d, -flood-c %d, -flood-measure-c %d, -flood-measure-rate %d, -guess-rate %d, -guess-warmup %s\n\n",
		r.Duration, r.Rounds, r.Concurrency, r.LoginConcurrency, r.FloodConcurrency, r.MeasureConc, r.MeasureRate, r.GuessRate, r.GuessWarmup)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\trequests\tstatuses\treq/s\tp50 ms\tp90 ms\tp99 ms\tmax ms\tRSS MiB\t")
	for _, res := range r.Results {
		rss := ""
		if v, ok := res.Extra["rss_mib"].(float64); ok {
			rss = fmt.Sprintf("%.1f (peak %.1f)", v, res.Extra["peak_rss_mib"])
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%s\t\n", res.Scenario, res.Requests,
			statusList(res), res.RPS, res.P50ms, res.P90ms, res.P99ms, res.MaxMs, rss)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, res := range r.Results {
		if res.FirstErr != "" {
			fmt.Fprintf(w, "%s: first network error: %s\n", res.Scenario, res.FirstErr)
		}
	}
	for _, res := range r.Results {
		if c := res.CPU; c != nil {
			authd := ""
			if c.Authd != nil {
				authd = fmt.Sprintf("authd %.2f, ", *c.Authd)
			}
			fmt.Fprintf(w, "%s: CPU in cores of %d (from /proc): %sauthbench %.2f (%.3f ms a request), rest of the machine %.2f, idle %.2f\n",
				res.Scenario, c.CPUs, authd, c.Authbench, c.AuthbenchMsPerRequest, c.Rest, c.Idle)
		}
	}
	for _, res := range r.Results {
		if res.Checked != nil {
			fmt.Fprintf(w, "%s: %d guesses reached bcrypt (401) in the flood phases, %.3f of the pool's hashes there\n",
				res.Scenario, *res.Checked, checkedShare(*res.Checked, res.Seconds, r.LoginLimit))
		}
	}
	if len(r.Ratios) > 0 {
		fmt.Fprintln(w)
		keys := make([]string, 0, len(r.Ratios))
		for k := range r.Ratios {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "%s: %.2f\n", k, r.Ratios[k])
		}
	}
	return nil
}

// checkedShare is checked hashes over what the pool could hash in seconds
// at limit hashes a second.
func checkedShare(checked int, seconds, limit float64) float64 {
	if seconds <= 0 || limit <= 0 {
		return 0
	}
	return float64(checked) / (seconds * limit)
}

func statusList(res Result) string {
	codes := make([]int, 0, len(res.Statuses))
	for c := range res.Statuses {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d×%d", c, res.Statuses[c]))
	}
	if res.NetErrors > 0 {
		parts = append(parts, fmt.Sprintf("neterr×%d", res.NetErrors))
	}
	return strings.Join(parts, " ")
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
	"github.com/authd/authd/internal/httpapi"
	"github.com/authd/authd/internal/logging"
)

// inProcess serves authd from this test process on a temporary SQLite file,
// throttling logins as a started authd does (but sooner), and trusting loopback as its
// proxy as authbench's own authd does.
func inProcess(t *testing.T) string {
	t.Helper()
	env := authtest.New(t, func(d *auth.Deps) {
		d.Now = time.Now
		d.Log = logging.New(io.Discard, slog.LevelError)
		// One free failure per pair, so the smoke run's few guesses reach a
		// 429 however slowly a loaded machine (or -race) lets them through.
		d.Throttle = auth.Throttle{PairFreeFailures: 1, AccountMaxFailures: 100, IPMaxFailures: 100, Keys: auth.NewAttemptKeys([]byte("bench"))}
	})
	srv, err := httpapi.NewServer(httpapi.Options{Version: "bench", MaxBodyBytes: 1 << 16,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}},
		env.Service, nil, env.Deps.Log)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL
}

func runJSON(t *testing.T, args ...string) report {
	t.Helper()
	var out, errOut bytes.Buffer
	if err := run(context.Background(), append(args, "-json"), &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	var rep report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out.String())
	}
	return rep
}

// TestSmoke runs every scenario briefly against an in-process server, so
// the harness cannot rot.
func TestSmoke(t *testing.T) {
	t.Parallel()
	rep := runJSON(t, "-url", inProcess(t), "-d", "300ms", "-c", "2", "-login-c", "2", "-flood-c", "4", "-flood-measure-c", "1", "-cost", "4", "-rounds", "3",
		"-guess-warmup", "300ms", "-guess-rate", "0")
	want := map[string]int{"health": 200, "me": 200, "refresh": 200, "register": 201, "login": 200, "flood-login": 200, "flood-me": 200, "flood-refresh": 200,
		"guess-login": 200, "guess-login-quiet": 200, "guess-me": 200, "guess-me-quiet": 200, "guess-flood": 0,
		// The in-process server has no mail: the harness is what is smoked.
		"forgot": 501}
	total := 0
	for _, res := range rep.Results {
		status, ok := want[res.Scenario]
		if !ok {
			t.Errorf("unexpected scenario %s", res.Scenario)
			continue
		}
		delete(want, res.Scenario)
		if res.Scenario == "guess-login" && (res.Checked == nil || *res.Checked < 0) {
			t.Errorf("guess-login: guesses checked in the flood phases not reported: %v", res.Checked)
		}
		if res.Scenario == "guess-flood" {
			// Wrong passwords: 401 until throttling refuses them, 429 then.
			if res.Statuses[http.StatusTooManyRequests] == 0 ||
				res.Statuses[http.StatusUnauthorized]+res.Statuses[http.StatusTooManyRequests] != res.Requests || res.NetErrors != 0 {
				t.Errorf("%s: %d requests, statuses %v, net errors %d; want 401s then 429s", res.Scenario, res.Requests, res.Statuses, res.NetErrors)
			}
			total += res.Requests
			continue
		}
		if res.Requests == 0 || res.Statuses[status] != res.Requests || res.NetErrors != 0 {
			t.Errorf("%s: %d requests, statuses %v, net errors %d", res.Scenario, res.Requests, res.Statuses, res.NetErrors)
		}
		if res.P50ms <= 0 || res.P99ms < res.P50ms || res.MaxMs < res.P99ms || res.RPS <= 0 {
			t.Errorf("%s: figures out of order: %+v", res.Scenario, res)
		}
		// Interleaved or not, each scenario runs -d in all (a hair less
		// when its clock starts at the first request; a scenario given the
		// full -d per round would run 0.9 s).
		if res.Seconds < 0.25 || res.Seconds > 0.6 {
			t.Errorf("%s ran %.3fs, want -d 300ms", res.Scenario, res.Seconds)
		}
		total += res.Requests
	}
	if len(want) > 0 {
		t.Errorf("scenarios missing: %v", want)
	}
	if total < 200 {
		t.Errorf("only %d requests in all", total)
	}
	for _, k := range []string{"me_rps_over_health", "refresh_rps_over_health", "login_over_limit", "flood_login_over_limit", "guess_login_over_limit",
		"guess_login_over_quiet"} {
		if rep.Ratios[k] <= 0 {
			t.Errorf("ratio %s = %v", k, rep.Ratios[k])
		}
	}
	checkLimit(t, rep)
	// The server runs in this process: no authd of its own to measure.
	checkCPU(t, rep, false)
}

// checkCPU: on Linux the guess scenario's flood phases come with the
// machine's CPU split, authd's share only for an authd authbench started.
func checkCPU(t *testing.T, rep report, started bool) {
	t.Helper()
	res, _ := rep.find("guess-login")
	if runtime.GOOS != "linux" {
		if res.CPU != nil {
			t.Errorf("CPU split without /proc: %+v", res.CPU)
		}
		return
	}
	c := res.CPU
	if c == nil {
		t.Fatalf("guess-login: no CPU split: %+v", res)
	}
	if c.CPUs < 1 || c.Authbench <= 0 || c.AuthbenchMsPerRequest <= 0 || c.Rest < 0 || c.Idle < 0 || c.Idle > float64(c.CPUs)+0.1 {
		t.Errorf("CPU split out of range: %+v", *c)
	}
	if started != (c.Authd != nil) || (started && *c.Authd <= 0) {
		t.Errorf("CPU split with authd %v, want authd's share %v", c.Authd, started)
	}
	var table bytes.Buffer
	if err := rep.writeTable(&table); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("guess-login: CPU in cores of %d (from /proc): ", c.CPUs)
	if started {
		want += "authd "
	} else {
		want += "authbench "
	}
	if !strings.Contains(table.String(), want) {
		t.Errorf("table without %q:\n%s", want, table.String())
	}
}

// TestGuessStartedServer runs the guess scenario against an authd that
// authbench started, whose own CPU it can then read.
func TestGuessStartedServer(t *testing.T) {
	t.Parallel()
	rep := runJSON(t, "-start", "sqlite", "-scenarios", "guess", "-d", "300ms", "-rounds", "2", "-guess-warmup", "200ms", "-guess-rate", "0",
		"-login-c", "1", "-flood-c", "4", "-flood-measure-c", "1", "-cost", "4")
	var names []string
	for _, r := range rep.Results {
		names = append(names, r.Scenario)
	}
	if want := "guess-flood,guess-login,guess-login-quiet,guess-me,guess-me-quiet"; strings.Join(names, ",") != want {
		t.Errorf("scenarios %q, want %q", strings.Join(names, ","), want)
	}
	if rep.Ratios["guess_login_over_quiet"] <= 0 {
		t.Errorf("ratios %v", rep.Ratios)
	}
	checkCPU(t, rep, true)
}

// checkLimit: the limit is the pool's rate with every worker hashing,
// timed before the load and after it, and the table's header gives every
// timing it came from.
func checkLimit(t *testing.T, rep report) {
	t.Helper()
	if rep.LoginLimit <= 0 || rep.HashMedianMs <= 0 || rep.HashTogetherMs <= 0 || rep.HashTogetherAfterMs <= 0 {
		t.Fatalf("limit %v from one hash %v ms, %d together %v ms before the load and %v ms after it",
			rep.LoginLimit, rep.HashMedianMs, rep.Workers, rep.HashTogetherMs, rep.HashTogetherAfterMs)
	}
	mean := (rep.HashTogetherMs + rep.HashTogetherAfterMs) / 2
	if want := float64(rep.Workers) * 1000 / mean; math.Abs(rep.LoginLimit-want) > want/100 {
		t.Errorf("limit %v, want %d workers / %v ms = %v", rep.LoginLimit, rep.Workers, mean, want)
	}
	var table bytes.Buffer
	if err := rep.writeTable(&table); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`bcrypt cost (\d+): one hash alone ([\d.]+) ms, (\d+) started together ([\d.]+) ms before the load and ([\d.]+) ms after it \(medians of \d+\) → login limit \d+ / ([\d.]+) ms = ([\d.]+)/s`).
		FindStringSubmatch(table.String())
	if m == nil {
		t.Fatalf("no limit in the header:\n%s", table.String())
	}
	got := make([]float64, len(m))
	for i, s := range m[1:] {
		got[i+1], _ = strconv.ParseFloat(s, 64)
	}
	for i, want := range []float64{1: float64(rep.Cost), 2: rep.HashMedianMs, 3: float64(rep.Workers), 4: rep.HashTogetherMs, 5: rep.HashTogetherAfterMs, 6: mean, 7: rep.LoginLimit} {
		if i > 0 && math.Abs(got[i]-want) > 0.05 {
			t.Errorf("header figure %d is %v, want %v:\n%s", i, got[i], want, m[0])
		}
	}
}

// TestLimitAgainAfter: the limit over both timings is the pool's rate
// over their mean, and the first timing is kept as it was.
func TestLimitAgainAfter(t *testing.T) {
	before := hashLimit{aloneMs: 240, togetherMs: 250, perSecond: 8}
	got := before.againAfter(hashLimit{aloneMs: 260, togetherMs: 270, perSecond: 2.0 / 0.27}, 2)
	if got.aloneMs != 240 || got.togetherMs != 250 || got.togetherAfterMs != 270 {
		t.Errorf("timings %+v, want alone 240, together 250 before and 270 after", got)
	}
	if want := 2 / 0.260; math.Abs(got.perSecond-want) > 1e-9 {
		t.Errorf("limit %v/s, want 2 / 260 ms = %v/s", got.perSecond, want)
	}
}

// TestStartsServer lets the harness build and start authd itself, signing
// with a generated key file and with an HS256 secret, and checks the
// figures only a started server has.
func TestStartsServer(t *testing.T) {
	t.Parallel()
	for _, alg := range []string{"default", "HS256"} {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			args := []string{"-start", "sqlite", "-scenarios", "health,me", "-d", "200ms", "-c", "2", "-cost", "4"}
			want := "EdDSA"
			if alg != "default" {
				args, want = append(args, "-alg", alg), alg
			}
			rep := runJSON(t, args...)
			if rep.StartToReadyMs <= 0 || rep.IdleRSSMiB <= 0 || rep.Database != "sqlite" || rep.Alg != want || rep.Metrics != "on" {
				t.Errorf("start-up figures: %+v", rep)
			}
			if len(rep.Results) != 2 || rep.Results[0].Extra["peak_rss_mib"] == nil {
				t.Fatalf("results: %+v", rep.Results)
			}
			// No figure of these scenarios is divided by the limit.
			if want := float64(rep.Workers) * 1000 / rep.HashTogetherMs; rep.HashTogetherAfterMs != 0 || math.Abs(rep.LoginLimit-want) > want/100 {
				t.Errorf("limit %v from %v ms before and %v ms after, want no timing after", rep.LoginLimit, rep.HashTogetherMs, rep.HashTogetherAfterMs)
			}
			if me := rep.Results[1]; me.Scenario != "me" || me.Requests == 0 || me.Statuses[200] != me.Requests {
				t.Errorf("me with %s tokens: %+v", want, me)
			}
			var table bytes.Buffer
			if err := rep.writeTable(&table); err != nil || !strings.Contains(table.String(), "start to ready") ||
				!strings.Contains(table.String(), "p99 ms") || !strings.Contains(table.String(), "signed with "+want) ||
				!strings.Contains(table.String(), fmt.Sprintf("started together %.1f ms (medians of", rep.HashTogetherMs)) {
				t.Errorf("table: %v\n%s", err, table.String())
			}
		})
	}
}

// TestMetricsSwitch: -metrics off starts authd without AUTHD_METRICS_ADDR;
// -metrics both runs each cheap scenario against a server with and one
// without, and gives the ratio.
func TestMetricsSwitch(t *testing.T) {
	t.Parallel()
	rep := runJSON(t, "-start", "sqlite", "-metrics", "off", "-scenarios", "health", "-d", "100ms", "-c", "1", "-cost", "4")
	if rep.Metrics != "off" || len(rep.Results) != 1 || rep.Results[0].Requests == 0 {
		t.Errorf("off: metrics %q, results %+v", rep.Metrics, rep.Results)
	}
	rep = runJSON(t, "-start", "sqlite", "-metrics", "both", "-scenarios", "health,me", "-d", "200ms", "-rounds", "2", "-c", "1", "-cost", "4")
	var names []string
	for _, r := range rep.Results {
		if r.Requests == 0 || r.Statuses[200] != r.Requests {
			t.Errorf("%s: %+v", r.Scenario, r)
		}
		names = append(names, r.Scenario)
	}
	if want := "health,health (metrics off),me,me (metrics off)"; strings.Join(names, ",") != want {
		t.Errorf("scenarios %q, want %q", strings.Join(names, ","), want)
	}
	for _, k := range []string{"health_rps_metrics_on_over_off", "me_rps_metrics_on_over_off"} {
		if rep.Ratios[k] <= 0 {
			t.Errorf("ratio %s = %v", k, rep.Ratios[k])
		}
	}
}

func TestGroups(t *testing.T) {
	t.Parallel()
	tests := []struct {
		names []string
		want  string
	}{
		{scenarioNames(), "health,me,refresh|register|login|flood|guess|forgot"},
		{[]string{"me", "login", "health", "refresh"}, "me|login|health,refresh"},
		{[]string{"flood", "register"}, "flood|register"},
		{[]string{"refresh"}, "refresh"},
	}
	for _, tt := range tests {
		var got []string
		for _, g := range groups(tt.names) {
			got = append(got, strings.Join(g, ","))
		}
		if strings.Join(got, "|") != tt.want {
			t.Errorf("groups(%v) = %v, want %s", tt.names, got, tt.want)
		}
	}
}

func TestFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-rounds", "0"}, {"-scenarios", "nope"}, {"-start", "mysql"}, {"-start", "postgres", "-postgres-url", ""}, {"-c", "x"}, {"-alg", "RS256"},
		{"-metrics", "maybe"}, {"-metrics", "both", "-scenarios", "login"}, {"-metrics", "both", "-url", "http://127.0.0.1:1"},
		{"-login-c", "0"}, {"-scenarios", "guess", "-login-c", "0"}, {"-scenarios", "flood", "-flood-measure-c", "0"}} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("run %v: no error", args)
		}
	}
}

// TestCheckedShare: the guesses checked with bcrypt over what the pool
// could hash in the same time.
func TestCheckedShare(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		checked        int
		seconds, limit float64
		want           float64
	}{
		{12, 40, 8, 0.0375},
		{0, 40, 8, 0},
		{5, 0, 8, 0},
		{5, 40, 0, 0},
	} {
		if got := checkedShare(c.checked, c.seconds, c.limit); got != c.want {
			t.Errorf("checkedShare(%d, %v, %v) = %v, want %v", c.checked, c.seconds, c.limit, got, c.want)
		}
	}
}

// Command authbench is authd's load generator. It runs fixed-concurrency,
// fixed-duration scenarios against an authd URL, or starts a local authd on
// SQLite or PostgreSQL itself and then also reports its start-up time and
// memory. See docs/benchmarks.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "authbench:", err)
		os.Exit(1)
	}
}

// scenarioNames lists the scenarios in the order they run by default.
func scenarioNames() []string {
	return []string{"health", "me", "refresh", "register", "login", "flood", "guess", "forgot"}
}

// options are the command-line flags.
type options struct {
	url, start, pgURL, bin string
	scenarios              []string
	conc, loginConc        int
	floodConc, measureConc int
	measureRate, rounds    int
	guessRate              int
	guessWarmup            time.Duration
	dur                    time.Duration
	cost, workers          int
	alg                    string
	json                   bool
	metrics                string
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	var scen string
	fs := flag.NewFlagSet("authbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.url, "url", "", "authd to load (default: start one, see -start)")
	fs.StringVar(&o.start, "start", "sqlite", "when -url is empty, start authd on: sqlite or postgres")
	fs.StringVar(&o.pgURL, "postgres-url", os.Getenv("AUTHD_TEST_POSTGRES_URL"), "database for -start postgres")
	fs.StringVar(&o.bin, "authd", "", "authd binary for -start (default: go build it)")
	fs.StringVar(&scen, "scenarios", strings.Join(scenarioNames(), ","), "comma-separated: "+strings.Join(scenarioNames(), ", "))
	fs.IntVar(&o.conc, "c", 16, "workers for health, me, refresh and register")
	fs.IntVar(&o.loginConc, "login-c", 4*runtime.NumCPU(), "workers for login")
	fs.IntVar(&o.floodConc, "flood-c", 64, "login workers during the flood")
	fs.IntVar(&o.measureConc, "flood-measure-c", 4, "workers each for me and refresh during the flood")
	// 20/s × 4 workers × 2 endpoints is 160 cheap requests/s: 3,200 samples
	// per endpoint in 20 s, enough for a p99. More is not a better
	// measurement: on 2 CPUs each cheap request during the flood costs the
	// machine ~0.8 ms of CPU (server, this generator, the database), all of
	// it taken from bcrypt (see docs/benchmarks.md).
	fs.IntVar(&o.measureRate, "flood-measure-rate", 20, "requests/s of each measuring worker during the flood (0: closed loop)")
	// A guess answered 429 costs one database read, so a closed loop of
	// 64 guessers on the machine that also runs authd measures mostly how
	// fast this generator can send; 10/s each is 640 guesses/s.
	fs.IntVar(&o.guessRate, "guess-rate", 10, "requests/s of each guessing worker (-flood-c of them) in the guess scenario (0: closed loop)")
	// After its free failures a pair's wait doubles from 1 s, so the
	// back-off lets one guess of each pair through to bcrypt about 1, 3,
	// 7, …, 63 and 127 s later, and then at 255 s; the 6 pairs' free
	// failures themselves take the pool a few seconds. A warm-up of 150 s
	// measures the attack as it stays (waits of minutes, growing to 15)
	// until the check at 255 s, not its first two minutes: with a 30 s
	// warm-up the checks at 31 and 63 s took about 4 % of the pool's
	// hashes from the real users, and with 130 s the 127 s checks of some
	// pairs still fell in. Each run prints how many guesses reached bcrypt
	// in its measured phases.
	fs.DurationVar(&o.guessWarmup, "guess-warmup", 150*time.Second, "how long the guessers run before the guess scenario measures")
	fs.DurationVar(&o.dur, "d", 10*time.Second, "duration of each scenario")
	fs.IntVar(&o.rounds, "rounds", 4, "health, me and refresh run interleaved in this many rounds of -d/rounds each, and guess alternates this many flood and quiet phases of -d/rounds each")
	fs.IntVar(&o.cost, "cost", 12, "bcrypt cost: of the started authd, and for the measured limit")
	fs.IntVar(&o.workers, "workers", runtime.NumCPU(), "the server's bcrypt pool size, for the limit")
	fs.StringVar(&o.alg, "alg", "EdDSA", "how the started authd signs tokens: EdDSA or ES256 (a key file from authd keys generate), or HS256 (AUTHD_JWT_SECRET)")
	fs.BoolVar(&o.json, "json", false, "print JSON instead of a table")
	fs.StringVar(&o.metrics, "metrics", "on", "with -start: on (AUTHD_METRICS_ADDR on a port of its own), off (unset), or both: two servers, the cheap scenarios interleaved across them, to measure what metrics cost")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	o.scenarios = strings.Split(scen, ",")
	for _, s := range o.scenarios {
		if !slices.Contains(scenarioNames(), s) {
			return o, fmt.Errorf("unknown scenario %q", s)
		}
	}
	if o.rounds < 1 {
		return o, fmt.Errorf("-rounds must be at least 1")
	}
	if o.loginConc < 1 && (slices.Contains(o.scenarios, "login") || slices.Contains(o.scenarios, "guess")) {
		return o, fmt.Errorf("-login-c must be at least 1: the login and guess scenarios measure real users' logins")
	}
	if o.measureConc < 1 && slices.Contains(o.scenarios, "flood") {
		return o, fmt.Errorf("-flood-measure-c must be at least 1: the flood scenario measures /auth/me and /auth/refresh")
	}
	if o.url == "" && o.start != "sqlite" && o.start != "postgres" {
		return o, fmt.Errorf("-start must be sqlite or postgres")
	}
	if o.url == "" && !slices.Contains([]string{"EdDSA", "ES256", "HS256"}, o.alg) {
		return o, fmt.Errorf("-alg must be EdDSA, ES256 or HS256")
	}
	if o.url == "" && o.start == "postgres" && o.pgURL == "" {
		return o, fmt.Errorf("-start postgres needs -postgres-url or AUTHD_TEST_POSTGRES_URL")
	}
	if !slices.Contains([]string{"on", "off", "both"}, o.metrics) {
		return o, fmt.Errorf("-metrics must be on, off or both")
	}
	if o.metrics == "both" && (o.url != "" || slices.ContainsFunc(o.scenarios, func(s string) bool { return !cheap(s) })) {
		return o, fmt.Errorf("-metrics both starts its own servers and runs only health, me and refresh")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	rep := report{Machine: machine(), Cost: o.cost, Workers: o.workers, Concurrency: o.conc,
		LoginConcurrency: o.loginConc, FloodConcurrency: o.floodConc, MeasureConc: o.measureConc, MeasureRate: o.measureRate, Rounds: o.rounds,
		GuessRate: o.guessRate, GuessWarmup: o.guessWarmup.String(),
		Duration: o.dur.String()}
	lim := bcryptLimit(o.cost, o.workers)
	rep.HashMedianMs, rep.HashTogetherMs, rep.LoginLimit = lim.aloneMs, lim.togetherMs, lim.perSecond

	url := o.url
	var srv *server
	if url == "" {
		dir, err := os.MkdirTemp("", "authbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		db := "sqlite:" + filepath.Join(dir, "bench.db")
		if o.start == "postgres" {
			db = o.pgURL
		}
		if o.metrics == "both" {
			stderr = &syncWriter{w: stderr} // two servers will write to it
		}
		srv, err = startServer(ctx, o.bin, db, o.cost, o.alg, o.metrics != "off", dir, stderr)
		if err != nil {
			return err
		}
		defer srv.stop()
		url = srv.url
		rep.Database, rep.Alg = o.start, o.alg
		rep.Metrics = srv.metrics
		if o.metrics == "both" {
			return compareMetrics(ctx, o, rep, srv, dir, stdout, stderr)
		}
		rep.StartToReadyMs = ms(srv.startToReady)
		time.Sleep(200 * time.Millisecond) // let start-up garbage settle before "idle"
		rep.IdleRSSMiB, _ = srv.memory()
	}
	rep.URL = url
	p := plan{c: newClient(url, max(o.conc, o.floodConc+2*o.measureConc, o.loginConc)), conc: o.conc, loginConc: o.loginConc,
		floodConc: o.floodConc, measureConc: o.measureConc, measureRate: o.measureRate, rounds: o.rounds,
		guessRate: o.guessRate, guessWarmup: o.guessWarmup, dur: o.dur, prefix: fmt.Sprintf("b%d", time.Now().UnixNano())}
	if srv != nil {
		p.pid = srv.cmd.Process.Pid
	}
	for _, group := range groups(o.scenarios) {
		rs, err := p.group(ctx, group)
		if err != nil {
			return fmt.Errorf("%s: %w", strings.Join(group, ","), err)
		}
		if srv != nil {
			// Memory after the group, on each of its scenarios (the flood's
			// measuring rows share the flood's).
			rss, peak := srv.memory()
			for i := range min(len(group), len(rs)) {
				rs[i].Extra = map[string]any{"rss_mib": rss, "peak_rss_mib": peak}
			}
		}
		rep.Results = append(rep.Results, rs...)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if slices.ContainsFunc(o.scenarios, func(s string) bool { return !cheap(s) }) {
		// The logins are divided by the limit: time it again now that
		// the load is over (the server idles), see againAfter.
		lim = lim.againAfter(bcryptLimit(o.cost, o.workers), o.workers)
		rep.HashTogetherAfterMs, rep.LoginLimit = lim.togetherAfterMs, lim.perSecond
	}
	rep.derive()
	if o.json {
		return rep.writeJSON(stdout)
	}
	return rep.writeTable(stdout)
}

// groups splits the scenarios into the runs they make: consecutive cheap
// ones together (they are interleaved), every other one alone.
func groups(names []string) [][]string {
	var gs [][]string
	for _, n := range names {
		if last := len(gs) - 1; last >= 0 && cheap(n) && cheap(gs[last][0]) {
			gs[last] = append(gs[last], n)
			continue
		}
		gs = append(gs, []string{n})
	}
	return gs
}

func (p plan) group(ctx context.Context, names []string) ([]Result, error) {
	one := func(r Result, err error) ([]Result, error) { return []Result{r}, err }
	switch {
	case cheap(names[0]):
		return p.interleaved(ctx, names)
	case names[0] == "register":
		return one(p.register(ctx))
	case names[0] == "login":
		return one(p.login(ctx))
	case names[0] == "guess":
		return p.guess(ctx)
	case names[0] == "forgot":
		return one(p.forgot(ctx))
	default:
		return p.flood(ctx)
	}
}

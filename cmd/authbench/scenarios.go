package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// plan is what every scenario needs: where, how hard and how long.
type plan struct {
	c           *client
	conc        int           // workers for the cheap scenarios and register
	loginConc   int           // workers for the login scenario
	floodConc   int           // login workers during the flood
	measureConc int           // workers per measured endpoint during the flood
	measureRate int           // requests per second of each measuring worker; 0: as fast as it can
	guessRate   int           // requests per second of each guessing worker; 0: as fast as it can
	guessWarmup time.Duration // the guessers run alone this long before the measurement
	rounds      int           // rounds of the interleaved cheap scenarios
	dur         time.Duration
	prefix      string // makes usernames unique per run
	pid         int    // the authd that authbench started, for its CPU time; 0: none
}

func (p plan) run(ctx context.Context, name string, workers int, newStep func(int) step) Result {
	j := newJob(name, workers, newStep)
	j.runFor(ctx, p.dur)
	return j.result()
}

// job is one scenario's workers and its tally. Its workers keep their
// state (the newest refresh token, the pace) from one slice of an
// interleaved run to the next.
type job struct {
	name    string
	steps   []step
	rec     *recorder
	elapsed time.Duration
}

func newJob(name string, workers int, newStep func(int) step) *job {
	steps := make([]step, workers)
	for i := range steps {
		steps[i] = newStep(i)
	}
	return &job{name: name, steps: steps, rec: newRecorder()}
}

// runFor drives the job's workers for d and adds what they got to its tally.
func (j *job) runFor(ctx context.Context, d time.Duration) {
	rctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	start := time.Now()
	hammer(rctx, j.steps, j.rec)
	j.elapsed += time.Since(start)
}

func (j *job) result() Result { return j.rec.result(j.name, j.elapsed) }

// cheap reports the scenarios that interleaved runs: those whose req/s are
// compared with each other.
func cheap(name string) bool { return name == "health" || name == "me" || name == "refresh" }

// interleaved runs the named cheap scenarios in p.rounds rounds, each
// scenario for p.dur/p.rounds per round, so each gets p.dur in all. The
// ratios of their req/s are the figures to compare; on a shared machine
// whose speed drifts over a minute, running them one after the other would
// put the drift into the ratios.
func (p plan) interleaved(ctx context.Context, names []string) ([]Result, error) {
	jobs := make([]*job, 0, len(names))
	for _, name := range names {
		j, err := p.cheapJob(ctx, name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		jobs = append(jobs, j)
	}
	return runRounds(ctx, p.rounds, p.dur, jobs), ctx.Err()
}

// runRounds runs the jobs in turn, rounds times, each for d/rounds a
// round, and returns their results.
func runRounds(ctx context.Context, rounds int, d time.Duration, jobs []*job) []Result {
	rounds = max(rounds, 1)
	for range rounds {
		for _, j := range jobs {
			j.runFor(ctx, d/time.Duration(rounds))
		}
	}
	results := make([]Result, len(jobs))
	for i, j := range jobs {
		results[i] = j.result()
	}
	return results
}

func (p plan) cheapJob(ctx context.Context, name string) (*job, error) {
	switch name {
	case "health":
		return newJob(name, p.conc, healthStep(p.c)), nil
	case "me":
		users, err := makeUsers(ctx, p.c, p.prefix+"-me", 1)
		if err != nil {
			return nil, err
		}
		return newJob(name, p.conc, meStep(p.c, users[0].tokens.AccessToken)), nil
	case "refresh":
		users, err := makeUsers(ctx, p.c, p.prefix+"-refresh", p.conc)
		if err != nil {
			return nil, err
		}
		return newJob(name, p.conc, refreshStep(p.c, users)), nil
	}
	return nil, fmt.Errorf("%q is not a cheap scenario", name)
}

func healthStep(c *client) func(int) step {
	return func(int) step {
		return func(ctx context.Context) (int, time.Duration, error) {
			return c.call(ctx, http.MethodGet, "/health", nil, "", nil)
		}
	}
}

func meStep(c *client, access string) func(int) step {
	return func(int) step {
		return func(ctx context.Context) (int, time.Duration, error) {
			return c.call(ctx, http.MethodGet, "/auth/me", nil, access, nil)
		}
	}
}

// refreshStep gives each worker its own user; the worker always sends the
// newest refresh token it was given, as a client would.
//
// A refresh in flight when its round ends is let finish (the round's end
// does not cancel it; hammer does not count it): cut off, the server could
// rotate the session while the worker kept the spent token, and sending
// that after the reuse grace, a round later, would end the session.
func refreshStep(c *client, users []user) func(int) step {
	return func(i int) step {
		current := users[i%len(users)].tokens.RefreshToken
		return func(ctx context.Context) (int, time.Duration, error) {
			var out tokens
			status, d, err := c.call(context.WithoutCancel(ctx), http.MethodPost, "/auth/refresh", map[string]string{"refresh_token": current}, "", &out)
			if status == http.StatusOK {
				current = out.RefreshToken
			}
			return status, d, err
		}
	}
}

func (p plan) register(ctx context.Context) (Result, error) {
	var n atomic.Int64
	return p.run(ctx, "register", p.conc, func(int) step {
		return func(ctx context.Context) (int, time.Duration, error) {
			name := fmt.Sprintf("%s-reg-%d", p.prefix, n.Add(1))
			return p.c.call(ctx, http.MethodPost, "/auth/register",
				map[string]string{"username": name, "email": name + "@bench.example", "password": "bench-password"}, "", nil)
		}
	}), nil
}

func (p plan) login(ctx context.Context) (Result, error) {
	users, err := makeUsers(ctx, p.c, p.prefix+"-login", p.loginConc)
	if err != nil {
		return Result{}, err
	}
	return p.run(ctx, "login", p.loginConc, loginStep(p.c, users)), nil
}

func loginStep(c *client, users []user) func(int) step {
	return func(i int) step {
		u := users[i%len(users)]
		body := map[string]string{"username": u.name, "password": u.password}
		return func(ctx context.Context) (int, time.Duration, error) {
			return c.call(ctx, http.MethodPost, "/auth/login", body, "", nil)
		}
	}
}

// flood runs a login flood and, beside it, measures /auth/me and
// /auth/refresh: the cheap requests must stay fast however long the bcrypt
// queue gets.
func (p plan) flood(ctx context.Context) ([]Result, error) {
	logins, err := makeUsers(ctx, p.c, p.prefix+"-flood", 16)
	if err != nil {
		return nil, err
	}
	cheap, err := makeUsers(ctx, p.c, p.prefix+"-cheap", p.measureConc)
	if err != nil {
		return nil, err
	}
	results := make([]Result, 3)
	var wg sync.WaitGroup
	for i, r := range []struct {
		name    string
		workers int
		step    func(int) step
	}{
		{"flood-login", p.floodConc, loginStep(p.c, logins)},
		{"flood-me", p.measureConc, paced(p.measureRate, meStep(p.c, cheap[0].tokens.AccessToken))},
		{"flood-refresh", p.measureConc, paced(p.measureRate, refreshStep(p.c, cheap))},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = p.run(ctx, r.name, r.workers, r.step)
		}()
	}
	wg.Wait()
	return results, nil
}

// paced makes each worker of newStep start a request every 1/rate seconds
// instead of as soon as the last one ended: the measuring group then sends
// a fixed load, like real traffic, and its latency does not depend on how
// much CPU a closed loop could grab. A request slower than the interval
// delays the next one (no catch-up burst).
func paced(rate int, newStep func(int) step) func(int) step {
	if rate <= 0 {
		return newStep
	}
	interval := time.Second / time.Duration(rate)
	return func(i int) step {
		s := newStep(i)
		next := time.Now()
		return func(ctx context.Context) (int, time.Duration, error) {
			if wait := time.Until(next); wait > 0 {
				select {
				case <-time.After(wait):
				case <-ctx.Done():
					return 0, 0, ctx.Err()
				}
			}
			next = time.Now().Add(interval)
			return s(ctx)
		}
	}
}

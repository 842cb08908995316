package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// The guessing flood's attackers: a few accounts, from a few client IPs.
const (
	guessVictims = 3
	guessIPs     = 2
)

// guess runs the guessing flood: p.floodConc workers send wrong passwords
// for guessVictims accounts from guessIPs client IPs (named in
// X-Forwarded-For; the authd that authbench starts trusts loopback as its
// proxy), each at p.guessRate requests/s. Beside them, p.loginConc real
// users log in with their right passwords, each from an IP of its own, in
// a closed loop as in the login scenario, and /auth/me is measured as in
// the flood.
//
// Throttling lets each (account, IP) pair fail five times before it backs
// off, so the first seconds of any guessing flood cost bcrypt work by
// design. The guessers therefore run alone for p.guessWarmup first: what
// is measured after it is the steady state of an attack, which is what
// must not starve real logins.
//
// After the warm-up, p.rounds rounds each run a flood phase (guessers,
// real users, /auth/me) and then a quiet phase (the same without the
// guessers; paced sends no catch-up burst when they resume), each
// p.dur/p.rounds long. /auth/me is measured in both, so the two kinds of
// phase differ by the guessers alone (on PostgreSQL each /auth/me is a
// session read that the database server answers on the same cores), and
// the quiet phases' /auth/me latency is the flood's baseline.
//
// The real users' login rate in the flood phases over theirs in the quiet
// phases is a ratio taken within one run, the two halves interleaved so
// that both see the machine as it is that minute; a limit measured
// minutes earlier on a shared machine whose speed drifts is not (the same
// binary gave 0.61 to 0.78 of it from run to run). The real users log in
// without a pause across the phases, so the bcrypt pool never drains at a
// phase's end, and each answer counts for the phase it arrives in.
//
// It returns the guessers' row (warm-up and flood phases), the real
// users' in the flood phases and in the quiet ones, and /auth/me's in
// each; the flood phases' CPU split rides on the real users' flood row.
func (p plan) guess(ctx context.Context) ([]Result, error) {
	victims, err := makeUsers(ctx, p.c, p.prefix+"-victim", guessVictims)
	if err != nil {
		return nil, err
	}
	real, err := makeUsers(ctx, p.c, p.prefix+"-real", p.loginConc)
	if err != nil {
		return nil, err
	}
	guessers := newJob("guess-flood", p.floodConc, paced(p.guessRate, func(i int) step {
		body := map[string]string{"username": victims[(i/guessIPs)%guessVictims].name, "password": "not-the-password"}
		ip := fmt.Sprintf("203.0.113.%d", 1+i%guessIPs)
		return func(ctx context.Context) (int, time.Duration, error) {
			return p.c.callFrom(ctx, ip, http.MethodPost, "/auth/login", body, "", nil)
		}
	}))
	me := newJob("guess-me", p.measureConc, paced(p.measureRate, meStep(p.c, real[0].tokens.AccessToken)))
	meQuiet := newJob("guess-me-quiet", p.measureConc, paced(p.measureRate, meStep(p.c, real[0].tokens.AccessToken)))
	logins := make([]step, p.loginConc)
	for i := range logins {
		body := map[string]string{"username": real[i].name, "password": real[i].password}
		ip := fmt.Sprintf("198.51.100.%d", 1+i%250)
		logins[i] = func(ctx context.Context) (int, time.Duration, error) {
			return p.c.callFrom(ctx, ip, http.MethodPost, "/auth/login", body, "", nil)
		}
	}

	guessers.runFor(ctx, p.guessWarmup)
	// A guess answered 401 was checked with bcrypt: the back-off lets one
	// through per pair each time a wait ends. Those in the measured phases
	// take pool time from the real users by design, and are reported.
	checkedBefore := guessers.rec.answered(http.StatusUnauthorized)

	flood, quiet := newRecorder(), newRecorder()
	var loginTally switched
	loginTally.cur.Store(flood)
	loginCtx, stopLogins := context.WithCancel(ctx)
	defer stopLogins()
	var loginsDone sync.WaitGroup
	loginsDone.Go(func() { hammer(loginCtx, logins, &loginTally) })

	var floodTime, quietTime time.Duration
	var use cpuUse
	phase := p.dur / time.Duration(max(p.rounds, 1))
	for range max(p.rounds, 1) {
		loginTally.cur.Store(flood)
		sent := guessers.rec.count() + me.rec.count() + flood.count()
		before, beforeErr := readCPU(p.pid)
		var wg sync.WaitGroup
		for _, j := range []*job{guessers, me} {
			wg.Go(func() { j.runFor(ctx, phase) })
		}
		wg.Wait()
		after, afterErr := readCPU(p.pid)
		loginTally.cur.Store(quiet)
		sent = guessers.rec.count() + me.rec.count() + flood.count() - sent
		use.add(before, after, errors.Join(beforeErr, afterErr), sent)
		floodTime += after.at.Sub(before.at)

		start := time.Now()
		meQuiet.runFor(ctx, phase)
		quietTime += time.Since(start)
	}
	stopLogins()
	loginsDone.Wait()

	floodLogins := flood.result("guess-login", floodTime)
	floodLogins.CPU = use.split(p.pid != 0)
	checked := guessers.rec.answered(http.StatusUnauthorized) - checkedBefore
	floodLogins.Checked = &checked
	return []Result{guessers.result(), floodLogins, quiet.result("guess-login-quiet", quietTime), me.result(), meQuiet.result()}, ctx.Err()
}

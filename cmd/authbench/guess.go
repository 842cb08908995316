package main

import (
	"context"
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
// design. The guessers therefore run alone for p.guessWarmup first, and
// the real users and /auth/me are measured during the -d that follows:
// the steady state of an attack, which is what must not starve real
// logins. The guessers' row covers warm-up and measurement together.
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
	logins := newJob("guess-login", p.loginConc, func(i int) step {
		u := real[i%len(real)]
		body := map[string]string{"username": u.name, "password": u.password}
		ip := fmt.Sprintf("198.51.100.%d", 1+i%250)
		return func(ctx context.Context) (int, time.Duration, error) {
			return p.c.callFrom(ctx, ip, http.MethodPost, "/auth/login", body, "", nil)
		}
	})
	me := newJob("guess-me", p.measureConc, paced(p.measureRate, meStep(p.c, real[0].tokens.AccessToken)))

	var wg sync.WaitGroup
	wg.Go(func() { guessers.runFor(ctx, p.guessWarmup+p.dur) })
	select {
	case <-time.After(p.guessWarmup):
	case <-ctx.Done():
	}
	for _, j := range []*job{logins, me} {
		wg.Go(func() { j.runFor(ctx, p.dur) })
	}
	wg.Wait()
	return []Result{guessers.result(), logins.result(), me.result()}, ctx.Err()
}

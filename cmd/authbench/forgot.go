package main

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Pace of the forgot scenario: forgotWorkers workers at forgotRate
// requests/s each, 50 requests/s in all (the figure issue 23 asks about).
const (
	forgotWorkers = 5
	forgotRate    = 10
)

// forgot sends POST /auth/password/forgot at 50 requests/s, half for
// existing accounts and half for unknown ones: the answer must not wait
// for SMTP (the sender delivers in the background). Mail must be on in
// the server (AUTHD_SMTP_URL), or every answer is 501.
func (p plan) forgot(ctx context.Context) (Result, error) {
	users, err := makeUsers(ctx, p.c, p.prefix+"-forgot", forgotWorkers)
	if err != nil {
		return Result{}, err
	}
	return p.run(ctx, "forgot", forgotWorkers, paced(forgotRate, func(i int) step {
		n := 0
		return func(ctx context.Context) (int, time.Duration, error) {
			n++
			email := users[i].name + "@bench.example"
			if n%2 == 0 {
				email = fmt.Sprintf("%s-nobody-%d-%d@bench.example", p.prefix, i, n)
			}
			return p.c.call(ctx, http.MethodPost, "/auth/password/forgot", map[string]string{"email": email}, "", nil)
		}
	})), nil
}

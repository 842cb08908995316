// Command authd is the authentication service: it serves the HTTP API,
// applies migrations, and lets an operator activate or deactivate users.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"

	"github.com/authd/authd/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], spareProc(os.Getenv), os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "authd:", err)
		var u *usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// spareProc gives the Go scheduler one P more than the bcrypt workers
// (one per CPU unless AUTHD_HASH_WORKERS says otherwise), and returns the
// environment with that worker count. During a login flood the workers then
// never hold every P, so a cheap request (/auth/me, refresh, health) is
// picked up at once by the spare P and the kernel shares the cores, instead
// of waiting up to 10 ms per hop for the scheduler to preempt a hash.
// Measured with authbench's flood (2 CPUs, cost 12): /auth/me p99 32 → 9 ms,
// /auth/refresh p99 31 → 10 ms, logins 0.93 → 0.90 of the bcrypt limit.
// It lives in main, not run, because GOMAXPROCS is the process's own.
//
// The worker count is taken from the validated configuration, never from
// the raw variable: GOMAXPROCS set to an absurd count kills the process
// before it can refuse the value. With a bad setting nothing is changed,
// and run, loading the same environment, refuses it.
func spareProc(getenv func(string) string) func(string) string {
	cfg, err := config.Load(getenv)
	if err != nil {
		return getenv
	}
	workers := cfg.Hash.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	runtime.GOMAXPROCS(workers + 1)
	return func(key string) string {
		if key == "AUTHD_HASH_WORKERS" && getenv(key) == "" {
			return strconv.Itoa(workers)
		}
		return getenv(key)
	}
}

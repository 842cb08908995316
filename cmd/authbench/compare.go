package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sync"
	"time"
)

// offSuffix names the results of the server started without metrics.
const offSuffix = " (metrics off)"

// compareMetrics is -metrics both: beside on, the server with metrics, it
// starts a second authd without AUTHD_METRICS_ADDR and runs each cheap
// scenario against both in every round, one after the other. On a shared
// machine whose speed drifts, two separate runs would put the drift into
// the comparison; interleaved, both servers see the same machine.
func compareMetrics(ctx context.Context, o options, rep report, on *server, dir string, stdout, stderr io.Writer) error {
	bin := o.bin
	if bin == "" {
		bin = filepath.Join(dir, "authd") // built by the first startServer
	}
	db := "sqlite:" + filepath.Join(dir, "bench-off.db")
	if o.start == "postgres" {
		db = o.pgURL
	}
	off, err := startServer(ctx, bin, db, o.cost, o.alg, false, dir, stderr)
	if err != nil {
		return err
	}
	defer off.stop()
	rep.URL = on.url + " and " + off.url
	rep.Metrics = "on and off"
	prefix := fmt.Sprintf("b%d", time.Now().UnixNano())
	plans := []plan{
		{c: newClient(on.url, o.conc), conc: o.conc, rounds: o.rounds, dur: o.dur, prefix: prefix},
		{c: newClient(off.url, o.conc), conc: o.conc, rounds: o.rounds, dur: o.dur, prefix: prefix + "-off"},
	}
	var jobs []*job
	for _, name := range o.scenarios {
		for i, p := range plans {
			j, err := p.cheapJob(ctx, name)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			if i == 1 {
				j.name += offSuffix
			}
			jobs = append(jobs, j)
		}
	}
	rep.Results = runRounds(ctx, o.rounds, o.dur, jobs)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	rep.derive()
	if o.json {
		return rep.writeJSON(stdout)
	}
	return rep.writeTable(stdout)
}

// syncWriter lets several processes' output copiers share one writer that
// is not a file (exec copies to it from a goroutine per process).
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

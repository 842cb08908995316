package auth

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Bounds of one purge: batches of purgeBatch records, at most
// purgeBatches of them, so a purge never holds the (SQLite) writer for
// long and a backlog is worked off over several rounds.
const (
	purgeBatch   = 1000
	purgeBatches = 20
	// PurgeEvery is how often RunPurge purges.
	PurgeEvery = 10 * time.Minute
)

// PurgeAttempts deletes throttle records that can no longer refuse
// anything, in bounded batches, and returns how many it deleted. Any
// number of replicas may purge at once: each batch deletes what it finds,
// and what another replica deleted first is simply not found.
func (s *Service) PurgeAttempts(ctx context.Context) (int, error) {
	before := purgeBefore(s.clock())
	total := 0
	for range purgeBatches {
		n, err := s.store.PurgeAttempts(ctx, before, purgeBatch)
		total += n
		if err != nil {
			return total, fmt.Errorf("purge attempts: %w", err)
		}
		if n < purgeBatch {
			break
		}
	}
	return total, nil
}

// RunPurge purges every interval until ctx ends; run() starts it beside
// the server and waits for it at shutdown. A failed purge is logged and
// tried again next round: the records it left only take room.
func (s *Service) RunPurge(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		n, err := s.PurgeAttempts(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.WarnContext(ctx, "purge of throttle records failed", slog.Any("error", err))
		case n > 0:
			s.log.InfoContext(ctx, "throttle records purged", slog.Int("deleted", n))
		}
	}
}

package auth

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Purge settings. A session is kept for sessionRetention after it ended or
// expired, so a refresh or bearer call in that time still hears
// SESSION_REVOKED or TOKEN_EXPIRED rather than INVALID_TOKEN; then it is
// deleted, purgeBatch rows per statement, so no purge holds the table (or
// SQLite's one writer) for long.
const (
	sessionRetention = 24 * time.Hour
	purgeBatch       = 500
)

// PurgeSessions deletes sessions that ended or expired more than the
// retention ago, a bounded batch at a time until none is left or ctx ends,
// and returns how many it deleted. Several replicas may run it at once:
// each DELETE removes what is still there, and a row deleted twice is not
// an error. The deleted sessions that had expired without being ended are
// reported as ended for EndExpired, and those ended for EndDeactivated as
// ended for that, even when a later batch fails: the store counts only
// rows its own DELETE removed, so across replicas each is reported once.
//
// Deactivated sessions are counted here and only here (SessionsEnded does not
// report them): the one path that ends them, admin.SetActive, runs in the
// operator's short-lived `authd user deactivate` process, whose metrics
// nobody scrapes. Every such session is deleted exactly once, by one
// replica's DELETE, so it is counted once: not lost with the operator's
// process, not counted twice should a serving process ever deactivate.
func (s *Service) PurgeSessions(ctx context.Context) (int64, error) {
	var purged PurgedSessions
	n, err := purgeAll(ctx, func(ctx context.Context, before time.Time, limit int) (int64, error) {
		p, err := s.deps.Store.PurgeSessions(ctx, before, limit)
		purged.Expired += p.Expired
		purged.Deactivated += p.Deactivated
		return p.Deleted, err
	}, s.clock().Add(-sessionRetention))
	if purged.Expired > 0 {
		s.deps.Observer.SessionsEnded(EndExpired, int(purged.Expired))
	}
	if purged.Deactivated > 0 {
		s.deps.Observer.SessionsEnded(EndDeactivated, int(purged.Deactivated))
	}
	if err != nil {
		return n, fmt.Errorf("purge sessions: %w", err)
	}
	return n, nil
}

// PurgeAttempts deletes the throttle records that can no longer refuse
// anything, as PurgeSessions deletes sessions, and returns how many.
func (s *Service) PurgeAttempts(ctx context.Context) (int64, error) {
	n, err := purgeAll(ctx, s.deps.Store.PurgeAttempts, purgeBefore(s.clock()))
	if err != nil {
		return n, fmt.Errorf("purge attempts: %w", err)
	}
	return n, nil
}

// PurgeEvents deletes the audit events older than the retention
// (AUTHD_AUDIT_RETENTION), as PurgeSessions deletes sessions, and returns
// how many.
func (s *Service) PurgeEvents(ctx context.Context) (int64, error) {
	keep := s.deps.AuditRetention
	if keep <= 0 {
		keep = DefaultAuditRetention
	}
	n, err := purgeAll(ctx, s.deps.Store.PurgeEvents, s.clock().Add(-keep))
	if err != nil {
		return n, fmt.Errorf("purge events: %w", err)
	}
	return n, nil
}

// purgeAll calls purge with batches of purgeBatch until a batch comes back
// short, and returns the total.
func purgeAll(ctx context.Context, purge func(context.Context, time.Time, int) (int64, error), before time.Time) (int64, error) {
	var total int64
	for {
		n, err := purge(ctx, before, purgeBatch)
		total += n
		if err != nil || n < purgeBatch {
			return total, err
		}
	}
}

// PurgeLoop runs PurgeSessions, PurgeAttempts, the purges of expired
// one-time codes and mfa challenges, and PurgeEvents every interval until
// ctx ends, and returns then. A failed purge is logged and tried again at
// the next tick.
func (s *Service) PurgeLoop(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := s.PurgeSessions(ctx)
		s.purged(ctx, "session", "sessions", n, err)
		n, err = s.PurgeAttempts(ctx)
		s.purged(ctx, "throttle record", "throttle records", n, err)
		n, err = purgeAll(ctx, s.deps.Store.PurgeCodes, s.clock())
		s.purged(ctx, "one-time code", "one-time codes", n, err)
		n, err = purgeAll(ctx, s.deps.Store.PurgeChallenges, s.clock())
		s.purged(ctx, "mfa challenge", "mfa challenges", n, err)
		n, err = s.PurgeEvents(ctx)
		s.purged(ctx, "audit event", "audit events", n, err)
	}
}

// purged logs one purge of one kind (its name, and its plural): a failure
// at WARN (the next tick tries again), a deletion at INFO. The messages are
// the ones docs/operations.md lists.
func (s *Service) purged(ctx context.Context, one, many string, n int64, err error) {
	switch {
	case err != nil && ctx.Err() == nil:
		s.deps.Log.WarnContext(ctx, one+" purge failed", slog.Any("error", err))
	case n > 0:
		s.deps.Log.InfoContext(ctx, many+" purged", slog.Int64("count", n))
	}
}

package breaker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/sony/gobreaker/v2"
)

// stateName is a gobreaker state as API.md spells it.
func stateName(st gobreaker.State) string {
	switch st {
	case gobreaker.StateOpen:
		return "open"
	case gobreaker.StateHalfOpen:
		return "half_open"
	default:
		return "closed"
	}
}

// isSuccessful is gobreaker's IsSuccessful hook: a nil verdict is a
// success. It also remembers a failure's text, because gobreaker calls it
// (under its lock) just before the state change that failure may cause,
// and onStateChange is not told the error.
func (s *Store) isSuccessful(verdict error) bool {
	if verdict == nil {
		return true
	}
	s.mu.Lock()
	s.lastFailure = verdict.Error()
	s.mu.Unlock()
	return false
}

// onStateChange is gobreaker's OnStateChange hook. gobreaker holds its lock
// and has no context here, so the change is only queued; logChanges writes
// it with the context of the call that caused it.
func (s *Store) onStateChange(_ string, from, to gobreaker.State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var cause string
	switch to {
	case gobreaker.StateOpen:
		s.openedAt = time.Now()
		cause = s.lastFailure
	case gobreaker.StateHalfOpen:
		cause = fmt.Sprintf("recovery timeout of %s elapsed", s.settings.RecoveryTimeout)
	case gobreaker.StateClosed:
		cause = "trial call succeeded"
	}
	s.changes = append(s.changes, change{from: stateName(from), to: stateName(to), cause: cause})
}

// logChanges writes one WARN line per queued state change. It logs under
// mu so that lines keep the order of the changes.
func (s *Store) logChanges(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.changes {
		// cause is a store error's text: operation and driver message,
		// never a query's arguments, so no password or hash.
		s.log.WarnContext(ctx, "circuit breaker state changed",
			slog.String("from", c.from), slog.String("to", c.to), slog.String("cause", c.cause))
	}
	s.changes = s.changes[:0]
}

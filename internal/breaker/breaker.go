// Package breaker guards an auth.Store with a circuit breaker
// (sony/gobreaker). After a run of consecutive infrastructure failures it
// stops calling the database and fails fast with 503 CIRCUIT_BREAKER_OPEN,
// so a sick database makes authd answer at once instead of piling up
// requests; after the recovery timeout one trial call finds out whether the
// database is back. It also bounds every store call with a deadline, so a
// database that hangs cannot hang a request or hold a pooled connection.
//
// The service layer does not know the breaker is there: Store is an
// auth.Store that wraps an auth.Store.
package breaker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/authd/authd/internal/auth"
)

// The defaults of API.md, used for zero Settings fields.
const (
	DefaultFailureThreshold = 5
	DefaultRecoveryTimeout  = 60 * time.Second
	DefaultCallTimeout      = 5 * time.Second
)

// Settings configure a Store. A zero field takes its default.
type Settings struct {
	// FailureThreshold is the number of consecutive infrastructure failures
	// that opens the breaker: the Nth failure opens it.
	FailureThreshold int
	// RecoveryTimeout is how long the breaker stays open before it lets one
	// trial call through (half-open).
	RecoveryTimeout time.Duration
	// CallTimeout bounds each store call; the caller's own deadline, when
	// sooner, still wins.
	CallTimeout time.Duration
}

// Store is an auth.Store that sends every call to the wrapped store through
// one circuit breaker, with a deadline.
type Store struct {
	inner    auth.Store
	cb       *gobreaker.CircuitBreaker[struct{}]
	settings Settings
	log      *slog.Logger

	// mu guards the fields below. gobreaker calls isSuccessful and
	// onStateChange with its own lock held, so mu is never held while
	// calling into cb: the lock order is always cb's, then mu.
	mu          sync.Mutex
	openedAt    time.Time
	lastFailure string
	changes     []change
}

var _ auth.Store = (*Store)(nil)

// change is a state change waiting to be logged.
type change struct{ from, to, cause string }

// errExcluded stands, towards gobreaker, for a call whose caller gave up:
// it says nothing about the database, so it counts neither way.
var errExcluded = errors.New("breaker: call abandoned by its caller")

// New wraps inner. State changes are logged to log at WARN.
func New(inner auth.Store, s Settings, log *slog.Logger) *Store {
	if s.FailureThreshold < 1 {
		s.FailureThreshold = DefaultFailureThreshold
	}
	if s.RecoveryTimeout <= 0 {
		s.RecoveryTimeout = DefaultRecoveryTimeout
	}
	if s.CallTimeout <= 0 {
		s.CallTimeout = DefaultCallTimeout
	}
	st := &Store{inner: inner, settings: s, log: log}
	threshold := uint32(s.FailureThreshold)
	st.cb = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name: "database",
		// One trial call in half-open; its success closes the breaker.
		MaxRequests: 1,
		// Interval 0: in the closed state only a success resets the run
		// of failures, never the passing of time.
		Interval: 0,
		Timeout:  s.RecoveryTimeout,
		// gobreaker's default trips on more than 5 failures; the contract
		// is that exactly the Nth one opens the breaker.
		ReadyToTrip:   func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= threshold },
		IsExcluded:    func(err error) bool { return errors.Is(err, errExcluded) },
		IsSuccessful:  st.isSuccessful,
		OnStateChange: st.onStateChange,
	})
	return st
}

// State is "closed", "open" or "half_open", as /health shows it.
func (s *Store) State(ctx context.Context) string {
	// Asking gobreaker for its state may itself move it from open to
	// half-open, which is then logged.
	defer s.logChanges(ctx)
	return stateName(s.cb.State())
}

// call runs f on the inner store through the breaker, with the call
// deadline. An open breaker (or a half-open one busy with its trial call)
// refuses at once with CIRCUIT_BREAKER_OPEN.
func call[T any](ctx context.Context, s *Store, f func(context.Context) (T, error)) (T, error) {
	defer s.logChanges(ctx)
	var (
		out T
		err error
		ran bool
	)
	_, refused := s.cb.Execute(func() (struct{}, error) {
		ran = true
		cctx, cancel := context.WithTimeout(ctx, s.settings.CallTimeout)
		defer cancel()
		out, err = f(cctx)
		var verdict error
		err, verdict = s.judge(ctx, err)
		return struct{}{}, verdict
	})
	if !ran {
		var zero T
		return zero, s.refusal(refused)
	}
	return out, err
}

// judge decides what a call's outcome means for the breaker, and returns
// the error for the caller and the verdict for gobreaker: nil for a
// database that answered, errExcluded for a caller that gave up, and the
// error itself for an infrastructure failure.
func (s *Store) judge(ctx context.Context, err error) (callerErr, verdict error) {
	switch {
	case err == nil:
		return nil, nil
	case ctx.Err() != nil:
		// The caller cancelled, or its own deadline passed: that is the
		// client's doing, not the database's.
		return err, errExcluded
	case errors.Is(err, context.DeadlineExceeded):
		// Not the caller's deadline, which has not passed: the call
		// deadline, or the driver's own (connect_timeout). Either way
		// the database did not answer in time.
		var ae *auth.Error
		if !errors.As(err, &ae) || ae.Code != auth.CodeDatabase {
			err = auth.DatabaseError(fmt.Errorf("no answer within %s: %w", s.settings.CallTimeout, err))
		}
		return err, err
	}
	var ae *auth.Error
	if errors.As(err, &ae) && ae.Code == auth.CodeDatabase {
		return err, err
	}
	// Not found, a unique conflict: the database answered.
	return err, nil
}

// refusal is the error of a call the breaker did not let through; cause is
// gobreaker's reason. The wait it suggests is the time until half-open, and
// at least a second: while the trial call is out, that is all a client can
// be told.
func (s *Store) refusal(cause error) error {
	s.mu.Lock()
	wait := time.Until(s.openedAt.Add(s.settings.RecoveryTimeout))
	s.mu.Unlock()
	e := auth.Fail(auth.CodeBreakerOpen, cause)
	e.RetryAfter = max(wait, time.Second)
	return e
}

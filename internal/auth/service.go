package auth

import (
	"errors"
	"fmt"
	"time"
)

// Authenticated is a user together with the session just opened or
// refreshed for them and its tokens.
type Authenticated struct {
	User      User
	SessionID string
	Tokens    Pair
}

// Service implements register, login, refresh, me, logout, the session
// list and password change on top of a Store.
type Service struct {
	// deps are the Service's adapters and settings; NewService fills in
	// Log and Observer, so neither is nil here.
	deps     Deps
	inFlight *inFlight
	// refused remembers the refusals read from the database until they end.
	refused *refusals
	limiter *Limiter
}

// NewService wires a Service from d.
func NewService(d Deps) *Service {
	d.Log, d.Observer = d.Logger(), d.Observe()
	return &Service{deps: d, inFlight: newInFlight(), refused: newRefusals(maxRemembered), limiter: NewLimiter(d)}
}

// clock returns the current time in UTC, whole seconds: the precision API.md
// shows and the one both databases keep alike.
func (s *Service) clock() time.Time { return s.deps.Clock() }

// Instant is the current time, unrounded (see Deps.Instant): the time a
// token answer is sent at, for Pair.ExpiresIn.
func (s *Service) Instant() time.Time { return s.deps.Instant() }

// overloadRetry is what an OVERLOADED answer tells the client to wait.
const overloadRetry = time.Second

// hashFailure turns a full bcrypt queue into 503 OVERLOADED, answered at
// once instead of letting every login wait longer and longer.
func hashFailure(what string, err error) error {
	if errors.Is(err, ErrHashOverloaded) {
		e := Fail(CodeOverloaded, err)
		e.RetryAfter = overloadRetry
		return e
	}
	return fmt.Errorf("%s: %w", what, err)
}

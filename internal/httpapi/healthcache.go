package httpapi

import (
	"context"
	"sync"
	"time"
)

// CachedCheck returns c with its answer kept for ttl, so that a flood of
// /health and /health/ready costs one check per ttl instead of one database
// ping per probe, and cannot take pool connections from real requests.
// One check runs at a time: while it runs, callers get the previous answer
// at once, and only the very first callers wait for it. now is the clock
// (time.Now outside tests).
func CachedCheck(c HealthCheck, ttl time.Duration, now func() time.Time) HealthCheck {
	cc := &checkCache{check: c.Check, ttl: ttl, now: now}
	return HealthCheck{Name: c.Name, Check: cc.get}
}

// checkCache holds the last answer of one check.
type checkCache struct {
	check func(context.Context) (string, bool)
	ttl   time.Duration
	now   func() time.Time

	// mu guards the fields below; it is never held while the check runs.
	mu      sync.Mutex
	status  string
	healthy bool
	at      time.Time     // when the answer was taken; zero before the first
	running chan struct{} // non-nil while a check runs, closed when it ends
}

func (c *checkCache) get(ctx context.Context) (string, bool) {
	c.mu.Lock()
	if !c.at.IsZero() && (c.now().Sub(c.at) < c.ttl || c.running != nil) {
		// Fresh, or stale while another caller takes a new one.
		defer c.mu.Unlock()
		return c.status, c.healthy
	}
	if wait := c.running; wait != nil {
		c.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return "error", false
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.status, c.healthy
	}
	done := make(chan struct{})
	c.running = done
	c.mu.Unlock()
	return c.refresh(ctx, done)
}

// refresh runs the check and keeps its answer. The check does not inherit
// the caller's cancellation: a probe that hangs up must not leave an
// "error" for every probe of the next ttl. It keeps a deadline of its own.
func (c *checkCache) refresh(ctx context.Context, done chan struct{}) (status string, healthy bool) {
	defer func() {
		c.mu.Lock()
		c.status, c.healthy, c.at = status, healthy, c.now()
		c.running = nil
		c.mu.Unlock()
		close(done)
	}()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), checkTimeout)
	defer cancel()
	return c.check(ctx)
}

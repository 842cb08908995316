package password

import (
	"context"
	"fmt"
	"github.com/authd/authd/internal/auth"
	"time"
)

// Pool bounds the bcrypt work. Cheap requests never touch it; only hashing
// and comparing do, so a login flood queues here and nowhere else.
type Pool struct {
	// Workers is how many hashes run at once; <= 0 means one per usable CPU
	// (runtime.GOMAXPROCS(0)): bcrypt is pure CPU, more would only queue
	// in the scheduler instead of here.
	Workers int
	// Queue is how many callers may wait for a worker; past it they get
	// auth.ErrHashOverloaded at once. <= 0 means no limit.
	Queue int
	// MaxWait is how long a caller may wait for a worker before it gets
	// auth.ErrHashOverloaded. <= 0 means no limit.
	MaxWait time.Duration
}

// Waiting is how many callers wait for a worker now.
func (h *Hasher) Waiting() int { return int(h.waiting.Load()) }

// Workers is the size of the pool.
func (h *Hasher) Workers() int { return cap(h.slots) }

// run does work in a pool slot, and nothing when no slot can be had.
func (h *Hasher) run(ctx context.Context, work func() error) error {
	if err := h.acquire(ctx); err != nil {
		return err
	}
	defer func() { <-h.slots }()
	if h.around != nil {
		return h.around(work)
	}
	return work()
}

// acquire takes a slot in h.slots, the semaphore: a buffered channel whose
// length is the number of hashes in flight. A caller whose ctx is already
// done gets no slot, so a client that has gone away costs no bcrypt.
// A free slot is taken at once; otherwise the caller joins the queue.
func (h *Hasher) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("password: before taking a worker: %w", err)
	}
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
		return h.wait(ctx)
	}
}

// wait queues for a slot (FIFO: the runtime serves blocked channel senders
// in order) unless the queue is full, and no longer than MaxWait or ctx.
func (h *Hasher) wait(ctx context.Context) error {
	n := h.waiting.Add(1)
	defer h.waiting.Add(-1)
	if h.queue > 0 && n > h.queue {
		return auth.ErrHashOverloaded
	}
	var expired <-chan time.Time
	if h.maxWait > 0 {
		t := time.NewTimer(h.maxWait)
		defer t.Stop()
		expired = t.C
	}
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-expired:
		return auth.ErrHashOverloaded
	case <-ctx.Done():
		return fmt.Errorf("password: waiting for a worker: %w", ctx.Err())
	}
}

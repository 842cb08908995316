// Package password hashes and checks passwords with bcrypt on a bounded
// pool of workers, and keeps the dummy hash that makes a login for an
// unknown user cost as much as one for a real user.
package password

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Password length limits in bytes. bcrypt reads at most 72 bytes; a longer
// password is refused rather than silently cut, since every password that
// shares its first 72 bytes would otherwise match.
const (
	MinBytes = 8
	MaxBytes = 72
)

// Sentinel errors.
var (
	ErrMismatch = errors.New("password does not match")
	ErrTooLong  = errors.New("password longer than 72 bytes")
	// ErrOverloaded: the wait queue is full, or a slot did not free up
	// within the pool's MaxWait. The caller should answer 503 at once.
	ErrOverloaded = errors.New("password hashing overloaded")
)

// Pool bounds the bcrypt work. Cheap requests never touch it; only hashing
// and comparing do, so a login flood queues here and nowhere else.
type Pool struct {
	// Workers is how many hashes run at once; <= 0 means one per usable CPU.
	Workers int
	// Queue is how many callers may wait for a worker; past it they get
	// ErrOverloaded at once. <= 0 means no limit.
	Queue int
	// MaxWait is how long a caller may wait for a worker before it gets
	// ErrOverloaded. <= 0 means no limit.
	MaxWait time.Duration
}

// dummyPassword is hashed once, lazily, to give unknown-user logins a hash
// to compare against. Its value does not matter; nobody logs in with it.
const dummyPassword = "authd-dummy-password-for-unknown-users"

// Hasher runs bcrypt at one cost with at most `workers` hashes at a time,
// so a burst of logins cannot take every core.
type Hasher struct {
	cost    int
	slots   chan struct{}
	queue   int64
	maxWait time.Duration
	waiting atomic.Int64

	dummyOnce sync.Once
	dummy     []byte
	dummyErr  error
}

// NewHasher checks cost (bcrypt's 4–31) and sizes the pool.
func NewHasher(cost int, pool Pool) (*Hasher, error) {
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("password: bcrypt cost %d outside %d–%d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	workers := pool.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return &Hasher{cost: cost, slots: make(chan struct{}, workers), queue: int64(pool.Queue), maxWait: pool.MaxWait}, nil
}

// Cost is the bcrypt cost new hashes get.
func (h *Hasher) Cost() int { return h.cost }

// Waiting is how many callers wait for a worker now.
func (h *Hasher) Waiting() int { return int(h.waiting.Load()) }

// Workers is the size of the pool.
func (h *Hasher) Workers() int { return cap(h.slots) }

// run does work in a pool slot. A free slot is taken at once; otherwise the
// caller joins the queue (FIFO: the runtime queues blocked channel senders
// in order) unless it is full, and waits no longer than MaxWait or ctx.
func (h *Hasher) run(ctx context.Context, work func() error) error {
	select {
	case h.slots <- struct{}{}:
	default:
		if err := h.wait(ctx); err != nil {
			return err
		}
	}
	defer func() { <-h.slots }()
	return work()
}

func (h *Hasher) wait(ctx context.Context) error {
	n := h.waiting.Add(1)
	defer h.waiting.Add(-1)
	if h.queue > 0 && n > h.queue {
		return ErrOverloaded
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
		return ErrOverloaded
	case <-ctx.Done():
		return fmt.Errorf("password: waiting for a worker: %w", ctx.Err())
	}
}

// Hash returns the bcrypt hash of password at the Hasher's cost.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if len(password) > MaxBytes {
		return "", ErrTooLong
	}
	var hash []byte
	err := h.run(ctx, func() error {
		var err error
		hash, err = bcrypt.GenerateFromPassword([]byte(password), h.cost)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("password: hash: %w", err)
	}
	return string(hash), nil
}

// Compare reports nil when password matches hash, else ErrMismatch. A
// password over 72 bytes never matches: bcrypt would compare only its prefix.
func (h *Hasher) Compare(ctx context.Context, hash, password string) error {
	if len(password) > MaxBytes {
		return ErrMismatch
	}
	return h.compare(ctx, []byte(hash), password)
}

func (h *Hasher) compare(ctx context.Context, hash []byte, password string) error {
	return h.run(ctx, func() error {
		err := bcrypt.CompareHashAndPassword(hash, []byte(password))
		if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
			return ErrMismatch
		}
		if err != nil {
			return fmt.Errorf("password: compare: %w", err)
		}
		return nil
	})
}

// CompareDummy spends one comparison at the Hasher's cost against a hash no
// password matches, and returns ErrMismatch (or the error that stopped it).
func (h *Hasher) CompareDummy(ctx context.Context, password string) error {
	h.dummyOnce.Do(func() {
		h.dummy, h.dummyErr = bcrypt.GenerateFromPassword([]byte(dummyPassword), h.cost)
	})
	if h.dummyErr != nil {
		return fmt.Errorf("password: dummy hash: %w", h.dummyErr)
	}
	if len(password) > MaxBytes {
		password = password[:MaxBytes]
	}
	if err := h.compare(ctx, h.dummy, password); err != nil {
		return err
	}
	return ErrMismatch // reached only if someone typed the dummy password
}

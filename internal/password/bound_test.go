package password

import (
	"context"
	"errors"
	"github.com/authd/authd/internal/auth"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// These tests watch the real Hash, Compare and CompareDummy through the
// Hasher's around hook: how many run at once, and that none runs when it
// should not.

// watcher records the bcrypt work a Hasher runs, through its around hook.
type watcher struct{ calls, inFlight, peak atomic.Int32 }

// watch installs the hook; hold keeps each piece of work in its slot a
// while longer, so that concurrent callers overlap for sure.
func watch(h *Hasher, hold time.Duration) *watcher {
	w := &watcher{}
	h.around = func(work func() error) error {
		w.calls.Add(1)
		n := w.inFlight.Add(1)
		defer w.inFlight.Add(-1)
		for p := w.peak.Load(); n > p && !w.peak.CompareAndSwap(p, n); p = w.peak.Load() {
		}
		time.Sleep(hold)
		return work()
	}
	return w
}

// op is one of the public calls that take a pool slot.
type op struct {
	name string
	call func(context.Context, *Hasher) error
}

// ops lists them; the Compare hash is a real cost-4 bcrypt hash (of another
// password), so Compare does a full comparison.
func ops() []op {
	return []op{
		{"Hash", func(ctx context.Context, h *Hasher) error { _, err := h.Hash(ctx, "password"); return err }},
		{"Compare", func(ctx context.Context, h *Hasher) error {
			return h.Compare(ctx, "$2a$04$0123456789012345678901uJ6S8vnpQyVgP8TLXmRIrmYI8w0Cm4y", "password")
		}},
		{"CompareDummy", func(ctx context.Context, h *Hasher) error { return h.CompareDummy(ctx, "password") }},
	}
}

func TestPoolBoundsConcurrency(t *testing.T) {
	t.Parallel()
	const workers, callers = 2, 12
	h := newTestHasher(t, 4, workers)
	w := watch(h, 20*time.Millisecond)
	var wg sync.WaitGroup
	ops := ops()
	for n := range callers {
		wg.Go(func() { _ = ops[n%len(ops)].call(context.Background(), h) })
	}
	wg.Wait()
	if got := w.peak.Load(); got != workers {
		t.Errorf("peak in flight = %d, want %d", got, workers)
	}
	if got := w.calls.Load(); got != callers {
		t.Errorf("%d pieces of work ran in the pool, want %d", got, callers)
	}
}

func TestCancelWhileWaiting(t *testing.T) {
	t.Parallel()
	for _, op := range ops() {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			h := newTestHasher(t, 4, 1)
			w := watch(h, 0)
			release := occupy(t, h)
			defer release()
			ctx, cancel := context.WithCancel(context.Background())
			errc := make(chan error, 1)
			go func() { errc <- op.call(ctx, h) }()
			waitFor(t, h, 1)
			start := time.Now()
			cancel()
			select {
			case err := <-errc:
				if !errors.Is(err, context.Canceled) {
					t.Errorf("err = %v, want context.Canceled", err)
				}
				if d := time.Since(start); d > time.Second {
					t.Errorf("returned %v after cancel", d)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("still waiting 5s after cancel")
			}
			if got := w.calls.Load(); got != 1 { // the occupier's only
				t.Errorf("%d pieces of work ran, want only the occupier's", got)
			}
		})
	}
}

// TestNoWorkWithoutNeed: a done ctx takes no free slot, and a password over
// 72 bytes is refused before bcrypt.
func TestNoWorkWithoutNeed(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, op := range ops() {
		t.Run(op.name+" with a done ctx", func(t *testing.T) {
			h := newTestHasher(t, 4, 1)
			w := watch(h, 0)
			if err := op.call(cancelled, h); !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
			if w.calls.Load() != 0 {
				t.Error("bcrypt ran for a caller that had gone")
			}
		})
	}
	t.Run("Compare over 72 bytes", func(t *testing.T) {
		h := newTestHasher(t, 4, 1)
		w := watch(h, 0)
		if err := h.Compare(context.Background(), "$2a$04$x", strings.Repeat("a", 73)); !errors.Is(err, auth.ErrPasswordMismatch) {
			t.Errorf("err = %v, want auth.ErrPasswordMismatch", err)
		}
		if w.calls.Load() != 0 {
			t.Error("bcrypt ran for a password it cannot compare")
		}
	})
}

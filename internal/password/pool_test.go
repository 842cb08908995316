package password

import (
	"context"
	"errors"
	"github.com/authd/authd/internal/auth"
	"sync"
	"testing"
	"time"
)

// The pool tests hand run() their own work function instead of bcrypt, so
// they do not depend on how fast this machine hashes.

// occupy holds every worker until release is closed.
func occupy(t *testing.T, h *Hasher) (release func()) {
	t.Helper()
	ch := make(chan struct{})
	var started sync.WaitGroup
	for range h.Workers() {
		started.Add(1)
		go func() {
			_ = h.run(context.Background(), func() error { started.Done(); <-ch; return nil })
		}()
	}
	started.Wait()
	return func() { close(ch) }
}

// waitFor polls until the queue holds n callers.
func waitFor(t *testing.T, h *Hasher, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for h.Waiting() != n {
		if time.Now().After(deadline) {
			t.Fatalf("waiting = %d, want %d", h.Waiting(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestQueueFullIsOverloaded(t *testing.T) {
	t.Parallel()
	h, _ := NewHasher(4, Pool{Workers: 1, Queue: 2})
	release := occupy(t, h)
	results := make(chan error, 2)
	for range 2 {
		go func() { results <- h.run(context.Background(), func() error { return nil }) }()
	}
	waitFor(t, h, 2)
	start := time.Now()
	err := h.run(context.Background(), func() error { t.Error("work ran past a full queue"); return nil })
	if !errors.Is(err, auth.ErrHashOverloaded) {
		t.Fatalf("third waiter: %v, want auth.ErrHashOverloaded", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("overload answer took %v; want at once", d)
	}
	release()
	for range 2 {
		if err := <-results; err != nil {
			t.Errorf("queued caller: %v", err)
		}
	}
	if h.Waiting() != 0 {
		t.Errorf("waiting = %d after drain", h.Waiting())
	}
}

func TestMaxWaitIsOverloaded(t *testing.T) {
	t.Parallel()
	h, _ := NewHasher(4, Pool{Workers: 1, MaxWait: 30 * time.Millisecond})
	release := occupy(t, h)
	defer release()
	start := time.Now()
	err := h.run(context.Background(), func() error { return nil })
	if !errors.Is(err, auth.ErrHashOverloaded) {
		t.Fatalf("err = %v, want auth.ErrHashOverloaded", err)
	}
	if d := time.Since(start); d < 30*time.Millisecond || d > 3*time.Second {
		t.Errorf("gave up after %v, want about MaxWait", d)
	}
}

func TestQueueIsFIFO(t *testing.T) {
	t.Parallel()
	h, _ := NewHasher(4, Pool{Workers: 1})
	release := occupy(t, h)
	var mu sync.Mutex
	var order []int
	var done sync.WaitGroup
	for i := range 5 {
		done.Add(1)
		go func() {
			defer done.Done()
			_ = h.run(context.Background(), func() error {
				mu.Lock()
				order = append(order, i)
				mu.Unlock()
				return nil
			})
		}()
		waitFor(t, h, i+1) // join the queue one at a time, in order
	}
	release()
	done.Wait()
	for i, v := range order {
		if v != i {
			t.Fatalf("served in order %v, want 0..4", order)
		}
	}
}

func TestCancelReleasesWaiter(t *testing.T) {
	t.Parallel()
	h, _ := NewHasher(4, Pool{Workers: 1, Queue: 1})
	release := occupy(t, h)
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- h.run(ctx, func() error { return nil }) }()
	waitFor(t, h, 1)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled waiter: %v", err)
	}
	waitFor(t, h, 0)
	// Its place in the queue is free again: a new caller may wait.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	if err := h.run(ctx2, func() error { return nil }); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("next waiter: %v, want to wait (deadline), not overload", err)
	}
}

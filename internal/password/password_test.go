package password

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newTestHasher(t *testing.T, cost, workers int) *Hasher {
	t.Helper()
	h, err := NewHasher(cost, Pool{Workers: workers})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestNewHasherCost(t *testing.T) {
	t.Parallel()
	for _, cost := range []int{3, 32, -1} {
		if _, err := NewHasher(cost, Pool{Workers: 1}); err == nil {
			t.Errorf("cost %d accepted", cost)
		}
	}
	h := newTestHasher(t, 4, 0)
	if h.Workers() < 1 {
		t.Errorf("workers = %d", h.Workers())
	}
}

func TestHashAndCompare(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newTestHasher(t, 4, 2)
	pw72 := strings.Repeat("p", 72)
	hash72, err := h.Hash(ctx, pw72)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := h.Hash(ctx, "correct-horse")
	if err != nil {
		t.Fatal(err)
	}
	other := newTestHasher(t, 5, 1)
	hashCost5, _ := other.Hash(ctx, "correct-horse")
	tests := []struct {
		name, hash, password string
		want                 error
	}{
		{"right", hash, "correct-horse", nil},
		{"wrong", hash, "correct-horsE", ErrMismatch},
		{"empty", hash, "", ErrMismatch},
		{"72 bytes right", hash72, pw72, nil},
		{"72 bytes plus one", hash72, pw72 + "x", ErrMismatch},
		{"72 bytes plus many", hash72, pw72 + strings.Repeat("y", 100), ErrMismatch},
		{"other cost verifies", hashCost5, "correct-horse", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := h.Compare(ctx, tt.hash, tt.password); !errors.Is(err, tt.want) {
				t.Errorf("Compare = %v, want %v", err, tt.want)
			}
		})
	}
	if _, err := h.Hash(ctx, pw72+"x"); !errors.Is(err, ErrTooLong) {
		t.Errorf("Hash of 73 bytes = %v, want ErrTooLong", err)
	}
	if err := h.Compare(ctx, "not-a-hash", "x"); err == nil || errors.Is(err, ErrMismatch) {
		t.Errorf("Compare against a malformed hash = %v, want another error", err)
	}
}

func TestCompareDummy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newTestHasher(t, 9, 1)
	hash, _ := h.Hash(ctx, "real-password")
	for _, pw := range []string{"real-password", dummyPassword + "x", strings.Repeat("z", 100)} {
		if err := h.CompareDummy(ctx, pw); !errors.Is(err, ErrMismatch) {
			t.Errorf("CompareDummy(%q) = %v, want ErrMismatch", pw[:5], err)
		}
	}
	median := func(f func()) time.Duration {
		var ds []time.Duration
		for range 7 {
			start := time.Now()
			f()
			ds = append(ds, time.Since(start))
		}
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	real := median(func() { _ = h.Compare(ctx, hash, "wrong-password") })
	dummy := median(func() { _ = h.CompareDummy(ctx, "wrong-password") })
	ratio := float64(dummy) / float64(real)
	t.Logf("median compare %v, dummy %v, ratio %.2f", real, dummy, ratio)
	if ratio < 0.3 || ratio > 3 {
		t.Errorf("dummy/real ratio %.2f outside 0.3–3", ratio)
	}
}

func TestPoolBoundsConcurrency(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, 4, 2)
	var inFlight, peak atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = h.run(context.Background(), func() error {
				n := inFlight.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				time.Sleep(5 * time.Millisecond)
				inFlight.Add(-1)
				return nil
			})
		}()
	}
	wg.Wait()
	if got := peak.Load(); got != 2 {
		t.Errorf("peak in flight = %d, want 2", got)
	}
}

func TestCancelWhileWaiting(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, 4, 1)
	release := make(chan struct{})
	started := make(chan struct{})
	go func() {
		_ = h.run(context.Background(), func() error { close(started); <-release; return nil })
	}()
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := h.Hash(ctx, "password")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Hash with a full pool = %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("waited %v", d)
	}
	cctx, ccancel := context.WithCancel(context.Background())
	ccancel()
	if err := h.Compare(cctx, "$2a$04$x", "password"); !errors.Is(err, context.Canceled) {
		t.Errorf("Compare with a cancelled context = %v", err)
	}
	close(release)
}

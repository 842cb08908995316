package password

import (
	"context"
	"errors"
	"github.com/authd/authd/internal/auth"
	"runtime"
	"slices"
	"strings"
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

func TestNewHasher(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		cost        int
		workers     int
		ok          bool
		wantWorkers int
	}{
		{"cost 3 is below bcrypt.MinCost", 3, 1, false, 0},
		{"cost 32 is above bcrypt.MaxCost", 32, 1, false, 0},
		{"negative cost", -1, 1, false, 0},
		{"cost 4", 4, 2, true, 2},
		{"cost 31", 31, 2, true, 2},
		{"zero workers means GOMAXPROCS", 10, 0, true, runtime.GOMAXPROCS(0)},
		{"negative workers means GOMAXPROCS", 10, -3, true, runtime.GOMAXPROCS(0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NewHasher(tt.cost, Pool{Workers: tt.workers})
			if (err == nil) != tt.ok {
				t.Fatalf("err = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && (h.Workers() != tt.wantWorkers || h.Cost() != tt.cost) {
				t.Errorf("workers %d cost %d, want %d and %d", h.Workers(), h.Cost(), tt.wantWorkers, tt.cost)
			}
		})
	}
}

func TestHashAndCompare(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := newTestHasher(t, 4, 2)
	pw72 := strings.Repeat("p", 72)
	euro72 := strings.Repeat("€", 24) // 24 runes, 72 bytes: the limit is in bytes
	mustHash := func(h *Hasher, pw string) string {
		hash, err := h.Hash(ctx, pw)
		if err != nil {
			t.Fatal(err)
		}
		return hash
	}
	hash, hash72, hashEuro := mustHash(h, "correct-horse"), mustHash(h, pw72), mustHash(h, euro72)
	hashCost5 := mustHash(newTestHasher(t, 5, 1), "correct-horse")
	tests := []struct {
		name, hash, password string
		want                 error
	}{
		{"right", hash, "correct-horse", nil},
		{"wrong", hash, "correct-horsE", auth.ErrPasswordMismatch},
		{"prefix", hash, "correct-hors", auth.ErrPasswordMismatch},
		{"empty", hash, "", auth.ErrPasswordMismatch},
		{"72 bytes right", hash72, pw72, nil},
		{"72 bytes of multi-byte runes right", hashEuro, euro72, nil},
		// bcrypt would see only the first 72 bytes of these and say yes.
		{"72 bytes plus one", hash72, pw72 + "x", auth.ErrPasswordMismatch},
		{"72 bytes plus 100", hash72, pw72 + strings.Repeat("y", 100), auth.ErrPasswordMismatch},
		{"72 bytes plus one rune", hashEuro, euro72 + "é", auth.ErrPasswordMismatch},
		{"hash of another cost verifies", hashCost5, "correct-horse", nil},
		{"hash of another cost, wrong password", hashCost5, "wrong", auth.ErrPasswordMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := h.Compare(ctx, tt.hash, tt.password); !errors.Is(err, tt.want) {
				t.Errorf("Compare = %v, want %v", err, tt.want)
			}
		})
	}
	t.Run("malformed hash is an error, not a mismatch", func(t *testing.T) {
		if err := h.Compare(ctx, "not-a-hash", "x"); err == nil || errors.Is(err, auth.ErrPasswordMismatch) {
			t.Errorf("Compare = %v", err)
		}
	})
}

func TestHashRefusesOver72Bytes(t *testing.T) {
	t.Parallel()
	h := newTestHasher(t, 4, 1)
	tests := []struct {
		name, password string
		want           error
	}{
		{"8 bytes", "12345678", nil},
		{"72 bytes", strings.Repeat("a", 72), nil},
		{"73 bytes", strings.Repeat("a", 73), ErrTooLong},
		{"71 bytes and a 2-byte rune", strings.Repeat("a", 71) + "é", ErrTooLong},
		{"1000 bytes", strings.Repeat("a", 1000), ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hash, err := h.Hash(context.Background(), tt.password)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Hash = %v, want %v", err, tt.want)
			}
			if (hash == "") != (tt.want != nil) {
				t.Errorf("hash %q with err %v", hash, err)
			}
		})
	}
}

// TestCompareDummy is not parallel: it times bcrypt, and other tests running
// beside it would skew one side of the ratio. Real and dummy comparisons
// alternate, so any load that remains lands on both.
func TestCompareDummy(t *testing.T) {
	ctx := context.Background()
	h := newTestHasher(t, 8, 1)
	hash, err := h.Hash(ctx, "real-password")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, password string }{
		{"the user's real password", "real-password"},
		{"the dummy password plus a byte", dummyPassword + "x"},
		{"empty", ""},
		{"over 72 bytes", strings.Repeat("z", 100)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := h.CompareDummy(ctx, tt.password); !errors.Is(err, auth.ErrPasswordMismatch) {
				t.Errorf("CompareDummy = %v, want auth.ErrPasswordMismatch", err)
			}
		})
	}
	const rounds = 7
	var real, dummy []time.Duration
	for range rounds {
		start := time.Now()
		_ = h.Compare(ctx, hash, "wrong-password")
		real = append(real, time.Since(start))
		start = time.Now()
		_ = h.CompareDummy(ctx, "wrong-password")
		dummy = append(dummy, time.Since(start))
	}
	median := func(ds []time.Duration) time.Duration { slices.Sort(ds); return ds[len(ds)/2] }
	r, d := median(real), median(dummy)
	ratio := float64(d) / float64(r)
	t.Logf("median compare %v, dummy %v, ratio %.2f", r, d, ratio)
	if ratio < 0.3 || ratio > 3 {
		t.Errorf("dummy/real ratio %.2f outside 0.3–3", ratio)
	}
}

// TestHashCost reads the cost a hash was made at, so a login can tell an
// old hash from one at the configured cost.
func TestHashCost(t *testing.T) {
	t.Parallel()
	for _, cost := range []int{4, 5} {
		hash, err := newTestHasher(t, cost, 1).Hash(t.Context(), "some password")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := HashCost(hash); err != nil || got != cost {
			t.Errorf("HashCost(hash at %d) = %d, %v", cost, got, err)
		}
	}
	if _, err := HashCost("not a bcrypt hash"); err == nil {
		t.Error("HashCost of garbage: no error")
	}
}

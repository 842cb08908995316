package httpapi

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

// TestUnknownUserTiming checks that an unknown user costs about as much as
// a wrong password, as a ratio of medians within one run (machines here are
// shared and noisy, so the bounds are tolerant; without the dummy compare
// the ratio is far below them).
func TestUnknownUserTiming(t *testing.T) {
	e := newEnv(t, envOptions{cost: 9})
	e.mustRegister(t, "timer")
	median := func(body map[string]string) time.Duration {
		var ds []time.Duration
		for range 9 {
			start := time.Now()
			r := e.postJSON(t, "/auth/login", body)
			ds = append(ds, time.Since(start))
			if r.status != http.StatusUnauthorized {
				t.Fatalf("status %d", r.status)
			}
		}
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	wrong := median(map[string]string{"username": "timer", "password": "wrong-password"})
	unknown := median(map[string]string{"username": "nobody-here", "password": "wrong-password"})
	ratio := float64(unknown) / float64(wrong)
	t.Logf("median wrong password %v, unknown user %v, ratio %.2f", wrong, unknown, ratio)
	if ratio < 0.5 || ratio > 2 {
		t.Errorf("unknown/wrong latency ratio %.2f outside 0.5–2", ratio)
	}
}

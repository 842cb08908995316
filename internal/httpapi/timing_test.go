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
// the ratio is far below them). The two kinds of login alternate, so a
// machine that slows down or speeds up during the test slows both alike;
// measured one kind after the other, the ratio followed the machine's
// drift and left the bounds under load.
func TestUnknownUserTiming(t *testing.T) {
	e := newEnv(t, envOptions{cost: 9})
	e.mustRegister(t, "timer")
	wrongBody := map[string]string{"username": "timer", "password": "wrong-password"}
	unknownBody := map[string]string{"username": "nobody-here", "password": "wrong-password"}
	timed := func(body map[string]string) time.Duration {
		start := time.Now()
		r := e.postJSON(t, "/auth/login", body)
		d := time.Since(start)
		if r.status != http.StatusUnauthorized {
			t.Fatalf("status %d", r.status)
		}
		return d
	}
	var wrongs, unknowns []time.Duration
	for range 15 {
		wrongs = append(wrongs, timed(wrongBody))
		unknowns = append(unknowns, timed(unknownBody))
	}
	median := func(ds []time.Duration) time.Duration { slices.Sort(ds); return ds[len(ds)/2] }
	wrong, unknown := median(wrongs), median(unknowns)
	ratio := float64(unknown) / float64(wrong)
	t.Logf("median wrong password %v, unknown user %v, ratio %.2f", wrong, unknown, ratio)
	if ratio < 0.5 || ratio > 2 {
		t.Errorf("unknown/wrong latency ratio %.2f outside 0.5–2", ratio)
	}
}

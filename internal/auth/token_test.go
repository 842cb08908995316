package auth

import (
	"testing"
	"time"
)

// TestExpiresIn: whole seconds left, rounded down from the instant of the
// answer, never negative: an answer sent 0.3 s after a whole second does not
// promise the access token that 0.3 s.
func TestExpiresIn(t *testing.T) {
	t.Parallel()
	exp := time.Unix(1_800_000_900, 0)
	for _, tt := range []struct {
		name string
		now  time.Time
		want int64
	}{
		{"whole second", time.Unix(1_800_000_000, 0), 900},
		{"a fraction past", time.Unix(1_800_000_000, 300_000_000), 899},
		{"just before the end", exp.Add(-time.Nanosecond), 0},
		{"at the end", exp, 0},
		{"after the end", exp.Add(time.Hour), 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Pair{AccessExpires: exp}).ExpiresIn(tt.now); got != tt.want {
				t.Errorf("ExpiresIn = %d, want %d", got, tt.want)
			}
		})
	}
}

package auth

import (
	"testing"
	"time"
)

func TestDecideTOTP(t *testing.T) {
	t.Parallel()
	// now is 10 s into step s.
	now := time.Date(2026, 12, 8, 3, 0, 10, 0, time.UTC)
	s := TOTPStep(now)
	fresh := Factor{LastStep: s - 5}
	used := Factor{LastStep: s}
	tests := []struct {
		name string
		f    Factor
		step int64
		want totpOutcome
	}{
		{"current step", fresh, s, totpAccept},
		{"one step behind (slow phone)", fresh, s - 1, totpAccept},
		{"one step ahead (fast phone)", fresh, s + 1, totpAccept},
		{"two steps behind", fresh, s - 2, totpOutside},
		{"two steps ahead", fresh, s + 2, totpOutside},
		{"never used factor", Factor{}, s, totpAccept},
		{"same step again", used, s, totpReplayed},
		{"earlier step after a later one", used, s - 1, totpReplayed},
		{"next step after the current one", used, s + 1, totpAccept},
		{"old step already used is outside first", used, s - 3, totpOutside},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := decideTOTP(tc.f, tc.step, now); got != tc.want {
				t.Errorf("decideTOTP = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTOTPStepBoundaries(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		unix, want int64
	}{{0, 0}, {29, 0}, {30, 1}, {59, 1}, {1111111109, 37037036}} {
		if got := TOTPStep(time.Unix(tc.unix, 0)); got != tc.want {
			t.Errorf("TOTPStep(%d) = %d, want %d", tc.unix, got, tc.want)
		}
	}
}

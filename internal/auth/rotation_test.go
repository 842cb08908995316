package auth

import (
	"strings"
	"testing"
	"time"
)

func TestDecideRefresh(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	const grace = 10 * time.Second
	ended := t0.Add(time.Minute)
	// live: counter 5, last rotated at t0, expires in an hour.
	live := Session{Counter: 5, RotatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	endedS := live
	endedS.EndedAt = &ended
	tests := []struct {
		name    string
		s       Session
		counter int64
		now     time.Time
		want    refreshOutcome
	}{
		{"current counter", live, 5, t0.Add(time.Minute), refreshRotate},
		{"previous counter at the rotation", live, 4, t0, refreshGrace},
		{"previous counter at the last second of the grace", live, 4, t0.Add(grace), refreshGrace},
		{"previous counter just after the grace", live, 4, t0.Add(grace + time.Second), refreshReuse},
		{"two counters back, inside the grace", live, 3, t0.Add(time.Second), refreshReuse},
		{"first token long after", live, 0, t0.Add(30 * time.Minute), refreshReuse},
		{"a counter not reached", live, 6, t0, refreshAhead},
		{"ended, current counter", endedS, 5, t0, refreshRevoked},
		{"ended, spent counter", endedS, 4, t0, refreshRevoked},
		{"at the expiry", live, 5, t0.Add(time.Hour), refreshExpired},
		{"expired, spent counter", live, 3, t0.Add(2 * time.Hour), refreshExpired},
		{"ended and expired", endedS, 5, t0.Add(2 * time.Hour), refreshRevoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decideRefresh(tt.s, tt.counter, tt.now, grace); got != tt.want {
				t.Errorf("decideRefresh = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSessionPolicy(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	p := SessionPolicy{RefreshTTL: time.Hour, MaxAge: 90 * time.Minute, ReuseGrace: time.Second}
	s := p.newSession("sid", 7, Client{IP: "192.0.2.1", UserAgent: strings.Repeat("ü", 300)}, t0)
	if !s.ExpiresAt.Equal(t0.Add(time.Hour)) || !s.MaxExpiresAt.Equal(t0.Add(90*time.Minute)) || s.Counter != 0 {
		t.Errorf("new session = %+v", s)
	}
	if s.UserAgent != strings.Repeat("ü", MaxUserAgent) {
		t.Errorf("user agent kept %d characters, want %d", len([]rune(s.UserAgent)), MaxUserAgent)
	}
	// A rotation after 50 minutes may not outlive the max age.
	if got := p.expiry(t0.Add(50*time.Minute), s.MaxExpiresAt); !got.Equal(s.MaxExpiresAt) {
		t.Errorf("expiry after 50 min = %v, want the max age %v", got, s.MaxExpiresAt)
	}
	if got := p.expiry(t0.Add(10*time.Minute), s.MaxExpiresAt); !got.Equal(t0.Add(70 * time.Minute)) {
		t.Errorf("expiry after 10 min = %v", got)
	}
	if !s.live(t0.Add(59*time.Minute)) || s.live(t0.Add(time.Hour)) {
		t.Error("live() disagrees with ExpiresAt")
	}
	if cut("abc", 5) != "abc" || cut("abcdef", 3) != "abc" {
		t.Error("cut")
	}
}

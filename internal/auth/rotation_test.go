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
	// live: counter 5, last rotated at t0 by 192.0.2.7, expires in an hour.
	const by = "192.0.2.7"
	live := Session{Counter: 5, RotatedAt: t0, ExpiresAt: t0.Add(time.Hour), RotatedIP: by}
	endedS := live
	endedS.EndedAt = &ended
	// live6 was last rotated from an IPv6 address.
	live6 := live
	live6.RotatedIP = "2001:db8:1::2"
	// unknown was rotated by a caller with no client IP (outside HTTP).
	unknown := live
	unknown.RotatedIP = ""
	tests := []struct {
		name    string
		s       Session
		counter int64
		ip      string
		now     time.Time
		want    refreshOutcome
	}{
		{"current counter", live, 5, by, t0.Add(time.Minute), refreshRotate},
		{"current counter from another client", live, 5, "198.51.100.1", t0.Add(time.Minute), refreshRotate},
		{"previous counter at the rotation", live, 4, by, t0, refreshGrace},
		{"previous counter at the last second of the grace", live, 4, by, t0.Add(grace), refreshGrace},
		{"previous counter just after the grace", live, 4, by, t0.Add(grace + time.Second), refreshReuse},
		{"previous counter in the grace from another IPv4", live, 4, "192.0.2.8", t0.Add(time.Second), refreshReuse},
		{"previous counter in the grace as IPv4-mapped", live, 4, "::ffff:" + by, t0.Add(time.Second), refreshGrace},
		{"previous counter in the grace from no known IP", live, 4, "", t0.Add(time.Second), refreshReuse},
		{"previous counter in the grace from the rotating /64", live6, 4, "2001:db8:1::99", t0.Add(time.Second), refreshGrace},
		{"previous counter in the grace from another /64", live6, 4, "2001:db8:1:1::2", t0.Add(time.Second), refreshReuse},
		{"rotated with no IP, replayed with none", unknown, 4, "", t0.Add(time.Second), refreshGrace},
		{"rotated with no IP, replayed from an IP", unknown, 4, by, t0.Add(time.Second), refreshReuse},
		{"two counters back, inside the grace", live, 3, by, t0.Add(time.Second), refreshReuse},
		{"first token long after", live, 0, by, t0.Add(30 * time.Minute), refreshReuse},
		{"a counter not reached", live, 6, by, t0, refreshAhead},
		{"ended, current counter", endedS, 5, by, t0, refreshRevoked},
		{"ended, spent counter", endedS, 4, by, t0, refreshRevoked},
		{"ended, spent counter from another client", endedS, 4, "192.0.2.8", t0, refreshRevoked},
		{"at the expiry", live, 5, by, t0.Add(time.Hour), refreshExpired},
		{"expired, spent counter", live, 3, by, t0.Add(2 * time.Hour), refreshExpired},
		{"ended and expired", endedS, 5, by, t0.Add(2 * time.Hour), refreshRevoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decideRefresh(tt.s, tt.counter, tt.ip, tt.now, grace); got != tt.want {
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

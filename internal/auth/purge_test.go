package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
)

// TestPurgeAttempts: the purge deletes, in bounded batches, every record
// that can no longer refuse anything (its window ended more than the
// longest pair back-off ago) and keeps the rest; PurgeLoop stops when its
// context ends.
func TestPurgeAttempts(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, nil)
	st, svc, now := env.Store, env.Service, env.Clock.Now()
	var dead, live []auth.CounterHit
	for i := range 2500 { // more than two batches
		k := auth.AttemptKey{byte(i), byte(i >> 8), 1}
		dead = append(dead, auth.CounterHit{Key: k, WindowEnds: now.Add(-auth.PairMaxWait - time.Second)})
	}
	// A pair whose window ended just now may still be backing off.
	live = append(live, auth.CounterHit{Key: auth.AttemptKey{0, 0, 2}, WindowEnds: now.Add(-auth.PairMaxWait)})
	live = append(live, auth.CounterHit{Key: auth.AttemptKey{0, 0, 3}, WindowEnds: now.Add(time.Hour)})
	for i := 0; i < len(dead); i += 500 {
		if _, err := st.HitCounters(t.Context(), now.Add(-48*time.Hour), dead[i:i+500]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.HitCounters(t.Context(), now.Add(-48*time.Hour), live); err != nil {
		t.Fatal(err)
	}

	n, err := svc.PurgeAttempts(t.Context())
	if err != nil || n != int64(len(dead)) {
		t.Fatalf("PurgeAttempts = %d, %v; want %d", n, err, len(dead))
	}
	recs, err := st.AttemptRecords(t.Context(), []auth.AttemptKey{dead[0].Key, dead[len(dead)-1].Key, live[0].Key, live[1].Key})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 {
		t.Errorf("%d records left of 2 dead and 2 live, want the 2 live", len(recs))
	}

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); svc.PurgeLoop(ctx, time.Hour) }()
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("PurgeLoop did not return after its context ended")
	}
}

package postgres_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/store/storetest"
)

// TestStepOnceAcrossReplicas: one TOTP code sent to two authd replicas
// (two stores, two pools, one database) at once is accepted once: the
// compare-and-swap on the last step is decided by the database.
func TestStepOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	a, b := open(t, url), open(t, url)
	ctx := t.Context()
	u, err := a.CreateUser(ctx, auth.NewUser{Username: "alice", Email: "alice@example.com", HashedPassword: "hash"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 8, 3, 0, 0, 0, time.UTC)
	if err := a.EnrolFactor(ctx, auth.FactorEnrolment{UserID: u.ID, Sealed: []byte("s"), At: now}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ConfirmFactor(ctx, auth.FactorConfirmation{UserID: u.ID, Step: 10, At: now}); err != nil {
		t.Fatal(err)
	}
	const racers = 20
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		replica := []auth.Store{a, b}[i%2]
		wg.Go(func() {
			<-start
			errs[i] = replica.SpendProof(ctx, auth.ProofUse{UserID: u.ID, Proof: auth.Proof{Step: 11}, At: now})
		})
	}
	close(start)
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, auth.ErrStepUsed):
			t.Errorf("racer %d: %v", i, err)
		}
	}
	if wins != 1 {
		t.Errorf("%d replicas accepted the step, want 1", wins)
	}
}

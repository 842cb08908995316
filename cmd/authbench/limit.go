package main

import (
	"slices"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// limitRounds is how many times each of the two bcrypt timings is taken;
// the median is kept.
const limitRounds = 5

// hashLimit is the bcrypt timing that the login figures are divided by.
type hashLimit struct {
	aloneMs    float64 // one hash with nothing else hashing
	togetherMs float64 // workers hashes started together, until the last ends
	// togetherAfterMs is togetherMs timed again after the load, or 0.
	togetherAfterMs float64
	// perSecond is workers / togetherMs (their mean with togetherAfterMs
	// when it was timed): the pool's rate with every worker busy.
	perSecond float64
}

// bcryptLimit times, in this process, one hash at cost alone and workers
// hashes started together, limitRounds times each, the two alternating
// so that a machine whose speed drifts slows both alike.
//
// Under load the server's pool runs all its workers at once, and
// concurrent hashes are slower than one alone (two cost-12 hashes on a
// 2-core VM took 262 ms against 246 ms for one, as the cores share
// caches, memory bandwidth and the host): workers divided by the time of
// one alone overstates what the pool can do by that much. The limit is
// therefore the rate with all workers busy; the time alone is reported
// beside it so the difference shows.
func bcryptLimit(cost, workers int) hashLimit {
	workers = max(workers, 1)
	hash := func() { _, _ = bcrypt.GenerateFromPassword([]byte("benchmark-password"), cost) }
	var alone, together []time.Duration
	for range limitRounds {
		start := time.Now()
		hash()
		alone = append(alone, time.Since(start))

		var ready, wg sync.WaitGroup
		ready.Add(workers)
		gate := make(chan struct{})
		for range workers {
			wg.Go(func() {
				ready.Done()
				<-gate
				hash()
			})
		}
		ready.Wait() // every worker is running before the clock starts
		start = time.Now()
		close(gate)
		wg.Wait()
		together = append(together, time.Since(start))
	}
	med := func(ds []time.Duration) time.Duration {
		slices.Sort(ds)
		return ds[len(ds)/2]
	}
	t := med(together)
	return hashLimit{aloneMs: ms(med(alone)), togetherMs: ms(t), perSecond: float64(workers) / t.Seconds()}
}

// againAfter is the limit from l, timed before the load, and after, the
// same timing taken once the load has ended: the pool's rate over the
// mean of the two together-times. A run of the login scenarios lasts
// minutes, and on a shared VM two hashes together took 233 to 277 ms, and
// up to 16 % more or less after a run than before it; timing the limit on
// both sides of the load halves what such a drift does to the ratios over
// it, and shows it.
func (l hashLimit) againAfter(after hashLimit, workers int) hashLimit {
	l.togetherAfterMs = after.togetherMs
	l.perSecond = float64(max(workers, 1)) * 1000 / ((l.togetherMs + after.togetherMs) / 2)
	return l
}

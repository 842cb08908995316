package auth

import "sync"

// inFlight counts, per record key, the attempts of this process that passed
// the throttle read and are not counted yet (they wait for bcrypt). It is
// the one piece of throttling held in memory: it bounds a burst on one
// replica to what the stored counts leave (Throttle.allowance), so N
// replicas let at most N times that through before the counts catch up.
// Entries live only while attempts are in flight.
type inFlight struct {
	mu sync.Mutex
	n  map[AttemptKey]int
}

func newInFlight() *inFlight { return &inFlight{n: make(map[AttemptKey]int)} }

// enter admits an attempt when every slot has room, and takes one place in
// each; otherwise it takes none and returns the first full slot.
func (f *inFlight) enter(slots []inFlightSlot) (full inFlightSlot, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range slots {
		if f.n[s.key] >= s.allowed {
			return s, false
		}
	}
	for _, s := range slots {
		f.n[s.key]++
	}
	return inFlightSlot{}, true
}

// leave gives back the places enter took.
func (f *inFlight) leave(slots []inFlightSlot) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range slots {
		if f.n[s.key]--; f.n[s.key] <= 0 {
			delete(f.n, s.key)
		}
	}
}

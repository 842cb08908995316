package auth

import (
	"sync"
	"time"
)

// refusals remembers, per record key, until when a rule read from the
// database refuses the attempts under that key, so that the guesses a
// client keeps sending while it waits are refused without reading the
// database again. Under a guessing flood nearly every request is such a
// guess, and the read was most of what a refusal cost (see
// docs/benchmarks.md, "Guessing flood").
//
// It is safe to answer from memory because a refusal never ends sooner
// than the read that found it said, whatever any replica does meanwhile:
//   - a pair's wait ends only by time or by a success of that pair, and
//     every replica refuses that pair's attempts until the wait is over;
//   - an IP's window only ends; more failures lengthen nothing it said;
//   - an account refuses an IP until the IP is known to it, and only a
//     success of that account from that IP makes it known.
//
// Memory can only lag behind the database the other way: a rule that
// starts refusing after the read (another replica counted failures) is
// found by the next read, after the remembered wait. A refusal for the
// attempts in flight is not remembered: it is this process's own state,
// over within the second.
//
// The map holds at most maxRemembered keys; when it is full, entries that
// have expired are dropped (at most once a second, so a full map of live
// entries costs no sweep per request), and while it stays full nothing
// more is remembered and refusals are read as before.
type refusals struct {
	mu        sync.Mutex
	until     map[AttemptKey]remembered
	max       int
	lastSweep time.Time
}

// remembered is one refusal: its rule and when it ends.
type remembered struct {
	scope string
	until time.Time
}

// maxRemembered bounds the memory one process gives to refusals: about
// 100 bytes each, a few MiB at most.
const maxRemembered = 1 << 16

func newRefusals(max int) *refusals {
	return &refusals{until: make(map[AttemptKey]remembered), max: max}
}

// lookup returns the remembered refusal with the longest wait among keys,
// if any is still running at now.
func (r *refusals) lookup(now time.Time, keys ...AttemptKey) (refusal, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var worst refusal
	for _, k := range keys {
		m, ok := r.until[k]
		if !ok {
			continue
		}
		if !now.Before(m.until) {
			delete(r.until, k)
			continue
		}
		if wait := m.until.Sub(now); wait > worst.wait {
			worst = refusal{scope: m.scope, wait: wait}
		}
	}
	return worst, worst.wait > 0
}

// remember records that attempts under key are refused by scope until
// until. A later end replaces an earlier one, never the other way round.
func (r *refusals) remember(now time.Time, key AttemptKey, scope string, until time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if m, ok := r.until[key]; ok {
		if until.After(m.until) {
			r.until[key] = remembered{scope: scope, until: until}
		}
		return
	}
	if len(r.until) >= r.max && now.Sub(r.lastSweep) >= time.Second {
		r.lastSweep = now
		for k, m := range r.until {
			if !now.Before(m.until) {
				delete(r.until, k)
			}
		}
	}
	if len(r.until) >= r.max {
		return
	}
	r.until[key] = remembered{scope: scope, until: until}
}

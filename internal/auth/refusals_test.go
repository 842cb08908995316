package auth

import (
	"testing"
	"time"
)

func key(b byte) AttemptKey { return AttemptKey{b} }

// TestRefusalsLookup: the longest running refusal among the keys wins; an
// ended one is forgotten; a later end replaces an earlier one, never the
// other way round.
func TestRefusalsLookup(t *testing.T) {
	t0 := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	r := newRefusals(10)
	r.remember(t0, key(1), ScopePair, t0.Add(4*time.Second))
	r.remember(t0, key(2), ScopeIP, t0.Add(10*time.Minute))
	r.remember(t0, key(1), ScopePair, t0.Add(2*time.Second)) // shorter: ignored

	if got, ok := r.lookup(t0, key(1)); !ok || got.scope != ScopePair || got.wait != 4*time.Second {
		t.Errorf("lookup(pair) = %+v, %v; want pair, 4s", got, ok)
	}
	if got, ok := r.lookup(t0.Add(time.Second), key(1), key(2), key(3)); !ok || got.scope != ScopeIP || got.wait != 10*time.Minute-time.Second {
		t.Errorf("lookup(pair, ip, unknown) = %+v, %v; want ip, 9m59s", got, ok)
	}
	if _, ok := r.lookup(t0, key(3)); ok {
		t.Error("a key never refused was found refused")
	}
	if _, ok := r.lookup(t0.Add(4*time.Second), key(1)); ok {
		t.Error("a refusal was found at the moment it ends")
	}
	if _, present := r.until[key(1)]; present {
		t.Error("an ended refusal was kept after its lookup")
	}
	r.remember(t0, key(2), ScopeIP, t0.Add(20*time.Minute))
	if got, _ := r.lookup(t0, key(2)); got.wait != 20*time.Minute {
		t.Errorf("after a later end, wait = %v, want 20m", got.wait)
	}
}

// TestRefusalsBounded: a full map drops ended refusals to make room, at
// most once a second; while live ones fill it, nothing more is remembered
// (those attempts are read from the database again).
func TestRefusalsBounded(t *testing.T) {
	t0 := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	r := newRefusals(3)
	r.remember(t0, key(1), ScopePair, t0.Add(500*time.Millisecond))
	r.remember(t0, key(2), ScopePair, t0.Add(time.Hour))
	r.remember(t0, key(3), ScopePair, t0.Add(time.Hour))
	r.remember(t0, key(4), ScopePair, t0.Add(time.Hour)) // full, nothing ended
	if _, ok := r.lookup(t0, key(4)); ok {
		t.Error("a refusal was remembered past the bound")
	}
	// Key 1 has ended, but the last sweep was under a second ago.
	r.remember(t0.Add(time.Second-time.Millisecond), key(5), ScopePair, t0.Add(time.Hour))
	if _, ok := r.lookup(t0, key(5)); ok {
		t.Error("a full map was swept twice within a second")
	}
	r.remember(t0.Add(time.Second), key(6), ScopePair, t0.Add(time.Hour))
	if _, ok := r.lookup(t0.Add(time.Second), key(6)); !ok {
		t.Error("an ended refusal was not dropped to make room")
	}
	if n := len(r.until); n != 3 {
		t.Errorf("%d refusals kept, want the bound of 3", n)
	}
}

// TestRuleKey: each rule's refusal is remembered under the key of the
// attempts it refuses; the account rule's under the pair's known-IP key,
// so that the IPs the account knows are not refused from memory.
func TestRuleKey(t *testing.T) {
	k := loginKeys{pair: key(1), account: key(2), ip: key(3), known: key(4)}
	for scope, want := range map[string]AttemptKey{ScopePair: key(1), ScopeIP: key(3), ScopeAccount: key(4)} {
		if got := k.ruleKey(scope); got != want {
			t.Errorf("ruleKey(%s) = %v, want %v", scope, got[0], want[0])
		}
	}
}

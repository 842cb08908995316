package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// attemptsAt is when the attempt cases happen: whole seconds, outside UTC,
// so a store that forgets to convert is caught.
func attemptsAt() time.Time {
	return time.Date(2026, 11, 29, 20, 0, 0, 0, time.FixedZone("UTC+2", 2*60*60))
}

func key(b byte) auth.AttemptKey { return auth.AttemptKey{0: b, 31: b} }

// byKey returns the records indexed by key, failing on a key seen twice.
func byKey(t *testing.T, recs []auth.AttemptRecord) map[auth.AttemptKey]auth.AttemptRecord {
	t.Helper()
	m := make(map[auth.AttemptKey]auth.AttemptRecord, len(recs))
	for _, r := range recs {
		if _, dup := m[r.Key]; dup {
			t.Errorf("key %x returned twice", r.Key[:2])
		}
		m[r.Key] = r
	}
	return m
}

func assertRecord(t *testing.T, what string, got auth.AttemptRecord, ok bool, want auth.AttemptRecord) {
	t.Helper()
	if !ok {
		t.Errorf("%s: no record, want %+v", what, want)
		return
	}
	if got.Key != want.Key || got.Count != want.Count {
		t.Errorf("%s: key %x count %d, want key %x count %d", what, got.Key[:2], got.Count, want.Key[:2], want.Count)
	}
	assertTime(t, what+": WindowEnds", got.WindowEnds, want.WindowEnds)
	assertTime(t, what+": LastAt", got.LastAt, want.LastAt)
}

func hit(t *testing.T, s auth.Store, at time.Time, hits ...auth.CounterHit) map[auth.AttemptKey]auth.AttemptRecord {
	t.Helper()
	recs, err := s.HitCounters(t.Context(), at, hits)
	if err != nil {
		t.Fatalf("HitCounters: %v", err)
	}
	if len(recs) != len(hits) {
		t.Fatalf("HitCounters of %d keys returned %d records", len(hits), len(recs))
	}
	return byKey(t, recs)
}

func read(t *testing.T, s auth.Store, keys ...auth.AttemptKey) map[auth.AttemptKey]auth.AttemptRecord {
	t.Helper()
	recs, err := s.AttemptRecords(t.Context(), keys)
	if err != nil {
		t.Fatalf("AttemptRecords: %v", err)
	}
	return byKey(t, recs)
}

// testCounterWindows: a hit creates a counter at 1 with the hit's window,
// later hits add one and keep the window, and a hit at or after the
// window's end starts a new window at 1. A fraction of a second is dropped.
func testCounterWindows(t *testing.T, s auth.Store) {
	t0 := attemptsAt()
	a, b := key(1), key(2)
	ends := t0.Add(15 * time.Minute)

	got := hit(t, s, t0.Add(400*time.Millisecond),
		auth.CounterHit{Key: a, WindowEnds: ends.Add(999 * time.Millisecond)},
		auth.CounterHit{Key: b, WindowEnds: t0.Add(time.Hour)})
	r, ok := got[a]
	assertRecord(t, "first hit", r, ok, auth.AttemptRecord{Key: a, Count: 1, WindowEnds: ends, LastAt: t0})
	r, ok = got[b]
	assertRecord(t, "first hit of the second key", r, ok, auth.AttemptRecord{Key: b, Count: 1, WindowEnds: t0.Add(time.Hour), LastAt: t0})

	t1 := t0.Add(time.Minute)
	got = hit(t, s, t1, auth.CounterHit{Key: a, WindowEnds: t1.Add(15 * time.Minute)})
	r, ok = got[a]
	assertRecord(t, "hit inside the window", r, ok, auth.AttemptRecord{Key: a, Count: 2, WindowEnds: ends, LastAt: t1})

	// Exactly at the window's end the old window is over.
	got = hit(t, s, ends, auth.CounterHit{Key: a, WindowEnds: ends.Add(15 * time.Minute)})
	r, ok = got[a]
	assertRecord(t, "hit at the window's end", r, ok, auth.AttemptRecord{Key: a, Count: 1, WindowEnds: ends.Add(15 * time.Minute), LastAt: ends})

	// The read sees what the hits wrote; an unknown key is left out.
	stored := read(t, s, a, b, key(3))
	if len(stored) != 2 {
		t.Errorf("AttemptRecords of 2 stored keys and 1 unknown: %d records, want 2", len(stored))
	}
	r, ok = stored[a]
	assertRecord(t, "read back", r, ok, auth.AttemptRecord{Key: a, Count: 1, WindowEnds: ends.Add(15 * time.Minute), LastAt: ends})
	r, ok = stored[b]
	assertRecord(t, "read back the untouched key", r, ok, auth.AttemptRecord{Key: b, Count: 1, WindowEnds: t0.Add(time.Hour), LastAt: t0})
	if recs, err := s.AttemptRecords(t.Context(), nil); err != nil || len(recs) != 0 {
		t.Errorf("AttemptRecords of no keys = %v, %v; want none", recs, err)
	}
}

// testCounterRace: failures racing on one pair are all counted, on every
// key each of them hits (20 parallel wrong passwords leave a count of 20).
func testCounterRace(t *testing.T, s auth.Store) {
	t0 := attemptsAt()
	// A login failure hits the pair and the account under two names, and
	// the IP; the order differs between racers, as it may between callers.
	keys := []auth.AttemptKey{key(10), key(11), key(12), key(13), key(14)}
	errs := race(func(i int) error {
		ks := slices.Clone(keys)
		if i%2 == 1 {
			slices.Reverse(ks)
		}
		var hits []auth.CounterHit
		for _, k := range ks {
			hits = append(hits, auth.CounterHit{Key: k, WindowEnds: t0.Add(time.Hour)})
		}
		_, err := s.HitCounters(t.Context(), t0.Add(time.Duration(i)*time.Second), hits)
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("HitCounters #%d: %v", i, err)
		}
	}
	stored := read(t, s, keys...)
	for _, k := range keys {
		if r := stored[k]; r.Count != racers {
			t.Errorf("key %x: count %d after %d racing hits, want %d", k[:1], r.Count, racers, racers)
		}
	}
}

// testLoginSuccess: a success deletes the records it forgets and stores or
// renews the known ones with count 0, leaving other records alone.
func testLoginSuccess(t *testing.T, s auth.Store) {
	t0 := attemptsAt()
	pair, pair2, other, known := key(20), key(21), key(22), key(23)
	hit(t, s, t0,
		auth.CounterHit{Key: pair, WindowEnds: t0.Add(time.Hour)},
		auth.CounterHit{Key: pair2, WindowEnds: t0.Add(time.Hour)},
		auth.CounterHit{Key: other, WindowEnds: t0.Add(time.Hour)})

	t1 := t0.Add(time.Minute)
	err := s.RecordLoginSuccess(t.Context(), auth.LoginSuccess{
		Forget: []auth.AttemptKey{pair, pair2, key(99)}, Known: []auth.AttemptKey{known},
		At: t1, KnownUntil: t1.Add(30 * 24 * time.Hour)})
	if err != nil {
		t.Fatalf("RecordLoginSuccess: %v", err)
	}
	stored := read(t, s, pair, pair2, other, known)
	if _, ok := stored[pair]; ok {
		t.Error("a forgotten pair counter is still stored")
	}
	if _, ok := stored[pair2]; ok {
		t.Error("the second forgotten pair counter is still stored")
	}
	r, ok := stored[other]
	assertRecord(t, "a counter not forgotten", r, ok, auth.AttemptRecord{Key: other, Count: 1, WindowEnds: t0.Add(time.Hour), LastAt: t0})
	r, ok = stored[known]
	assertRecord(t, "new known record", r, ok, auth.AttemptRecord{Key: known, WindowEnds: t1.Add(30 * 24 * time.Hour), LastAt: t1})

	t2 := t1.Add(48 * time.Hour)
	if err := s.RecordLoginSuccess(t.Context(), auth.LoginSuccess{
		Known: []auth.AttemptKey{known}, At: t2, KnownUntil: t2.Add(30 * 24 * time.Hour)}); err != nil {
		t.Fatalf("RecordLoginSuccess again: %v", err)
	}
	r, ok = read(t, s, known)[known]
	assertRecord(t, "renewed known record", r, ok, auth.AttemptRecord{Key: known, WindowEnds: t2.Add(30 * 24 * time.Hour), LastAt: t2})
	if err := s.RecordLoginSuccess(t.Context(), auth.LoginSuccess{}); err != nil {
		t.Errorf("RecordLoginSuccess of nothing: %v", err)
	}
}

// testRegisterKnown: a registration stores its known-IP records with the
// user, and one refused for a taken name stores none.
func testRegisterKnown(t *testing.T, s auth.Store) {
	t0 := attemptsAt()
	known := func(k ...auth.AttemptKey) auth.LoginSuccess {
		return auth.LoginSuccess{Known: k, At: t0, KnownUntil: t0.Add(auth.KnownIPFor)}
	}
	u := newUser("newcomer")
	u.Throttle = known(key(30), key(31))
	mustCreate(t, s, u)
	stored := read(t, s, key(30), key(31))
	for _, k := range []auth.AttemptKey{key(30), key(31)} {
		r, ok := stored[k]
		assertRecord(t, "known record of a registration", r, ok, auth.AttemptRecord{Key: k, WindowEnds: t0.Add(auth.KnownIPFor), LastAt: t0})
	}
	dup := newUser("newcomer")
	dup.Throttle = known(key(32))
	_, err := s.CreateUser(t.Context(), dup)
	assertErrorIs(t, "CreateUser of a taken name", err, auth.ErrUserExists)
	if _, ok := read(t, s, key(32))[key(32)]; ok {
		t.Error("a refused registration stored its known-IP record")
	}
}

// testPurgeAttempts: a purge deletes records whose window ended before the
// cut-off, at most limit of them per call, and nothing else.
func testPurgeAttempts(t *testing.T, s auth.Store) {
	t0 := attemptsAt()
	var old []auth.CounterHit
	for i := range 5 {
		old = append(old, auth.CounterHit{Key: key(byte(30 + i)), WindowEnds: t0.Add(time.Duration(i) * time.Minute)})
	}
	hit(t, s, t0.Add(-time.Hour), old...)
	cut := t0.Add(10 * time.Minute)
	live := auth.CounterHit{Key: key(40), WindowEnds: cut} // ends at the cut-off, not before
	hit(t, s, t0, live)

	n, err := s.PurgeAttempts(t.Context(), cut, 3)
	if err != nil || n != 3 {
		t.Fatalf("PurgeAttempts limit 3 = %d, %v; want 3", n, err)
	}
	n, err = s.PurgeAttempts(t.Context(), cut, 3)
	if err != nil || n != 2 {
		t.Fatalf("second PurgeAttempts = %d, %v; want the other 2", n, err)
	}
	n, err = s.PurgeAttempts(t.Context(), cut, 3)
	if err != nil || n != 0 {
		t.Fatalf("third PurgeAttempts = %d, %v; want 0", n, err)
	}
	keys := []auth.AttemptKey{live.Key}
	for _, h := range old {
		keys = append(keys, h.Key)
	}
	stored := read(t, s, keys...)
	if _, ok := stored[live.Key]; !ok || len(stored) != 1 {
		t.Errorf("after purging: %d records stored, want only the live one", len(stored))
	}
}

// testAttemptsClosed: the throttle read of a closed store is a database
// failure, so a login answers DATABASE_ERROR and is never let through.
func testAttemptsClosed(t *testing.T, s auth.Store) {
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	_, err := s.AttemptRecords(t.Context(), []auth.AttemptKey{key(1)})
	var e *auth.Error
	if !errors.As(err, &e) || e.Code != auth.CodeDatabase {
		t.Errorf("AttemptRecords after Close: err = %v, want a DatabaseError", err)
	}
}

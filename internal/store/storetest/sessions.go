package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// sessionCases are the suite's cases of the SessionStore.
func sessionCases() []struct {
	name string
	test func(t *testing.T, s auth.Store)
} {
	return []struct {
		name string
		test func(t *testing.T, s auth.Store)
	}{
		{"session create and read back with its user", testSessionRead},
		{"session not found", testSessionNotFound},
		{"session rotation compare-and-swap", testRotateCAS},
		{"session facts for grace and reuse", testRotateFacts},
		{"session end", testEndSession},
		{"session end of all a user's sessions", testEndUserSessions},
		{"session list", testUserSessions},
		{"session purge", testPurgeSessions},
		{"session concurrent rotation", testConcurrentRotation},
		{"session cap ends the least recently used", testSessionCap},
		{"session cap under a race", testSessionCapRace},
	}
}

// sessionT0 is the opening time of test sessions: whole seconds, in a zone
// other than UTC, so a store that forgets to convert is caught.
func sessionT0() time.Time {
	return time.Date(2026, 11, 28, 12, 0, 0, 0, time.FixedZone("UTC+2", 2*60*60))
}

// newSession is a live session of user opened at at, with an idle expiry
// of an hour and a max age of a day. Its id has the form of a real one.
func newSession(n int, userID int64, at time.Time) auth.Session {
	return auth.Session{
		ID: fmt.Sprintf("session-%015d", n), UserID: userID,
		CreatedAt: at, LastUsedAt: at, RotatedAt: at,
		ExpiresAt: at.Add(time.Hour), MaxExpiresAt: at.Add(24 * time.Hour),
		IP: "203.0.113.7", UserAgent: "agent/1.0 (é)",
	}
}

func mustCreateSession(t *testing.T, s auth.Store, sess auth.Session) {
	t.Helper()
	if _, err := s.CreateSession(t.Context(), auth.NewSession{Session: sess}); err != nil {
		t.Fatalf("CreateSession(%s): %v", sess.ID, err)
	}
}

func mustSession(t *testing.T, s auth.Store, id string) auth.Session {
	t.Helper()
	sess, _, err := s.SessionWithUser(t.Context(), id)
	if err != nil {
		t.Fatalf("SessionWithUser(%s): %v", id, err)
	}
	return sess
}

func assertSession(t *testing.T, what string, got, want auth.Session) {
	t.Helper()
	if got.ID != want.ID || got.UserID != want.UserID || got.Counter != want.Counter ||
		got.IP != want.IP || got.UserAgent != want.UserAgent || got.EndReason != want.EndReason || got.RotatedIP != want.RotatedIP {
		t.Errorf("%s: got %+v, want %+v", what, got, want)
	}
	assertTime(t, what+": CreatedAt", got.CreatedAt, want.CreatedAt.UTC())
	assertTime(t, what+": LastUsedAt", got.LastUsedAt, want.LastUsedAt.UTC())
	assertTime(t, what+": RotatedAt", got.RotatedAt, want.RotatedAt.UTC())
	assertTime(t, what+": ExpiresAt", got.ExpiresAt, want.ExpiresAt.UTC())
	assertTime(t, what+": MaxExpiresAt", got.MaxExpiresAt, want.MaxExpiresAt.UTC())
	switch {
	case got.EndedAt == nil && want.EndedAt == nil:
	case got.EndedAt == nil || want.EndedAt == nil:
		t.Errorf("%s: EndedAt = %v, want %v", what, got.EndedAt, want.EndedAt)
	default:
		assertTime(t, what+": EndedAt", *got.EndedAt, want.EndedAt.UTC())
	}
}

func testSessionRead(t *testing.T, s auth.Store) {
	u := mustCreate(t, s, newUser("sara"))
	want := newSession(1, u.ID, sessionT0())
	mustCreateSession(t, s, want)
	got, gotUser, err := s.SessionWithUser(t.Context(), want.ID)
	if err != nil {
		t.Fatal(err)
	}
	assertSession(t, "SessionWithUser", got, want)
	assertUser(t, "SessionWithUser user", gotUser, u)
}

func testSessionNotFound(t *testing.T, s auth.Store) {
	mustCreate(t, s, newUser("sid"))
	_, _, err := s.SessionWithUser(t.Context(), "session-nobody")
	assertErrorIs(t, "SessionWithUser of an unknown id", err, auth.ErrSessionNotFound)
	ok, err := s.RotateSession(t.Context(), auth.SessionRotation{ID: "session-nobody", From: 0, At: sessionT0(), Expires: sessionT0()})
	if ok || err != nil {
		t.Errorf("RotateSession of an unknown id = %t, %v; want false, nil", ok, err)
	}
}

// testRotateCAS: only the current counter swaps, each counter once, and
// never on an ended session.
func testRotateCAS(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("cas"))
	sess := newSession(1, u.ID, sessionT0())
	mustCreateSession(t, s, sess)
	at := sessionT0().Add(time.Minute)
	steps := []struct {
		name string
		from int64
		want bool
	}{
		{"current counter", 0, true},
		{"same counter again", 0, false},
		{"next counter", 1, true},
		{"a counter not reached", 5, false},
		{"a spent counter", 1, false},
	}
	for _, st := range steps {
		ok, err := s.RotateSession(ctx, auth.SessionRotation{ID: sess.ID, From: st.from, At: at, Expires: at.Add(time.Hour)})
		if err != nil || ok != st.want {
			t.Errorf("%s: RotateSession(from %d) = %t, %v; want %t", st.name, st.from, ok, err, st.want)
		}
	}
	if got := mustSession(t, s, sess.ID); got.Counter != 2 {
		t.Errorf("counter = %d after two swaps, want 2", got.Counter)
	}
	if ok, err := s.EndSession(ctx, auth.SessionEnd{ID: sess.ID, UserID: u.ID, Reason: auth.EndLogout, At: at}); !ok || err != nil {
		t.Fatalf("EndSession = %t, %v", ok, err)
	}
	if ok, err := s.RotateSession(ctx, auth.SessionRotation{ID: sess.ID, From: 2, At: at, Expires: at.Add(time.Hour)}); ok || err != nil {
		t.Errorf("RotateSession of an ended session = %t, %v; want false", ok, err)
	}
}

// testRotateFacts: a rotation stores exactly the facts the grace and
// expiry rules read: the new counter, rotated_at, last_used_at, the new
// expires_at and the rotating client's IP, and leaves the rest alone.
func testRotateFacts(t *testing.T, s auth.Store) {
	u := mustCreate(t, s, newUser("facts"))
	sess := newSession(1, u.ID, sessionT0())
	mustCreateSession(t, s, sess)
	at := sessionT0().Add(90*time.Second + 700*time.Millisecond) // the fraction is dropped
	expires := at.Add(time.Hour)
	const by = "2001:db8:5::17"
	if ok, err := s.RotateSession(t.Context(), auth.SessionRotation{ID: sess.ID, From: 0, At: at, Expires: expires, IP: by}); !ok || err != nil {
		t.Fatalf("RotateSession = %t, %v", ok, err)
	}
	want := sess
	want.Counter = 1
	want.RotatedAt, want.LastUsedAt, want.ExpiresAt = at.Truncate(time.Second), at.Truncate(time.Second), expires.Truncate(time.Second)
	want.RotatedIP = by
	assertSession(t, "after rotation", mustSession(t, s, sess.ID), want)
	list, err := s.UserSessions(t.Context(), u.ID, at)
	if err != nil || len(list) != 1 {
		t.Fatalf("UserSessions = %v, %v", list, err)
	}
	assertSession(t, "listed after rotation", list[0], want)
}

func testEndSession(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("ending"))
	other := mustCreate(t, s, newUser("other"))
	sess := newSession(1, u.ID, sessionT0())
	expired := newSession(2, u.ID, sessionT0().Add(-2*time.Hour))
	mustCreateSession(t, s, sess)
	mustCreateSession(t, s, expired)
	at := sessionT0().Add(time.Minute)
	steps := []struct {
		name   string
		id     string
		userID int64
		want   bool
	}{
		{"another user's", sess.ID, other.ID, false},
		{"unknown", "session-nobody", u.ID, false},
		{"expired", expired.ID, u.ID, false},
		{"live, own", sess.ID, u.ID, true},
		{"already ended", sess.ID, u.ID, false},
	}
	for _, st := range steps {
		ok, err := s.EndSession(ctx, auth.SessionEnd{ID: st.id, UserID: st.userID, Reason: auth.EndReuse, At: at})
		if err != nil || ok != st.want {
			t.Errorf("EndSession %s = %t, %v; want %t", st.name, ok, err, st.want)
		}
	}
	want := sess
	want.EndedAt, want.EndReason = &at, auth.EndReuse
	assertSession(t, "ended session", mustSession(t, s, sess.ID), want)
}

func testEndUserSessions(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("many"))
	other := mustCreate(t, s, newUser("bystander"))
	for i := range 4 {
		mustCreateSession(t, s, newSession(i, u.ID, sessionT0()))
	}
	mustCreateSession(t, s, newSession(9, other.ID, sessionT0()))
	at := sessionT0().Add(time.Minute)
	if ok, _ := s.EndSession(ctx, auth.SessionEnd{ID: newSession(3, 0, at).ID, UserID: u.ID, Reason: auth.EndLogout, At: at}); !ok {
		t.Fatal("EndSession of session 3 failed")
	}
	n, err := s.EndUserSessions(ctx, auth.SessionEnd{UserID: u.ID, Except: newSession(0, 0, at).ID, Reason: auth.EndPassword, At: at.Add(time.Second)})
	if err != nil || n != 2 {
		t.Fatalf("EndUserSessions except session 0 = %d, %v; want 2 (1 and 2; 3 had ended)", n, err)
	}
	for i, want := range map[int]auth.EndReason{0: "", 1: auth.EndPassword, 2: auth.EndPassword, 3: auth.EndLogout, 9: ""} {
		if got := mustSession(t, s, newSession(i, 0, at).ID); got.EndReason != want {
			t.Errorf("session %d: end reason %q, want %q", i, got.EndReason, want)
		}
	}
	if n, err := s.EndUserSessions(ctx, auth.SessionEnd{UserID: u.ID, Except: "", Reason: auth.EndDeactivated, At: at}); err != nil || n != 1 {
		t.Errorf("EndUserSessions of all = %d, %v; want 1", n, err)
	}
}

func testUserSessions(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("lister"))
	other := mustCreate(t, s, newUser("stranger"))
	t0 := sessionT0()
	for i := range 3 {
		mustCreateSession(t, s, newSession(i, u.ID, t0.Add(time.Duration(i)*time.Minute)))
	}
	mustCreateSession(t, s, newSession(7, u.ID, t0.Add(-3*time.Hour)))  // expired
	mustCreateSession(t, s, newSession(8, other.ID, t0))                // another user's
	mustCreateSession(t, s, newSession(9, u.ID, t0.Add(5*time.Minute))) // ended below
	if ok, _ := s.EndSession(ctx, auth.SessionEnd{ID: newSession(9, 0, t0).ID, UserID: u.ID, Reason: auth.EndLogout, At: t0.Add(6 * time.Minute)}); !ok {
		t.Fatal("EndSession failed")
	}
	list, err := s.UserSessions(ctx, u.ID, t0.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, sess := range list {
		ids = append(ids, sess.ID)
	}
	want := []string{newSession(2, 0, t0).ID, newSession(1, 0, t0).ID, newSession(0, 0, t0).ID}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Fatalf("UserSessions = %v, want %v (live, newest first)", ids, want)
	}
	assertSession(t, "listed session", list[2], newSession(0, u.ID, t0))
	if list, err := s.UserSessions(ctx, u.ID, t0.Add(2*time.Hour)); err != nil || len(list) != 0 {
		t.Errorf("UserSessions after every expiry = %v, %v; want none", list, err)
	}
}

// testPurgeSessions: only sessions that ended or expired before the cut
// are deleted, at most limit per call, and of those exactly the ones never
// ended are counted as expired, whether or not an ended one also expired,
// and exactly the ones ended for deactivation as deactivated.
func testPurgeSessions(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("purger"))
	t0 := sessionT0()
	live := newSession(0, u.ID, t0)
	mustCreateSession(t, s, live)
	for i := 1; i <= 3; i++ { // expired before the cut, never ended
		mustCreateSession(t, s, newSession(i, u.ID, t0.Add(-5*time.Hour)))
	}
	for i := 4; i <= 5; i++ { // ended before the cut
		mustCreateSession(t, s, newSession(i, u.ID, t0))
		if ok, _ := s.EndSession(ctx, auth.SessionEnd{ID: newSession(i, 0, t0).ID, UserID: u.ID, Reason: auth.EndLogout, At: t0.Add(time.Minute)}); !ok {
			t.Fatal("EndSession failed")
		}
	}
	// Ended, then expired, both before the cut: counted as ended, not expired.
	both := newSession(7, u.ID, t0.Add(-5*time.Hour))
	mustCreateSession(t, s, both)
	if ok, _ := s.EndSession(ctx, auth.SessionEnd{ID: both.ID, UserID: u.ID, Reason: auth.EndPassword, At: t0.Add(-5*time.Hour + time.Minute)}); !ok {
		t.Fatal("EndSession failed")
	}
	// Ended for deactivation before the cut: counted as deactivated.
	deactivated := newSession(8, u.ID, t0)
	mustCreateSession(t, s, deactivated)
	if ok, _ := s.EndSession(ctx, auth.SessionEnd{ID: deactivated.ID, UserID: u.ID, Reason: auth.EndDeactivated, At: t0.Add(time.Minute)}); !ok {
		t.Fatal("EndSession failed")
	}
	recent := newSession(6, u.ID, t0) // ended after the cut
	mustCreateSession(t, s, recent)
	if ok, _ := s.EndSession(ctx, auth.SessionEnd{ID: recent.ID, UserID: u.ID, Reason: auth.EndLogout, At: t0.Add(20 * time.Minute)}); !ok {
		t.Fatal("EndSession failed")
	}
	cut := t0.Add(10 * time.Minute)
	var (
		counts []int64
		sum    auth.PurgedSessions
	)
	for range 5 {
		p, err := s.PurgeSessions(ctx, cut, 2)
		if err != nil {
			t.Fatal(err)
		}
		if p.Expired+p.Deactivated > p.Deleted {
			t.Errorf("PurgeSessions = %+v; expired and deactivated are disjoint subsets of deleted", p)
		}
		counts = append(counts, p.Deleted)
		sum.Expired += p.Expired
		sum.Deactivated += p.Deactivated
	}
	if fmt.Sprint(counts) != "[2 2 2 1 0]" {
		t.Errorf("purged per call = %v, want [2 2 2 1 0]", counts)
	}
	if sum.Expired != 3 {
		t.Errorf("expired without being ended = %d, want 3", sum.Expired)
	}
	if sum.Deactivated != 1 {
		t.Errorf("ended for deactivation = %d, want 1", sum.Deactivated)
	}
	for _, id := range []string{live.ID, recent.ID} {
		mustSession(t, s, id)
	}
	for _, id := range []string{newSession(1, 0, t0).ID, both.ID, deactivated.ID} {
		_, _, err := s.SessionWithUser(ctx, id)
		assertErrorIs(t, "a purged session", err, auth.ErrSessionNotFound)
	}
}

// testConcurrentRotation: of 20 rotations of one counter at once, the
// database lets exactly one through, and none fails with a lock error.
func testConcurrentRotation(t *testing.T, s auth.Store) {
	u := mustCreate(t, s, newUser("racer"))
	sess := newSession(1, u.ID, sessionT0())
	mustCreateSession(t, s, sess)
	at := sessionT0().Add(time.Minute)
	won := make([]bool, racers)
	errs := race(func(i int) error {
		ok, err := s.RotateSession(t.Context(), auth.SessionRotation{ID: sess.ID, From: 0, At: at, Expires: at.Add(time.Hour)})
		won[i] = ok
		return err
	})
	winners := 0
	for i, err := range errs {
		if err != nil {
			t.Errorf("RotateSession #%d: %v", i, err)
		}
		if won[i] {
			winners++
		}
	}
	if winners != 1 {
		t.Errorf("%d rotations matched, want exactly 1", winners)
	}
	if got := mustSession(t, s, sess.ID); got.Counter != 1 {
		t.Errorf("counter = %d, want 1", got.Counter)
	}
}

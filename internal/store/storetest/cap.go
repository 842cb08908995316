package storetest

import (
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// testSessionCap: a session opened with a cap ends the user's live
// sessions beyond it, least recently used first, for EndCap, and touches
// no ended, expired or other user's session; without a cap nothing ends.
func testSessionCap(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("capped"))
	other := mustCreate(t, s, newUser("uncapped"))
	t0 := sessionT0()
	// Sessions 0-3 are opened a minute apart; 0, the oldest, is used last.
	for i := range 4 {
		mustCreateSession(t, s, newSession(i, u.ID, t0.Add(time.Duration(i)*time.Minute)))
	}
	if ok, err := s.RotateSession(ctx, auth.SessionRotation{ID: newSession(0, 0, t0).ID, From: 0, At: t0.Add(10 * time.Minute), Expires: t0.Add(time.Hour)}); !ok || err != nil {
		t.Fatalf("RotateSession = %t, %v", ok, err)
	}
	mustCreateSession(t, s, newSession(7, u.ID, t0.Add(-3*time.Hour))) // expired
	mustCreateSession(t, s, newSession(8, u.ID, t0))                   // ended below
	if ok, _ := s.EndSession(ctx, auth.SessionEnd{ID: newSession(8, 0, t0).ID, UserID: u.ID, Reason: auth.EndLogout, At: t0.Add(time.Minute)}); !ok {
		t.Fatal("EndSession failed")
	}
	for i := 20; i < 25; i++ {
		mustCreateSession(t, s, newSession(i, other.ID, t0))
	}

	at := t0.Add(20 * time.Minute)
	ended, err := s.CreateSession(ctx, auth.NewSession{Session: newSession(9, u.ID, at), LastLogin: true, Cap: 3})
	if err != nil || ended != 2 {
		t.Fatalf("CreateSession with cap 3 over 4 live = %d, %v; want 2 ended", ended, err)
	}
	want := map[int]auth.EndReason{0: "", 1: auth.EndCap, 2: auth.EndCap, 3: "", 7: "", 8: auth.EndLogout, 9: "", 20: ""}
	for i, reason := range want {
		if got := mustSession(t, s, newSession(i, 0, t0).ID); got.EndReason != reason {
			t.Errorf("session %d: end reason %q, want %q", i, got.EndReason, reason)
		}
	}
	if got := mustSession(t, s, newSession(1, 0, t0).ID); got.EndedAt == nil || !got.EndedAt.Equal(at) {
		t.Errorf("capped session ended at %v, want %v", got.EndedAt, at)
	}
	if n := len(liveAt(t, s, u.ID, at)); n != 3 {
		t.Errorf("%d live sessions after the cap, want 3", n)
	}

	// At the cap exactly, and without one, nothing more ends.
	ended, err = s.CreateSession(ctx, auth.NewSession{Session: newSession(10, u.ID, at), Cap: 4})
	if err != nil || ended != 0 {
		t.Errorf("CreateSession with room under the cap = %d, %v; want 0 ended", ended, err)
	}
	ended, err = s.CreateSession(ctx, auth.NewSession{Session: newSession(11, u.ID, at)})
	if err != nil || ended != 0 {
		t.Errorf("CreateSession without a cap = %d, %v; want 0 ended", ended, err)
	}
	if n := len(liveAt(t, s, other.ID, at)); n != 5 {
		t.Errorf("another user has %d live sessions, want their 5", n)
	}
}

// testSessionCapRace: 20 logins of one user at the cap at once, on any
// number of connections, leave exactly the cap live, each login ending
// one session, none failing for a lock.
func testSessionCapRace(t *testing.T, s auth.Store) {
	const limit = 5
	u := mustCreate(t, s, newUser("crowd"))
	t0 := sessionT0()
	for i := range limit {
		mustCreateSession(t, s, newSession(i, u.ID, t0))
	}
	at := t0.Add(time.Minute)
	ended := make([]int64, racers)
	errs := race(func(i int) error {
		var err error
		// Half of them without last_login: the cap must hold by itself.
		ended[i], err = s.CreateSession(t.Context(), auth.NewSession{
			Session: newSession(100+i, u.ID, at), LastLogin: i%2 == 0, Cap: limit})
		return err
	})
	var sum int64
	for i, err := range errs {
		if err != nil {
			t.Errorf("CreateSession #%d: %v", i, err)
		}
		sum += ended[i]
	}
	if live := liveAt(t, s, u.ID, at); len(live) != limit {
		t.Errorf("%d live sessions after %d racing logins at the cap, want %d", len(live), racers, limit)
	}
	if sum != racers {
		t.Errorf("the logins ended %d sessions in all, want %d", sum, racers)
	}
}

func liveAt(t *testing.T, s auth.Store, userID int64, at time.Time) []auth.Session {
	t.Helper()
	list, err := s.UserSessions(t.Context(), userID, at)
	if err != nil {
		t.Fatalf("UserSessions: %v", err)
	}
	return list
}

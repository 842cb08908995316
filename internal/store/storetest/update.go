package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// testLoginLastLogin: a login's session records last_login (and updated_at)
// on its user, and on no other.
func testLoginLastLogin(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("erin"))
	other := mustCreate(t, s, newUser("frank"))

	login := u.CreatedAt.Add(90 * time.Minute)
	if _, err := s.CreateSession(ctx, auth.NewSession{Session: newSession(1, u.ID, login), LastLogin: true}); err != nil {
		t.Fatalf("CreateSession of a login: %v", err)
	}
	want := u
	want.LastLogin = &login
	want.UpdatedAt = login
	got, err := s.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatalf("UserByID: %v", err)
	}
	assertUser(t, "after a login", got, want)

	// Only the row with that ID changes.
	untouched, err := s.UserByID(ctx, other.ID)
	if err != nil {
		t.Fatalf("UserByID(other): %v", err)
	}
	assertUser(t, "other user after a login", untouched, other)

	// A login of a user deactivated since it read them stores nothing:
	// no session the deactivation did not end, no last_login.
	if _, err := s.SetActive(ctx, auth.ActiveChange{UserID: u.ID, Active: false, At: login}); err != nil {
		t.Fatalf("SetActive: %v", err)
	}
	late := newSession(3, u.ID, login.Add(time.Minute))
	_, err = s.CreateSession(ctx, auth.NewSession{Session: late, LastLogin: true})
	assertErrorIs(t, "a login of a deactivated user", err, auth.ErrUserInactive)
	if _, _, err := s.SessionWithUser(ctx, late.ID); !errors.Is(err, auth.ErrSessionNotFound) {
		t.Errorf("the session of a refused login: %v, want ErrSessionNotFound", err)
	}
	if got, err := s.UserByID(ctx, u.ID); err != nil || !got.LastLogin.Equal(login) {
		t.Errorf("last_login after a refused login = %v (%v), want %v", got.LastLogin, err, login)
	}

	// A session without LastLogin (a registration's) leaves it alone.
	if _, err := s.CreateSession(ctx, auth.NewSession{Session: newSession(2, other.ID, login)}); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	untouched, err = s.UserByID(ctx, other.ID)
	if err != nil {
		t.Fatalf("UserByID(other): %v", err)
	}
	assertUser(t, "other user after a session without LastLogin", untouched, other)
}

// testSetActive: activation and deactivation set is_active and
// updated_at; a deactivation ends every live session of the user, and only
// theirs, and says how many.
func testSetActive(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("grace"))
	other := mustCreate(t, s, newUser("hank"))
	t0 := u.CreatedAt
	for i := range 2 {
		mustCreateSession(t, s, newSession(i, u.ID, t0))
	}
	mustCreateSession(t, s, newSession(5, other.ID, t0))
	steps := []struct {
		name      string
		active    bool
		at        time.Time
		wantEnded int64
	}{
		{"deactivate", false, t0.Add(time.Minute), 2},
		{"deactivate again", false, t0.Add(2 * time.Minute), 0},
		{"activate", true, t0.Add(3 * time.Minute), 0},
	}
	want := u
	for _, step := range steps {
		ended, err := s.SetActive(ctx, auth.ActiveChange{UserID: u.ID, Active: step.active, At: step.at})
		if err != nil {
			t.Fatalf("%s: SetActive: %v", step.name, err)
		}
		if ended != step.wantEnded {
			t.Errorf("%s: SetActive ended %d sessions, want %d", step.name, ended, step.wantEnded)
		}
		want.IsActive = step.active
		want.UpdatedAt = step.at
		got, err := s.UserByUsername(ctx, u.Username)
		if err != nil {
			t.Fatalf("%s: UserByUsername: %v", step.name, err)
		}
		assertUser(t, step.name, got, want)
	}
	for i := range 2 {
		if sess := mustSession(t, s, newSession(i, 0, t0).ID); sess.EndedAt == nil || sess.EndReason != auth.EndDeactivated {
			t.Errorf("session %d after deactivation: ended %v, reason %q; want ended for %q", i, sess.EndedAt, sess.EndReason, auth.EndDeactivated)
		}
	}
	if sess := mustSession(t, s, newSession(5, 0, t0).ID); sess.EndedAt != nil {
		t.Errorf("another user's session ended with the deactivation: %+v", sess)
	}
}

// testChangePassword: a password change replaces the hash, keeps the
// named session and ends the user's others; a rehash replaces the hash
// only while it is the one the login read.
func testChangePassword(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("judy"))
	other := mustCreate(t, s, newUser("karl"))
	t0 := u.CreatedAt
	for i := range 3 {
		mustCreateSession(t, s, newSession(i, u.ID, t0))
	}
	mustCreateSession(t, s, newSession(7, other.ID, t0))
	keep := newSession(0, 0, t0).ID

	want := u
	for i, hash := range []string{"$2a$05$first", "$2a$05$first", "$2a$12$second"} {
		at := t0.Add(time.Duration(i+1) * time.Minute)
		ended, err := s.ChangePassword(ctx, auth.PasswordChange{UserID: u.ID, Hash: hash, KeepSession: keep, At: at})
		if err != nil {
			t.Fatalf("ChangePassword #%d: %v", i, err)
		}
		if wantEnded := map[int]int64{0: 2}[i]; ended != wantEnded {
			t.Errorf("ChangePassword #%d ended %d sessions, want %d", i, ended, wantEnded)
		}
		want.HashedPassword, want.UpdatedAt = hash, at
		got, err := s.UserByID(ctx, u.ID)
		if err != nil {
			t.Fatalf("UserByID: %v", err)
		}
		assertUser(t, "after ChangePassword", got, want)
	}
	if sess := mustSession(t, s, keep); sess.EndedAt != nil {
		t.Errorf("the kept session ended with the password change: %+v", sess)
	}
	if sess := mustSession(t, s, newSession(1, 0, t0).ID); sess.EndedAt == nil || sess.EndReason != auth.EndPassword {
		t.Errorf("another session after the password change: ended %v, reason %q; want ended for %q", sess.EndedAt, sess.EndReason, auth.EndPassword)
	}
	untouched, err := s.UserByID(ctx, other.ID)
	if err != nil {
		t.Fatalf("UserByID(other): %v", err)
	}
	assertUser(t, "other user after ChangePassword", untouched, other)
	if sess := mustSession(t, s, newSession(7, 0, t0).ID); sess.EndedAt != nil {
		t.Errorf("another user's session ended with the password change: %+v", sess)
	}

	// A rehash from a hash that is no longer current changes nothing.
	at := t0.Add(time.Hour)
	if ok, err := s.RehashPassword(ctx, u.ID, "$2a$05$first", "$2a$12$rehash-of-old", at); ok || err != nil {
		t.Errorf("RehashPassword from a stale hash = %v, %v; want false, nil", ok, err)
	}
	if ok, err := s.RehashPassword(ctx, u.ID, "$2a$12$second", "$2a$13$rehash", at); !ok || err != nil {
		t.Errorf("RehashPassword from the current hash = %v, %v; want true, nil", ok, err)
	}
	want.HashedPassword, want.UpdatedAt = "$2a$13$rehash", at
	got, err := s.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatalf("UserByID: %v", err)
	}
	assertUser(t, "after RehashPassword", got, want)
}

func testUpdateMissing(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("heidi"))
	missing := u.ID + 1000
	at := u.CreatedAt.Add(time.Minute)
	_, loginErr := s.CreateSession(ctx, auth.NewSession{Session: newSession(1, missing, at), LastLogin: true})
	assertErrorIs(t, "a login of a missing id", loginErr, auth.ErrUserInactive)
	_, activeErr := s.SetActive(ctx, auth.ActiveChange{UserID: missing, At: at})
	assertErrorIs(t, "SetActive of a missing id", activeErr, auth.ErrUserNotFound)
	_, changeErr := s.ChangePassword(ctx, auth.PasswordChange{UserID: missing, Hash: "$2a$05$new", At: at})
	assertErrorIs(t, "ChangePassword of a missing id", changeErr, auth.ErrUserNotFound)
	if ok, err := s.RehashPassword(ctx, missing, u.HashedPassword, "$2a$05$new", at); ok || err != nil {
		t.Errorf("RehashPassword of a missing id = %v, %v; want false, nil", ok, err)
	}

	got, err := s.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatalf("UserByID: %v", err)
	}
	assertUser(t, "existing user after updates of a missing id", got, u)
}

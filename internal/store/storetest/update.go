package storetest

import (
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

func testSetLastLogin(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("erin"))
	other := mustCreate(t, s, newUser("frank"))

	login := u.CreatedAt.Add(90 * time.Minute)
	if err := s.SetLastLogin(ctx, u.ID, login); err != nil {
		t.Fatalf("SetLastLogin: %v", err)
	}
	want := u
	want.LastLogin = &login
	want.UpdatedAt = login
	got, err := s.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatalf("UserByID: %v", err)
	}
	assertUser(t, "after SetLastLogin", got, want)

	// Only the row with that ID changes.
	untouched, err := s.UserByID(ctx, other.ID)
	if err != nil {
		t.Fatalf("UserByID(other): %v", err)
	}
	assertUser(t, "other user after SetLastLogin", untouched, other)
}

func testSetActive(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("grace"))
	steps := []struct {
		name   string
		active bool
		at     time.Time
	}{
		{"deactivate", false, u.CreatedAt.Add(time.Hour)},
		{"deactivate again", false, u.CreatedAt.Add(2 * time.Hour)},
		{"activate", true, u.CreatedAt.Add(3 * time.Hour)},
	}
	want := u
	for _, step := range steps {
		if err := s.SetActive(ctx, u.ID, step.active, step.at); err != nil {
			t.Fatalf("%s: SetActive: %v", step.name, err)
		}
		want.IsActive = step.active
		want.UpdatedAt = step.at
		got, err := s.UserByUsername(ctx, u.Username)
		if err != nil {
			t.Fatalf("%s: UserByUsername: %v", step.name, err)
		}
		assertUser(t, step.name, got, want)
	}
}

func testSetPasswordHash(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("judy"))
	other := mustCreate(t, s, newUser("karl"))
	want := u
	for i, hash := range []string{"$2a$05$first-rehash", "$2a$05$first-rehash", "$2a$12$second"} {
		at := u.CreatedAt.Add(time.Duration(i+1) * time.Hour)
		if err := s.SetPasswordHash(ctx, u.ID, hash, at); err != nil {
			t.Fatalf("SetPasswordHash #%d: %v", i, err)
		}
		want.HashedPassword, want.UpdatedAt = hash, at
		got, err := s.UserByID(ctx, u.ID)
		if err != nil {
			t.Fatalf("UserByID: %v", err)
		}
		// Nothing else changes: not is_active, not last_login.
		assertUser(t, "after SetPasswordHash", got, want)
	}
	untouched, err := s.UserByID(ctx, other.ID)
	if err != nil {
		t.Fatalf("UserByID(other): %v", err)
	}
	assertUser(t, "other user after SetPasswordHash", untouched, other)
}

func testUpdateMissing(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("heidi"))
	missing := u.ID + 1000
	at := u.CreatedAt.Add(time.Minute)
	assertErrorIs(t, "SetLastLogin of a missing id", s.SetLastLogin(ctx, missing, at), auth.ErrUserNotFound)
	assertErrorIs(t, "SetActive of a missing id", s.SetActive(ctx, missing, false, at), auth.ErrUserNotFound)
	assertErrorIs(t, "SetPasswordHash of a missing id", s.SetPasswordHash(ctx, missing, "$2a$05$new", at), auth.ErrUserNotFound)

	got, err := s.UserByID(ctx, u.ID)
	if err != nil {
		t.Fatalf("UserByID: %v", err)
	}
	assertUser(t, "existing user after updates of another id", got, u)
}

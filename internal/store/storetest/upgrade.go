package storetest

import (
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// UpgradeUsers are the users an upgrade test writes into a database of the
// first release's schema (migration 00001 only), with that release's SQL,
// before the store migrates it to the current schema.
func UpgradeUsers() []auth.NewUser {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return []auth.NewUser{
		{Username: "Old.Timer", Email: "old@example.com", HashedPassword: "$2a$04$old-hash", CreatedAt: at},
		{Username: "second", Email: "second@example.com", HashedPassword: "$2a$04$second-hash", CreatedAt: at.Add(time.Hour)},
	}
}

// CheckUpgraded asserts that a store migrated from the first release's
// schema kept every user of UpgradeUsers as written, and that the tables
// added since (sessions) work for them.
func CheckUpgraded(t *testing.T, s auth.Store) {
	t.Helper()
	ctx := t.Context()
	for i, want := range UpgradeUsers() {
		got, err := s.UserByUsername(ctx, want.Username)
		if err != nil {
			t.Fatalf("user %q after the upgrade: %v", want.Username, err)
		}
		assertUser(t, "upgraded user", got, auth.User{
			ID: got.ID, Username: want.Username, Email: want.Email, HashedPassword: want.HashedPassword,
			IsActive: true, CreatedAt: want.CreatedAt, UpdatedAt: want.CreatedAt,
		})
		sess := newSession(i, got.ID, sessionT0())
		if _, err := s.CreateSession(ctx, auth.NewSession{Session: sess}); err != nil {
			t.Fatalf("CreateSession for an upgraded user: %v", err)
		}
		read, u, err := s.SessionWithUser(ctx, sess.ID)
		if err != nil || u.ID != got.ID {
			t.Fatalf("SessionWithUser after the upgrade: user %d, %v", u.ID, err)
		}
		assertSession(t, "session of an upgraded user", read, sess)
	}
	// A new user gets an ID after the old ones.
	u, err := s.CreateUser(ctx, newUser("newcomer"))
	if err != nil {
		t.Fatalf("CreateUser after the upgrade: %v", err)
	}
	if u.ID <= int64(len(UpgradeUsers())) {
		t.Errorf("new user's ID %d collides with the upgraded users'", u.ID)
	}
}

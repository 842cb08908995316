// Package storetest is the one test suite every auth.Store must pass, so
// that the SQLite and PostgreSQL stores are shown to behave alike.
package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// Run runs the suite against the stores open makes. Each named case runs in
// parallel with the others, on a store of its own: open must return a
// migrated store on a fresh, empty database every time it is called, and
// must be safe to call from parallel tests. Run closes each store when its
// case ends, even if the case closed it already: Close may be called twice.
func Run(t *testing.T, open func(t *testing.T) auth.Store) {
	cases := []struct {
		name string
		test func(t *testing.T, s auth.Store)
	}{
		{"create and read back", testCreateAndRead},
		{"times are UTC whole seconds", testTimes},
		{"duplicate username in other case", testDuplicateUsername},
		{"duplicate email", testDuplicateEmail},
		{"not found", testNotFound},
		{"a login records last login", testLoginLastLogin},
		{"activation and deactivation", testSetActive},
		{"password change and rehash", testChangePassword},
		{"update of missing id", testUpdateMissing},
		{"ping", testPing},
		{"cancelled context", testCancelled},
		{"closed store", testClosed},
		{"concurrent same username", testConcurrentSameUsername},
		{"concurrent different usernames", testConcurrentDifferentUsernames},
		{"attempt counter windows", testCounterWindows},
		{"attempt counters under a race", testCounterRace},
		{"attempt records of a login success", testLoginSuccess},
		{"attempt records of a registration", testRegisterKnown},
		{"attempt purge", testPurgeAttempts},
		{"attempt read of a closed store", testAttemptsClosed},
		{"unstorable text", testUnstorableText},
	}
	cases = append(cases, sessionCases()...)
	cases = append(cases, codeCases()...)
	cases = append(cases, adminCases()...)
	cases = append(cases, factorCases()...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.test(t, s)
		})
	}
}

// createdAt is the CreatedAt of test users: whole seconds, as the service
// writes them, but in a zone other than UTC, so a store that forgets to
// convert is caught.
func createdAt() time.Time {
	return time.Date(2026, 11, 28, 12, 30, 45, 0, time.FixedZone("UTC+2", 2*60*60))
}

func newUser(name string) auth.NewUser {
	return auth.NewUser{
		Username:       name,
		Email:          name + "@example.com",
		HashedPassword: "$2a$04$hash-of-" + name,
		CreatedAt:      createdAt(),
	}
}

func mustCreate(t *testing.T, s auth.Store, u auth.NewUser) auth.User {
	t.Helper()
	got, err := s.CreateUser(t.Context(), u)
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", u.Username, err)
	}
	return got
}

func testCreateAndRead(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := auth.NewUser{Username: "Alice.B-1", Email: "alice@example.com", HashedPassword: "$2a$04$abc", CreatedAt: createdAt()}
	got := mustCreate(t, s, u)
	want := auth.User{
		ID: got.ID, Username: u.Username, Email: u.Email, HashedPassword: u.HashedPassword,
		IsActive: true, CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.CreatedAt.UTC(),
	}
	if got.ID <= 0 {
		t.Errorf("CreateUser: ID = %d, want > 0", got.ID)
	}
	assertUser(t, "CreateUser", got, want)

	lookups := []struct {
		name   string
		lookup func() (auth.User, error)
	}{
		{"UserByID", func() (auth.User, error) { return s.UserByID(ctx, got.ID) }},
		{"UserByUsername same case", func() (auth.User, error) { return s.UserByUsername(ctx, "Alice.B-1") }},
		{"UserByUsername other case", func() (auth.User, error) { return s.UserByUsername(ctx, "aLICE.b-1") }},
		{"UserByEmail", func() (auth.User, error) { return s.UserByEmail(ctx, "alice@example.com") }},
		{"UserByEmail other case", func() (auth.User, error) { return s.UserByEmail(ctx, "ALICE@Example.COM") }},
	}
	for _, l := range lookups {
		u, err := l.lookup()
		if err != nil {
			t.Errorf("%s: %v", l.name, err)
			continue
		}
		assertUser(t, l.name, u, want)
	}
}

func testTimes(t *testing.T, s auth.Store) {
	// A fraction of a second is dropped, the same way on every engine.
	u := newUser("carol")
	u.CreatedAt = time.Date(2026, 1, 2, 3, 4, 5, 999_999_999, time.FixedZone("UTC-7", -7*60*60))
	got := mustCreate(t, s, u)
	want := time.Date(2026, 1, 2, 10, 4, 5, 0, time.UTC)
	assertTime(t, "CreateUser CreatedAt", got.CreatedAt, want)

	login := time.Date(2026, 1, 3, 0, 0, 1, 500_000_000, time.Local)
	if _, err := s.CreateSession(t.Context(), auth.NewSession{Session: newSession(1, got.ID, login), LastLogin: true}); err != nil {
		t.Fatalf("CreateSession of a login: %v", err)
	}
	read, err := s.UserByID(t.Context(), got.ID)
	if err != nil {
		t.Fatalf("UserByID: %v", err)
	}
	assertTime(t, "CreatedAt", read.CreatedAt, want)
	if read.LastLogin == nil {
		t.Fatal("LastLogin = nil after a login")
	}
	assertTime(t, "LastLogin", *read.LastLogin, login.Truncate(time.Second))
}

func testDuplicateUsername(t *testing.T, s auth.Store) {
	mustCreate(t, s, newUser("bob"))
	dup := newUser("BoB")
	dup.Email = "someone-else@example.com"
	_, err := s.CreateUser(t.Context(), dup)
	assertErrorIs(t, "CreateUser of BoB after bob", err, auth.ErrUserExists)
}

func testDuplicateEmail(t *testing.T, s auth.Store) {
	mustCreate(t, s, newUser("bob"))
	dup := newUser("robert")
	dup.Email = "bob@example.com"
	_, err := s.CreateUser(t.Context(), dup)
	assertErrorIs(t, "CreateUser with bob's email", err, auth.ErrUserExists)
}

func testNotFound(t *testing.T, s auth.Store) {
	ctx := t.Context()
	known := mustCreate(t, s, newUser("dave"))
	lookups := []struct {
		name string
		err  func() error
	}{
		{"UserByID", func() error { _, err := s.UserByID(ctx, known.ID+1000); return err }},
		{"UserByUsername", func() error { _, err := s.UserByUsername(ctx, "nobody"); return err }},
		{"UserByEmail", func() error { _, err := s.UserByEmail(ctx, "nobody@example.com"); return err }},
	}
	for _, l := range lookups {
		assertErrorIs(t, l.name, l.err(), auth.ErrUserNotFound)
	}
}

func testPing(t *testing.T, s auth.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

// testCancelled: a request its client gave up on fails, and the error says
// so (errors.Is context.Canceled), so the circuit breaker can tell it from
// a database that is down.
func testCancelled(t *testing.T, s auth.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := s.UserByUsername(ctx, "anyone")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("UserByUsername with a cancelled context: err = %v, want context.Canceled in its chain", err)
	}
	if errors.Is(err, auth.ErrUserNotFound) {
		t.Errorf("UserByUsername with a cancelled context: err = %v, must not be ErrUserNotFound", err)
	}
}

// testClosed: a store used after Close fails with a database error, the
// kind the readiness check reports, and not with "not found".
func testClosed(t *testing.T, s auth.Store) {
	u := mustCreate(t, s, newUser("ivan"))
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	_, lookupErr := s.UserByID(t.Context(), u.ID)
	for what, err := range map[string]error{"Ping": s.Ping(t.Context()), "UserByID": lookupErr} {
		var e *auth.Error
		if !errors.As(err, &e) || e.Code != auth.CodeDatabase {
			t.Errorf("%s after Close: err = %v, want a DatabaseError", what, err)
		}
	}
}

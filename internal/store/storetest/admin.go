package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

func adminCases() []struct {
	name string
	test func(t *testing.T, s auth.Store)
} {
	return []struct {
		name string
		test func(t *testing.T, s auth.Store)
	}{
		{"roles and activity at creation", testCreateWithRoles},
		{"update of a user", testUpdateUser},
		{"verification set and cleared by an admin", testVerifiedByAdmin},
		{"last admin", testLastAdmin},
		{"last admin under two racing demotions", testLastAdminRace},
		{"delete frees the names", testDeleteUser},
		{"list users by cursor and query", testListUsers},
		{"list users while users are inserted", testListUsersConcurrent},
		{"events are written with their change", testEventsWritten},
		{"events purge", testPurgeEvents},
	}
}

func testCreateWithRoles(t *testing.T, s auth.Store) {
	nu := newUser("roled")
	nu.Roles, nu.Inactive = []string{"admin", "editor"}, true
	u := mustCreate(t, s, nu)
	if !u.HasRole("admin") || !u.HasRole("editor") || len(u.Roles) != 2 || u.IsActive {
		t.Fatalf("created %+v, want roles admin,editor and inactive", u)
	}
	plain := mustCreate(t, s, newUser("plain"))
	if plain.Roles == nil || len(plain.Roles) != 0 {
		t.Errorf("roles of a plain user = %#v, want an empty non-nil slice", plain.Roles)
	}
	mustCreateSession(t, s, newSession(1, u.ID, sessionT0()))
	_, su, err := s.SessionWithUser(t.Context(), newSession(1, 0, sessionT0()).ID)
	if err != nil || len(su.Roles) != 2 || su.Roles[0] != "admin" {
		t.Errorf("SessionWithUser roles = %v, %v; want [admin editor]", su.Roles, err)
	}
}

func testUpdateUser(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("upd"))
	mustCreate(t, s, newUser("taken"))
	mustCreateSession(t, s, newSession(1, u.ID, sessionT0()))
	name, roles, off := "Renamed", []string{"editor"}, false
	at := sessionT0().Add(time.Minute)
	got, ended, err := s.UpdateUser(ctx, auth.UserUpdate{UserID: u.ID, Username: &name, Roles: &roles, Active: &off, At: at})
	if err != nil || ended != 1 {
		t.Fatalf("UpdateUser = %d, %v; want 1 session ended", ended, err)
	}
	if got.Username != "Renamed" || got.Email != u.Email || got.IsActive || len(got.Roles) != 1 || !got.UpdatedAt.Equal(at) {
		t.Errorf("updated user %+v", got)
	}
	taken := "TAKEN"
	if _, _, err := s.UpdateUser(ctx, auth.UserUpdate{UserID: u.ID, Username: &taken, At: at}); !errors.Is(err, auth.ErrUserExists) {
		t.Errorf("rename to a taken name: %v, want ErrUserExists", err)
	}
	if _, _, err := s.UpdateUser(ctx, auth.UserUpdate{UserID: u.ID + 100, Username: &name, At: at}); !errors.Is(err, auth.ErrUserNotFound) {
		t.Errorf("update of a missing id: %v, want ErrUserNotFound", err)
	}
}

func testLastAdmin(t *testing.T, s auth.Store) {
	ctx := t.Context()
	nu := newUser("only")
	nu.Roles = []string{"admin"}
	a := mustCreate(t, s, nu)
	none, off := []string{}, false
	at := sessionT0()
	if _, _, err := s.UpdateUser(ctx, auth.UserUpdate{UserID: a.ID, Roles: &none, At: at}); !errors.Is(err, auth.ErrLastAdmin) {
		t.Errorf("demote the last admin: %v, want ErrLastAdmin", err)
	}
	if _, _, err := s.UpdateUser(ctx, auth.UserUpdate{UserID: a.ID, Active: &off, At: at}); !errors.Is(err, auth.ErrLastAdmin) {
		t.Errorf("deactivate the last admin by update: %v, want ErrLastAdmin", err)
	}
	if _, err := s.SetActive(ctx, auth.ActiveChange{UserID: a.ID, Active: false, At: at}); !errors.Is(err, auth.ErrLastAdmin) {
		t.Errorf("SetActive(false) of the last admin: %v, want ErrLastAdmin", err)
	}
	if err := s.DeleteUser(ctx, auth.UserDelete{UserID: a.ID}); !errors.Is(err, auth.ErrLastAdmin) {
		t.Errorf("delete the last admin: %v, want ErrLastAdmin", err)
	}
	// A plain user is never guarded, even with no admin at all.
	p := mustCreate(t, s, newUser("plainuser"))
	if _, err := s.SetActive(ctx, auth.ActiveChange{UserID: p.ID, Active: false, At: at}); err != nil {
		t.Errorf("deactivate a plain user: %v", err)
	}
	// With a second admin, the first may go.
	nu = newUser("second")
	nu.Roles = []string{"admin"}
	mustCreate(t, s, nu)
	if _, _, err := s.UpdateUser(ctx, auth.UserUpdate{UserID: a.ID, Roles: &none, At: at}); err != nil {
		t.Errorf("demote one of two admins: %v", err)
	}
}

// testLastAdminRace: two admins demote each other at once; exactly one
// demotion wins and the other is ErrLastAdmin, on every engine.
func testLastAdminRace(t *testing.T, s auth.Store) {
	var leftover [2]int64
	for round := range 5 {
		var ids [2]int64
		for i := range ids {
			nu := newUser(fmt.Sprintf("race%d_%d", round, i))
			nu.Roles = []string{"admin"}
			ids[i] = mustCreate(t, s, nu).ID
		}
		for _, id := range leftover {
			if id != 0 {
				none := []string{}
				if _, _, err := s.UpdateUser(t.Context(), auth.UserUpdate{UserID: id, Roles: &none, At: sessionT0()}); err != nil {
					t.Fatalf("round %d: demote the last round's admin: %v", round, err)
				}
			}
		}
		var (
			wg   sync.WaitGroup
			errs [2]error
		)
		start := make(chan struct{})
		for i, id := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				none := []string{}
				_, _, errs[i] = s.UpdateUser(t.Context(), auth.UserUpdate{UserID: id, Roles: &none, At: sessionT0()})
			}()
		}
		close(start)
		wg.Wait()
		won, lost := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case errors.Is(err, auth.ErrLastAdmin):
				lost++
			default:
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if won != 1 || lost != 1 {
			t.Fatalf("round %d: %d won, %d LAST_ADMIN; want 1 and 1", round, won, lost)
		}
		// The loser is the one admin left; the next round's two admins
		// replace it, so each round races the last two.
		leftover = ids
	}
}

func testDeleteUser(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("gone"))
	mustCreateSession(t, s, newSession(1, u.ID, sessionT0()))
	if err := s.DeleteUser(ctx, auth.UserDelete{UserID: u.ID, Event: auth.Event{Action: auth.ActionUserDeleted, At: sessionT0(), UserID: u.ID}}); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	if _, err := s.UserByID(ctx, u.ID); !errors.Is(err, auth.ErrUserNotFound) {
		t.Errorf("UserByID after delete: %v", err)
	}
	if _, _, err := s.SessionWithUser(ctx, newSession(1, 0, sessionT0()).ID); !errors.Is(err, auth.ErrSessionNotFound) {
		t.Errorf("session after delete: %v, want ErrSessionNotFound", err)
	}
	if err := s.DeleteUser(ctx, auth.UserDelete{UserID: u.ID}); !errors.Is(err, auth.ErrUserNotFound) {
		t.Errorf("second delete: %v, want ErrUserNotFound", err)
	}
	again := mustCreate(t, s, newUser("gone"))
	if again.ID == u.ID {
		t.Errorf("new user reused id %d", u.ID)
	}
	ev, err := s.Events(ctx, auth.EventQuery{UserID: u.ID, Limit: 10})
	if err != nil || len(ev) != 1 || ev[0].Action != auth.ActionUserDeleted {
		t.Errorf("events of the deleted user = %+v, %v; want its user.deleted", ev, err)
	}
}

func testListUsers(t *testing.T, s auth.Store) {
	ctx := t.Context()
	for _, n := range []string{"Apple", "banana", "cherry", "grape_apple", "date"} {
		mustCreate(t, s, newUser(n))
	}
	page, err := s.ListUsers(ctx, auth.UserQuery{Query: "APP", Limit: 10})
	if err != nil || len(page) != 2 || page[0].Username != "Apple" || page[1].Username != "grape_apple" {
		t.Fatalf("query APP = %v, %v", names(page), err)
	}
	first, _ := s.ListUsers(ctx, auth.UserQuery{Limit: 2})
	next, _ := s.ListUsers(ctx, auth.UserQuery{After: first[1].ID, Limit: 10})
	if len(first) != 2 || len(next) != 3 || next[0].ID <= first[1].ID {
		t.Errorf("pages %v then %v", names(first), names(next))
	}
	if got, _ := s.ListUsers(ctx, auth.UserQuery{Query: "example.com", Limit: 10}); len(got) != 5 {
		t.Errorf("query on the email matched %d, want 5", len(got))
	}
	if got, _ := s.ListUsers(ctx, auth.UserQuery{Query: "%", Limit: 10}); len(got) != 0 {
		t.Errorf("query %% matched %v: a wildcard, not a literal", names(got))
	}
}

func names(us []auth.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.Username
	}
	return out
}

// testListUsersConcurrent: walking the list page by page while users are
// inserted visits every user that existed before the walk exactly once.
func testListUsersConcurrent(t *testing.T, s auth.Store) {
	ctx := t.Context()
	before := map[int64]bool{}
	for i := range 30 {
		before[mustCreate(t, s, newUser(fmt.Sprintf("pre%02d", i))).ID] = true
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			if _, err := s.CreateUser(ctx, newUser(fmt.Sprintf("during%03d", i))); err != nil {
				t.Errorf("insert during the walk: %v", err)
				return
			}
		}
	}()
	seen := map[int64]int{}
	var after int64
	for {
		page, err := s.ListUsers(ctx, auth.UserQuery{After: after, Limit: 4})
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		if len(page) == 0 || len(seen) > 2000 {
			break
		}
		for _, u := range page {
			seen[u.ID]++
		}
		after = page[len(page)-1].ID
	}
	close(done)
	wg.Wait()
	for id := range before {
		if seen[id] != 1 {
			t.Errorf("user %d seen %d times, want once", id, seen[id])
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("user %d seen %d times", id, n)
		}
	}
}

// testEventsWritten: each store method that takes an Event writes it with
// its change, and none when the change did not happen.
func testEventsWritten(t *testing.T, s auth.Store) {
	ctx := t.Context()
	at := sessionT0()
	ev := func(a auth.Action, id int64) auth.Event {
		return auth.Event{Action: a, At: at, UserID: id, IP: "192.0.2.1", UserAgent: "ua", RequestID: "req-1",
			ActorID: "cli", Details: map[string]string{"fields": "x"}}
	}
	nu := newUser("evented")
	nu.Event = ev(auth.ActionRegistered, 0)
	u := mustCreate(t, s, nu)
	calls := []struct {
		action auth.Action
		do     func() error
	}{
		{auth.ActionLogin, func() error {
			_, err := s.CreateSession(ctx, auth.NewSession{Session: newSession(1, u.ID, at), Event: ev(auth.ActionLogin, u.ID)})
			return err
		}},
		{auth.ActionLogout, func() error {
			_, err := s.EndSession(ctx, auth.SessionEnd{ID: newSession(1, 0, at).ID, UserID: u.ID, Reason: auth.EndLogout, At: at, Event: ev(auth.ActionLogout, u.ID)})
			return err
		}},
		{auth.ActionAdminLogout, func() error {
			_, err := s.EndUserSessions(ctx, auth.SessionEnd{UserID: u.ID, Reason: auth.EndLogout, At: at, Event: ev(auth.ActionAdminLogout, u.ID)})
			return err
		}},
		{auth.ActionPasswordChanged, func() error {
			_, err := s.ChangePassword(ctx, auth.PasswordChange{UserID: u.ID, Hash: "h", At: at, Event: ev(auth.ActionPasswordChanged, u.ID)})
			return err
		}},
		{auth.ActionAdminUpdated, func() error {
			_, err := s.SetActive(ctx, auth.ActiveChange{UserID: u.ID, Active: true, At: at, Event: ev(auth.ActionAdminUpdated, u.ID)})
			return err
		}},
	}
	for _, c := range calls {
		if err := c.do(); err != nil {
			t.Fatalf("%s: %v", c.action, err)
		}
	}
	// An end that ends nothing writes nothing.
	if ok, _ := s.EndSession(ctx, auth.SessionEnd{ID: newSession(1, 0, at).ID, UserID: u.ID, Reason: auth.EndLogout, At: at, Event: ev(auth.ActionLogout, u.ID)}); ok {
		t.Fatal("second EndSession ended a session")
	}
	got, err := s.Events(ctx, auth.EventQuery{UserID: u.ID, Limit: 100})
	if err != nil {
		t.Fatalf("Events: %v", err)
	}
	want := []auth.Action{auth.ActionAdminUpdated, auth.ActionPasswordChanged, auth.ActionAdminLogout, auth.ActionLogout, auth.ActionLogin, auth.ActionRegistered}
	if len(got) != len(want) {
		t.Fatalf("events %+v, want %v", got, want)
	}
	for i, e := range got {
		if e.Action != want[i] || e.UserID != u.ID || e.IP != "192.0.2.1" || e.RequestID != "req-1" || e.ActorID != "cli" ||
			e.Details["fields"] != "x" || !e.At.Equal(at) || e.At.Location() != time.UTC {
			t.Errorf("event %d = %+v, want %s", i, e, want[i])
		}
	}
	older, _ := s.Events(ctx, auth.EventQuery{UserID: u.ID, Before: got[1].ID, Limit: 2})
	if len(older) != 2 || older[0].ID != got[2].ID {
		t.Errorf("page before %d = %+v", got[1].ID, older)
	}
	byAction, _ := s.Events(ctx, auth.EventQuery{Action: auth.ActionLogin, Limit: 10})
	if len(byAction) != 1 || byAction[0].Action != auth.ActionLogin {
		t.Errorf("events by action = %+v", byAction)
	}
}

func testPurgeEvents(t *testing.T, s auth.Store) {
	ctx := t.Context()
	t0 := sessionT0()
	for i := range 3 {
		nu := newUser(fmt.Sprintf("purged%d", i))
		nu.Event = auth.Event{Action: auth.ActionRegistered, At: t0.Add(time.Duration(i) * time.Hour)}
		mustCreate(t, s, nu)
	}
	n, err := s.PurgeEvents(ctx, t0.Add(90*time.Minute), 100)
	if err != nil || n != 2 {
		t.Fatalf("PurgeEvents = %d, %v; want 2", n, err)
	}
	left, _ := s.Events(ctx, auth.EventQuery{Limit: 10})
	if len(left) != 1 || !left[0].At.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("left %+v", left)
	}
}

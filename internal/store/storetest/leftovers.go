package storetest

import (
	"testing"

	"github.com/authd/authd/internal/auth"
)

// Referencing counts, per table, the rows of every table of the schema
// that reference user id (through a column named user_id or a foreign key
// to users, and users' own id). An engine's test builds it by reading its
// catalogue, so a table added by a later migration is counted too.
type Referencing func(t *testing.T, id int64) map[string]int64

// CheckDeleteLeavesNoRows: after DeleteUser no table but the audit trail
// holds a row of the deleted user, and the audit trail keeps its events.
func CheckDeleteLeavesNoRows(t *testing.T, s auth.Store, count Referencing) {
	t.Helper()
	ctx := t.Context()
	nu := newUser("leaver")
	nu.Event = auth.Event{Action: auth.ActionRegistered, At: sessionT0()}
	u := mustCreate(t, s, nu)
	keep := mustCreate(t, s, newUser("stayer"))
	for i := range 3 {
		mustCreateSession(t, s, newSession(i, u.ID, sessionT0()))
	}
	mustCreateSession(t, s, newSession(9, keep.ID, sessionT0()))
	before := count(t, u.ID)
	if before["users"] != 1 || before["sessions"] != 3 {
		t.Fatalf("before the delete: %v; the catalogue walk misses users or sessions", before)
	}
	if err := s.DeleteUser(ctx, auth.UserDelete{UserID: u.ID, Event: auth.Event{Action: auth.ActionUserDeleted, At: sessionT0(), UserID: u.ID}}); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	for table, n := range count(t, u.ID) {
		switch {
		case table == "audit_events" && n != 2:
			t.Errorf("audit_events holds %d events of the deleted user, want 2 (registered, deleted)", n)
		case table != "audit_events" && n != 0:
			t.Errorf("table %s holds %d rows of the deleted user", table, n)
		}
	}
	if got := count(t, keep.ID); got["users"] != 1 || got["sessions"] != 1 {
		t.Errorf("the other user's rows: %v", got)
	}
}

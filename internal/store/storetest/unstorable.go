package storetest

import (
	"errors"
	"testing"

	"github.com/authd/authd/internal/auth"
)

// testUnstorableText: text the database cannot hold (PostgreSQL refuses NUL
// and invalid UTF-8 outright; SQLite keeps any bytes) is never reported as
// an infrastructure failure, which the circuit breaker would count. The
// service refuses such text before it reaches a store; this is the store's
// own line of defence.
func testUnstorableText(t *testing.T, s auth.Store) {
	ctx := t.Context()
	bad := []string{"a\x00b", "\xff\xfe", "a\x00b@example.com", "\xff\xfe@example.com"}
	for _, text := range bad {
		_, err := s.UserByUsername(ctx, text)
		assertNotOutage(t, "UserByUsername", text, err)
		_, err = s.UserByEmail(ctx, text)
		assertNotOutage(t, "UserByEmail", text, err)
		u := newUser("unstorable")
		u.Email = text
		_, err = s.CreateUser(ctx, u)
		assertNotOutage(t, "CreateUser with email", text, err)
	}
	// The store still serves after all of them.
	mustCreate(t, s, newUser("after"))
}

// assertNotOutage checks that err, if any, is not a DatabaseError; a
// lookup may find nothing, or the value may be refused as the caller's
// fault.
func assertNotOutage(t *testing.T, what, text string, err error) {
	t.Helper()
	var e *auth.Error
	if errors.As(err, &e) && e.Code == auth.CodeDatabase {
		t.Errorf("%s(%q): err = %v, a refused value is not an outage", what, text, err)
	}
}

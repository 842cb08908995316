package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// assertUser compares every field; times must be equal instants and in UTC.
func assertUser(t *testing.T, what string, got, want auth.User) {
	t.Helper()
	if got.ID != want.ID || got.Username != want.Username || got.Email != want.Email ||
		got.HashedPassword != want.HashedPassword || got.IsActive != want.IsActive {
		t.Errorf("%s: got %+v, want %+v", what, got, want)
	}
	assertTime(t, what+": CreatedAt", got.CreatedAt, want.CreatedAt)
	assertTime(t, what+": UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	switch {
	case got.LastLogin == nil && want.LastLogin == nil:
	case got.LastLogin == nil || want.LastLogin == nil:
		t.Errorf("%s: LastLogin = %v, want %v", what, got.LastLogin, want.LastLogin)
	default:
		assertTime(t, what+": LastLogin", *got.LastLogin, *want.LastLogin)
	}
}

func assertTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
	if got.Location() != time.UTC {
		t.Errorf("%s = %v, want it in UTC", what, got)
	}
}

// assertErrorIs checks that err wraps target and is not a database failure,
// which would make the service answer 500 instead of 404 or 409.
func assertErrorIs(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: err = %v, want %v", what, err, target)
		return
	}
	var e *auth.Error
	if errors.As(err, &e) && e.Code == auth.CodeDatabase {
		t.Errorf("%s: err = %v, is a DatabaseError", what, err)
	}
}

package storetest

import (
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// testVerifiedByAdmin: an admin's create and update set and clear the
// address's verification (API.md, Roles and administration), and a new
// address without email_verified is unverified until proven.
func testVerifiedByAdmin(t *testing.T, s auth.Store) {
	nu := newUser("vera")
	nu.Verified = true
	u := mustCreate(t, s, nu)
	if u.EmailVerifiedAt == nil || !u.EmailVerifiedAt.Equal(nu.CreatedAt) {
		t.Fatalf("created with Verified: email_verified_at = %v, want %v", u.EmailVerifiedAt, nu.CreatedAt)
	}
	if plain := mustCreate(t, s, newUser("unvera")); plain.EmailVerified() {
		t.Errorf("created without Verified: email_verified_at = %v, want none", plain.EmailVerifiedAt)
	}
	yes, no := true, false
	later := nu.CreatedAt.Add(time.Hour)
	update := func(c auth.UserUpdate) auth.User {
		t.Helper()
		c.UserID, c.At = u.ID, later
		got, _, err := s.UpdateUser(t.Context(), c)
		if err != nil {
			t.Fatalf("UpdateUser(%+v): %v", c, err)
		}
		return got
	}
	if got := update(auth.UserUpdate{Verified: &yes}); got.EmailVerifiedAt == nil || !got.EmailVerifiedAt.Equal(nu.CreatedAt) {
		t.Errorf("verified again: email_verified_at = %v, want the first time %v kept", got.EmailVerifiedAt, nu.CreatedAt)
	}
	if got := update(auth.UserUpdate{Verified: &no}); got.EmailVerified() {
		t.Errorf("verification cleared: email_verified_at = %v, want none", got.EmailVerifiedAt)
	}
	if got := update(auth.UserUpdate{Verified: &yes}); got.EmailVerifiedAt == nil || !got.EmailVerifiedAt.Equal(later) {
		t.Errorf("verified: email_verified_at = %v, want %v", got.EmailVerifiedAt, later)
	}
	other := "vera.new@example.com"
	if got := update(auth.UserUpdate{Email: &other}); got.EmailVerified() {
		t.Errorf("a new address without Verified: email_verified_at = %v, want none", got.EmailVerifiedAt)
	}
	again := "vera.third@example.com"
	if got := update(auth.UserUpdate{Email: &again, Verified: &yes}); got.EmailVerifiedAt == nil || !got.EmailVerifiedAt.Equal(later) {
		t.Errorf("a new address with Verified: email_verified_at = %v, want %v", got.EmailVerifiedAt, later)
	}
	same := again
	if got := update(auth.UserUpdate{Email: &same}); !got.EmailVerified() {
		t.Errorf("the same address again: verification lost")
	}
}

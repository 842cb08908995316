package auth

import "time"

// User is an account as the store keeps it. HashedPassword never leaves the
// service: the HTTP layer has its own response type without it.
type User struct {
	ID             int64
	Username       string
	Email          string
	HashedPassword string
	IsActive       bool
	// Roles are the user's role names (API.md, Roles and administration),
	// sorted, never nil once read from a store.
	Roles     []string
	CreatedAt time.Time
	UpdatedAt time.Time
	// LastLogin is nil until the first successful login.
	LastLogin *time.Time
	// EmailVerifiedAt is when the address was proven to reach the user
	// (a verification link or code, or a password reset through it); nil
	// while unverified.
	EmailVerifiedAt *time.Time
	// MFAEnabled is true when the user's TOTP factor is confirmed. Only the
	// reads that answer a user object fill it (SessionWithUser, and a login
	// through the second step); the other lookups leave it false.
	MFAEnabled bool
}

// EmailVerified reports whether the user's address is verified.
func (u User) EmailVerified() bool { return u.EmailVerifiedAt != nil }

// NewUser is what the service hands a Store to create: already validated,
// email lower-cased and NFC-normalised, password hashed, timestamps set
// (UTC, whole seconds).
type NewUser struct {
	Username       string
	Email          string
	HashedPassword string
	CreatedAt      time.Time
	// Roles are the new user's roles, valid and sorted (an admin's create).
	Roles []string
	// Inactive creates the user deactivated (an admin's create).
	Inactive bool
	// Verified creates the user with the address verified at CreatedAt
	// (an admin's create with email_verified, `authd user create --verified`).
	Verified bool
	// Session, when set, is the first session of the new user (a
	// registration logs in), stored in the same transaction; its UserID
	// is filled in by the store.
	Session *Session
	// Throttle is what the registration records in the throttle records:
	// the client IP known to the new account, as a login makes it
	// (API.md, Throttling); empty, it writes nothing.
	Throttle LoginSuccess
	// Verify, when set, is the verification code of the new address and
	// its mail, stored in the same transaction (its UserID filled in by
	// the store): a registration never leaves a user whose verification
	// mail was lost.
	Verify *CodeRequest
	Event  Event
}

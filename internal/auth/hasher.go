package auth

import (
	"context"
	"errors"
)

// PasswordHasher hashes and checks passwords; *password.Hasher is the real
// one. Compare's mismatch wraps ErrPasswordMismatch; a full hash queue
// wraps ErrHashOverloaded.
type PasswordHasher interface {
	// Cost is the bcrypt cost of the hashes Hash makes.
	Cost() int
	// HashCost is the cost a stored hash was made at.
	HashCost(hash string) (int, error)
	Hash(ctx context.Context, password string) (string, error)
	Compare(ctx context.Context, hash, password string) error
	CompareDummy(ctx context.Context, password string) error
}

// CommonPasswords tells a password too common to accept (NIST SP 800-63B
// §5.1.1.2); *password.CommonList is the real one, built once at start-up.
type CommonPasswords interface {
	IsCommon(password string) bool
}

// The register rule's bounds on a password, in bytes: bcrypt reads only
// the first 72, so a longer password is refused rather than cut.
const (
	PasswordMinBytes = 8
	PasswordMaxBytes = 72
)

// Sentinel errors a PasswordHasher returns, wrapped with context.
var (
	// ErrPasswordMismatch: the password is not the one hashed.
	ErrPasswordMismatch = errors.New("password does not match")
	// ErrHashOverloaded: the bcrypt queue is full or the wait too long.
	ErrHashOverloaded = errors.New("password hashing overloaded")
)

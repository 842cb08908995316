// Package password hashes and checks passwords with bcrypt on a bounded
// pool of workers, keeps the dummy hash that makes a login for an unknown
// user cost as much as one for a real user, and holds the list of passwords
// too common to accept (CommonList).
//
// The common-password list is zxcvbn's password frequency list: the 30,000
// most frequent passwords of Xato's 10-million-password corpus, as zxcvbn
// 4.4.2 ships them (MIT licence, Copyright (c) 2012-2016 Dan Wheeler and
// Dropbox, Inc.), taken from the Go port github.com/trustelem/zxcvbn, package
// frequency (MIT licence, Copyright (c) 2018 Vincent Vanackere and
// Trustelem).
package password

import (
	"context"
	"errors"
	"fmt"
	"github.com/authd/authd/internal/auth"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Password length limits in bytes, the register rule's (auth.PasswordMinBytes
// and auth.PasswordMaxBytes). bcrypt reads at most 72 bytes of its input
// (the Blowfish key schedule takes 18 32-bit words); a longer password is
// refused rather than silently cut, since every password that shares its
// first 72 bytes would otherwise match.
const (
	MinBytes = auth.PasswordMinBytes
	MaxBytes = auth.PasswordMaxBytes
)

// Sentinel errors.
var (
	// ErrTooLong: Hash refuses a password over MaxBytes instead of
	// truncating it.
	ErrTooLong = errors.New("password longer than 72 bytes")
)

// dummyPassword is hashed once, lazily, to give unknown-user logins a hash
// to compare against. Its value does not matter; nobody logs in with it.
const dummyPassword = "authd-dummy-password-for-unknown-users"

// Hasher runs bcrypt at one cost with at most Pool.Workers hashes at a
// time, so a burst of logins cannot take every core. It is safe for
// concurrent use.
type Hasher struct {
	cost    int
	slots   chan struct{} // the semaphore; see acquire
	queue   int64
	maxWait time.Duration
	waiting atomic.Int64

	// around, when set (by tests only), runs each piece of bcrypt work in
	// its slot, so a test can watch what runs and how much at once.
	around func(work func() error) error

	// The dummy hash is made on first use, not in NewHasher: at cost 12
	// it takes a quarter of a second that start-up need not spend.
	dummyOnce sync.Once
	dummy     []byte
	dummyErr  error
}

// NewHasher checks cost (bcrypt's 4–31) and sizes the pool.
func NewHasher(cost int, pool Pool) (*Hasher, error) {
	if cost < bcrypt.MinCost || cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("password: bcrypt cost %d outside %d–%d", cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	workers := pool.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	return &Hasher{cost: cost, slots: make(chan struct{}, workers), queue: int64(pool.Queue), maxWait: pool.MaxWait}, nil
}

// Cost is the bcrypt cost new hashes get.
func (h *Hasher) Cost() int { return h.cost }

// HashCost is the bcrypt cost a hash was made at, as auth.PasswordHasher
// asks it of a Hasher.
func (h *Hasher) HashCost(hash string) (int, error) { return HashCost(hash) }

// HashCost is the bcrypt cost a hash was made at.
func HashCost(hash string) (int, error) {
	cost, err := bcrypt.Cost([]byte(hash))
	if err != nil {
		return 0, fmt.Errorf("password: hash cost: %w", err)
	}
	return cost, nil
}

// Hash returns the bcrypt hash of password at the Hasher's cost, or
// ErrTooLong for a password over MaxBytes: it never truncates.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if len(password) > MaxBytes {
		return "", ErrTooLong
	}
	var hash []byte
	err := h.run(ctx, func() error {
		var err error
		hash, err = bcrypt.GenerateFromPassword([]byte(password), h.cost)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("password: hash: %w", err)
	}
	return string(hash), nil
}

// Compare reports nil when password matches hash, else auth.ErrPasswordMismatch. The
// hash carries its own cost, so hashes made at an older cost still verify.
// A password over MaxBytes never matches, and costs no bcrypt: bcrypt
// would compare only its first 72 bytes, so "registered password + any
// suffix" would log in.
func (h *Hasher) Compare(ctx context.Context, hash, password string) error {
	if len(password) > MaxBytes {
		return auth.ErrPasswordMismatch
	}
	return h.run(ctx, func() error { return compare([]byte(hash), password) })
}

func compare(hash []byte, password string) error {
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	if errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) {
		return auth.ErrPasswordMismatch
	}
	if err != nil {
		return fmt.Errorf("password: compare: %w", err)
	}
	return nil
}

// CompareDummy spends one bcrypt comparison at the Hasher's cost against a
// hash no password matches, so that a login for an unknown user takes as
// long as one with a wrong password. It returns auth.ErrPasswordMismatch, or the error
// that kept it from comparing (a done ctx, auth.ErrHashOverloaded).
func (h *Hasher) CompareDummy(ctx context.Context, password string) error {
	if len(password) > MaxBytes {
		// Keep the cost of one full comparison; the answer is a mismatch
		// anyway.
		password = password[:MaxBytes]
	}
	err := h.run(ctx, func() error {
		// Made inside a slot, so the one-off hashing is bounded by the pool
		// like any other; it does not use ctx, so a cancelled first caller
		// cannot leave a half-made dummy behind.
		h.dummyOnce.Do(func() {
			h.dummy, h.dummyErr = bcrypt.GenerateFromPassword([]byte(dummyPassword), h.cost)
		})
		if h.dummyErr != nil {
			return fmt.Errorf("password: dummy hash: %w", h.dummyErr)
		}
		return compare(h.dummy, password)
	})
	if err != nil {
		return err
	}
	return auth.ErrPasswordMismatch // reached only if someone typed the dummy password
}

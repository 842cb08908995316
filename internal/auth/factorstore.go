package auth

import (
	"context"
	"errors"
	"time"
)

// FactorStore keeps the facts of two-factor login: each user's TOTP factor
// with its last accepted step, the recovery codes (keyed hashes), and the
// login challenges between the password and the code (hashed mfa_tokens).
// Each method that writes is one use case and one transaction, with the
// Event it is handed. A second factor is spent inside the transaction of
// what it unlocks, by its Proof: the compare-and-swap of the last step or
// the delete of one recovery code, so two requests with one code, on one
// replica or many, never both pass.
type FactorStore interface {
	// EnrolFactor stores e as the user's pending factor, replacing a
	// pending one. ErrFactorOn when the user's factor is confirmed.
	EnrolFactor(ctx context.Context, e FactorEnrolment) error
	// FactorByUser returns the user's factor, pending or confirmed;
	// ErrFactorNotFound when there is none.
	FactorByUser(ctx context.Context, userID int64) (Factor, error)
	// ConfirmFactor turns the pending factor on: when it is still pending
	// and its last step is before c.Step, confirmed_at becomes c.At and
	// the last step c.Step; the recovery codes become c.Recovery; every
	// session of the user but c.KeepSession ends for EndMFA (ended says
	// how many); c.Notice is queued when set. ErrStepUsed when the swap
	// did not match (a racing confirm won, or the factor is gone).
	ConfirmFactor(ctx context.Context, c FactorConfirmation) (ended int64, err error)
	// SpendProof spends u.Proof alone: what a change guarded by a second
	// factor (password, address, account deletion) checks first.
	// ErrStepUsed when the step was used, ErrRecoveryCodeNotFound when
	// the recovery code is not (or no longer) the user's.
	SpendProof(ctx context.Context, u ProofUse) error
	// DisableFactor removes the user's factor and recovery codes after
	// spending r.Proof (none for an operator's reset), queues r.Notice
	// when set, and reports whether there was a factor.
	DisableFactor(ctx context.Context, r FactorRemoval) (bool, error)
	// ReplaceRecoveryCodes spends r.Proof and makes r.Hashes the user's
	// only recovery codes.
	ReplaceRecoveryCodes(ctx context.Context, r RecoveryCodes) error
	// CreateChallenge stores c, the pending second step of a login.
	CreateChallenge(ctx context.Context, c MFAChallenge) error
	// ChallengeByHash returns the challenge whose token hash is hash;
	// ErrChallengeNotFound when there is none.
	ChallengeByHash(ctx context.Context, hash []byte) (MFAChallenge, error)
	// MissChallenge counts one wrong code against the challenge in one
	// UPDATE and returns its tries; ErrChallengeNotFound when it is gone.
	MissChallenge(ctx context.Context, hash []byte) (int, error)
	// FinishChallenge spends the challenge f.Hash (the delete matches only
	// while it is unexpired at f.At with fewer than f.MaxTries tries:
	// else ErrChallengeNotFound) and f.Proof, together or not at all.
	FinishChallenge(ctx context.Context, f ChallengeFinish) error
	// PurgeChallenges deletes at most limit challenges that expired
	// before before.
	PurgeChallenges(ctx context.Context, before time.Time, limit int) (int64, error)
}

// ErrFactorOn: two-factor is already on for the user.
var ErrFactorOn = errors.New("mfa factor already confirmed")

// ErrRecoveryCodeNotFound: the recovery code is not one of the user's
// unused codes.
var ErrRecoveryCodeNotFound = errors.New("recovery code not found")

// ErrChallengeNotFound: no live challenge has that token.
var ErrChallengeNotFound = errors.New("mfa challenge not found")

// Proof is a second factor being spent: a TOTP Step, or the keyed hash of
// a recovery code (exactly one is set).
type Proof struct {
	Step     int64
	Recovery []byte
}

// FactorEnrolment is a new pending factor.
type FactorEnrolment struct {
	UserID int64
	Sealed []byte
	At     time.Time
	Event  Event
}

// FactorConfirmation turns a pending factor on.
type FactorConfirmation struct {
	UserID      int64
	Step        int64
	Recovery    [][]byte
	KeepSession string
	At          time.Time
	Notice      *QueuedMail
	Event       Event
}

// ProofUse spends a second factor of UserID.
type ProofUse struct {
	UserID int64
	Proof  Proof
	At     time.Time
	Event  Event
}

// FactorRemoval turns two-factor off; Proof is nil for an operator's reset.
type FactorRemoval struct {
	UserID int64
	Proof  *Proof
	At     time.Time
	Notice *QueuedMail
	Event  Event
}

// RecoveryCodes replaces a user's recovery codes.
type RecoveryCodes struct {
	UserID int64
	Proof  Proof
	Hashes [][]byte
	At     time.Time
	Event  Event
}

// MFAChallenge is the second step a login with the right password waits
// for: only the hash of its mfa_token is kept.
type MFAChallenge struct {
	Hash      []byte
	UserID    int64
	Tries     int
	CreatedAt time.Time
	ExpiresAt time.Time
}

// ChallengeFinish spends a challenge with the second factor that passed.
type ChallengeFinish struct {
	Hash     []byte
	UserID   int64
	Proof    Proof
	MaxTries int
	At       time.Time
	Event    Event
}

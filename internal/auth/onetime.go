package auth

import (
	"context"
	"errors"
	"time"
)

// Purpose says what a one-time code is for; a code of one purpose never
// works for another.
type Purpose string

// The purposes of one-time codes (API.md, Password recovery, Email
// verification and change).
const (
	PurposeReset  Purpose = "reset"
	PurposeVerify Purpose = "verify"
	// PurposeChange confirms a new address: its Email is the new one.
	PurposeChange Purpose = "change"
)

// OneTimeCode is a mailed link token and 6-digit code as the store keeps
// them: only keyed hashes (HMAC-SHA256 under a data-key-derived key), so a
// leaked table holds nothing that works. A spent code is deleted.
type OneTimeCode struct {
	ID      int64
	UserID  int64
	Purpose Purpose
	// Email is the address the code was mailed to: the user's for reset
	// and verify, the new one for a change.
	Email     string
	TokenHash []byte
	CodeHash  []byte
	// Tries counts the attempts made with the code form, right or wrong.
	Tries     int
	CreatedAt time.Time
	ExpiresAt time.Time
}

// ErrCodeNotFound: no live code matches (unknown, spent, or replaced by a
// newer one).
var ErrCodeNotFound = errors.New("one-time code not found")

// CodeRequest is a new one-time code and the mails of the request that
// made it, written in one transaction. The store keeps the code only when
// Code.UserID is an active user (and then the mails too), and reports
// whether it did; for an unknown or inactive account the service hands it
// the same request with UserID 0, so every answer costs the same work.
type CodeRequest struct {
	Code  OneTimeCode
	Mails []QueuedMail
	// Replaces, when set, is the queued request this answers: it leaves
	// the queue in the same transaction, whatever is stored.
	Replaces string
	Event    Event
}

// PasswordReset is a reset's one write: code CodeID is spent, the hash
// replaced, the address verified when it is still Email, every session
// ended for EndReset, every other reset code deleted, the throttle
// records of Throttle written (the account's failures forgotten), and
// Notice queued.
type PasswordReset struct {
	CodeID   int64
	UserID   int64
	Email    string
	Hash     string
	At       time.Time
	Throttle LoginSuccess
	Notice   QueuedMail
	Event    Event
}

// EmailVerification spends code CodeID and verifies its address: with
// Change, the user's address becomes Email (ErrUserExists when taken);
// without, the address is verified when it is still Email.
type EmailVerification struct {
	CodeID int64
	UserID int64
	Email  string
	Change bool
	At     time.Time
	Event  Event
}

// CodeStore keeps one-time codes; the rule that decides what a stored code
// means (expiry, tries) lives in recovery, not in the stores.
type CodeStore interface {
	// RequestCode deletes the user's older codes of the same purpose and
	// stores r.Code and r.Mails, in one transaction, when r.Code.UserID is
	// an active user; stored is false when it is not, and then nothing is
	// written. Only the newest request's code works.
	RequestCode(ctx context.Context, r CodeRequest) (stored bool, err error)
	// CodeByToken returns the code whose TokenHash is hash, or
	// ErrCodeNotFound.
	CodeByToken(ctx context.Context, hash []byte) (OneTimeCode, error)
	// CodeByEmail returns the newest code of one of purposes mailed to
	// email, or ErrCodeNotFound.
	CodeByEmail(ctx context.Context, email string, purposes []Purpose) (OneTimeCode, error)
	// TryCode adds one to the code's Tries and returns the new count, in
	// one atomic UPDATE, so racing guesses are all counted before any is
	// compared; ErrCodeNotFound when it is gone.
	TryCode(ctx context.Context, id int64) (int, error)
	// ResetPassword is the reset of r (see PasswordReset), in one
	// transaction; ErrCodeNotFound (nothing written) when the code was
	// spent or expired at r.At meanwhile. It returns how many sessions
	// ended.
	ResetPassword(ctx context.Context, r PasswordReset) (ended int64, err error)
	// VerifyEmail is v (see EmailVerification) in one transaction;
	// ErrCodeNotFound when the code was spent or expired meanwhile,
	// ErrUserExists when a change's address is taken (the code stays).
	VerifyEmail(ctx context.Context, v EmailVerification) error
	// PurgeCodes deletes at most limit codes that expired before before,
	// and returns how many.
	PurgeCodes(ctx context.Context, before time.Time, limit int) (int64, error)
}

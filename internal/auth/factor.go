package auth

import (
	"errors"
	"time"
)

// Factor is a user's TOTP factor as the store keeps it (API.md, Two-factor
// login). The secret is sealed with the data keys (DataKeys.Seal, bound to
// the user), so a leaked table holds no secret and a data-key rotation
// leaves it readable. A factor with no ConfirmedAt is pending: enrolment
// began but no code has proven the app holds the secret, and two-factor is
// not on yet.
type Factor struct {
	UserID int64
	// Sealed is the secret, sealed by DataKeys.Seal.
	Sealed []byte
	// LastStep is the last TOTP step (Unix time / 30) whose code was
	// accepted; 0 before any. A code of a step at or before it is a
	// replay. The stores move it only by compare-and-swap.
	LastStep    int64
	CreatedAt   time.Time
	ConfirmedAt *time.Time
}

// On reports whether two-factor is on for the user: the factor is confirmed.
func (f Factor) On() bool { return f.ConfirmedAt != nil }

// ErrFactorNotFound: the user has no factor (pending or confirmed).
var ErrFactorNotFound = errors.New("mfa factor not found")

// ErrStepUsed is a store's answer when the compare-and-swap on a factor's
// last step did not match: a code of that step (or a later one) was
// accepted first, here or on another replica.
var ErrStepUsed = errors.New("totp step already used")

// TOTP makes RFC 6238 secrets and codes; internal/otp implements it.
type TOTP interface {
	// NewSecret returns a fresh base32 secret for account and the
	// otpauth:// URL that carries it to an authenticator app.
	NewSecret(account string) (secret, url string, err error)
	// Code is the 6-digit code of secret at step.
	Code(secret string, step int64) (string, error)
}

// TOTPPeriod is the length of a step: RFC 6238's 30 seconds.
const TOTPPeriod = 30

// TOTPSkew is how many steps either side of now a code may be for: one,
// so a phone clock half a minute off still works; two is refused.
const TOTPSkew = 1

// TOTPStep is the step of t.
func TOTPStep(t time.Time) int64 { return t.Unix() / TOTPPeriod }

// totpOutcome is what a code that matched step comes to.
type totpOutcome int

// The outcomes of decideTOTP.
const (
	// totpAccept: a fresh step inside the skew; move the factor's last
	// step to it (compare-and-swap) and let the code in.
	totpAccept totpOutcome = iota
	// totpReplayed: a code of this step, or of a later one, was accepted
	// before.
	totpReplayed
	// totpOutside: the step is more than TOTPSkew steps from now.
	totpOutside
)

// String names the outcome in logs.
func (o totpOutcome) String() string {
	switch o {
	case totpAccept:
		return "accepted"
	case totpReplayed:
		return "replayed"
	}
	return "outside_window"
}

// decideTOTP is the rule for a code that matched step of f's secret at
// now. It reads only facts, so every replica decides alike; the store's
// compare-and-swap on LastStep then settles two replicas deciding at once.
// A step outside the window is refused before the replay check, so an old
// code says nothing about whether it was ever used.
func decideTOTP(f Factor, step int64, now time.Time) totpOutcome {
	cur := TOTPStep(now)
	if step < cur-TOTPSkew || step > cur+TOTPSkew {
		return totpOutside
	}
	if step <= f.LastStep {
		return totpReplayed
	}
	return totpAccept
}

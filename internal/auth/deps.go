package auth

import (
	"io"
	"log/slog"
	"time"
)

// Deps is what the core Service and the use-case packages (admin, and
// later recovery and mfa) are built from: the adapters that meet in run()
// and the settings that shape the rules. Only Store is required of every
// user of Deps; each use case needs the adapters its work touches.
type Deps struct {
	Store   Store
	Hasher  PasswordHasher
	Common  CommonPasswords
	Tokens  TokenIssuer
	Refresh RefreshTokens
	Policy  SessionPolicy
	// Data are the data keys: what seals stored secrets and keys their
	// HMACs (datakeys.go); nil where nothing needs them.
	Data DataKeys
	// TOTP makes and checks two-factor codes (internal/otp); nil where
	// two-factor is not used.
	TOTP TOTP
	// Mailer composes the verification mail a registration queues; nil
	// when mail is off (register sends nothing).
	Mailer Mailer
	// RequireVerified is AUTHD_REQUIRE_VERIFIED_EMAIL: register opens no
	// session and login and refresh refuse an unverified address.
	RequireVerified bool
	// Throttle holds the limits of throttle.go; zero throttles nothing
	// (tests of other features, the operator commands).
	Throttle Throttle
	// Observer is told each outcome, for metrics; nil observes nothing.
	Observer Observer
	// Log is where use cases log; nil discards.
	Log *slog.Logger
	// Now is the clock; nil means time.Now. Tests inject theirs.
	Now func() time.Time
	// AuditRetention is how long audit events are kept
	// (AUTHD_AUDIT_RETENTION); 0 means DefaultAuditRetention.
	AuditRetention time.Duration
}

// DefaultAuditRetention is AUTHD_AUDIT_RETENTION's default: 90 days.
const DefaultAuditRetention = 2160 * time.Hour

// Clock returns the current time in UTC, whole seconds: the precision
// API.md shows and the one both databases keep alike. Every use case
// reads the time through it.
func (d Deps) Clock() time.Time {
	if d.Now == nil {
		return time.Now().UTC().Truncate(time.Second)
	}
	return d.Now().UTC().Truncate(time.Second)
}

// Instant is the current time as the clock gives it, not rounded: for
// what must not gain the fraction of a second that Clock drops
// (Pair.ExpiresIn).
func (d Deps) Instant() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

// Logger is Log, or a logger that discards when Log is nil.
func (d Deps) Logger() *slog.Logger {
	if d.Log == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return d.Log
}

// Observe is Observer, or one that counts nothing when it is nil.
func (d Deps) Observe() Observer {
	if d.Observer == nil {
		return nopObserver{}
	}
	return d.Observer
}

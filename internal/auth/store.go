package auth

import (
	"context"
	"time"
)

// Store persists users, their sessions and the facts of throttling. Implementations live in
// internal/store/...; each must pass the storetest suite. It is made of
// small interfaces, one per kind of fact, so that the breaker and the suite
// cover every method by construction.
//
// Errors: a lookup that finds nothing wraps ErrUserNotFound (users) or
// ErrSessionNotFound (sessions); a write refused
// by a unique constraint wraps ErrUserExists (uniqueness is decided by the
// database, never by a check-then-insert); an infrastructure failure is
// returned wrapped in DatabaseError, and only that kind counts towards
// opening the circuit breaker; a value the database refuses is
// InvalidData, any other refusal StoreRefused. No driver type escapes a
// Store.
type Store interface {
	UserStore
	SessionStore
	AttemptStore
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error
}

// UserStore keeps the accounts.
type UserStore interface {
	// CreateUser inserts u as an active user and returns it with its ID.
	CreateUser(ctx context.Context, u NewUser) (User, error)
	// UserByID returns the user with that ID.
	UserByID(ctx context.Context, id int64) (User, error)
	// UserByUsername matches the username without regard to ASCII case.
	UserByUsername(ctx context.Context, username string) (User, error)
	// UserByEmail matches the email without regard to case.
	UserByEmail(ctx context.Context, email string) (User, error)
	// SetLastLogin records a successful login at t (also updated_at).
	SetLastLogin(ctx context.Context, id int64, t time.Time) error
	// SetActive activates or deactivates a user; updated_at becomes t.
	SetActive(ctx context.Context, id int64, active bool, t time.Time) error
	// SetPasswordHash replaces the user's password hash (a rehash at a new
	// bcrypt cost, a changed password); updated_at becomes t.
	SetPasswordHash(ctx context.Context, id int64, hash string, t time.Time) error
}

// SessionStore keeps the facts of sessions and does the one atomic step
// rotation needs; the rules that decide what the facts mean live in this
// package (rotation.go), not in the stores.
type SessionStore interface {
	// CreateSession inserts s as given (its ID is chosen by the service).
	CreateSession(ctx context.Context, s Session) error
	// SessionWithUser returns the session and its user in one query: the
	// check behind every bearer call and every refresh.
	SessionWithUser(ctx context.Context, id string) (Session, User, error)
	// RotateSession is the compare-and-swap of a refresh: when the session
	// is not ended and its counter is still from, the counter becomes
	// from+1, rotated_at and last_used_at become t and expires_at becomes
	// expires. It reports whether it matched; false means another refresh
	// or an end came first, and the caller reads the session again.
	RotateSession(ctx context.Context, id string, from int64, t, expires time.Time) (bool, error)
	// EndSession ends the session id of user userID when it is live at t
	// (not ended, expires_at after t), recording reason. It reports
	// whether it ended one.
	EndSession(ctx context.Context, id string, userID int64, reason EndReason, t time.Time) (bool, error)
	// EndUserSessions ends every session of userID that is not ended yet,
	// except the one with ID except ("" for none), and returns how many.
	EndUserSessions(ctx context.Context, userID int64, except string, reason EndReason, t time.Time) (int64, error)
	// UserSessions lists the user's live sessions at t, newest first.
	UserSessions(ctx context.Context, userID int64, t time.Time) ([]Session, error)
	// PurgeSessions deletes at most limit sessions that ended or expired
	// before before, and returns how many it deleted and, of those, the
	// ones the purge is where they are counted (see PurgedSessions).
	PurgeSessions(ctx context.Context, before time.Time, limit int) (PurgedSessions, error)
}

// PurgedSessions is what one SessionStore.PurgeSessions call deleted.
// Expired and Deactivated are subsets of Deleted, counted by the same
// statement that deleted the rows, so a row two replicas race for is
// counted by the one whose DELETE removed it.
type PurgedSessions struct {
	// Deleted is every session deleted.
	Deleted int64
	// Expired is the deleted sessions that expired without being ended
	// (ended_at unset): no request ended them.
	Expired int64
	// Deactivated is the deleted sessions ended for EndDeactivated: the
	// operator's command ended them in a process whose metrics nobody
	// scrapes.
	Deactivated int64
}

// AttemptStore keeps the facts throttling decides from (see throttle.go):
// counters of failures and registrations, and the record of the IPs an
// account logged in from. It only stores and counts; every rule lives in
// this package. Times are kept in UTC whole seconds, like the users'.
type AttemptStore interface {
	// AttemptRecords returns the records stored under keys, in no
	// particular order; a key with no record is left out. It is one read.
	AttemptRecords(ctx context.Context, keys []AttemptKey) ([]AttemptRecord, error)
	// HitCounters adds one to the counter under each hit's key, atomically
	// per key, and returns every counter as it is after the hit. A counter
	// whose window ended at or before at starts again at 1 with the hit's
	// WindowEnds; a missing one is created so. LastAt becomes at. Racing
	// hits of one key are all counted.
	HitCounters(ctx context.Context, at time.Time, hits []CounterHit) ([]AttemptRecord, error)
	// RecordLoginSuccess deletes the records under s.Forget and stores or
	// renews those under s.Known (LastAt s.At, WindowEnds s.KnownUntil,
	// Count 0), in one transaction.
	RecordLoginSuccess(ctx context.Context, s LoginSuccess) error
	// PurgeAttempts deletes at most limit records whose WindowEnds is
	// before t, and returns how many it deleted. Several replicas may purge
	// at once.
	PurgeAttempts(ctx context.Context, before time.Time, limit int) (int64, error)
}

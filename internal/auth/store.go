package auth

import (
	"context"
	"slices"
	"strings"
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
	CodeStore
	MailStore
	AdminStore
	AuditStore
	FactorStore
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error
}

// UserStore keeps the accounts. Each method that writes is one use case
// and one transaction: every row it changes, and the Event it is handed,
// are written together or not at all.
type UserStore interface {
	// CreateUser inserts u as an active user and returns it with its ID.
	// When u.Session is set, that session (its UserID filled in) is
	// inserted in the same transaction, and so are the throttle records of
	// u.Throttle: a registration leaves either a user with their first
	// session and known IP or nothing.
	CreateUser(ctx context.Context, u NewUser) (User, error)
	// UserByID returns the user with that ID.
	UserByID(ctx context.Context, id int64) (User, error)
	// UserByUsername matches the username without regard to ASCII case.
	UserByUsername(ctx context.Context, username string) (User, error)
	// UserByEmail matches the email without regard to case.
	UserByEmail(ctx context.Context, email string) (User, error)
	// SetActive activates or deactivates c.UserID (updated_at becomes
	// c.At; deactivating the last active admin is ErrLastAdmin); a deactivation also ends every session of the user not ended
	// yet, for EndDeactivated, in the same transaction, and returns how
	// many. A deactivated user is never left logged in.
	SetActive(ctx context.Context, c ActiveChange) (ended int64, err error)
	// ChangePassword replaces the user's hash (updated_at becomes c.At)
	// and ends every session of the user not ended yet but c.KeepSession,
	// for EndPassword, in the same transaction, and returns how many. A
	// changed password never leaves the old sessions alive.
	ChangePassword(ctx context.Context, c PasswordChange) (ended int64, err error)
	// RehashPassword is the compare-and-swap of a rehash at a new bcrypt
	// cost: when the user's hash is still old, it becomes new (updated_at
	// t). It reports whether it matched; false means the password changed
	// since the login read it, and the newer hash stays.
	RehashPassword(ctx context.Context, id int64, old, new string, t time.Time) (bool, error)
}

// ActiveChange is an operator's activation or deactivation of a user.
type ActiveChange struct {
	UserID int64
	Active bool
	At     time.Time
	Event  Event
}

// PasswordChange is a new password hash for a user, and the one session
// (the caller's, or "" for none) that outlives the change.
type PasswordChange struct {
	UserID      int64
	Hash        string
	KeepSession string
	At          time.Time
	Event       Event
}

// SessionStore keeps the facts of sessions and does the one atomic step
// rotation needs; the rules that decide what the facts mean live in this
// package (rotation.go), not in the stores.
type SessionStore interface {
	// CreateSession inserts n.Session as given (its ID is chosen by the
	// service) and, in the same transaction, what the login that opens it
	// records: last_login, the throttle records of n.Throttle. A login
	// leaves all of it or nothing. With n.LastLogin the user must still be
	// active: the write of last_login matches only an active user, so a
	// login that read the user just before a deactivation committed gets
	// ErrUserInactive and stores nothing, instead of a session the
	// deactivation did not end.
	//
	// With n.Cap, the user keeps at most n.Cap live sessions (at
	// n.Session.CreatedAt) once n.Session is in: the others with the
	// oldest last_used_at end for EndCap in the same transaction, and
	// ended says how many. The count and the ends are serialised per user
	// (on every replica), so racing logins at the cap leave exactly n.Cap.
	CreateSession(ctx context.Context, n NewSession) (ended int64, err error)
	// SessionWithUser returns the session and its user in one query: the
	// check behind every bearer call and every refresh.
	SessionWithUser(ctx context.Context, id string) (Session, User, error)
	// RotateSession is the compare-and-swap of a refresh: when the session
	// r.ID is not ended and its counter is still r.From, the counter
	// becomes r.From+1, rotated_at and last_used_at become r.At,
	// expires_at becomes r.Expires and rotated_ip r.IP. It reports whether
	// it matched; false means another refresh or an end came first, and
	// the caller reads the session again.
	RotateSession(ctx context.Context, r SessionRotation) (bool, error)
	// EndSession ends the session e.ID of user e.UserID when it is live
	// at e.At (not ended, expires_at after e.At), recording e.Reason. It
	// reports whether it ended one; false means it had ended, expired, or
	// is another user's.
	EndSession(ctx context.Context, e SessionEnd) (bool, error)
	// EndUserSessions ends every session of e.UserID that is not ended
	// yet, except the one with ID e.Except ("" for none), and returns how
	// many.
	EndUserSessions(ctx context.Context, e SessionEnd) (int64, error)
	// UserSessions lists the user's live sessions at t, newest first.
	UserSessions(ctx context.Context, userID int64, t time.Time) ([]Session, error)
	// PurgeSessions deletes at most limit sessions that ended or expired
	// before before, and returns how many it deleted and, of those, the
	// ones the purge is where they are counted (see PurgedSessions).
	PurgeSessions(ctx context.Context, before time.Time, limit int) (PurgedSessions, error)
}

// NewSession is a session to store, with what the login that opens it
// records in the same transaction.
type NewSession struct {
	Session Session
	// LastLogin makes Session.CreatedAt the user's last_login and
	// updated_at: set by a login, not by a registration.
	LastLogin bool
	// Throttle is the login's success as throttling records it (pair
	// counts reset, known IPs renewed); empty, it writes nothing.
	Throttle LoginSuccess
	// Cap is how many live sessions the user may have with this one
	// (SessionPolicy.MaxPerUser); 0 sets no bound.
	Cap   int
	Event Event
}

// SessionRotation is one refresh's rotation of a session: from counter
// From, at At, by the client at IP, its newest token now expiring at
// Expires.
type SessionRotation struct {
	ID      string
	From    int64
	At      time.Time
	Expires time.Time
	IP      string
}

// SessionEnd names the sessions an end is for and why: EndSession ends ID
// (of UserID), EndUserSessions every session of UserID but Except.
type SessionEnd struct {
	ID     string
	UserID int64
	Except string
	Reason EndReason
	At     time.Time
	Event  Event
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
	// (with a hit's Event, when the count reaches its EventAt, in the same
	// transaction)
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

// AdminStore keeps what administration changes and lists. Every method
// that removes an admin (a change of roles or activity, a deletion) applies
// the last-admin rule inside its transaction, serialised with every other
// such change (on every replica), so two racing demotions of the last two
// admins leave one: the other gets ErrLastAdmin and changes nothing.
type AdminStore interface {
	// UpdateUser applies the set fields of c to c.UserID (updated_at
	// c.At) and, when c.Active is false, ends every session of the user
	// for EndDeactivated; it returns the user as it is afterwards and how
	// many sessions ended. A taken username or email is ErrUserExists.
	UpdateUser(ctx context.Context, c UserUpdate) (User, int64, error)
	// DeleteUser deletes the user and, through the foreign keys' cascades,
	// every row that references it, but not its audit events.
	DeleteUser(ctx context.Context, d UserDelete) error
	// ListUsers returns at most q.Limit users with id above q.After, by
	// id ascending, whose username or email holds q.Query (any case).
	ListUsers(ctx context.Context, q UserQuery) ([]User, error)
}

// UserUpdate is an administrator's change of a user; a nil field stays.
type UserUpdate struct {
	UserID   int64
	Username *string
	Email    *string
	Active   *bool
	Roles    *[]string
	// Verified sets (true, keeping an earlier time) or clears the address's
	// verification. Nil keeps it, unless Email changes it: a new address is
	// unverified until proven.
	Verified *bool
	At       time.Time
	Event    Event
}

// UserDelete is the deletion of a user, by an admin or by themself.
type UserDelete struct {
	UserID int64
	Event  Event
}

// UserQuery is one page of the user list: After is the cursor (the last
// id of the previous page, 0 for the first).
type UserQuery struct {
	Query string
	After int64
	Limit int
}

// AuditStore reads and purges the audit trail; writing is the job of the
// use case store methods, inside their transactions.
type AuditStore interface {
	// Events returns at most q.Limit events, newest first (id
	// descending), with id below q.Before when it is not 0, of q.UserID
	// and q.Action when they are set.
	Events(ctx context.Context, q EventQuery) ([]Event, error)
	// PurgeEvents deletes at most limit events older than before and
	// returns how many.
	PurgeEvents(ctx context.Context, before time.Time, limit int) (int64, error)
}

// EventQuery selects events for Events.
type EventQuery struct {
	UserID int64
	Action Action
	Before int64
	Limit  int
}

// MayRemoveAdmin reports whether c could take admin from its user (a
// deactivation, or roles without admin): the stores check the last-admin
// rule for such a change.
func (c UserUpdate) MayRemoveAdmin() bool {
	return (c.Active != nil && !*c.Active) || (c.Roles != nil && !slices.Contains(*c.Roles, RoleAdmin))
}

// ContainsPattern is the LIKE pattern of a user search for query: its
// lower-cased text anywhere, with LIKE's own characters (%, _ and the
// escape \) taken literally. Both stores match lower(username) and email
// (stored lower-cased) against it.
func ContainsPattern(query string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.ToLower(query)) + "%"
}

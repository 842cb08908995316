package auth

import "time"

// Event is one entry of the audit trail (API.md, Audit trail): who changed
// what of whose account, and when. A use case that changes an account
// hands its Event to the one store method that makes the change, so that
// the store can write both in one transaction: no change without its event,
// no event without its change. An Event never holds a password, hash,
// token, code or secret, only what happened and to whom.
//
// Until the audit trail's table exists (the audit issue adds it, with
// insertEvent(tx, …) beside each store's other helpers), the stores accept
// the Event and keep nothing of it; the service already fills it in on
// every path that will write one.
type Event struct {
	Action Action
	At     time.Time
	// ActorID is who acted: "" for the user on their own account, ActorCLI
	// for an operator command, else the acting admin's user id.
	ActorID string
	// UserID is whose account it is; for a registration the store fills
	// it in with the new user's id.
	UserID    int64
	IP        string
	UserAgent string
	// Details are names of what changed (fields, scopes, reasons), never
	// their secret values.
	Details map[string]string
}

// Action names an audit event, as API.md lists them.
type Action string

// The actions of the use cases built so far; later ones add theirs.
const (
	ActionRegistered      Action = "user.registered"
	ActionLogin           Action = "user.login"
	ActionLogout          Action = "session.logout"
	ActionReuseDetected   Action = "session.reuse_detected"
	ActionPasswordChanged Action = "password.changed"
	ActionAdminLogout     Action = "admin.logout"
	// The actions of recovery (internal/auth/recovery).
	ActionResetRequested       Action = "password.reset_requested"
	ActionPasswordReset        Action = "password.reset"
	ActionEmailVerified        Action = "email.verified"
	ActionEmailChangeRequested Action = "email.change_requested"
	ActionEmailChanged         Action = "email.changed"
	ActionAdminUpdated         Action = "admin.user_updated"
	// The actions of two-factor login (internal/auth/mfa).
	ActionMFAEnabled          Action = "mfa.enabled"
	ActionMFADisabled         Action = "mfa.disabled"
	ActionMFARecoveryRenewed  Action = "mfa.recovery_codes_regenerated"
	ActionMFARecoveryCodeUsed Action = "mfa.recovery_code_used"
)

// ActorCLI is the ActorID of the operator's commands.
const ActorCLI = "cli"

// event is the Event of action by the user themself, from c, at at.
func (c Client) event(action Action, userID int64, at time.Time) Event {
	return Event{Action: action, At: at, UserID: userID, IP: c.IP, UserAgent: cut(printable(c.UserAgent), MaxUserAgent)}
}

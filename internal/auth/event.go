package auth

import "time"

// Event is one entry of the audit trail (API.md, Audit trail): who changed
// what of whose account, and when. A use case that changes an account
// hands its Event to the one store method that makes the change, so that
// the store can write both in one transaction: no change without its event,
// no event without its change. An Event never holds a password, hash,
// token, code or secret, only what happened and to whom.
// The stores write it with insertEvent(tx, …) inside the transaction of
// the change; an Event with no Action writes nothing.
type Event struct {
	// ID is the store's, set when the event is read back.
	ID     int64
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
	RequestID string
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
	ActionAccountLimit    Action = "throttle.account_limit"
	// The actions of recovery (internal/auth/recovery).
	ActionResetRequested       Action = "password.reset_requested"
	ActionPasswordReset        Action = "password.reset"
	ActionEmailVerified        Action = "email.verified"
	ActionEmailChangeRequested Action = "email.change_requested"
	ActionEmailChanged         Action = "email.changed"
	// The actions of administration (internal/auth/admin) and the CLI.
	ActionAdminCreated  Action = "admin.user_created"
	ActionAdminUpdated  Action = "admin.user_updated"
	ActionAdminDeleted  Action = "admin.user_deleted"
	ActionAdminLogout   Action = "admin.logout"
	ActionAdminPassword Action = "admin.password_set"
	ActionAdminMFAReset Action = "admin.mfa_reset"
	ActionUserDeleted   Action = "user.deleted"
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
	return Event{Action: action, At: at, UserID: userID, IP: c.IP, UserAgent: cut(printable(c.UserAgent), MaxUserAgent),
		RequestID: c.RequestID}
}

// with is e with one more detail.
func (e Event) with(name, value string) Event {
	return e.withAll(map[string]string{name: value})
}

// withAll is e with the details d added (d may be nil).
func (e Event) withAll(d map[string]string) Event {
	if len(d) == 0 {
		return e
	}
	out := make(map[string]string, len(e.Details)+len(d))
	for k, v := range e.Details {
		out[k] = v
	}
	for k, v := range d {
		out[k] = v
	}
	e.Details = out
	return e
}

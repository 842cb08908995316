package auth

import "context"

// ResetMailer queues a password-reset mail for a user (API.md, Password
// recovery): what POST /admin/users/{id}/password-reset and an admin's
// create with "send_reset" need. The mail work provides it; until it is
// wired in run(), it is nil and those operations answer 501
// NOT_CONFIGURED.
type ResetMailer interface {
	QueueReset(ctx context.Context, u User, e Event) error
}

// MFAResetter turns a user's two-factor login off, for a lost device
// (DELETE /admin/users/{id}/mfa, `authd user mfa-reset`). The two-factor
// work provides it; nil answers 501 NOT_CONFIGURED.
type MFAResetter interface {
	ResetMFA(ctx context.Context, userID int64, e Event) error
}

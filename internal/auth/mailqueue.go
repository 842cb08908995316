package auth

import (
	"context"
	"time"
)

// MailKind is the kind of a mail (API.md, Mail) and the kind label of
// authd_mail_sent_total.
type MailKind string

// The kinds of mail.
const (
	MailVerifyEmail     MailKind = "verify_email"
	MailResetPassword   MailKind = "reset_password"
	MailPasswordChanged MailKind = "password_changed"
	MailEmailChange     MailKind = "email_change_notice"
	MailMFAChanged      MailKind = "mfa_changed"
	// MailResetRequest is not a mail but a forgotten-password request in
	// the queue: the sender hands it to a MailRequests, which finds the
	// account and queues its reset_password mail (or nothing).
	MailResetRequest MailKind = "reset_request"
)

// MailKinds lists every MailKind, so a counter can start each at zero.
func MailKinds() []MailKind {
	return []MailKind{MailVerifyEmail, MailResetPassword, MailPasswordChanged, MailEmailChange, MailMFAChanged}
}

// MailResult is the result label of authd_mail_sent_total.
type MailResult string

// The mail results of API.md.
const (
	MailSent       MailResult = "sent"
	MailFailed     MailResult = "failed"
	MailDropped    MailResult = "dropped"
	MailSuppressed MailResult = "suppressed"
)

// MailResults lists every MailResult.
func MailResults() []MailResult {
	return []MailResult{MailSent, MailFailed, MailDropped, MailSuppressed}
}

// QueuedMail is one mail in the queue. Payload is the mail's data (the
// token, the code, what a notice tells) sealed with the data keys under a
// context that names ID, so it opens for this row only.
type QueuedMail struct {
	ID      string
	UserID  int64
	Kind    MailKind
	To      string
	Payload []byte
	// Attempts counts the claims of the mail, the current one included.
	Attempts  int
	CreatedAt time.Time
	// NextAt is when the mail may next be claimed.
	NextAt time.Time
}

// MailData is what a queued mail says, sealed in its Payload: the token
// and code of a link mail, what a notice tells. The mail package fills
// its templates from it.
type MailData struct {
	Username string `json:"username"`
	// Token and Code are the one-time link token and 6-digit code.
	Token string `json:"token,omitempty"`
	Code  string `json:"code,omitempty"`
	// ExpiresAt is when Token and Code stop working.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// At and IP are when and from which client the change was made.
	At time.Time `json:"at"`
	IP string    `json:"ip,omitempty"`
	// NewEmail is the address a change goes to (email_change_notice).
	NewEmail string `json:"new_email,omitempty"`
	// Login is the username or email a reset request names.
	Login string `json:"login,omitempty"`
}

// MailRequests resolves the queued requests whose account is found only
// at delivery (MailResetRequest). recovery.Service implements it.
type MailRequests interface {
	// HandleRequest turns m, whose data is d, into its mail, or into
	// nothing, and takes m out of the queue in the same write.
	HandleRequest(ctx context.Context, m QueuedMail, d MailData) error
}

// MailSealContext is the context a queued mail's Payload is sealed under:
// it names the row, so a payload copied to another row does not open.
func MailSealContext(id string) []byte { return []byte("authd mail v1 " + id) }

// MailStore is the queue the senders of every replica share.
type MailStore interface {
	// QueueMail adds m to the queue (m.UserID 0: no user yet).
	QueueMail(ctx context.Context, m QueuedMail) error
	// ClaimMail claims at most limit mails whose NextAt is at or before
	// at, oldest first: each one's NextAt becomes leaseUntil and its
	// Attempts grows by one, in one statement, so a mail is claimed by one
	// sender (PostgreSQL skips rows another transaction holds; SQLite has
	// one writer). A sender that dies leaves its claims to be taken again
	// after the lease.
	ClaimMail(ctx context.Context, at, leaseUntil time.Time, limit int) ([]QueuedMail, error)
	// RetryMail makes the mail claimable again at next.
	RetryMail(ctx context.Context, id string, next time.Time) error
	// FinishMail deletes the mail: delivered, or given up.
	FinishMail(ctx context.Context, id string) error
	// MailQueueDepth counts the mails in the queue.
	MailQueueDepth(ctx context.Context) (int64, error)
}

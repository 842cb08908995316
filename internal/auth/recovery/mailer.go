package recovery

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/authd/authd/internal/auth"
)

// Settings are the mail limits and lifetimes of API.md's Configuration.
type Settings struct {
	// ResetTTL and VerifyTTL are the lifetimes of reset and verification
	// links and codes.
	ResetTTL  time.Duration
	VerifyTTL time.Duration
	// AccountMax is mails to one account per hour (beyond: suppressed,
	// silently); IPMax mail-sending requests per client IP per hour
	// (beyond: 429). 0 turns a limit off.
	AccountMax int
	IPMax      int
}

// mailWindow is the window of both mail limits.
const mailWindow = time.Hour

// Mailer composes one-time codes and their sealed mails. It implements
// auth.Mailer, the port through which a registration queues its
// verification mail.
type Mailer struct {
	deps     auth.Deps
	settings Settings
	hash     hasher
}

var _ auth.Mailer = (*Mailer)(nil)

// NewMailer is the composer of d's data keys and s's lifetimes.
func NewMailer(d auth.Deps, s Settings) *Mailer {
	return &Mailer{deps: d, settings: s, hash: hasher{key: d.Data.MACKey(codeKeyPurpose)}}
}

// VerifyRequest is the verification code of u's address and its mail.
func (m *Mailer) VerifyRequest(u auth.User, c auth.Client, at time.Time) (*auth.CodeRequest, error) {
	r, err := m.codeRequest(u, auth.PurposeVerify, u.Email, m.settings.VerifyTTL, auth.MailVerifyEmail, c, at)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// codeRequest is a new code of purpose mailed to email as kind, for u,
// with the event left for the caller. u.ID may be 0: the store fills it
// in (registration) or stores nothing (an unknown account).
func (m *Mailer) codeRequest(u auth.User, purpose auth.Purpose, email string, ttl time.Duration, kind auth.MailKind, c auth.Client, at time.Time) (auth.CodeRequest, error) {
	s, err := newSecret()
	if err != nil {
		return auth.CodeRequest{}, err
	}
	th := m.hash.token(s.token)
	code := auth.OneTimeCode{UserID: u.ID, Purpose: purpose, Email: email, TokenHash: th,
		CodeHash: m.hash.code(th, s.code), CreatedAt: at, ExpiresAt: at.Add(ttl)}
	mail, err := m.mail(kind, email, auth.MailData{Username: u.Username, Token: s.token, Code: s.code,
		ExpiresAt: code.ExpiresAt, At: at, IP: c.IP}, at)
	if err != nil {
		return auth.CodeRequest{}, err
	}
	return auth.CodeRequest{Code: code, Mails: []auth.QueuedMail{mail}}, nil
}

// Notice is a notice of kind to u about a change c made at at.
func (m *Mailer) Notice(kind auth.MailKind, u auth.User, c auth.Client, at time.Time) (auth.QueuedMail, error) {
	return m.mail(kind, u.Email, auth.MailData{Username: u.Username, At: at, IP: c.IP}, at)
}

// mail is a queued mail of kind to to, its data sealed under a context
// naming its row (the token inside must not be readable at rest).
func (m *Mailer) mail(kind auth.MailKind, to string, data auth.MailData, at time.Time) (auth.QueuedMail, error) {
	raw := make([]byte, 16)
	if _, err := rand.Read(raw); err != nil {
		return auth.QueuedMail{}, fmt.Errorf("mail id: %w", err)
	}
	id := hex.EncodeToString(raw)
	plain, err := json.Marshal(data)
	if err != nil {
		return auth.QueuedMail{}, fmt.Errorf("mail data: %w", err)
	}
	sealed, err := m.deps.Data.Seal(plain, auth.MailSealContext(id))
	if err != nil {
		return auth.QueuedMail{}, fmt.Errorf("seal mail: %w", err)
	}
	return auth.QueuedMail{ID: id, Kind: kind, To: to, Payload: sealed, CreatedAt: at, NextAt: at}, nil
}

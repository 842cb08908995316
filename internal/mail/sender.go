package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/authd/authd/internal/auth"
)

// Delivery rules (API.md, Mail): the first retry within 10 s, doubling,
// at most 10 min apart, for 24 h; then the mail is dropped.
const (
	firstRetry = 5 * time.Second
	maxRetry   = 10 * time.Minute
	giveUp     = 24 * time.Hour
	// lease is how long a claim holds a mail: longer than one delivery
	// may take (sendTimeout), so a live sender's mail is never claimed
	// again; a dead sender's is, after it.
	lease = 5 * time.Minute
	// batch is how many mails one claim takes.
	batch = 20
)

// Links are the pages mail links open (AUTHD_RESET_URL, AUTHD_VERIFY_URL).
type Links struct {
	Reset  string
	Verify string
}

// Sender delivers the queue: it claims due mails, sends each, and deletes
// it or schedules its retry. Every replica runs one; the store's claim
// gives each mail to one of them.
type Sender struct {
	Store     auth.MailStore
	Keys      auth.DataKeys
	Transport Transport
	Templates *Templates
	Links     Links
	// From is the sender mailbox (AUTHD_MAIL_FROM).
	From     string
	Observer auth.Observer
	// Requests resolves the queued requests (reset requests) into mail.
	Requests auth.MailRequests
	Log      *slog.Logger
	// Now is the clock; tests inject theirs.
	Now func() time.Time
}

// nextAttempt is the rule of a failed delivery of m at now: retry at the
// returned time, or drop when 24 h have passed since it was queued. m's
// Attempts counts the attempt that just failed.
func nextAttempt(m auth.QueuedMail, now time.Time) (time.Time, bool) {
	if now.Sub(m.CreatedAt) >= giveUp {
		return time.Time{}, false
	}
	wait := firstRetry
	for i := 1; i < m.Attempts && wait < maxRetry; i++ {
		wait *= 2
	}
	return now.Add(min(wait, maxRetry)), true
}

// Run delivers due mail every interval until ctx ends. A delivery under
// way when ctx ends finishes (each is bounded by sendTimeout), so no mail
// is left half-marked: it is deleted, rescheduled, or still claimed and
// retried after its lease.
func (s *Sender) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.DeliverDue(context.WithoutCancel(ctx)); err != nil {
			s.Log.WarnContext(ctx, "mail delivery round failed", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// DeliverDue delivers the mails due now, one claim at a time until none
// is left, and returns how many it sent.
func (s *Sender) DeliverDue(ctx context.Context) (int, error) {
	sent := 0
	for {
		now := s.Now().UTC()
		mails, err := s.Store.ClaimMail(ctx, now, now.Add(lease), batch)
		if err != nil {
			return sent, fmt.Errorf("claim mail: %w", err)
		}
		resolved := false
		for _, m := range mails {
			if m.Kind == auth.MailResetRequest {
				// Its mail, if any, is queued due now: claim again.
				resolved = true
				if err := s.resolve(ctx, m); err != nil {
					return sent, err
				}
				continue
			}
			ok, err := s.deliver(ctx, m)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		if len(mails) < batch && !resolved {
			break
		}
	}
	depth, err := s.Store.MailQueueDepth(ctx)
	if err != nil {
		return sent, fmt.Errorf("mail queue depth: %w", err)
	}
	s.Observer.MailQueueDepth(depth)
	return sent, nil
}

// resolve hands a queued request to Requests. A request that cannot be
// opened never will be, and leaves the queue; one whose handling fails is
// logged and claimed again after its lease.
func (s *Sender) resolve(ctx context.Context, m auth.QueuedMail) error {
	d, err := s.open(m)
	if err != nil {
		s.Log.ErrorContext(ctx, "request dropped: cannot open", slog.String("mail_id", m.ID), slog.String("error", err.Error()))
		return s.Store.FinishMail(ctx, m.ID)
	}
	if err := s.Requests.HandleRequest(ctx, m, d); err != nil {
		s.Log.WarnContext(ctx, "request not resolved; will retry", slog.String("mail_id", m.ID), slog.String("error", err.Error()))
	}
	return nil
}

// open opens m's sealed data.
func (s *Sender) open(m auth.QueuedMail) (auth.MailData, error) {
	plain, err := s.Keys.Open(m.Payload, auth.MailSealContext(m.ID))
	if err != nil {
		return auth.MailData{}, fmt.Errorf("open mail: %w", err)
	}
	var d auth.MailData
	if err := json.Unmarshal(plain, &d); err != nil {
		return auth.MailData{}, fmt.Errorf("mail data: %w", err)
	}
	return d, nil
}

// deliver sends one claimed mail and records the outcome; the error is
// the queue's only, never the SMTP server's.
func (s *Sender) deliver(ctx context.Context, m auth.QueuedMail) (bool, error) {
	log := s.Log.With(slog.String("mail_id", m.ID), slog.String("kind", string(m.Kind)), slog.Int64("user_id", m.UserID))
	msg, err := s.compose(m)
	if err != nil {
		// A mail that cannot be opened or rendered never will be.
		log.ErrorContext(ctx, "mail dropped: cannot compose", slog.String("error", err.Error()))
		s.Observer.Mail(m.Kind, auth.MailDropped)
		return false, s.Store.FinishMail(ctx, m.ID)
	}
	sendErr := s.Transport.Send(ctx, msg)
	if sendErr == nil {
		s.Observer.Mail(m.Kind, auth.MailSent)
		log.InfoContext(ctx, "mail sent", slog.Int("attempts", m.Attempts))
		return true, s.Store.FinishMail(ctx, m.ID)
	}
	now := s.Now().UTC()
	next, retry := nextAttempt(m, now)
	if !retry {
		log.ErrorContext(ctx, "mail dropped: undelivered for 24 h", slog.Int("attempts", m.Attempts), slog.String("error", sendErr.Error()))
		s.Observer.Mail(m.Kind, auth.MailDropped)
		return false, s.Store.FinishMail(ctx, m.ID)
	}
	log.WarnContext(ctx, "mail delivery failed; will retry", slog.Int("attempts", m.Attempts),
		slog.Time("retry_at", next), slog.String("error", sendErr.Error()))
	s.Observer.Mail(m.Kind, auth.MailFailed)
	return false, s.Store.RetryMail(ctx, m.ID, next)
}

// compose opens m's sealed data and renders its templates.
func (s *Sender) compose(m auth.QueuedMail) (Message, error) {
	d, err := s.open(m)
	if err != nil {
		return Message{}, err
	}
	v := View{Username: d.Username, To: m.To, NewEmail: d.NewEmail, Code: d.Code, IP: d.IP, At: d.At.UTC().Format(time.RFC1123)}
	if v.IP == "" {
		v.IP = "an unknown address"
	}
	if d.Token != "" {
		base := s.Links.Verify
		if m.Kind == auth.MailResetPassword {
			base = s.Links.Reset
		}
		v.Link = base + "#token=" + d.Token
		v.ExpiresAt = d.ExpiresAt.UTC().Format(time.RFC1123)
		v.Lifetime = lifetime(d.ExpiresAt.Sub(d.At))
	}
	subject, text, html, err := s.Templates.render(m.Kind, v)
	if err != nil {
		return Message{}, err
	}
	return Message{ID: m.ID + "@" + domainOf(s.From), From: s.From, To: m.To, Subject: subject,
		Date: s.Now().UTC(), Text: text, HTML: html}, nil
}

// domainOf is the domain of the From mailbox, for Message-ID.
func domainOf(from string) string {
	if a, err := mail.ParseAddress(from); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok {
			return d
		}
	}
	return "authd.invalid"
}

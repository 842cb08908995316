package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/recovery"
	"github.com/authd/authd/internal/config"
	"github.com/authd/authd/internal/logging"
	"github.com/authd/authd/internal/mail"
)

// mailPollInterval is how often each replica's sender looks for due mail.
const mailPollInterval = time.Second

// mailing is mail as run() wires it: the composer the core's Deps hold,
// and the sender loop; zero when mail is off.
type mailing struct {
	mailer *recovery.Mailer
	sender *mail.Sender
}

// newMailing builds mail for cfg on d, or nothing when AUTHD_SMTP_URL is
// not set. Mail needs data keys that can seal (a token must not sit in the
// queue in the clear, nor under a key a signing-key rotation loses): a key
// file without a data key keeps mail off, with a WARN line, and the mail
// endpoints answer 501 as when it is not configured.
func newMailing(ctx context.Context, cfg config.Mail, d auth.Deps, log *slog.Logger) (mailing, error) {
	if !cfg.Enabled() {
		return mailing{}, nil
	}
	if !d.Data.CanSeal() {
		logging.For(log, "main").WarnContext(ctx, "mail is off: the key file holds no data key to seal queued mail with; add one (authd keys generate)")
		return mailing{}, nil
	}
	tmpl, err := mail.LoadTemplates(cfg.Templates)
	if err != nil {
		return mailing{}, &usageError{&config.Error{Var: "AUTHD_MAIL_TEMPLATES", Problem: err.Error()}}
	}
	transport, err := mail.NewSMTP(cfg.SMTPURL)
	if err != nil {
		return mailing{}, &usageError{&config.Error{Var: "AUTHD_SMTP_URL", Problem: err.Error()}}
	}
	m := recovery.NewMailer(d, recovery.Settings{ResetTTL: cfg.ResetTTL, VerifyTTL: cfg.VerifyTTL,
		AccountMax: cfg.AccountMax, IPMax: cfg.IPMax})
	s := &mail.Sender{Store: d.Store, Keys: d.Data, Transport: transport, Templates: tmpl,
		Links: mail.Links{Reset: cfg.ResetURL, Verify: cfg.VerifyURL}, From: cfg.From,
		Observer: d.Observe(), Log: logging.For(log, "mail"), Now: d.Now}
	if s.Now == nil {
		s.Now = time.Now
	}
	return mailing{mailer: m, sender: s}, nil
}

// startSender runs the sender beside the server; the returned function
// stops it and waits until its delivery in flight has finished.
func (m mailing) startSender(ctx context.Context) func() {
	if m.sender == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		m.sender.Run(ctx, mailPollInterval)
	}()
	return func() {
		cancel()
		<-done
	}
}

// recoveryService is the recovery use cases on core, or nil when mail is
// off.
func (m mailing) recoveryService(core *auth.Service) *recovery.Service {
	if m.mailer == nil {
		return nil
	}
	rec := recovery.New(core, m.mailer)
	m.sender.Requests = rec
	return rec
}

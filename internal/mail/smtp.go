package mail

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one mail as the transport sends it.
type Message struct {
	ID      string
	From    string
	To      string
	Subject string
	Date    time.Time
	Text    string
	HTML    string
}

// Transport sends one message; SMTP is the one authd uses.
type Transport interface {
	Send(ctx context.Context, m Message) error
}

// stepTimeout bounds each SMTP step (connect, each command, the data);
// sendTimeout the whole delivery of one message, so a server that
// trickles cannot hold a sender.
const (
	stepTimeout = 15 * time.Second
	sendTimeout = 60 * time.Second
)

// SMTP sends over SMTP to one server. smtp:// requires STARTTLS unless the
// host is a loopback address (a local relay or a development server);
// smtps:// speaks TLS from the first byte. The URL's userinfo, when
// present, is the AUTH login.
type SMTP struct {
	host string
	opts []gomail.Option
}

// NewSMTP is the transport of rawURL (AUTHD_SMTP_URL, already checked by
// config); the default port is 587 for smtp and 465 for smtps.
func NewSMTP(rawURL string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("smtp url: %w", err)
	}
	host := u.Hostname()
	port, policy, loopback := 587, gomail.TLSMandatory, isLoopback(host)
	opts := []gomail.Option{gomail.WithTimeout(stepTimeout)}
	switch u.Scheme {
	case "smtps":
		port = 465
		opts = append(opts, gomail.WithSSL())
	case "smtp":
		if loopback {
			// A relay or development server on this host: STARTTLS when
			// offered; nothing crosses a network without it.
			policy = gomail.TLSOpportunistic
		}
		opts = append(opts, gomail.WithTLSPolicy(policy))
	default:
		return nil, errors.New("smtp url: scheme must be smtp or smtps")
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("smtp url: port: %w", err)
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if u.User != nil {
		pass, _ := u.User.Password()
		auth := gomail.SMTPAuthAutoDiscover
		if loopback && u.Scheme == "smtp" {
			// A loopback server without STARTTLS: PLAIN in the clear
			// never leaves the host.
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	return &SMTP{host: host, opts: opts}, nil
}

// isLoopback reports whether host is a loopback address or localhost.
func isLoopback(host string) bool {
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	return host == "localhost"
}

// Send delivers m in one connection.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	msg := gomail.NewMsg()
	if err := msg.From(m.From); err != nil {
		return fmt.Errorf("from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(m.Date)
	msg.SetMessageIDWithValue(m.ID)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	ctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp send: %w", err)
	}
	return nil
}

package mail

import (
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/mail/mailpit"
)

// TestStartTLSRequired: smtp:// to a host named otherwise than by a
// loopback address refuses a server that offers no STARTTLS (Mailpit
// here, reached through this machine's own host name), and the same
// server by its loopback address takes the mail.
func TestStartTLSRequired(t *testing.T) {
	t.Parallel()
	mp := mailpit.Start(t)
	name, err := os.Hostname()
	if err != nil {
		t.Skip("no host name")
	}
	addrs, err := net.LookupHost(name)
	if err != nil || len(addrs) == 0 || !net.ParseIP(addrs[0]).IsLoopback() {
		t.Skipf("the host name %q does not resolve to a loopback address here (%v %v)", name, addrs, err)
	}
	u, _ := url.Parse(mp.SMTPURL())
	msg := Message{ID: "starttls@example.com", From: "authd <no-reply@example.com>", To: "tls@example.com",
		Subject: "s", Date: time.Now(), Text: "t", HTML: "<p>h</p>"}
	byName, err := NewSMTP("smtp://" + name + ":" + u.Port())
	if err != nil {
		t.Fatal(err)
	}
	if err := byName.Send(t.Context(), msg); err == nil || !strings.Contains(strings.ToLower(err.Error()), "starttls") {
		t.Errorf("send without STARTTLS to %s: %v, want a STARTTLS refusal", name, err)
	}
	byLoopback, err := NewSMTP(mp.SMTPURL())
	if err != nil {
		t.Fatal(err)
	}
	if err := byLoopback.Send(t.Context(), msg); err != nil {
		t.Errorf("send to the loopback address: %v", err)
	}
	if got := mp.To(t, "tls@example.com"); len(got) != 1 {
		t.Errorf("%d mails arrived, want 1", len(got))
	}
}

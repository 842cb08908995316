// Package mailpit runs a real SMTP server for tests: a Mailpit process on
// free loopback ports, whose REST API reads what it received. Tests skip
// with the reason when mailpit is not installed, and fail when CI=true
// (.ci/run installs it).
package mailpit

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Server is one Mailpit process; Stop and Start keep its ports, so a test
// can take SMTP away and bring it back.
type Server struct {
	bin      string
	smtpAddr string
	httpAddr string
	cmd      *exec.Cmd
	exited   chan struct{}
}

// Binary finds mailpit on PATH or in Go's bin folder; "" when missing.
func Binary() string {
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	for _, dir := range []string{os.Getenv("GOBIN"), filepath.Join(os.Getenv("HOME"), "go", "bin")} {
		if dir == "" {
			continue
		}
		if p := filepath.Join(dir, "mailpit"); fileExists(p) {
			return p
		}
	}
	return ""
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

// Start runs a Mailpit for t, stopped when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("mailpit is not installed; .ci/run installs it")
		}
		t.Skip("mailpit is not installed (go install github.com/axllent/mailpit@v1.33.1): the tests through real SMTP are skipped")
	}
	s := &Server{bin: bin, smtpAddr: freeAddr(t), httpAddr: freeAddr(t)}
	s.Start(t)
	t.Cleanup(func() { s.Stop(t) })
	return s
}

func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// SMTPURL is the AUTHD_SMTP_URL of this server.
func (s *Server) SMTPURL() string { return "smtp://" + s.smtpAddr }

// Start starts the process (again) and waits until its API answers.
func (s *Server) Start(t testing.TB) {
	t.Helper()
	cmd := exec.Command(s.bin, "--smtp", s.smtpAddr, "--listen", s.httpAddr, "--disable-version-check",
		"--smtp-auth-accept-any", "--smtp-auth-allow-insecure", "--database", filepath.Join(t.TempDir(), "mailpit.db"))
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mailpit: %v", err)
	}
	s.cmd, s.exited = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get("http://" + s.httpAddr + "/api/v1/messages"); err == nil {
			res.Body.Close()
			if conn, err := net.Dial("tcp", s.smtpAddr); err == nil {
				conn.Close()
				return
			}
		}
		select {
		case <-s.exited:
			t.Fatal("mailpit exited at start")
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatal("mailpit did not start within 30 s")
}

// Stop ends the process; what it received is gone with it.
func (s *Server) Stop(t testing.TB) {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Message is one received mail.
type Message struct {
	ID      string
	To      string
	Subject string
	Text    string
	HTML    string
	Headers map[string][]string
}

// Messages lists every message received, newest first, with its body.
func (s *Server) Messages(t testing.TB) []Message {
	t.Helper()
	var list struct {
		Messages []struct {
			ID      string `json:"ID"`
			Subject string `json:"Subject"`
			To      []struct {
				Address string `json:"Address"`
			} `json:"To"`
		} `json:"messages"`
	}
	s.get(t, "/api/v1/messages?limit=500", &list)
	out := make([]Message, 0, len(list.Messages))
	for _, m := range list.Messages {
		var full struct {
			Text string `json:"Text"`
			HTML string `json:"HTML"`
		}
		s.get(t, "/api/v1/message/"+m.ID, &full)
		var headers map[string][]string
		s.get(t, "/api/v1/message/"+m.ID+"/headers", &headers)
		msg := Message{ID: m.ID, Subject: m.Subject, Text: full.Text, HTML: full.HTML, Headers: headers}
		if len(m.To) > 0 {
			msg.To = m.To[0].Address
		}
		out = append(out, msg)
	}
	return out
}

// To lists the messages to addr, newest first.
func (s *Server) To(t testing.TB, addr string) []Message {
	t.Helper()
	var out []Message
	for _, m := range s.Messages(t) {
		if strings.EqualFold(m.To, addr) {
			out = append(out, m)
		}
	}
	return out
}

func (s *Server) get(t testing.TB, path string, into any) {
	t.Helper()
	res, err := http.Get("http://" + s.httpAddr + path)
	if err != nil {
		t.Fatalf("mailpit %s: %v", path, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("mailpit %s: %s", path, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(into); err != nil {
		t.Fatalf("mailpit %s: %v", path, err)
	}
}

var (
	tokenRE = regexp.MustCompile(`#token=([A-Za-z0-9_-]+)`)
	codeRE  = regexp.MustCompile(`\b(\d{6})\b`)
)

// Link returns the link token and the code in m's text part.
func (m Message) Link() (token, code string) {
	if t := tokenRE.FindStringSubmatch(m.Text); t != nil {
		token = t[1]
	}
	if c := codeRE.FindStringSubmatch(m.Text); c != nil {
		code = c[1]
	}
	return token, code
}

// String names the message for failure messages, without its secrets.
func (m Message) String() string { return fmt.Sprintf("%q to %s", m.Subject, m.To) }

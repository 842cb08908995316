// Package mail delivers authd's queued mail: the built-in templates (or
// an operator's, AUTHD_MAIL_TEMPLATES), the SMTP transport (go-mail), and
// the sender loop every replica runs over the shared queue.
package mail

import (
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/authd/authd/internal/auth"
)

//go:embed templates/*
var builtIn embed.FS

// View is what a template sees.
type View struct {
	Username string
	// To is the address the mail goes to; NewEmail the address a change
	// goes to.
	To       string
	NewEmail string
	// Link and Code are the one-time link and code of a link mail.
	Link      string
	Code      string
	ExpiresAt string
	Lifetime  string
	// At and IP are when and from where the change was asked.
	At string
	IP string
}

// kindTemplates are one kind's subject, text and HTML templates.
type kindTemplates struct {
	subject *texttemplate.Template
	text    *texttemplate.Template
	html    *htmltemplate.Template
}

// Templates are the parsed templates of every kind.
type Templates struct {
	kinds map[auth.MailKind]kindTemplates
}

// LoadTemplates parses the built-in templates and, when dir is not "",
// replaces each by the file of the same name in dir
// (<kind>.subject, <kind>.txt, <kind>.html) where there is one. A
// template that does not parse is an error naming its file.
func LoadTemplates(dir string) (*Templates, error) {
	t := &Templates{kinds: map[auth.MailKind]kindTemplates{}}
	for _, k := range auth.MailKinds() {
		read := func(ext string) (string, string, error) {
			name := string(k) + ext
			if dir != "" {
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err == nil {
					return string(b), filepath.Join(dir, name), nil
				}
				if !errors.Is(err, fs.ErrNotExist) {
					return "", "", fmt.Errorf("mail template: %w", err)
				}
			}
			b, err := builtIn.ReadFile("templates/" + name)
			return string(b), name, err
		}
		var kt kindTemplates
		src, name, err := read(".subject")
		if err == nil {
			kt.subject, err = texttemplate.New(name).Option("missingkey=error").Parse(strings.TrimSpace(src))
		}
		if err == nil {
			src, name, err = read(".txt")
		}
		if err == nil {
			kt.text, err = texttemplate.New(name).Option("missingkey=error").Parse(src)
		}
		if err == nil {
			src, name, err = read(".html")
		}
		if err == nil {
			kt.html, err = htmltemplate.New(name).Option("missingkey=error").Parse(src)
		}
		if err != nil {
			return nil, fmt.Errorf("mail template %s: %w", name, err)
		}
		t.kinds[k] = kt
	}
	return t, nil
}

// render fills kind's templates with v.
func (t *Templates) render(kind auth.MailKind, v View) (subject, text, html string, err error) {
	kt, ok := t.kinds[kind]
	if !ok {
		return "", "", "", fmt.Errorf("no template for mail kind %q", kind)
	}
	var s, x, h strings.Builder
	if err := kt.subject.Execute(&s, v); err != nil {
		return "", "", "", fmt.Errorf("render %s subject: %w", kind, err)
	}
	if err := kt.text.Execute(&x, v); err != nil {
		return "", "", "", fmt.Errorf("render %s text: %w", kind, err)
	}
	if err := kt.html.Execute(&h, v); err != nil {
		return "", "", "", fmt.Errorf("render %s html: %w", kind, err)
	}
	// A subject is one header line, whatever a template holds.
	subject = strings.Join(strings.Fields(s.String()), " ")
	return subject, x.String(), h.String(), nil
}

// lifetime writes d as a person reads it: "1 hour", "24 hours", "30 minutes".
func lifetime(d time.Duration) string {
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour")
	case d >= time.Minute:
		return unit(int64(d/time.Minute), "minute")
	}
	return unit(int64(d/time.Second), "second")
}

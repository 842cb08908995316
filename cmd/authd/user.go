package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/config"
	"github.com/authd/authd/internal/token"
)

// userAdmin is what the user commands ask of the core: one use case each.
type userAdmin interface {
	SetActive(ctx context.Context, login string, active bool) (auth.User, error)
	LogoutUser(ctx context.Context, login string) (auth.User, error)
}

// The user commands call the core's use cases through userAdmin only.
var _ userAdmin = (*auth.Service)(nil)

// newUserAdmin is the one place the user commands get their userAdmin
// from: today the auth.Service, built as serve builds it.
func newUserAdmin(cfg config.Config, keys token.Keys, st auth.Store, log *slog.Logger) (userAdmin, error) {
	hasher, err := newHasher(cfg)
	if err != nil {
		return nil, err
	}
	svc, err := newService(cfg, keys, st, hasher, log)
	if err != nil {
		return nil, err
	}
	return svc, nil
}

// runUser is "authd user activate|deactivate|logout <login>". What follows
// the verb is taken as written, never as a flag: a username may begin with
// "-".
func runUser(ctx context.Context, c call) error {
	verb, err := firstVerb(c, "activate", "deactivate", "logout")
	if err != nil {
		return err
	}
	if len(c.args) != 2 {
		return errUsage
	}
	login := c.args[1]
	// The operator commands print their result on stdout and keep the log
	// on stderr.
	d, err := openDeps(ctx, c.getenv, c.stderr)
	if err != nil {
		return err
	}
	defer d.st.Close()
	admin, err := newUserAdmin(d.cfg, d.keys, d.st, d.log)
	if err != nil {
		return err
	}
	return changeUser(ctx, admin, verb, login, c.stdout)
}

// changeUser applies verb to the user login names and prints the outcome
// on one line. An unknown user is an error (exit 1); text that cannot name
// an account is a usage mistake (exit 2).
func changeUser(ctx context.Context, admin userAdmin, verb, login string, stdout io.Writer) error {
	var u auth.User
	var err error
	switch verb {
	case "logout":
		u, err = admin.LogoutUser(ctx, login)
	default:
		u, err = admin.SetActive(ctx, login, verb == "activate")
	}
	if err != nil {
		var ae *auth.Error
		switch {
		case errors.As(err, &ae) && ae.Code == auth.CodeUserNotFound:
			return fmt.Errorf("no user %q", login)
		case errors.As(err, &ae) && ae.Code == auth.CodeValidation && len(ae.Fields) > 0:
			return &usageError{fmt.Errorf("%q is not a username or email: %s", login, ae.Fields[0].Message)}
		}
		return err
	}
	done := verb + "d"
	if verb == "logout" {
		done = "logged out of every session"
	}
	_, err = fmt.Fprintf(stdout, "user %d (%s) %s\n", u.ID, u.Username, done)
	return err
}

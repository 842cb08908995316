package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/admin"
	"github.com/authd/authd/internal/logging"
)

// userAdmin is what the user commands ask of the core: one use case each.
type userAdmin interface {
	SetActive(ctx context.Context, login string, active bool) (auth.User, error)
	LogoutUser(ctx context.Context, login string) (auth.User, error)
}

// cliAdmin is admin's use cases acting as the operator's command: every
// change it makes is recorded with actor auth.ActorCLI.
type cliAdmin struct{ users *admin.Service }

func (c cliAdmin) SetActive(ctx context.Context, login string, active bool) (auth.User, error) {
	return c.users.SetActive(ctx, auth.ActorCLI, login, active)
}

func (c cliAdmin) LogoutUser(ctx context.Context, login string) (auth.User, error) {
	return c.users.LogoutUser(ctx, auth.ActorCLI, login)
}

// newUserAdmin is the one place the user commands get their userAdmin
// from: admin's use cases on st. They find users and change them in the
// store, so no hasher or token keys are built for them.
func newUserAdmin(st auth.Store, log *slog.Logger) userAdmin {
	return cliAdmin{users: admin.New(auth.Deps{Store: st, Log: logging.For(log, "auth"), Now: time.Now})}
}

// runUser is "authd user <verb> …": the verbs of userVerbs. What follows
// the verb is taken as written (a username may begin with "-"), except
// the flags a verb names and a lone --help.
func runUser(ctx context.Context, c call) error {
	if len(c.args) > 0 {
		for _, v := range userVerbs() {
			if v.name == c.args[0] {
				return v.call(ctx, c)
			}
		}
	}
	if err := c.flags.Parse(c.args); err != nil {
		return &usageError{err}
	}
	return errUsage
}

// runActivity is "authd user activate|deactivate|logout <user>".
func runActivity(ctx context.Context, c call, verb string, args []string) error {
	if len(args) != 1 {
		return errUsage
	}
	login := args[0]
	// The operator commands print their result on stdout and keep the log
	// on stderr.
	d, err := openDeps(ctx, c.getenv, c.stderr)
	if err != nil {
		return err
	}
	defer d.st.Close()
	users := newUserAdmin(d.st, d.log)
	return changeUser(ctx, users, verb, login, c.stdout)
}

// changeUser applies verb to the user login names and prints the outcome
// on one line. An unknown user is an error (exit 1); text that cannot name
// an account is a usage mistake (exit 2).
func changeUser(ctx context.Context, users userAdmin, verb, login string, stdout io.Writer) error {
	var u auth.User
	var err error
	switch verb {
	case "logout":
		u, err = users.LogoutUser(ctx, login)
	default:
		u, err = users.SetActive(ctx, login, verb == "activate")
	}
	if err != nil {
		var ae *auth.Error
		switch {
		case errors.As(err, &ae) && ae.Code == auth.CodeUserNotFound:
			return fmt.Errorf("no user %q", login)
		case errors.As(err, &ae) && ae.Code == auth.CodeValidation && len(ae.Fields) > 0:
			return &usageError{fmt.Errorf("%q is not a username or email: %s", login, ae.Fields[0].Message)}
		}
		return operatorError(err, login)
	}
	done := verb + "d"
	if verb == "logout" {
		done = "logged out of every session"
	}
	_, err = fmt.Fprintf(stdout, "user %d (%s) %s\n", u.ID, u.Username, done)
	return err
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/authd/authd/internal/auth/mfa"
	"io"
	"strings"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/admin"
	"github.com/authd/authd/internal/httpapi"
	"github.com/authd/authd/internal/logging"
	"github.com/authd/authd/internal/password"
)

// operator is what the managing verbs work with: admin's use cases, acting
// as the operator (every change recorded with actor cli), on the store.
type operator struct {
	users *admin.Service
	st    auth.Store
}

// openOperator opens the store and builds admin's use cases with a hasher
// and the common-password list, which creating and setting passwords need.
// The caller closes the returned store.
func openOperator(ctx context.Context, c call) (operator, func(), error) {
	d, err := openDeps(ctx, c.getenv, c.stderr)
	if err != nil {
		return operator{}, nil, err
	}
	hasher, err := newHasher(d.cfg.Hash)
	if err != nil {
		_ = d.st.Close()
		return operator{}, nil, err
	}
	deps := auth.Deps{Store: d.st, Hasher: hasher, Common: password.NewCommonList(),
		Log: logging.For(d.log, "auth"), Now: time.Now}
	users := admin.New(deps)
	// mfa-reset: with no mailer here, the operator's reset queues no
	// mfa_changed notice (the admin API's does, when mail is on).
	users.MFA = mfa.New(auth.NewService(deps))
	return operator{users: users, st: d.st}, func() { _ = d.st.Close() }, nil
}

// find is the user a <user> argument names (username or email).
func (o operator) find(ctx context.Context, login string) (auth.User, error) {
	u, err := auth.FindUser(ctx, o.st, login)
	return u, operatorError(err, login)
}

// operatorError maps the core's errors to the exit codes of API.md's
// Operators: a refusal by the rules (a bad value, a taken name, the last
// admin) is exit 2 with one line naming it; no such user, a feature not in
// this build, or a store failure is exit 1.
func operatorError(err error, login string) error {
	if err == nil {
		return nil
	}
	var ae *auth.Error
	if !errors.As(err, &ae) {
		return err
	}
	switch ae.Code {
	case auth.CodeUserNotFound:
		return fmt.Errorf("no user %q", login)
	case auth.CodeValidation:
		if len(ae.Fields) > 0 {
			return &usageError{fmt.Errorf("%s: %s", ae.Fields[0].Field, ae.Fields[0].Message)}
		}
		return &usageError{err}
	case auth.CodeUserExists, auth.CodeLastAdmin:
		return &usageError{errors.New(ae.Detail)}
	case auth.CodeNotConfigured:
		return errors.New(strings.ToLower(ae.Detail[:1]) + ae.Detail[1:])
	}
	return err
}

// printUser writes u as the JSON user object of the API, one line.
func printUser(w io.Writer, u auth.User) error {
	return json.NewEncoder(w).Encode(httpapi.NewUserBody(u))
}

func runCreate(ctx context.Context, c call, args []string, flags map[string][]string) error {
	if len(args) != 2 {
		return errUsage
	}
	pw, err := readPassword(c.stdin)
	if err != nil {
		return err
	}
	op, done, err := openOperator(ctx, c)
	if err != nil {
		return err
	}
	defer done()
	u, err := op.users.Create(ctx, admin.CLI(), admin.NewUser{Username: args[0], Email: args[1], Password: pw, Roles: flags["role"],
		Verified: len(flags["verified"]) > 0})
	if err != nil {
		return operatorError(err, args[0])
	}
	return printUser(c.stdout, u)
}

func runSetPassword(ctx context.Context, c call, args []string, _ map[string][]string) error {
	if len(args) != 1 {
		return errUsage
	}
	pw, err := readPassword(c.stdin)
	if err != nil {
		return err
	}
	return withUser(ctx, c, args[0], func(op operator, u auth.User) error {
		if err := op.users.SetPassword(ctx, admin.CLI(), u.ID, pw); err != nil {
			return err
		}
		_, err := fmt.Fprintf(c.stdout, "user %d (%s): password set, every session ended\n", u.ID, u.Username)
		return err
	})
}

// withUser opens the store, finds the user login names and runs do;
// do's errors are mapped like the lookup's.
func withUser(ctx context.Context, c call, login string, do func(op operator, u auth.User) error) error {
	op, done, err := openOperator(ctx, c)
	if err != nil {
		return err
	}
	defer done()
	u, err := op.find(ctx, login)
	if err != nil {
		return err
	}
	return operatorError(do(op, u), login)
}

func runRoles(ctx context.Context, c call, args []string, _ map[string][]string) error {
	if len(args) < 1 {
		return errUsage
	}
	for _, a := range args[1:] {
		if !strings.HasPrefix(a, "+") && !strings.HasPrefix(a, "-") {
			return &usageError{fmt.Errorf("role change %q: want +NAME or -NAME", a)}
		}
	}
	return withUser(ctx, c, args[0], func(op operator, u auth.User) error {
		if len(args) == 1 {
			return printUser(c.stdout, u)
		}
		roles := map[string]bool{}
		for _, r := range u.Roles {
			roles[r] = true
		}
		for _, a := range args[1:] {
			roles[a[1:]] = a[0] == '+'
		}
		next := []string{}
		for r, on := range roles {
			if on {
				next = append(next, r)
			}
		}
		u, err := op.users.Update(ctx, admin.CLI(), u.ID, admin.Change{Roles: &next})
		if err != nil {
			return err
		}
		return printUser(c.stdout, u)
	})
}

// onUser is a verb that makes one change to one <user> and prints done.
func onUser(change func(ctx context.Context, users *admin.Service, id int64) error, done string) func(context.Context, call, []string, map[string][]string) error {
	return func(ctx context.Context, c call, args []string, _ map[string][]string) error {
		if len(args) != 1 {
			return errUsage
		}
		return withUser(ctx, c, args[0], func(op operator, u auth.User) error {
			if err := change(ctx, op.users, u.ID); err != nil {
				return err
			}
			_, err := fmt.Fprintf(c.stdout, "user %d (%s) %s\n", u.ID, u.Username, done)
			return err
		})
	}
}

func deleteUser(ctx context.Context, users *admin.Service, id int64) error {
	return users.Delete(ctx, admin.CLI(), id)
}

func resetMFA(ctx context.Context, users *admin.Service, id int64) error {
	return users.ResetMFA(ctx, admin.CLI(), id)
}

func runList(ctx context.Context, c call, args []string, flags map[string][]string) error {
	if len(args) != 0 {
		return errUsage
	}
	limit, err := limitFlag(flags)
	if err != nil {
		return err
	}
	op, done, err := openOperator(ctx, c)
	if err != nil {
		return err
	}
	defer done()
	cursor, printed := "", 0
	for {
		page := admin.MaxLimit
		if limit > 0 && limit-printed < page {
			page = limit - printed
		}
		users, next, err := op.users.Users(ctx, last(flags["query"]), page, cursor)
		if err != nil {
			return operatorError(err, "")
		}
		for _, u := range users {
			if err := printUser(c.stdout, u); err != nil {
				return err
			}
		}
		printed += len(users)
		if next == "" || (limit > 0 && printed >= limit) {
			return nil
		}
		cursor = next
	}
}

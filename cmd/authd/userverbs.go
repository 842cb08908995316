package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// userVerb is one "authd user <verb>": its synopsis, what it does, the
// flags it takes (parsed wherever they stand among its arguments, since
// Go's flag package stops at the first positional one), and its work.
type userVerb struct {
	name, args, summary string
	// flags names the verb's flags: true takes a value, false is a switch.
	flags map[string]bool
	run   func(ctx context.Context, c call, args []string, flags map[string][]string) error
}

// userVerbs is the table of "authd user" verbs, in the order usage lists
// them.
func userVerbs() []userVerb {
	return []userVerb{
		{name: "create", args: "<username> <email> [--role NAME]... [--verified]",
			summary: "create a user; the password is the first line of standard input; prints the user as JSON",
			flags:   map[string]bool{"role": true, "verified": false}, run: runCreate},
		{name: "set-password", args: "<user>",
			summary: "set the user's password from the first line of standard input; every session ends", run: runSetPassword},
		{name: "roles", args: "<user> [+NAME | -NAME]...",
			summary: "add (+) or remove (-) roles; prints the user as JSON", run: runRoles},
		{name: "delete", args: "<user>", summary: "delete the user, its sessions and everything that references it (its audit events stay)", run: onUser(deleteUser, "deleted")},
		{name: "list", args: "[--query TEXT] [--limit N]", summary: "print users, one JSON object a line, by id",
			flags: map[string]bool{"query": true, "limit": true}, run: runList},
		{name: "mfa-reset", args: "<user>", summary: "turn two-factor login off, for a lost device", run: onUser(resetMFA, "has two-factor login off")},
		{name: "activate", args: "<user>", summary: "activate the user", run: activity("activate")},
		{name: "deactivate", args: "<user>", summary: "deactivate the user and end all of their sessions", run: activity("deactivate")},
		{name: "logout", args: "<user>", summary: "end all of the user's sessions without deactivating", run: activity("logout")},
	}
}

// userSynopsis is the "user" command's args, generated from the table.
func userSynopsis() string {
	names := make([]string, 0, len(userVerbs()))
	for _, v := range userVerbs() {
		names = append(names, v.name)
	}
	return strings.Join(names, "|") + " …"
}

func activity(verb string) func(context.Context, call, []string, map[string][]string) error {
	return func(ctx context.Context, c call, args []string, _ map[string][]string) error {
		return runActivity(ctx, c, verb, args)
	}
}

// call parses c.args (the verb first) and runs the verb; a lone --help or
// -h prints its usage on stderr and succeeds.
func (v userVerb) call(ctx context.Context, c call) error {
	rest := c.args[1:]
	if len(rest) == 1 && (rest[0] == "--help" || rest[0] == "-h" || rest[0] == "-help") {
		_, err := fmt.Fprintf(c.stderr, "usage: authd user %s %s\n\n%s\n", v.name, v.args, v.summary)
		return err
	}
	args, flags, err := v.parse(rest)
	if err != nil {
		return &usageError{fmt.Errorf("authd user %s: %w (usage: authd user %s %s)", v.name, err, v.name, v.args)}
	}
	return v.run(ctx, c, args, flags)
}

// parse splits args into positional arguments and the verb's flags
// (--name VALUE, --name=VALUE, or --name for a switch), in any order;
// "--" ends the flags. An argument that is not one of the verb's flags is
// positional, so "-editor" reaches roles as written.
func (v userVerb) parse(args []string) ([]string, map[string][]string, error) {
	var pos []string
	flags := map[string][]string{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		takes, known := v.flags[name]
		if !strings.HasPrefix(a, "--") || !known {
			pos = append(pos, a)
			continue
		}
		switch {
		case !takes && hasValue:
			return nil, nil, fmt.Errorf("--%s takes no value", name)
		case takes && !hasValue:
			if i+1 >= len(args) {
				return nil, nil, fmt.Errorf("--%s needs a value", name)
			}
			i++
			value = args[i]
		}
		flags[name] = append(flags[name], value)
	}
	return pos, flags, nil
}

// maxStdinPassword bounds what is read from standard input for a
// password: far above the 72 bytes a password may have, so a longer one
// is refused by the rules, not cut.
const maxStdinPassword = 4096

// readPassword is the first line of r without its line ending. Passwords
// come only from standard input: an argument would show in ps.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, maxStdinPassword)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read standard input: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", &usageError{errors.New("the password is read from the first line of standard input, which is empty")}
	}
	return line, nil
}

// limitFlag reads --limit: a positive whole number, 0 (all) when absent.
func limitFlag(flags map[string][]string) (int, error) {
	v := last(flags["limit"])
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, &usageError{fmt.Errorf("--limit %q: want a whole number of at least 1", v)}
	}
	return n, nil
}

func last(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[len(vs)-1]
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// command is one row of the table of sub-commands. The usage text is
// generated from the table, so it cannot list a command authd lacks or
// miss one it has.
type command struct {
	name string
	// args is the synopsis of what follows the name, as usage shows it.
	args    string
	summary string
	// run does the command. c.flags is the command's own flag.FlagSet,
	// not yet parsed: run defines its flags, if any, and parses c.args.
	run func(ctx context.Context, c call) error
}

// commands is the table, in the order usage lists it. "authd" alone runs
// the first, serve.
func commands() []command {
	return []command{
		{name: "serve", summary: "serve the HTTP API, migrations applied first (what authd alone does)", run: runServe},
		{name: "migrate", summary: "apply migrations and exit", run: runMigrate},
		{name: "user", args: userSynopsis(),
			summary: "manage users: create, set a password, grant or remove roles, delete, list, reset two-factor, (de)activate, log out", run: runUser},
		{name: "keys", args: "generate [--alg EdDSA|ES256] [-o FILE]",
			summary: "make a new private JWK Set (a signing key and a data key), ready to be the AUTHD_JWT_KEYS file: on stdout, or in a new FILE of mode 0600", run: runKeys},
		{name: "version", summary: "print the version", run: runVersion},
	}
}

// call is one invocation of a command: run's parameters, with the
// arguments after the command's name and the command's flag set.
type call struct {
	args           []string
	getenv         func(string) string
	stdout, stderr io.Writer
	// stdin is where the operator commands read a password: never from an
	// argument, which ps shows.
	stdin io.Reader
	flags *flag.FlagSet
}

// errUsage is returned by a command called with the wrong arguments; run
// turns it into a usage error carrying the usage line, as authd has always
// answered.
var errUsage = errors.New("wrong arguments")

// flagSet is the command's own flag set. Its messages, and its usage on
// --help, go to stderr, as flag's do by default.
func (c command) flagSet(stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("authd "+c.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: %s\n\n%s\n", c.synopsis(), c.summary)
		var flags bool
		fs.VisitAll(func(*flag.Flag) { flags = true })
		if flags {
			fmt.Fprintln(fs.Output())
			fs.PrintDefaults()
		}
	}
	return fs
}

// synopsis is "authd <name> <args>".
func (c command) synopsis() string {
	return strings.TrimSpace("authd " + c.name + " " + c.args)
}

// usageLine is the one line a usage error carries:
// "usage: authd [serve | migrate | ... | version]".
func usageLine(table []command) string {
	forms := make([]string, len(table))
	for i, c := range table {
		forms[i] = strings.TrimSpace(c.name + " " + c.args)
	}
	return "usage: authd [" + strings.Join(forms, " | ") + "]"
}

// printUsage writes the usage line and what each command does.
func printUsage(w io.Writer, table []command) error {
	fmt.Fprintf(w, "%s\n\n", usageLine(table))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range table {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\n\"authd <command> --help\" shows one command's usage.")
	return err
}

// noArgs parses c's flags and refuses any argument left.
func noArgs(c call) error {
	if err := c.flags.Parse(c.args); err != nil {
		return &usageError{err}
	}
	if c.flags.NArg() > 0 {
		return errUsage
	}
	return nil
}

// firstVerb returns the first argument when it is one of verbs (user activate,
// keys generate). Otherwise the arguments are parsed as the command's
// flags, so that "authd user --help" prints its usage, and anything else
// is a usage error.
func firstVerb(c call, verbs ...string) (string, error) {
	if len(c.args) > 0 {
		for _, v := range verbs {
			if c.args[0] == v {
				return v, nil
			}
		}
	}
	if err := c.flags.Parse(c.args); err != nil {
		return "", &usageError{err}
	}
	return "", errUsage
}

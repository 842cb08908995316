package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

// TestUsageLine: the line generated from the table is the one authd has
// always printed for a usage mistake.
func TestUsageLine(t *testing.T) {
	t.Parallel()
	const want = `usage: authd [serve | migrate | user create|set-password|roles|delete|list|mfa-reset|activate|deactivate|logout … | keys generate [--alg EdDSA|ES256] [-o FILE] | version]`
	if got := usageLine(commands()); got != want {
		t.Errorf("usage line\n got %s\nwant %s", got, want)
	}
}

// TestHelp: "authd --help" lists every command of the table, and
// "authd <command> --help" prints that command's usage; both succeed
// (exit 0) and write nothing on stdout.
func TestHelp(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"--help"}, envFrom(nil), &stdout, &stderr); err != nil {
		t.Fatalf("--help: %v", err)
	}
	for _, c := range commands() {
		if !strings.Contains(stderr.String(), "\n  "+c.name+" ") || !strings.Contains(stderr.String(), c.summary) {
			t.Errorf("--help does not list %s with its summary:\n%s", c.name, stderr.String())
		}
	}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"serve", "--help"}, []string{"usage: authd serve\n"}},
		{[]string{"migrate", "-h"}, []string{"usage: authd migrate\n"}},
		{[]string{"user", "--help"}, []string{"usage: authd user create|set-password|roles|delete|list|mfa-reset|activate|deactivate|logout …\n"}},
		{[]string{"user", "create", "--help"}, []string{"usage: authd user create <username> <email> [--role NAME]... [--verified]\n"}},
		{[]string{"keys", "--help"}, []string{"usage: authd keys generate [--alg EdDSA|ES256] [-o FILE]\n", "-alg", "-o file"}},
		{[]string{"keys", "generate", "--help"}, []string{"usage: authd keys generate", "-alg", `(default "EdDSA")`}},
		{[]string{"version", "--help"}, []string{"usage: authd version\n", "print the version"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if err := run(context.Background(), tt.args, envFrom(nil), &stdout, &stderr); err != nil {
				t.Fatalf("err = %v, want nil (exit 0)", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr = %q, want %q", stderr.String(), w)
				}
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
		})
	}
}

// TestWrongArguments: wrong arguments to a known command are usage errors
// (exit 2), as unknown commands are, before the configuration is read.
func TestWrongArguments(t *testing.T) {
	t.Parallel()
	// A configuration that would fail to load: a usage mistake must be
	// reported as such, not as the configuration's.
	env := envFrom(map[string]string{"AUTHD_BCRYPT_COST": "99"})
	for _, args := range [][]string{
		{"serve", "x"}, {"serve", "--port", "80"}, {"migrate", "--force"}, {"keys"}, {"keys", "--alg", "ES256"},
		{"keys", "list"}, {"user", "--bogus"}, {"user", "activate", "a", "b"}, {"help"}, {"-x"},
	} {
		err := run(context.Background(), args, env, &bytes.Buffer{}, &bytes.Buffer{})
		var u *usageError
		if !errors.As(err, &u) || strings.Contains(err.Error(), "AUTHD_BCRYPT_COST") {
			t.Errorf("run %v = %v, want a usage error", args, err)
		}
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
	"github.com/authd/authd/internal/store/sqlite"
	"github.com/authd/authd/internal/store/storetest"
)

// TestUserCommandsEndToEnd runs the built binary's user commands on a
// real database (SQLite, and PostgreSQL when AUTHD_TEST_POSTGRES_URL is
// set): passwords from standard input, JSON out, exit codes per API.md's
// Operators, and an audit event with actor cli for every change.
func TestUserCommandsEndToEnd(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	dbs := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "authd.db")}
	if os.Getenv("AUTHD_TEST_POSTGRES_URL") != "" {
		dbs["postgres"] = storetest.PostgresURL(t)
	}
	for name, url := range dbs {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testUserCommands(t, bin, url)
		})
	}
}

type cliRun struct {
	stdout, stderr string
	code           int
}

func testUserCommands(t *testing.T, bin, url string) {
	env := append(os.Environ(), "AUTHD_DATABASE_URL="+url, "AUTHD_JWT_SECRET="+secret, "AUTHD_BCRYPT_COST=4")
	authd := func(stdin string, args ...string) cliRun {
		t.Helper()
		cmd := exec.Command(bin, append([]string{"user"}, args...)...)
		cmd.Env = env
		cmd.Stdin = strings.NewReader(stdin)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		var exit *exec.ExitError
		code := 0
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return cliRun{out.String(), errOut.String(), code}
	}
	pw := authtest.Password("olga")
	steps := []struct {
		name, stdin string
		args        []string
		code        int
		out, errOut string
	}{
		{"create admin", pw + "\n", []string{"create", "olga", "Olga@Example.com", "--role", "admin", "--role=ops"}, 0, `"roles":["admin","ops"]`, ""},
		{"create taken", pw + "\n", []string{"create", "OLGA", "o2@example.com"}, 2, "", "already registered"},
		{"create weak password", "password\n", []string{"create", "pete", "pete@example.com"}, 2, "", "password: "},
		{"create bad role", pw + "\n", []string{"create", "pete", "pete@example.com", "--role", "Bad Role"}, 2, "", "roles: "},
		{"create without stdin", "", []string{"create", "pete", "pete@example.com"}, 2, "", "standard input"},
		{"create verified", authtest.Password("vic") + "\n", []string{"create", "vic", "vic@example.com", "--verified"}, 0, `"email_verified":true`, ""},
		{"create extra", pw + "\n", []string{"create", "pete"}, 2, "", "usage"},
		{"create pete", authtest.Password("pete") + "\r\n", []string{"create", "pete", "pete@example.com"}, 0, `"username":"pete"`, ""},
		{"roles add and remove", "", []string{"roles", "pete@example.com", "+editor", "+admin", "-editor"}, 0, `"roles":["admin"]`, ""},
		{"roles bad change", "", []string{"roles", "pete", "editor"}, 2, "", "+NAME or -NAME"},
		{"demote olga", "", []string{"roles", "olga", "-admin"}, 0, `"roles":["ops"]`, ""},
		{"demote the last admin", "", []string{"roles", "pete", "-admin"}, 2, "", "last active admin"},
		{"deactivate the last admin", "", []string{"deactivate", "pete"}, 2, "", "last active admin"},
		{"set password", authtest.Password("pete2") + "\n", []string{"set-password", "pete"}, 0, "password set", ""},
		{"set password unknown", pw + "\n", []string{"set-password", "nobody"}, 1, "", `no user "nobody"`},
		{"list", "", []string{"list"}, 0, `"username":"olga"`, ""},
		{"list query", "", []string{"list", "--query", "PET"}, 0, `"username":"pete"`, ""},
		{"list bad limit", "", []string{"list", "--limit", "0"}, 2, "", "--limit"},
		{"mfa reset", "", []string{"mfa-reset", "pete"}, 0, "two-factor login off", ""},
		{"logout", "", []string{"logout", "olga"}, 0, "logged out", ""},
		{"delete", "", []string{"delete", "olga"}, 0, "deleted", ""},
		{"delete again", "", []string{"delete", "olga"}, 1, "", `no user "olga"`},
		{"delete the last admin", "", []string{"delete", "pete"}, 2, "", "last active admin"},
		{"help", "", []string{"roles", "--help"}, 0, "", "usage: authd user roles <user> [+NAME | -NAME]..."},
		{"unknown verb", "", []string{"promote", "pete"}, 2, "", "usage"},
	}
	for _, s := range steps {
		got := authd(s.stdin, s.args...)
		if got.code != s.code || !strings.Contains(got.stdout, s.out) || !strings.Contains(got.stderr, s.errOut) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
				s.name, got.code, got.stdout, got.stderr, s.code, s.out, s.errOut)
		}
		if strings.Contains(got.stdout+got.stderr, pw) {
			t.Errorf("%s: the password was printed", s.name)
		}
	}
	if out := authd("", "list", "--limit", "1").stdout; strings.Count(out, "\n") != 1 {
		t.Errorf("list --limit 1 printed %q", out)
	}
	var u struct{ Roles []string }
	if err := json.Unmarshal([]byte(authd("", "roles", "pete").stdout), &u); err != nil || len(u.Roles) != 1 {
		t.Errorf("roles without changes: %v, %v", u, err)
	}
	if strings.HasPrefix(url, "sqlite:") {
		checkCLIEvents(t, strings.TrimPrefix(url, "sqlite:"))
	}
}

// checkCLIEvents: every change the commands made is in the audit trail
// with actor cli.
func checkCLIEvents(t *testing.T, path string) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ev, err := st.Events(context.Background(), auth.EventQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	count := map[auth.Action]int{}
	for _, e := range ev {
		if e.ActorID != auth.ActorCLI {
			t.Errorf("event %s has actor %q, want cli", e.Action, e.ActorID)
		}
		count[e.Action]++
	}
	want := map[auth.Action]int{auth.ActionAdminCreated: 3, auth.ActionAdminUpdated: 2, auth.ActionAdminPassword: 1, auth.ActionAdminMFAReset: 1,
		auth.ActionAdminLogout: 1, auth.ActionAdminDeleted: 1}
	for a, n := range want {
		if count[a] != n {
			t.Errorf("%d %s events, want %d (all: %v)", count[a], a, n, count)
		}
	}
}

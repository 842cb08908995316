package admin_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/admin"
	"github.com/authd/authd/internal/auth/authtest"
)

// TestAdminUseCases: create, update, password, logout and delete each do
// their change with an audit event naming the actor, the last admin is
// kept, and no event holds a password.
func TestAdminUseCases(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, nil)
	users := admin.New(env.Deps)
	ctx := t.Context()
	cli := admin.CLI()
	root, err := users.Create(ctx, cli, admin.NewUser{Username: "root", Email: "root@example.com", Password: authtest.Password("root"), Roles: []string{"admin"}})
	if err != nil || !root.HasRole("admin") {
		t.Fatalf("create admin: %+v, %v", root, err)
	}
	web := admin.Actor{ID: "1", Client: auth.Client{IP: "192.0.2.9", UserAgent: "ua", RequestID: "rid-1"}}
	bob, err := users.Create(ctx, web, admin.NewUser{Username: "bob", Email: "Bob@Example.com"})
	if err != nil || bob.Email != "bob@example.com" || len(bob.Roles) != 0 {
		t.Fatalf("create without password: %+v, %v", bob, err)
	}
	if _, err := env.Service.Login(ctx, auth.LoginInput{Username: "bob", Password: "anything-at-all"}); code(err) != auth.CodeInvalidCredentials {
		t.Errorf("login of a user created without a password: %v, want INVALID_CREDENTIALS", err)
	}
	cases := []struct {
		name string
		err  error
		want auth.Code
	}{
		{"bad role", func() error {
			_, err := users.Update(ctx, web, bob.ID, admin.Change{Roles: &[]string{"Admin"}})
			return err
		}(), auth.CodeValidation},
		{"too many roles", func() error {
			many := make([]string, 21)
			for i := range many {
				many[i] = "r" + strings.Repeat("x", i)
			}
			_, err := users.Update(ctx, web, bob.ID, admin.Change{Roles: &many})
			return err
		}(), auth.CodeValidation},
		{"taken name", func() error {
			_, err := users.Update(ctx, web, bob.ID, admin.Change{Username: ptr("ROOT")})
			return err
		}(), auth.CodeUserExists},
		{"missing user", users.Delete(ctx, web, 999), auth.CodeUserNotFound},
		{"last admin demoted", func() error {
			_, err := users.Update(ctx, web, root.ID, admin.Change{Roles: &[]string{}})
			return err
		}(), auth.CodeLastAdmin},
		{"last admin deleted", users.Delete(ctx, web, root.ID), auth.CodeLastAdmin},
		{"weak password", users.SetPassword(ctx, web, bob.ID, "bob-password"), auth.CodeValidation},
		{"reset without mail", users.SendReset(ctx, web, bob.ID), auth.CodeNotConfigured},
		{"mfa reset without two-factor", users.ResetMFA(ctx, web, bob.ID), auth.CodeNotConfigured},
		{"bad cursor", func() error { _, _, err := users.Users(ctx, "", 10, "nope"); return err }(), auth.CodeValidation},
		{"bad limit", func() error { _, _, err := users.Users(ctx, "", 201, ""); return err }(), auth.CodeValidation},
	}
	for _, c := range cases {
		if got := code(c.err); got != c.want {
			t.Errorf("%s: %v, want %s", c.name, c.err, c.want)
		}
	}
	pw := authtest.Password("bob")
	if err := users.SetPassword(ctx, web, bob.ID, pw); err != nil {
		t.Fatal(err)
	}
	in, err := env.Service.Login(ctx, auth.LoginInput{Username: "bob", Password: pw})
	if err != nil {
		t.Fatalf("login after set password: %v", err)
	}
	env.Clock.Add(time.Second)
	if _, err := users.Update(ctx, web, bob.ID, admin.Change{Roles: &[]string{"editor", "admin", "editor"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := users.Update(ctx, web, root.ID, admin.Change{Roles: &[]string{}}); err != nil {
		t.Errorf("demote root with bob an admin: %v", err)
	}
	if err := users.Logout(ctx, web, bob.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Service.Authenticate(ctx, in.Tokens.Access); code(err) != auth.CodeSessionRevoked {
		t.Errorf("bob's token after admin logout: %v", err)
	}
	if err := users.Delete(ctx, web, root.ID); err != nil {
		t.Fatal(err)
	}
	ev, _, err := users.Audit(ctx, 0, "", 200, "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[auth.Action]string{auth.ActionAdminCreated: "", auth.ActionAdminUpdated: "1", auth.ActionAdminPassword: "1",
		auth.ActionAdminLogout: "1", auth.ActionAdminDeleted: "1", auth.ActionLogin: ""}
	seen := map[auth.Action]bool{}
	for _, e := range ev {
		seen[e.Action] = true
		if actor, ok := want[e.Action]; ok && actor != "" && (e.ActorID != actor || e.RequestID != "rid-1" || e.IP != "192.0.2.9") {
			t.Errorf("event %s: actor %q ip %q request %q", e.Action, e.ActorID, e.IP, e.RequestID)
		}
		b, _ := json.Marshal(e)
		for _, secret := range []string{pw, authtest.Password("root"), in.Tokens.Access, in.Tokens.Refresh} {
			if strings.Contains(string(b), secret) {
				t.Errorf("event %s holds a secret: %s", e.Action, b)
			}
		}
	}
	for a := range want {
		if !seen[a] {
			t.Errorf("no %s event", a)
		}
	}
	if ev[len(ev)-1].ActorID != auth.ActorCLI {
		t.Errorf("first event's actor %q, want cli", ev[len(ev)-1].ActorID)
	}
}

func ptr[T any](v T) *T { return &v }

// TestUsersPages: the user list pages by an opaque cursor and filters by
// a case-insensitive part of the name or email.
func TestUsersPages(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, nil)
	users := admin.New(env.Deps)
	for _, n := range []string{"anna", "bert", "carla", "dora", "Annabel"} {
		if _, err := users.Create(t.Context(), admin.CLI(), admin.NewUser{Username: n, Email: n + "@example.org"}); err != nil {
			t.Fatal(err)
		}
	}
	page, next, err := users.Users(t.Context(), "", 2, "")
	if err != nil || len(page) != 2 || next == "" {
		t.Fatalf("first page %d, %q, %v", len(page), next, err)
	}
	var all []string
	for cursor := ""; ; {
		page, next, err := users.Users(t.Context(), "", 2, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page {
			all = append(all, u.Username)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if strings.Join(all, ",") != "anna,bert,carla,dora,Annabel" {
		t.Errorf("walk = %v", all)
	}
	hits, next, _ := users.Users(t.Context(), "ANNA", 50, "")
	if len(hits) != 2 || next != "" {
		t.Errorf("query ANNA = %d users, next %q", len(hits), next)
	}
}

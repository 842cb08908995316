package admin_test

import (
	"errors"
	"testing"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/admin"
	"github.com/authd/authd/internal/auth/authtest"
)

func code(err error) auth.Code {
	var e *auth.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// TestSetActiveAndLogout: deactivating a user ends every session of theirs
// and refuses their logins; activating lets them log in again; logging a
// user out ends their sessions and leaves them active. A name that is no
// account is USER_NOT_FOUND, text that cannot be one VALIDATION_ERROR.
func TestSetActiveAndLogout(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, nil)
	users := admin.New(env.Deps)
	ctx := t.Context()
	pw := authtest.Password("erin")
	reg, err := env.Service.Register(ctx, auth.RegisterInput{Username: "erin", Email: "erin@example.com", Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	live := func() int {
		list, err := env.Store.UserSessions(ctx, reg.User.ID, env.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}

	u, err := users.SetActive(ctx, auth.ActorCLI, "Erin@Example.com", false)
	if err != nil || u.ID != reg.User.ID || u.IsActive {
		t.Fatalf("deactivate = %+v, %v", u, err)
	}
	if n := live(); n != 0 {
		t.Errorf("%d live sessions after deactivation, want 0", n)
	}
	if _, err := env.Service.Login(ctx, auth.LoginInput{Username: "erin", Password: pw}); code(err) != auth.CodeUserInactive {
		t.Errorf("login of a deactivated user: %v, want USER_INACTIVE", err)
	}
	if _, err := env.Service.Me(ctx, reg.Tokens.Access); err == nil {
		t.Error("a deactivated user's token still works")
	}

	if u, err := users.SetActive(ctx, auth.ActorCLI, "erin", true); err != nil || !u.IsActive {
		t.Fatalf("activate = %+v, %v", u, err)
	}
	for range 2 {
		if _, err := env.Service.Login(ctx, auth.LoginInput{Username: "erin", Password: pw}); err != nil {
			t.Fatalf("login after activation: %v", err)
		}
	}
	if u, err := users.LogoutUser(ctx, auth.ActorCLI, "erin"); err != nil || !u.IsActive {
		t.Fatalf("logout = %+v, %v", u, err)
	}
	if n := live(); n != 0 {
		t.Errorf("%d live sessions after logout, want 0", n)
	}

	for name, tc := range map[string]struct {
		login string
		want  auth.Code
	}{
		"unknown":  {"nobody", auth.CodeUserNotFound},
		"not text": {"a b", auth.CodeValidation},
	} {
		if _, err := users.SetActive(ctx, auth.ActorCLI, tc.login, false); code(err) != tc.want {
			t.Errorf("%s SetActive: %v, want %s", name, err, tc.want)
		}
		if _, err := users.LogoutUser(ctx, auth.ActorCLI, tc.login); code(err) != tc.want {
			t.Errorf("%s LogoutUser: %v, want %s", name, err, tc.want)
		}
	}
}

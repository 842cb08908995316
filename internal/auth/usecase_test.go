package auth_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
	"github.com/authd/authd/internal/logging"
	"github.com/authd/authd/internal/logging/logtest"
)

// wantCode fails unless err is an *auth.Error with code.
func wantCode(t *testing.T, what string, err error, code auth.Code) *auth.Error {
	t.Helper()
	var e *auth.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("%s: err = %v, want %s", what, err, code)
	}
	return e
}

func register(t *testing.T, env *authtest.Env, name string) auth.Authenticated {
	t.Helper()
	a, err := env.Service.Register(t.Context(), auth.RegisterInput{Username: name, Email: name + "@example.com",
		Password: authtest.Password(name), Client: auth.Client{IP: "198.51.100.1", UserAgent: "test"}})
	if err != nil {
		t.Fatalf("Register(%s): %v", name, err)
	}
	return a
}

func liveSessions(t *testing.T, env *authtest.Env, userID int64) []auth.Session {
	t.Helper()
	list, err := env.Store.UserSessions(t.Context(), userID, env.Clock.Now())
	if err != nil {
		t.Fatalf("UserSessions: %v", err)
	}
	return list
}

// TestRegister: a registration stores the user with its first session and
// hands out tokens for that session; a taken name or a bad field stores
// nothing.
func TestRegister(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, nil)
	a := register(t, env, "alice")
	if a.User.ID <= 0 || !a.User.IsActive || a.User.Email != "alice@example.com" || a.User.LastLogin != nil {
		t.Errorf("registered user = %+v", a.User)
	}
	if !a.User.CreatedAt.Equal(authtest.Start()) {
		t.Errorf("CreatedAt = %v, want the injected clock's %v", a.User.CreatedAt, authtest.Start())
	}
	list := liveSessions(t, env, a.User.ID)
	if len(list) != 1 || list[0].ID != a.SessionID || list[0].IP != "198.51.100.1" {
		t.Fatalf("sessions after register = %+v, want the one of the answer", list)
	}
	claims, err := env.Deps.Tokens.Parse(a.Tokens.Access)
	if err != nil || claims.UserID != a.User.ID || claims.SessionID != a.SessionID || claims.Username != "alice" {
		t.Errorf("access token claims = %+v, %v", claims, err)
	}
	if !a.Tokens.AccessExpires.Equal(claims.ExpiresAt) || a.Tokens.ExpiresIn(authtest.Start()) != 15*60 || a.Tokens.Refresh == "" {
		t.Errorf("pair = %+v", a.Tokens)
	}

	cases := []struct {
		name      string
		in        auth.RegisterInput
		code      auth.Code
		wantField string
	}{
		{"taken username in another case", auth.RegisterInput{Username: "ALICE", Email: "other@example.com", Password: "tulip-orbit-42"}, auth.CodeUserExists, ""},
		{"taken email", auth.RegisterInput{Username: "alice2", Email: "Alice@Example.com", Password: "tulip-orbit-42"}, auth.CodeUserExists, ""},
		{"short username", auth.RegisterInput{Username: "al", Email: "al@example.com", Password: "tulip-orbit-42"}, auth.CodeValidation, "username"},
		{"bad email", auth.RegisterInput{Username: "bob", Email: "bob", Password: "tulip-orbit-42"}, auth.CodeValidation, "email"},
		{"short password", auth.RegisterInput{Username: "bob", Email: "bob@example.com", Password: "short"}, auth.CodeValidation, "password"},
		{"common password", auth.RegisterInput{Username: "bob", Email: "bob@example.com", Password: "password123"}, auth.CodeValidation, "password"},
		{"password is the username", auth.RegisterInput{Username: "mallory12", Email: "m@example.com", Password: "mallory12"}, auth.CodeValidation, "password"},
		{"password holds the email's local part", auth.RegisterInput{Username: "bob", Email: "Bob.Smith@example.com", Password: "BOB.SMITH-1984"}, auth.CodeValidation, "password"},
	}
	for _, tc := range cases {
		_, err := env.Service.Register(t.Context(), tc.in)
		e := wantCode(t, tc.name, err, tc.code)
		if tc.wantField != "" && (len(e.Fields) != 1 || e.Fields[0].Field != tc.wantField) {
			t.Errorf("%s: fields = %+v, want one on %s", tc.name, e.Fields, tc.wantField)
		}
	}
	if _, err := env.Store.UserByUsername(t.Context(), "bob"); !errors.Is(err, auth.ErrUserNotFound) {
		t.Errorf("a refused registration stored a user: %v", err)
	}
}

// TestLogin: a login by username or email opens a session and records
// last_login at the injected clock's time; a wrong password and an unknown
// user get the one answer, and store nothing.
func TestLogin(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, nil)
	reg := register(t, env, "carol")
	env.Clock.Add(30 * time.Minute) // within the registration's session's idle hour
	cases := []struct {
		name string
		in   auth.LoginInput
		code auth.Code
	}{
		{"username", auth.LoginInput{Username: "carol", Password: authtest.Password("carol")}, ""},
		{"username in another case", auth.LoginInput{Username: "CAROL", Password: authtest.Password("carol")}, ""},
		{"email", auth.LoginInput{Email: "Carol@Example.com", Password: authtest.Password("carol")}, ""},
		{"wrong password", auth.LoginInput{Username: "carol", Password: "not-her-password"}, auth.CodeInvalidCredentials},
		{"unknown user", auth.LoginInput{Username: "nobody", Password: "not-her-password"}, auth.CodeInvalidCredentials},
		{"both names", auth.LoginInput{Username: "carol", Email: "carol@example.com", Password: "x"}, auth.CodeValidation},
		{"no password", auth.LoginInput{Username: "carol"}, auth.CodeValidation},
	}
	opened := 1
	for _, tc := range cases {
		a, err := env.Service.Login(t.Context(), tc.in)
		if tc.code != "" {
			wantCode(t, tc.name, err, tc.code)
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		opened++
		now := env.Clock.Now()
		if a.User.ID != reg.User.ID || a.User.LastLogin == nil || !a.User.LastLogin.Equal(now) {
			t.Errorf("%s: user = %+v, want carol with last_login %v", tc.name, a.User, now)
		}
	}
	stored, err := env.Store.UserByID(t.Context(), reg.User.ID)
	if err != nil || stored.LastLogin == nil || !stored.LastLogin.Equal(env.Clock.Now()) {
		t.Errorf("stored last_login = %v (%v), want %v", stored.LastLogin, err, env.Clock.Now())
	}
	if n := len(liveSessions(t, env, reg.User.ID)); n != opened {
		t.Errorf("%d live sessions, want %d (register and each successful login)", n, opened)
	}
}

// TestChangePassword: the caller's session stays, every other ends, the
// new password logs in and the old one no longer does; a wrong current
// password changes nothing.
func TestChangePassword(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, nil)
	reg := register(t, env, "dave")
	if _, err := env.Service.Login(t.Context(), auth.LoginInput{Username: "dave", Password: authtest.Password("dave")}); err != nil {
		t.Fatal(err)
	}
	caller, err := env.Service.Authenticate(t.Context(), reg.Tokens.Access)
	if err != nil {
		t.Fatal(err)
	}

	err = env.Service.ChangePassword(t.Context(), caller, auth.ChangePasswordInput{CurrentPassword: "wrong-password", NewPassword: "new-tulip-password"})
	wantCode(t, "wrong current password", err, auth.CodeInvalidCredentials)
	if n := len(liveSessions(t, env, reg.User.ID)); n != 2 {
		t.Fatalf("%d live sessions after a refused change, want 2", n)
	}
	err = env.Service.ChangePassword(t.Context(), caller, auth.ChangePasswordInput{CurrentPassword: authtest.Password("dave"), NewPassword: "DAVE-tulip-2026"})
	if e := wantCode(t, "new password holds the username", err, auth.CodeValidation); len(e.Fields) != 1 || e.Fields[0].Field != "new_password" {
		t.Errorf("fields = %+v, want one on new_password", e.Fields)
	}

	if err := env.Service.ChangePassword(t.Context(), caller, auth.ChangePasswordInput{CurrentPassword: authtest.Password("dave"), NewPassword: "new-tulip-password"}); err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	list := liveSessions(t, env, reg.User.ID)
	if len(list) != 1 || list[0].ID != reg.SessionID {
		t.Errorf("live sessions after the change = %+v, want the caller's %s alone", list, reg.SessionID)
	}
	_, err = env.Service.Login(t.Context(), auth.LoginInput{Username: "dave", Password: authtest.Password("dave")})
	wantCode(t, "the old password", err, auth.CodeInvalidCredentials)
	if _, err := env.Service.Login(t.Context(), auth.LoginInput{Username: "dave", Password: "new-tulip-password"}); err != nil {
		t.Errorf("the new password: %v", err)
	}
}

// TestLimiter: a Limit refuses past its Max within its Window, with the
// rest of the window as Retry-After, and lets events through again once
// the window ends; keys of other subjects or scopes count apart.
func TestLimiter(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, func(d *auth.Deps) { d.Throttle.Keys = auth.NewAttemptKeys([]byte(authtest.Secret)) })
	l := auth.NewLimiter(env.Deps)
	lim := auth.Limit{Scope: "reset", Max: 2, Window: time.Hour}
	key := l.Key("reset", []byte("alice"))
	if key == l.Key("reset", []byte("bob")) || key == l.Key("totp", []byte("alice")) {
		t.Fatal("keys of another subject or scope are the same")
	}
	for i := range 2 {
		if err := l.Hit(t.Context(), lim, key); err != nil {
			t.Fatalf("hit %d: %v", i+1, err)
		}
	}
	env.Clock.Add(20 * time.Minute)
	e := wantCode(t, "hit 3", l.Hit(t.Context(), lim, key), auth.CodeRateLimited)
	if e.RetryAfter != 40*time.Minute {
		t.Errorf("RetryAfter = %v, want the 40 min left of the window", e.RetryAfter)
	}
	if err := l.Hit(t.Context(), lim, l.Key("reset", []byte("bob"))); err != nil {
		t.Errorf("another subject: %v", err)
	}
	env.Clock.Add(40 * time.Minute)
	if err := l.Hit(t.Context(), lim, key); err != nil {
		t.Errorf("after the window: %v", err)
	}
	if err := l.Hit(t.Context(), auth.Limit{Scope: "off"}, key); err != nil {
		t.Errorf("a Limit with Max 0: %v", err)
	}
}

// deactivatedMidLogin is a real store on which an operator deactivates
// the user in the moment between a login's password check and its write:
// the interleaving a test cannot otherwise hit on purpose.
type deactivatedMidLogin struct{ auth.Store }

func (s deactivatedMidLogin) CreateSession(ctx context.Context, n auth.NewSession) (int64, error) {
	if _, err := s.Store.SetActive(ctx, auth.ActiveChange{UserID: n.Session.UserID, At: n.Session.CreatedAt}); err != nil {
		return 0, err
	}
	return s.Store.CreateSession(ctx, n)
}

// TestLoginRacingDeactivation: a login whose user is deactivated after
// the password check and before the session is stored answers
// USER_INACTIVE and leaves no session: a deactivated user is never left
// logged in.
func TestLoginRacingDeactivation(t *testing.T) {
	t.Parallel()
	logs := &logtest.Buffer{}
	env := authtest.New(t, func(d *auth.Deps) {
		d.Store = deactivatedMidLogin{d.Store}
		d.Log = logging.New(logs, slog.LevelInfo)
	})
	reg := register(t, env, "fred")
	_, err := env.Service.Login(t.Context(), auth.LoginInput{Username: "fred", Password: authtest.Password("fred")})
	wantCode(t, "a login racing a deactivation", err, auth.CodeUserInactive)
	if list := liveSessions(t, env, reg.User.ID); len(list) != 0 {
		t.Errorf("live sessions after the race = %+v, want none", list)
	}
	var refused bool
	for _, l := range logs.Lines(t) {
		switch l["message"] {
		case "login failed":
			refused = l["reason"] == "inactive" && l["user_id"] == float64(reg.User.ID)
		case "user logged in":
			t.Errorf("a refused login was logged as done: %v", l)
		}
	}
	if !refused {
		t.Error(`no "login failed" line with reason inactive`)
	}
}

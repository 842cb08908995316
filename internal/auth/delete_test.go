package auth_test

import (
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
)

// TestDeleteAccountAndOwnEvents: a wrong password deletes nothing (401);
// the right one deletes the account, frees its names and keeps its
// events; each caller's events are only their own.
func TestDeleteAccountAndOwnEvents(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, nil)
	ctx := t.Context()
	svc := env.Service
	pw := authtest.Password("gina")
	client := auth.Client{IP: "198.51.100.4", UserAgent: "test", RequestID: "req-9"}
	reg, err := svc.Register(ctx, auth.RegisterInput{Username: "gina", Email: "gina@example.com", Password: pw, Client: client})
	if err != nil {
		t.Fatal(err)
	}
	other, err := svc.Register(ctx, auth.RegisterInput{Username: "hank", Email: "hank@example.com", Password: authtest.Password("hank")})
	if err != nil {
		t.Fatal(err)
	}
	caller, err := svc.Authenticate(ctx, reg.Tokens.Access)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := svc.OwnEvents(ctx, caller)
	if err != nil || len(ev) != 1 || ev[0].Action != auth.ActionRegistered || ev[0].RequestID != "req-9" || ev[0].IP != client.IP {
		t.Fatalf("own events = %+v, %v", ev, err)
	}
	wantCode(t, "delete with a wrong password", svc.DeleteAccount(ctx, caller, "not-the-password", "", client), auth.CodeInvalidCredentials)
	wantCode(t, "delete without a password", svc.DeleteAccount(ctx, caller, "", "", client), auth.CodeValidation)
	if err := svc.DeleteAccount(ctx, caller, pw, "", client); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := svc.Authenticate(ctx, reg.Tokens.Access); err == nil {
		t.Error("the deleted user's token still works")
	}
	if _, err := svc.Register(ctx, auth.RegisterInput{Username: "gina", Email: "gina@example.com", Password: pw}); err != nil {
		t.Errorf("register the freed names: %v", err)
	}
	kept, _ := env.Store.Events(ctx, auth.EventQuery{UserID: reg.User.ID, Limit: 10})
	if len(kept) != 2 || kept[0].Action != auth.ActionUserDeleted {
		t.Errorf("events of the deleted account = %+v", kept)
	}
	hank, _ := svc.Authenticate(ctx, other.Tokens.Access)
	mine, _ := svc.OwnEvents(ctx, hank)
	for _, e := range mine {
		if e.UserID != other.User.ID {
			t.Errorf("hank sees %+v", e)
		}
	}
}

// TestPurgeEvents: events older than the retention go, younger ones stay,
// by the injected clock.
func TestPurgeEvents(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, func(d *auth.Deps) { d.AuditRetention = 48 * time.Hour })
	ctx := t.Context()
	for _, n := range []string{"ivan", "jill"} {
		if _, err := env.Service.Register(ctx, auth.RegisterInput{Username: n, Email: n + "@example.com", Password: authtest.Password(n)}); err != nil {
			t.Fatal(err)
		}
		env.Clock.Add(24 * time.Hour)
	}
	env.Clock.Add(time.Hour) // ivan's event is 49 h old, jill's 25 h
	n, err := env.Service.PurgeEvents(ctx)
	if err != nil || n != 1 {
		t.Fatalf("PurgeEvents = %d, %v; want 1", n, err)
	}
	left, _ := env.Store.Events(ctx, auth.EventQuery{Limit: 10})
	if len(left) != 1 {
		t.Errorf("left %+v", left)
	}
}

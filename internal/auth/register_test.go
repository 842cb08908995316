package auth_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
)

// TestRegisterMakesIPKnown: the IP an account was registered from is known
// to it, as after a login (API.md, Throttling), so when the account is
// under attack before its owner ever logged in, the owner still gets in
// from there, by either name, and an unknown IP does not.
func TestRegisterMakesIPKnown(t *testing.T) {
	t.Parallel()
	env := authtest.New(t, func(d *auth.Deps) {
		d.Throttle = auth.Throttle{AccountMaxFailures: 3, Keys: auth.NewAttemptKeys([]byte(authtest.Secret))}
	})
	const home = "2001:db8:7::20"
	login := func(ip, name, pw string) error {
		_, err := env.Service.Login(t.Context(), auth.LoginInput{Username: name, Password: pw, Client: auth.Client{IP: ip}})
		return err
	}
	if _, err := env.Service.Register(t.Context(), auth.RegisterInput{Username: "rae", Email: "rae@example.com",
		Password: authtest.Password("rae"), Client: auth.Client{IP: home}}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Add(time.Hour)
	for i := range 3 {
		wantCode(t, "wrong password", login(fmt.Sprintf("203.0.113.%d", 10+i), "rae", "wrong-password"), auth.CodeInvalidCredentials)
	}
	wantCode(t, "an unknown IP during the attack", login("203.0.113.99", "rae", authtest.Password("rae")), auth.CodeRateLimited)
	if err := login(home, "rae", authtest.Password("rae")); err != nil {
		t.Errorf("owner from the IP they registered from, during the attack: %v", err)
	}
	if err := login("2001:db8:7::21", "rae@example.com", authtest.Password("rae")); err != nil {
		t.Errorf("owner by email from the registering /64, during the attack: %v", err)
	}
}

package mfa_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
	"github.com/authd/authd/internal/auth/mfa"
	"github.com/authd/authd/internal/otp"
	"github.com/authd/authd/internal/token"
)

// env is a core Service with data keys and TOTP, its mfa use cases, and
// one user (alice) logged in.
type env struct {
	*authtest.Env
	mfa    *mfa.Service
	caller auth.Caller
	access string
	client auth.Client
}

func newEnv(t *testing.T, edit func(*auth.Deps)) *env {
	t.Helper()
	keys, err := token.SecretKeys([]byte(authtest.Secret))
	if err != nil {
		t.Fatal(err)
	}
	e := authtest.New(t, func(d *auth.Deps) {
		d.Data, d.TOTP = keys.Data(), otp.TOTP{Issuer: "authd test"}
		if edit != nil {
			edit(d)
		}
	})
	v := &env{Env: e, mfa: mfa.New(e.Service), client: auth.Client{IP: "203.0.113.9", UserAgent: "test"}}
	a, err := e.Service.Register(t.Context(), auth.RegisterInput{Username: "alice", Email: "alice@example.com",
		Password: authtest.Password("alice"), Client: v.client})
	if err != nil {
		t.Fatal(err)
	}
	v.caller, v.access = v.callerOf(t, a), a.Tokens.Access
	return v
}

func (e *env) callerOf(t *testing.T, a auth.Authenticated) auth.Caller {
	t.Helper()
	c, err := e.Service.Authenticate(t.Context(), a.Tokens.Access)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// code is the TOTP code of secret at the env's now plus skew steps.
func (e *env) code(t *testing.T, secret string, skew int64) string {
	t.Helper()
	c, err := otp.TOTP{}.Code(secret, auth.TOTPStep(e.Clock.Now())+skew)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// step moves the clock to the next TOTP step, so a new code is fresh.
func (e *env) step() { e.Clock.Add(auth.TOTPPeriod * time.Second) }

// enable enrols and confirms alice, returning the secret and recovery codes.
func (e *env) enable(t *testing.T) (string, []string) {
	t.Helper()
	en, err := e.mfa.Enrol(t.Context(), e.caller, authtest.Password("alice"), e.client)
	if err != nil {
		t.Fatalf("Enrol: %v", err)
	}
	codes, err := e.mfa.Confirm(t.Context(), e.caller, e.code(t, en.Secret, 0), e.client)
	if err != nil {
		t.Fatalf("Confirm: %v", err)
	}
	e.step()
	return en.Secret, codes
}

// login logs alice in with her password and returns the MFA_REQUIRED token.
func (e *env) login(t *testing.T) string {
	t.Helper()
	_, err := e.Service.Login(t.Context(), auth.LoginInput{Username: "alice", Password: authtest.Password("alice"), Client: e.client})
	var ae *auth.Error
	if !errors.As(err, &ae) || ae.Code != auth.CodeMFARequired || ae.MFAToken == "" {
		t.Fatalf("Login = %v; want MFA_REQUIRED with a token", err)
	}
	return ae.MFAToken
}

func codeOf(err error) auth.Code {
	if err == nil {
		return ""
	}
	return auth.AsError(err).Code
}

func wantCode(t *testing.T, what string, err error, want auth.Code) {
	t.Helper()
	if got := codeOf(err); got != want {
		t.Fatalf("%s: %v; want %q", what, err, want)
	}
}

func TestEnrolConfirmAndLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := t.Context()
	_, err := e.mfa.Enrol(ctx, e.caller, "wrong password", e.client)
	wantCode(t, "enrol with a wrong password", err, auth.CodeInvalidCredentials)
	first, err := e.mfa.Enrol(ctx, e.caller, authtest.Password("alice"), e.client)
	if err != nil {
		t.Fatal(err)
	}
	en, err := e.mfa.Enrol(ctx, e.caller, authtest.Password("alice"), e.client)
	if err != nil || en.Secret == first.Secret {
		t.Fatalf("second Enrol = %v; want a new secret", err)
	}
	u, err := url.Parse(en.OTPAuthURL)
	if err != nil || u.Query().Get("secret") != en.Secret || u.Path != "/authd test:alice" {
		t.Errorf("otpauth url %q", en.OTPAuthURL)
	}
	// A pending factor does not ask for a code at login.
	if _, err := e.Service.Login(ctx, auth.LoginInput{Username: "alice", Password: authtest.Password("alice"), Client: e.client}); err != nil {
		t.Fatalf("login while pending: %v", err)
	}
	_, err = e.mfa.Confirm(ctx, e.caller, e.code(t, first.Secret, 0), e.client)
	wantCode(t, "confirm with the replaced secret", err, auth.CodeInvalidCode)
	// Another session of alice ends when two-factor turns on.
	other, err := e.Service.Login(ctx, auth.LoginInput{Username: "alice", Password: authtest.Password("alice"), Client: e.client})
	if err != nil {
		t.Fatal(err)
	}
	codes, err := e.mfa.Confirm(ctx, e.caller, e.code(t, en.Secret, 0), e.client)
	if err != nil || len(codes) != mfa.RecoveryCodeCount {
		t.Fatalf("Confirm = %d codes, %v", len(codes), err)
	}
	if len(codes[0]) != 14 || codes[0][4] != '-' || codes[0] == codes[1] {
		t.Errorf("recovery codes %q: want 12 characters in groups of four, all different", codes[:2])
	}
	if _, err := e.Service.Authenticate(ctx, other.Tokens.Access); codeOf(err) != auth.CodeSessionRevoked {
		t.Errorf("other session after enrolment: %v; want SESSION_REVOKED", err)
	}
	if _, err := e.Service.Authenticate(ctx, e.access); err != nil {
		t.Errorf("the confirming session ended: %v", err)
	}
	_, err = e.mfa.Enrol(ctx, e.caller, authtest.Password("alice"), e.client)
	wantCode(t, "enrol while on", err, auth.CodeMFAAlreadyEnabled)
	e.step()
	// A wrong password still answers as before.
	_, err = e.Service.Login(ctx, auth.LoginInput{Username: "alice", Password: "not her password", Client: e.client})
	wantCode(t, "wrong password", err, auth.CodeInvalidCredentials)
	tok := e.login(t)
	_, err = e.mfa.Login(ctx, mfa.LoginInput{MFAToken: tok, Code: "000000", Client: e.client})
	wantCode(t, "wrong code", err, auth.CodeInvalidCode)
	a, err := e.mfa.Login(ctx, mfa.LoginInput{MFAToken: tok, Code: e.code(t, en.Secret, 0), Client: e.client})
	if err != nil || a.User.Username != "alice" || a.Tokens.Access == "" {
		t.Fatalf("second step = %+v, %v", a, err)
	}
	_, err = e.mfa.Login(ctx, mfa.LoginInput{MFAToken: tok, Code: e.code(t, en.Secret, 1), Client: e.client})
	wantCode(t, "token used twice", err, auth.CodeInvalidToken)
}

func TestReplayAndSkew(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := t.Context()
	secret, _ := e.enable(t)
	e.step() // the step before now is fresh too
	finish := func(code string) error {
		_, err := e.mfa.Login(ctx, mfa.LoginInput{MFAToken: e.login(t), Code: code, Client: e.client})
		return err
	}
	for _, tc := range []struct {
		name string
		skew int64
		want auth.Code
	}{
		{"two steps behind", -2, auth.CodeInvalidCode},
		{"two steps ahead", 2, auth.CodeInvalidCode},
		{"one step behind", -1, ""},
		{"the same code again", -1, auth.CodeInvalidCode},
		{"one step ahead", 1, ""},
		{"the current step after a later one", 0, auth.CodeInvalidCode},
	} {
		if err := finish(e.code(t, secret, tc.skew)); codeOf(err) != tc.want {
			t.Errorf("%s: %v; want %q", tc.name, err, tc.want)
		}
	}
}

func TestParallelReplay(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	secret, _ := e.enable(t)
	const racers = 20
	tokens := make([]string, racers)
	for i := range tokens {
		tokens[i] = e.login(t)
	}
	code := e.code(t, secret, 0)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range racers {
		wg.Go(func() {
			<-start
			_, errs[i] = e.mfa.Login(context.Background(), mfa.LoginInput{MFAToken: tokens[i], Code: code, Client: e.client})
		})
	}
	close(start)
	wg.Wait()
	wins := 0
	for i, err := range errs {
		switch codeOf(err) {
		case "":
			wins++
		case auth.CodeInvalidCode:
		default:
			t.Errorf("racer %d: %v", i, err)
		}
	}
	if wins != 1 {
		t.Errorf("%d logins with one code, want 1", wins)
	}
}

func TestRecoveryCodeOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := t.Context()
	_, codes := e.enable(t)
	a, err := e.mfa.Login(ctx, mfa.LoginInput{MFAToken: e.login(t), RecoveryCode: " " + codes[3][:7] + codes[3][7:], Client: e.client})
	if err != nil || a.Tokens.Access == "" {
		t.Fatalf("login with a recovery code: %v", err)
	}
	_, err = e.mfa.Login(ctx, mfa.LoginInput{MFAToken: e.login(t), RecoveryCode: codes[3], Client: e.client})
	wantCode(t, "recovery code again", err, auth.CodeInvalidCode)
	_, err = e.mfa.Login(ctx, mfa.LoginInput{MFAToken: e.login(t), Code: "1", RecoveryCode: codes[4], Client: e.client})
	wantCode(t, "both code and recovery_code", err, auth.CodeValidation)
}

func TestWrongCodesSpendTheToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := t.Context()
	secret, _ := e.enable(t)
	tok := e.login(t)
	for i := range auth.ChallengeMaxTries {
		_, err := e.mfa.Login(ctx, mfa.LoginInput{MFAToken: tok, Code: "00000" + fmt.Sprint(i), Client: e.client})
		wantCode(t, fmt.Sprintf("wrong code %d", i+1), err, auth.CodeInvalidCode)
	}
	_, err := e.mfa.Login(ctx, mfa.LoginInput{MFAToken: tok, Code: e.code(t, secret, 0), Client: e.client})
	wantCode(t, "right code after 5 wrong ones", err, auth.CodeInvalidToken)
	tok = e.login(t)
	e.Clock.Add(auth.ChallengeTTL)
	_, err = e.mfa.Login(ctx, mfa.LoginInput{MFAToken: tok, Code: e.code(t, secret, 0), Client: e.client})
	wantCode(t, "token after 5 minutes", err, auth.CodeInvalidToken)
}

// throttledEnv is an env whose pair scope allows 3 free failures.
func throttledEnv(t *testing.T) *env {
	t.Helper()
	keys := auth.NewAttemptKeys([]byte(authtest.Secret))
	return newEnv(t, func(d *auth.Deps) {
		d.Throttle = auth.Throttle{Keys: keys, PairFreeFailures: 3, IPMaxFailures: 1000}
	})
}

func TestWrongCodesAreThrottled(t *testing.T) {
	t.Parallel()
	e := throttledEnv(t)
	ctx := t.Context()
	e.enable(t)
	tok := e.login(t)
	var err error
	for range 5 {
		_, err = e.mfa.Login(ctx, mfa.LoginInput{MFAToken: tok, Code: "999999", Client: e.client})
		if codeOf(err) == auth.CodeRateLimited {
			break
		}
	}
	wantCode(t, "wrong codes past the pair's free failures", err, auth.CodeRateLimited)
}

// TestSecondStepResetsThePair: a finished two-step login clears the
// pair's failures as a password login does, so its owner's earlier typos
// do not add up with later ones.
func TestSecondStepResetsThePair(t *testing.T) {
	t.Parallel()
	e := throttledEnv(t)
	ctx := t.Context()
	secret, _ := e.enable(t)
	wrong := func(tok string) {
		t.Helper()
		for range 2 {
			_, err := e.mfa.Login(ctx, mfa.LoginInput{MFAToken: tok, Code: "999999", Client: e.client})
			wantCode(t, "a typo", err, auth.CodeInvalidCode)
		}
	}
	tok := e.login(t)
	wrong(tok)
	if _, err := e.mfa.Login(ctx, mfa.LoginInput{MFAToken: tok, Code: e.code(t, secret, 0), Client: e.client}); err != nil {
		t.Fatalf("right code: %v", err)
	}
	wrong(e.login(t))
}

func TestChangesNeedACode(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := t.Context()
	secret, codes := e.enable(t)
	err := e.Service.RequireSecondFactor(ctx, e.caller.User, "", e.client)
	wantCode(t, "no code", err, auth.CodeMFARequired)
	err = e.Service.RequireSecondFactor(ctx, e.caller.User, "123456x", e.client)
	wantCode(t, "wrong code", err, auth.CodeInvalidCode)
	if err := e.Service.RequireSecondFactor(ctx, e.caller.User, e.code(t, secret, 0), e.client); err != nil {
		t.Fatalf("right code: %v", err)
	}
	_, err = e.mfa.RegenerateRecoveryCodes(ctx, e.caller, e.code(t, secret, 0), e.client)
	wantCode(t, "regenerate with a used code", err, auth.CodeInvalidCode)
	fresh, err := e.mfa.RegenerateRecoveryCodes(ctx, e.caller, codes[0], e.client)
	if err != nil || len(fresh) != mfa.RecoveryCodeCount {
		t.Fatalf("regenerate: %v", err)
	}
	err = e.mfa.Disable(ctx, e.caller, codes[1], e.client)
	wantCode(t, "disable with an old recovery code", err, auth.CodeInvalidCode)
	err = e.mfa.Disable(ctx, e.caller, "", e.client)
	wantCode(t, "disable without a code", err, auth.CodeValidation)
	if err := e.mfa.Disable(ctx, e.caller, fresh[0], e.client); err != nil {
		t.Fatalf("disable: %v", err)
	}
	if err := e.Service.RequireSecondFactor(ctx, e.caller.User, "", e.client); err != nil {
		t.Errorf("after disable, a change needs no code: %v", err)
	}
	if _, err := e.Service.Login(ctx, auth.LoginInput{Username: "alice", Password: authtest.Password("alice"), Client: e.client}); err != nil {
		t.Errorf("login after disable: %v", err)
	}
}

func TestOperatorReset(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	e.enable(t)
	for _, want := range []bool{true, false} {
		removed, err := e.mfa.Reset(t.Context(), auth.ActorCLI, e.caller.User.ID, auth.Client{})
		if err != nil || removed != want {
			t.Errorf("Reset = %v, %v; want %v", removed, err, want)
		}
	}
	_, err := e.mfa.Reset(t.Context(), auth.ActorCLI, 999, auth.Client{})
	wantCode(t, "unknown user", err, auth.CodeUserNotFound)
}

// keyFile is an AUTHD_JWT_KEYS file of one Ed25519 signing key and the
// data keys named by kids (the first seals), each 32 bytes of its kid.
func keyFile(t *testing.T, kids ...string) auth.DataKeys {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	keys := []map[string]string{{"kty": "OKP", "crv": "Ed25519", "d": b64(priv.Seed()), "x": b64(pub), "kid": "sig"}}
	for _, kid := range kids {
		k := make([]byte, 32)
		copy(k, kid)
		keys = append(keys, map[string]string{"kty": "oct", "use": "enc", "kid": kid, "k": b64(k)})
	}
	raw, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	ks, err := token.ParseKeys(raw)
	if err != nil {
		t.Fatalf("ParseKeys: %v", err)
	}
	return ks.Data()
}

func TestNoDataKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(d *auth.Deps) { d.Data = keyFile(t) })
	_, err := e.mfa.Enrol(t.Context(), e.caller, authtest.Password("alice"), e.client)
	wantCode(t, "enrol without a data key", err, auth.CodeNotConfigured)
}

// TestDataKeyRotation: a secret sealed under key A still opens after the
// file becomes [B, A] (B seals, A only opens), so logins keep working.
func TestDataKeyRotation(t *testing.T) {
	t.Parallel()
	var keys struct {
		sync.Mutex
		d auth.DataKeys
	}
	keys.d = keyFile(t, "key-a")
	rotating := rotatingKeys{get: func() auth.DataKeys { keys.Lock(); defer keys.Unlock(); return keys.d }}
	e := newEnv(t, func(d *auth.Deps) { d.Data = rotating })
	secret, _ := e.enable(t)
	keys.Lock()
	keys.d = keyFile(t, "key-b", "key-a")
	keys.Unlock()
	if _, err := e.mfa.Login(t.Context(), mfa.LoginInput{MFAToken: e.login(t), Code: e.code(t, secret, 0), Client: e.client}); err != nil {
		t.Fatalf("login after the rotation: %v", err)
	}
	keys.Lock()
	keys.d = keyFile(t, "key-b")
	keys.Unlock()
	e.step()
	_, err := e.mfa.Login(t.Context(), mfa.LoginInput{MFAToken: e.login(t), Code: e.code(t, secret, 0), Client: e.client})
	if err == nil {
		t.Fatal("a secret opened after its key left the file")
	}
}

// rotatingKeys stands for a restart with a new key file: the Service
// keeps its Deps, so the test swaps what they read.
type rotatingKeys struct{ get func() auth.DataKeys }

func (r rotatingKeys) Seal(p, c []byte) ([]byte, error) { return r.get().Seal(p, c) }
func (r rotatingKeys) Open(s, c []byte) ([]byte, error) { return r.get().Open(s, c) }
func (r rotatingKeys) MACKey(p string) []byte           { return r.get().MACKey(p) }
func (r rotatingKeys) CanSeal() bool                    { return r.get().CanSeal() }

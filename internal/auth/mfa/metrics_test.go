package mfa_test

import (
	"net/http/httptest"
	"testing"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/authtest"
	"github.com/authd/authd/internal/auth/mfa"
	"github.com/authd/authd/internal/metrics"
	"github.com/authd/authd/internal/metrics/metricstest"
)

// TestAttemptsCounted: each second-factor check is counted under its
// result in authd_mfa_attempts_total, and turning two-factor on counts
// the other sessions ended for reason mfa.
func TestAttemptsCounted(t *testing.T) {
	t.Parallel()
	m := metrics.New("test")
	e := newEnv(t, func(d *auth.Deps) { d.Observer = m })
	ctx := t.Context()
	if _, err := e.Service.Login(ctx, auth.LoginInput{Username: "alice", Password: authtest.Password("alice"), Client: e.client}); err != nil {
		t.Fatal(err)
	}
	secret, codes := e.enable(t) // one success, one session ended
	code := e.code(t, secret, 0)
	for _, c := range []string{code, code, "000000"} { // success, replayed, invalid (or replayed)
		_, _ = e.mfa.Login(ctx, mfa.LoginInput{MFAToken: e.login(t), Code: c, Client: e.client})
	}
	if _, err := e.mfa.Login(ctx, mfa.LoginInput{MFAToken: e.login(t), RecoveryCode: codes[0], Client: e.client}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	s := metricstest.Get(t, srv.Client(), srv.URL)
	for series, want := range map[string]float64{
		`authd_mfa_attempts_total{result="success"}`:       2,
		`authd_mfa_attempts_total{result="replayed"}`:      1,
		`authd_mfa_attempts_total{result="invalid"}`:       1,
		`authd_mfa_attempts_total{result="recovery_code"}`: 1,
		`authd_sessions_ended_total{reason="mfa"}`:         1,
	} {
		if got := s.Values[series]; got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}
}

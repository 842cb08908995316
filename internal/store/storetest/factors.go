package storetest

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// factorCases are the cases of two-factor login's facts.
func factorCases() []struct {
	name string
	test func(t *testing.T, s auth.Store)
} {
	return []struct {
		name string
		test func(t *testing.T, s auth.Store)
	}{
		{"factor enrol, replace, confirm", testFactorLifecycle},
		{"factor step spent once", testFactorStep},
		{"factor step under a race", testFactorStepRace},
		{"recovery codes single use and replaced", testRecoveryCodes},
		{"factor disable and reset", testFactorDisable},
		{"challenge tries, finish once, expiry, purge", testChallenge},
		{"challenge finish under a race", testChallengeRace},
	}
}

// hash32 is a 32-byte keyed-hash stand-in for s.
func hash32(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// confirmedFactor makes user name with a confirmed factor at step 100,
// recovery codes "r0".."r2", and returns the user.
func confirmedFactor(t *testing.T, s auth.Store, name string) auth.User {
	t.Helper()
	u := mustCreate(t, s, newUser(name))
	if err := s.EnrolFactor(t.Context(), auth.FactorEnrolment{UserID: u.ID, Sealed: []byte("sealed"), At: sessionT0()}); err != nil {
		t.Fatalf("EnrolFactor: %v", err)
	}
	codes := [][]byte{hash32("r0"), hash32("r1"), hash32("r2")}
	if _, err := s.ConfirmFactor(t.Context(), auth.FactorConfirmation{UserID: u.ID, Step: 100, Recovery: codes, At: sessionT0()}); err != nil {
		t.Fatalf("ConfirmFactor: %v", err)
	}
	return u
}

func testFactorLifecycle(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("alice"))
	_, err := s.FactorByUser(ctx, u.ID)
	assertErrorIs(t, "no factor", err, auth.ErrFactorNotFound)
	for i, sealed := range []string{"first", "second"} {
		at := sessionT0().Add(time.Duration(i) * time.Minute)
		if err := s.EnrolFactor(ctx, auth.FactorEnrolment{UserID: u.ID, Sealed: []byte(sealed), At: at}); err != nil {
			t.Fatalf("EnrolFactor %s: %v", sealed, err)
		}
	}
	f, err := s.FactorByUser(ctx, u.ID)
	if err != nil || string(f.Sealed) != "second" || f.On() || f.LastStep != 0 {
		t.Fatalf("pending factor = %+v, %v; want the second, pending", f, err)
	}
	assertTime(t, "created_at", f.CreatedAt, sessionT0().Add(time.Minute))
	if got, err := s.UserByID(ctx, u.ID); err != nil || got.MFAEnabled {
		t.Errorf("user with a pending factor: MFAEnabled %v (%v), want false", got.MFAEnabled, err)
	}
	// Two sessions: the confirming one stays, the other ends for mfa.
	keep, other := newSession(1, u.ID, sessionT0()), newSession(2, u.ID, sessionT0())
	keep.AAL = auth.AAL2
	mustCreateSession(t, s, keep)
	mustCreateSession(t, s, other)
	notice := testMail("mfa-on", auth.MailKind("mfa_changed"))
	ended, err := s.ConfirmFactor(ctx, auth.FactorConfirmation{UserID: u.ID, Step: 7, Recovery: [][]byte{hash32("a")},
		KeepSession: keep.ID, At: sessionT0().Add(2 * time.Minute), Notice: &notice})
	if err != nil || ended != 1 {
		t.Fatalf("ConfirmFactor = %d, %v; want 1 session ended", ended, err)
	}
	if got := mustSession(t, s, other.ID); got.EndedAt == nil || got.EndReason != auth.EndMFA {
		t.Errorf("other session = %+v; want ended for mfa", got)
	}
	if got := mustSession(t, s, keep.ID); got.EndedAt != nil || got.AAL != auth.AAL2 {
		t.Errorf("confirming session = %+v; want live, aal2 kept", got)
	}
	if got := mustSession(t, s, other.ID); got.AAL != auth.AAL1 {
		t.Errorf("a session stored without an aal reads %q, want aal1", got.AAL)
	}
	assertDepth(t, s, 1)
	f, err = s.FactorByUser(ctx, u.ID)
	if err != nil || !f.On() || f.LastStep != 7 {
		t.Fatalf("confirmed factor = %+v, %v; want on at step 7", f, err)
	}
	assertTime(t, "confirmed_at", *f.ConfirmedAt, sessionT0().Add(2*time.Minute))
	// Every read of the user says so, not only the session check.
	byID, err1 := s.UserByID(ctx, u.ID)
	byName, err2 := s.UserByUsername(ctx, u.Username)
	page, err3 := s.ListUsers(ctx, auth.UserQuery{Query: u.Username, Limit: 10})
	if err1 != nil || err2 != nil || err3 != nil || !byID.MFAEnabled || !byName.MFAEnabled || len(page) != 1 || !page[0].MFAEnabled {
		t.Errorf("MFAEnabled after confirm: by id %v, by name %v, listed %v (%v %v %v)", byID.MFAEnabled, byName.MFAEnabled, page, err1, err2, err3)
	}
	_, err = s.ConfirmFactor(ctx, auth.FactorConfirmation{UserID: u.ID, Step: 8, At: sessionT0()})
	assertErrorIs(t, "second confirm", err, auth.ErrStepUsed)
	err = s.EnrolFactor(ctx, auth.FactorEnrolment{UserID: u.ID, Sealed: []byte("third"), At: sessionT0()})
	assertErrorIs(t, "enrol while on", err, auth.ErrFactorOn)
	if f, _ := s.FactorByUser(ctx, u.ID); string(f.Sealed) != "second" {
		t.Errorf("enrol while on replaced the secret: %q", f.Sealed)
	}
}

func testFactorStep(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := confirmedFactor(t, s, "alice")
	for _, tc := range []struct {
		step int64
		want error
	}{{100, auth.ErrStepUsed}, {99, auth.ErrStepUsed}, {101, nil}, {101, auth.ErrStepUsed}, {103, nil}, {102, auth.ErrStepUsed}} {
		err := s.SpendProof(ctx, auth.ProofUse{UserID: u.ID, Proof: auth.Proof{Step: tc.step}, At: sessionT0()})
		if !errors.Is(err, tc.want) || (tc.want == nil && err != nil) {
			t.Errorf("SpendProof(step %d) = %v, want %v", tc.step, err, tc.want)
		}
	}
	// A pending factor's steps are spent only by its confirmation.
	p := mustCreate(t, s, newUser("bob"))
	if err := s.EnrolFactor(ctx, auth.FactorEnrolment{UserID: p.ID, Sealed: []byte("x"), At: sessionT0()}); err != nil {
		t.Fatal(err)
	}
	err := s.SpendProof(ctx, auth.ProofUse{UserID: p.ID, Proof: auth.Proof{Step: 5}, At: sessionT0()})
	assertErrorIs(t, "step of a pending factor", err, auth.ErrStepUsed)
}

// testFactorStepRace: one code sent racers times at once passes once.
func testFactorStepRace(t *testing.T, s auth.Store) {
	u := confirmedFactor(t, s, "alice")
	errs := race(func(int) error {
		return s.SpendProof(t.Context(), auth.ProofUse{UserID: u.ID, Proof: auth.Proof{Step: 101}, At: sessionT0()})
	})
	assertOneWinner(t, errs, auth.ErrStepUsed)
}

// assertOneWinner: exactly one of errs is nil, every other is lost.
func assertOneWinner(t *testing.T, errs []error, lost error) {
	t.Helper()
	wins := 0
	for i, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, lost):
			t.Errorf("racer %d: %v, want %v", i, err, lost)
		}
	}
	if wins != 1 {
		t.Errorf("%d racers won, want exactly 1", wins)
	}
}

func testRecoveryCodes(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := confirmedFactor(t, s, "alice")
	other := confirmedFactor(t, s, "bob")
	spend := func(user int64, code string) error {
		return s.SpendProof(ctx, auth.ProofUse{UserID: user, Proof: auth.Proof{Recovery: hash32(code)}, At: sessionT0()})
	}
	if err := spend(u.ID, "r1"); err != nil {
		t.Fatalf("first use: %v", err)
	}
	assertErrorIs(t, "second use", spend(u.ID, "r1"), auth.ErrRecoveryCodeNotFound)
	assertErrorIs(t, "unknown code", spend(u.ID, "nope"), auth.ErrRecoveryCodeNotFound)
	if err := spend(other.ID, "r1"); err != nil {
		t.Errorf("bob's own r1 after alice spent hers: %v", err)
	}
	// Regenerating needs a proof, and the old codes stop working.
	err := s.ReplaceRecoveryCodes(ctx, auth.RecoveryCodes{UserID: u.ID, Proof: auth.Proof{Step: 100}, Hashes: [][]byte{hash32("n0")}, At: sessionT0()})
	assertErrorIs(t, "replace with a used step", err, auth.ErrStepUsed)
	if err := spend(u.ID, "r2"); err != nil {
		t.Fatalf("r2 after a refused replace: %v", err)
	}
	if err := s.ReplaceRecoveryCodes(ctx, auth.RecoveryCodes{UserID: u.ID, Proof: auth.Proof{Recovery: hash32("r0")}, Hashes: [][]byte{hash32("n0"), hash32("n1")}, At: sessionT0()}); err != nil {
		t.Fatalf("ReplaceRecoveryCodes: %v", err)
	}
	assertErrorIs(t, "old code after replace", spend(u.ID, "r2"), auth.ErrRecoveryCodeNotFound)
	if err := spend(u.ID, "n1"); err != nil {
		t.Errorf("new code: %v", err)
	}
}

func testFactorDisable(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := confirmedFactor(t, s, "alice")
	removed, err := s.DisableFactor(ctx, auth.FactorRemoval{UserID: u.ID, Proof: &auth.Proof{Step: 50}, At: sessionT0()})
	assertErrorIs(t, "disable with a used step", err, auth.ErrStepUsed)
	if removed {
		t.Error("a refused disable reported a removal")
	}
	notice := testMail("mfa-off", auth.MailKind("mfa_changed"))
	removed, err = s.DisableFactor(ctx, auth.FactorRemoval{UserID: u.ID, Proof: &auth.Proof{Step: 101}, At: sessionT0(), Notice: &notice})
	if err != nil || !removed {
		t.Fatalf("DisableFactor = %v, %v; want removed", removed, err)
	}
	assertDepth(t, s, 1)
	_, err = s.FactorByUser(ctx, u.ID)
	assertErrorIs(t, "factor after disable", err, auth.ErrFactorNotFound)
	err = s.SpendProof(ctx, auth.ProofUse{UserID: u.ID, Proof: auth.Proof{Recovery: hash32("r0")}, At: sessionT0()})
	assertErrorIs(t, "recovery code after disable", err, auth.ErrRecoveryCodeNotFound)
	// An operator's reset needs no proof; nothing to reset is false.
	v := confirmedFactor(t, s, "bob")
	for _, want := range []bool{true, false} {
		removed, err := s.DisableFactor(ctx, auth.FactorRemoval{UserID: v.ID, At: sessionT0()})
		if err != nil || removed != want {
			t.Errorf("reset = %v, %v; want %v", removed, err, want)
		}
	}
	assertDepth(t, s, 1)
}

// challenge is a live challenge n of user, valid for five minutes.
func challenge(n int, user int64) auth.MFAChallenge {
	return auth.MFAChallenge{Hash: hash32(fmt.Sprintf("challenge %d", n)), UserID: user,
		CreatedAt: sessionT0(), ExpiresAt: sessionT0().Add(5 * time.Minute)}
}

func testChallenge(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := confirmedFactor(t, s, "alice")
	c := challenge(1, u.ID)
	if err := s.CreateChallenge(ctx, c); err != nil {
		t.Fatalf("CreateChallenge: %v", err)
	}
	got, err := s.ChallengeByHash(ctx, c.Hash)
	if err != nil || got.UserID != u.ID || got.Tries != 0 {
		t.Fatalf("ChallengeByHash = %+v, %v", got, err)
	}
	assertTime(t, "expires_at", got.ExpiresAt, c.ExpiresAt)
	for want := 1; want <= 5; want++ {
		if n, err := s.MissChallenge(ctx, c.Hash); err != nil || n != want {
			t.Fatalf("MissChallenge = %d, %v; want %d", n, err, want)
		}
	}
	finish := func(c auth.MFAChallenge, step int64, at time.Time) error {
		return s.FinishChallenge(ctx, auth.ChallengeFinish{Hash: c.Hash, UserID: u.ID, Proof: auth.Proof{Step: step}, MaxTries: 5, At: at})
	}
	assertErrorIs(t, "finish after 5 misses", finish(c, 101, sessionT0()), auth.ErrChallengeNotFound)
	// A used step rolls the finish back: the challenge stays for a right code.
	c2 := challenge(2, u.ID)
	if err := s.CreateChallenge(ctx, c2); err != nil {
		t.Fatal(err)
	}
	assertErrorIs(t, "finish with a used step", finish(c2, 100, sessionT0()), auth.ErrStepUsed)
	if err := finish(c2, 101, sessionT0()); err != nil {
		t.Fatalf("FinishChallenge: %v", err)
	}
	assertErrorIs(t, "finish twice", finish(c2, 102, sessionT0()), auth.ErrChallengeNotFound)
	_, err = s.ChallengeByHash(ctx, c2.Hash)
	assertErrorIs(t, "finished challenge", err, auth.ErrChallengeNotFound)
	_, err = s.MissChallenge(ctx, c2.Hash)
	assertErrorIs(t, "miss of a finished challenge", err, auth.ErrChallengeNotFound)
	c3 := challenge(3, u.ID)
	if err := s.CreateChallenge(ctx, c3); err != nil {
		t.Fatal(err)
	}
	assertErrorIs(t, "finish at expiry", finish(c3, 103, c3.ExpiresAt), auth.ErrChallengeNotFound)
	n, err := s.PurgeChallenges(ctx, c3.ExpiresAt.Add(time.Second), 10)
	if err != nil || n != 2 { // c (spent by tries) and c3 (expired)
		t.Errorf("PurgeChallenges = %d, %v; want 2", n, err)
	}
}

// testChallengeRace: one mfa_token finished by racers at once, each with
// a fresh step, is finished once.
func testChallengeRace(t *testing.T, s auth.Store) {
	u := confirmedFactor(t, s, "alice")
	c := challenge(1, u.ID)
	if err := s.CreateChallenge(t.Context(), c); err != nil {
		t.Fatal(err)
	}
	errs := race(func(i int) error {
		return s.FinishChallenge(t.Context(), auth.ChallengeFinish{Hash: c.Hash, UserID: u.ID,
			Proof: auth.Proof{Step: int64(200 + i)}, MaxTries: 5, At: sessionT0()})
	})
	assertOneWinner(t, errs, auth.ErrChallengeNotFound)
}

// StepOnceAcrossStores races one TOTP step's spend through two stores on
// one database, as two replicas would send it: exactly one passes. a makes
// the user and the factor.
func StepOnceAcrossStores(t *testing.T, a, b auth.Store) {
	u := confirmedFactor(t, a, "alice")
	stores := []auth.Store{a, b}
	errs := race(func(i int) error {
		return stores[i%2].SpendProof(t.Context(), auth.ProofUse{UserID: u.ID, Proof: auth.Proof{Step: 101}, At: sessionT0()})
	})
	assertOneWinner(t, errs, auth.ErrStepUsed)
}

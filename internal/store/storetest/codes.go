package storetest

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// codeCases are the cases of one-time codes and the mail queue.
func codeCases() []struct {
	name string
	test func(t *testing.T, s auth.Store)
} {
	return []struct {
		name string
		test func(t *testing.T, s auth.Store)
	}{
		{"code request: newest only, nothing for no account", testRequestCode},
		{"code tries and lookups", testTryCode},
		{"password reset spends the code once", testResetPassword},
		{"email verification and change", testVerifyEmail},
		{"registration queues its verification", testRegisterVerify},
		{"mail queue claim, retry, finish", testMailQueue},
		{"mail queue racing claims", testMailClaimRace},
		{"code purge", testPurgeCodes},
	}
}

// testCode is a code of purpose for user id, mailed to email, live for an
// hour from sessionT0; n makes its hashes unique.
func testCode(n int, id int64, purpose auth.Purpose, email string) auth.OneTimeCode {
	th := sha256.Sum256(fmt.Appendf(nil, "token %d", n))
	ch := sha256.Sum256(fmt.Appendf(nil, "code %d", n))
	return auth.OneTimeCode{UserID: id, Purpose: purpose, Email: email, TokenHash: th[:], CodeHash: ch[:],
		CreatedAt: sessionT0(), ExpiresAt: sessionT0().Add(time.Hour)}
}

func testMail(id string, kind auth.MailKind) auth.QueuedMail {
	return auth.QueuedMail{ID: id, Kind: kind, To: "x@example.com", Payload: []byte("sealed " + id), CreatedAt: sessionT0(), NextAt: sessionT0()}
}

func mustRequest(t *testing.T, s auth.Store, r auth.CodeRequest) bool {
	t.Helper()
	stored, err := s.RequestCode(t.Context(), r)
	if err != nil {
		t.Fatalf("RequestCode: %v", err)
	}
	return stored
}

func assertDepth(t *testing.T, s auth.Store, want int64) {
	t.Helper()
	n, err := s.MailQueueDepth(t.Context())
	if err != nil || n != want {
		t.Fatalf("MailQueueDepth = %d, %v; want %d", n, err, want)
	}
}

func testRequestCode(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("alice"))
	first := testCode(1, u.ID, auth.PurposeReset, u.Email)
	if !mustRequest(t, s, auth.CodeRequest{Code: first, Mails: []auth.QueuedMail{testMail("m1", auth.MailResetPassword)}}) {
		t.Fatal("the code of an active user was not stored")
	}
	second := testCode(2, u.ID, auth.PurposeReset, u.Email)
	mustRequest(t, s, auth.CodeRequest{Code: second, Mails: []auth.QueuedMail{testMail("m2", auth.MailResetPassword)}})
	_, err := s.CodeByToken(ctx, first.TokenHash)
	assertErrorIs(t, "the older code after a newer request", err, auth.ErrCodeNotFound)
	got, err := s.CodeByToken(ctx, second.TokenHash)
	if err != nil || got.UserID != u.ID || got.Purpose != auth.PurposeReset || !bytes.Equal(got.CodeHash, second.CodeHash) {
		t.Fatalf("CodeByToken = %+v, %v", got, err)
	}
	assertTime(t, "expires_at", got.ExpiresAt, second.ExpiresAt)
	// A verification code is another purpose: the reset code stays.
	mustRequest(t, s, auth.CodeRequest{Code: testCode(3, u.ID, auth.PurposeVerify, u.Email)})
	if _, err := s.CodeByToken(ctx, second.TokenHash); err != nil {
		t.Errorf("a code of another purpose replaced the reset code: %v", err)
	}
	assertDepth(t, s, 2)
	// No account, and an inactive one: nothing stored, nothing queued.
	if mustRequest(t, s, auth.CodeRequest{Code: testCode(4, 0, auth.PurposeReset, "nobody@example.com"),
		Mails: []auth.QueuedMail{testMail("m3", auth.MailResetPassword)}}) {
		t.Error("a code for no account was stored")
	}
	if _, err := s.SetActive(ctx, auth.ActiveChange{UserID: u.ID, Active: false, At: sessionT0()}); err != nil {
		t.Fatal(err)
	}
	if mustRequest(t, s, auth.CodeRequest{Code: testCode(5, u.ID, auth.PurposeReset, u.Email),
		Mails: []auth.QueuedMail{testMail("m4", auth.MailResetPassword)}}) {
		t.Error("a code for an inactive account was stored")
	}
	assertDepth(t, s, 2)
}

func testTryCode(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("bob"))
	c := testCode(1, u.ID, auth.PurposeReset, u.Email)
	mustRequest(t, s, auth.CodeRequest{Code: c})
	got, err := s.CodeByEmail(ctx, u.Email, []auth.Purpose{auth.PurposeReset})
	if err != nil || !bytes.Equal(got.TokenHash, c.TokenHash) {
		t.Fatalf("CodeByEmail = %+v, %v", got, err)
	}
	_, err = s.CodeByEmail(ctx, u.Email, []auth.Purpose{auth.PurposeVerify, auth.PurposeChange})
	assertErrorIs(t, "a code of another purpose by email", err, auth.ErrCodeNotFound)
	for want := 1; want <= 3; want++ {
		n, err := s.TryCode(ctx, got.ID)
		if err != nil || n != want {
			t.Fatalf("TryCode = %d, %v; want %d", n, err, want)
		}
	}
	_, err = s.TryCode(ctx, got.ID+1000)
	assertErrorIs(t, "TryCode of no code", err, auth.ErrCodeNotFound)
}

func testResetPassword(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("carol"))
	mustCreateSession(t, s, newSession(1, u.ID, sessionT0()))
	mustCreateSession(t, s, newSession(2, u.ID, sessionT0()))
	c := testCode(1, u.ID, auth.PurposeReset, u.Email)
	mustRequest(t, s, auth.CodeRequest{Code: c})
	got, err := s.CodeByToken(ctx, c.TokenHash)
	if err != nil {
		t.Fatal(err)
	}
	at := sessionT0().Add(time.Minute)
	r := auth.PasswordReset{CodeID: got.ID, UserID: u.ID, Email: u.Email, Hash: "$2a$04$new", At: at,
		Notice: testMail("notice", auth.MailPasswordChanged)}
	ended, err := s.ResetPassword(ctx, r)
	if err != nil || ended != 2 {
		t.Fatalf("ResetPassword = %d, %v; want 2 sessions ended", ended, err)
	}
	after, err := s.UserByID(ctx, u.ID)
	if err != nil || after.HashedPassword != "$2a$04$new" || !after.EmailVerified() {
		t.Fatalf("after the reset: %+v, %v", after, err)
	}
	assertTime(t, "email_verified_at", *after.EmailVerifiedAt, at)
	assertDepth(t, s, 1)
	_, err = s.ResetPassword(ctx, r)
	assertErrorIs(t, "a second reset with the same code", err, auth.ErrCodeNotFound)
	// An expired code is refused by the write itself.
	c2 := testCode(2, u.ID, auth.PurposeReset, u.Email)
	mustRequest(t, s, auth.CodeRequest{Code: c2})
	got2, _ := s.CodeByToken(ctx, c2.TokenHash)
	r.CodeID, r.At = got2.ID, c2.ExpiresAt
	_, err = s.ResetPassword(ctx, r)
	assertErrorIs(t, "a reset with an expired code", err, auth.ErrCodeNotFound)
}

func testVerifyEmail(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("dave"))
	mustCreate(t, s, newUser("taken"))
	at := sessionT0().Add(time.Minute)
	// A change to a taken address: 409, and the code stays for a retry.
	c := testCode(1, u.ID, auth.PurposeChange, "taken@example.com")
	mustRequest(t, s, auth.CodeRequest{Code: c})
	got, _ := s.CodeByToken(ctx, c.TokenHash)
	err := s.VerifyEmail(ctx, auth.EmailVerification{CodeID: got.ID, UserID: u.ID, Email: c.Email, Change: true, At: at})
	assertErrorIs(t, "a change to a taken address", err, auth.ErrUserExists)
	if _, err := s.CodeByToken(ctx, c.TokenHash); err != nil {
		t.Errorf("the refused change spent its code: %v", err)
	}
	c = testCode(2, u.ID, auth.PurposeChange, "dave.new@example.com")
	mustRequest(t, s, auth.CodeRequest{Code: c})
	got, _ = s.CodeByToken(ctx, c.TokenHash)
	if err := s.VerifyEmail(ctx, auth.EmailVerification{CodeID: got.ID, UserID: u.ID, Email: c.Email, Change: true, At: at}); err != nil {
		t.Fatal(err)
	}
	after, _ := s.UserByID(ctx, u.ID)
	if after.Email != "dave.new@example.com" || !after.EmailVerified() {
		t.Fatalf("after the change: %+v", after)
	}
	err = s.VerifyEmail(ctx, auth.EmailVerification{CodeID: got.ID, UserID: u.ID, Email: c.Email, Change: true, At: at})
	assertErrorIs(t, "the change code again", err, auth.ErrCodeNotFound)
	// A plain verification of an address the user no longer has verifies nothing.
	w := mustCreate(t, s, newUser("erin"))
	v := testCode(3, w.ID, auth.PurposeVerify, "old@example.com")
	mustRequest(t, s, auth.CodeRequest{Code: v})
	got, _ = s.CodeByToken(ctx, v.TokenHash)
	if err := s.VerifyEmail(ctx, auth.EmailVerification{CodeID: got.ID, UserID: w.ID, Email: v.Email, At: at}); err != nil {
		t.Fatal(err)
	}
	if after, _ := s.UserByID(ctx, w.ID); after.EmailVerified() {
		t.Error("verifying another address verified the user's")
	}
}

func testRegisterVerify(t *testing.T, s auth.Store) {
	ctx := t.Context()
	nu := newUser("frank")
	c := testCode(1, 0, auth.PurposeVerify, nu.Email)
	nu.Verify = &auth.CodeRequest{Code: c, Mails: []auth.QueuedMail{testMail("v1", auth.MailVerifyEmail)}}
	u := mustCreate(t, s, nu)
	if u.EmailVerified() {
		t.Error("a new user is verified")
	}
	got, err := s.CodeByToken(ctx, c.TokenHash)
	if err != nil || got.UserID != u.ID {
		t.Fatalf("the registration's code: %+v, %v", got, err)
	}
	mails, err := s.ClaimMail(ctx, sessionT0(), sessionT0().Add(time.Minute), 10)
	if err != nil || len(mails) != 1 || mails[0].UserID != u.ID || mails[0].ID != "v1" {
		t.Fatalf("the registration's mail: %+v, %v", mails, err)
	}
}

func testMailQueue(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("gina"))
	m := testMail("q1", auth.MailResetPassword)
	m.To = "gina@example.com"
	mustRequest(t, s, auth.CodeRequest{Code: testCode(1, u.ID, auth.PurposeReset, u.Email), Mails: []auth.QueuedMail{m}})
	t0 := sessionT0()
	if got, err := s.ClaimMail(ctx, t0.Add(-time.Second), t0.Add(time.Minute), 10); err != nil || len(got) != 0 {
		t.Fatalf("a mail not yet due was claimed: %+v, %v", got, err)
	}
	got, err := s.ClaimMail(ctx, t0, t0.Add(time.Minute), 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("ClaimMail = %+v, %v", got, err)
	}
	c := got[0]
	if c.ID != "q1" || c.To != "gina@example.com" || c.Kind != auth.MailResetPassword || c.Attempts != 1 || string(c.Payload) != "sealed q1" {
		t.Errorf("claimed %+v", c)
	}
	assertTime(t, "created_at", c.CreatedAt, t0)
	if again, _ := s.ClaimMail(ctx, t0.Add(30*time.Second), t0.Add(2*time.Minute), 10); len(again) != 0 {
		t.Error("a claimed mail was claimed again within its lease")
	}
	again, err := s.ClaimMail(ctx, t0.Add(time.Minute), t0.Add(2*time.Minute), 10)
	if err != nil || len(again) != 1 || again[0].Attempts != 2 {
		t.Fatalf("after the lease: %+v, %v", again, err)
	}
	if err := s.RetryMail(ctx, "q1", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ClaimMail(ctx, t0.Add(59*time.Minute), t0.Add(2*time.Hour), 10); len(got) != 0 {
		t.Error("a mail was claimed before its retry time")
	}
	assertDepth(t, s, 1)
	if err := s.FinishMail(ctx, "q1"); err != nil {
		t.Fatal(err)
	}
	assertDepth(t, s, 0)
}

func testMailClaimRace(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("hank"))
	var mails []auth.QueuedMail
	for i := range 40 {
		mails = append(mails, testMail(fmt.Sprintf("r%02d", i), auth.MailVerifyEmail))
	}
	mustRequest(t, s, auth.CodeRequest{Code: testCode(1, u.ID, auth.PurposeVerify, u.Email), Mails: mails})
	var (
		mu   sync.Mutex
		seen = map[string]int{}
		wg   sync.WaitGroup
	)
	for range 4 {
		wg.Go(func() {
			for {
				got, err := s.ClaimMail(ctx, sessionT0(), sessionT0().Add(time.Hour), 3)
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				for _, m := range got {
					seen[m.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 40 {
		t.Errorf("%d mails claimed, want 40", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("mail %s claimed %d times", id, n)
		}
	}
}

func testPurgeCodes(t *testing.T, s auth.Store) {
	ctx := t.Context()
	u := mustCreate(t, s, newUser("ivan"))
	old := testCode(1, u.ID, auth.PurposeReset, u.Email)
	mustRequest(t, s, auth.CodeRequest{Code: old})
	live := testCode(2, u.ID, auth.PurposeVerify, u.Email)
	live.ExpiresAt = sessionT0().Add(3 * time.Hour)
	mustRequest(t, s, auth.CodeRequest{Code: live})
	n, err := s.PurgeCodes(ctx, sessionT0().Add(2*time.Hour), 10)
	if err != nil || n != 1 {
		t.Fatalf("PurgeCodes = %d, %v; want 1", n, err)
	}
	if _, err := s.CodeByToken(ctx, live.TokenHash); err != nil {
		t.Errorf("the live code was purged: %v", err)
	}
}

package breaker

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// storeCalls is one call of every data method of auth.Store, by name.
func storeCalls(s auth.Store) map[string]func(ctx context.Context) error {
	now := time.Now()
	return map[string]func(ctx context.Context) error{
		"CreateUser":     func(ctx context.Context) error { _, err := s.CreateUser(ctx, auth.NewUser{Username: "a"}); return err },
		"UserByID":       func(ctx context.Context) error { _, err := s.UserByID(ctx, 1); return err },
		"UserByUsername": func(ctx context.Context) error { _, err := s.UserByUsername(ctx, "a"); return err },
		"UserByEmail":    func(ctx context.Context) error { _, err := s.UserByEmail(ctx, "a@example.com"); return err },
		"SetActive": func(ctx context.Context) error {
			_, err := s.SetActive(ctx, auth.ActiveChange{UserID: 1, At: now})
			return err
		},
		"ChangePassword": func(ctx context.Context) error {
			_, err := s.ChangePassword(ctx, auth.PasswordChange{UserID: 1, Hash: "h", At: now})
			return err
		},
		"RehashPassword": func(ctx context.Context) error { _, err := s.RehashPassword(ctx, 1, "old", "new", now); return err },
		"CreateSession": func(ctx context.Context) error {
			_, err := s.CreateSession(ctx, auth.NewSession{Session: auth.Session{ID: "s"}})
			return err
		},
		"SessionWithUser": func(ctx context.Context) error { _, _, err := s.SessionWithUser(ctx, "s"); return err },
		"RotateSession": func(ctx context.Context) error {
			_, err := s.RotateSession(ctx, auth.SessionRotation{ID: "s", At: now, Expires: now})
			return err
		},
		"EndSession": func(ctx context.Context) error {
			_, err := s.EndSession(ctx, auth.SessionEnd{ID: "s", UserID: 1, Reason: auth.EndLogout, At: now})
			return err
		},
		"EndUserSessions": func(ctx context.Context) error {
			_, err := s.EndUserSessions(ctx, auth.SessionEnd{UserID: 1, Reason: auth.EndLogout, At: now})
			return err
		},
		"UserSessions":  func(ctx context.Context) error { _, err := s.UserSessions(ctx, 1, now); return err },
		"PurgeSessions": func(ctx context.Context) error { _, err := s.PurgeSessions(ctx, now, 10); return err },
		"AttemptRecords": func(ctx context.Context) error {
			_, err := s.AttemptRecords(ctx, []auth.AttemptKey{{}})
			return err
		},
		"HitCounters": func(ctx context.Context) error {
			_, err := s.HitCounters(ctx, now, []auth.CounterHit{{}})
			return err
		},
		"RecordLoginSuccess": func(ctx context.Context) error { return s.RecordLoginSuccess(ctx, auth.LoginSuccess{}) },
		"PurgeAttempts":      func(ctx context.Context) error { _, err := s.PurgeAttempts(ctx, now, 10); return err },
		"RequestCode": func(ctx context.Context) error {
			_, err := s.RequestCode(ctx, auth.CodeRequest{Code: auth.OneTimeCode{UserID: 1}})
			return err
		},
		"CodeByToken": func(ctx context.Context) error { _, err := s.CodeByToken(ctx, make([]byte, 32)); return err },
		"CodeByEmail": func(ctx context.Context) error {
			_, err := s.CodeByEmail(ctx, "a@example.com", []auth.Purpose{auth.PurposeReset})
			return err
		},
		"TryCode": func(ctx context.Context) error { _, err := s.TryCode(ctx, 1); return err },
		"ResetPassword": func(ctx context.Context) error {
			_, err := s.ResetPassword(ctx, auth.PasswordReset{CodeID: 1, UserID: 1, At: now})
			return err
		},
		"VerifyEmail":    func(ctx context.Context) error { return s.VerifyEmail(ctx, auth.EmailVerification{CodeID: 1, At: now}) },
		"PurgeCodes":     func(ctx context.Context) error { _, err := s.PurgeCodes(ctx, now, 10); return err },
		"ClaimMail":      func(ctx context.Context) error { _, err := s.ClaimMail(ctx, now, now, 10); return err },
		"RetryMail":      func(ctx context.Context) error { return s.RetryMail(ctx, "m", now) },
		"QueueMail":      func(ctx context.Context) error { return s.QueueMail(ctx, auth.QueuedMail{ID: "m"}) },
		"FinishMail":     func(ctx context.Context) error { return s.FinishMail(ctx, "m") },
		"MailQueueDepth": func(ctx context.Context) error { _, err := s.MailQueueDepth(ctx); return err },
		"UpdateUser": func(ctx context.Context) error {
			_, _, err := s.UpdateUser(ctx, auth.UserUpdate{UserID: 1, At: now})
			return err
		},
		"DeleteUser":   func(ctx context.Context) error { return s.DeleteUser(ctx, auth.UserDelete{UserID: 1}) },
		"ListUsers":    func(ctx context.Context) error { _, err := s.ListUsers(ctx, auth.UserQuery{Limit: 1}); return err },
		"Events":       func(ctx context.Context) error { _, err := s.Events(ctx, auth.EventQuery{Limit: 1}); return err },
		"PurgeEvents":  func(ctx context.Context) error { _, err := s.PurgeEvents(ctx, now, 10); return err },
		"EnrolFactor":  func(ctx context.Context) error { return s.EnrolFactor(ctx, auth.FactorEnrolment{UserID: 1, At: now}) },
		"FactorByUser": func(ctx context.Context) error { _, err := s.FactorByUser(ctx, 1); return err },
		"ConfirmFactor": func(ctx context.Context) error {
			_, err := s.ConfirmFactor(ctx, auth.FactorConfirmation{UserID: 1, Step: 1, At: now})
			return err
		},
		"SpendProof": func(ctx context.Context) error { return s.SpendProof(ctx, auth.ProofUse{UserID: 1, At: now}) },
		"DisableFactor": func(ctx context.Context) error {
			_, err := s.DisableFactor(ctx, auth.FactorRemoval{UserID: 1, At: now})
			return err
		},
		"ReplaceRecoveryCodes": func(ctx context.Context) error {
			return s.ReplaceRecoveryCodes(ctx, auth.RecoveryCodes{UserID: 1, At: now})
		},
		"CreateChallenge": func(ctx context.Context) error {
			return s.CreateChallenge(ctx, auth.MFAChallenge{Hash: make([]byte, 32), UserID: 1, CreatedAt: now, ExpiresAt: now})
		},
		"ChallengeByHash": func(ctx context.Context) error { _, err := s.ChallengeByHash(ctx, make([]byte, 32)); return err },
		"MissChallenge":   func(ctx context.Context) error { _, err := s.MissChallenge(ctx, make([]byte, 32)); return err },
		"FinishChallenge": func(ctx context.Context) error {
			return s.FinishChallenge(ctx, auth.ChallengeFinish{Hash: make([]byte, 32), UserID: 1, MaxTries: 5, At: now})
		},
		"PurgeChallenges": func(ctx context.Context) error { _, err := s.PurgeChallenges(ctx, now, 10); return err },
	}
}

// TestStoreCallsCoverTheInterface: storeCalls names every method of
// auth.Store but Ping and Close (which go around the breaker on purpose),
// read from the interface itself, so a method added to the store cannot
// escape TestEveryMethodGoesThroughTheBreaker.
func TestStoreCallsCoverTheInterface(t *testing.T) {
	t.Parallel()
	calls := storeCalls(nil)
	iface := reflect.TypeFor[auth.Store]()
	want := 0
	for m := range iface.Methods() {
		if m.Name == "Ping" || m.Name == "Close" {
			continue
		}
		want++
		if _, ok := calls[m.Name]; !ok {
			t.Errorf("auth.Store.%s has no call in storeCalls", m.Name)
		}
	}
	if len(calls) != want {
		t.Errorf("storeCalls has %d calls, auth.Store %d data methods", len(calls), want)
	}
}

// TestEveryMethodGoesThroughTheBreaker: each store method reaches the inner
// store while the breaker is closed, counts towards opening it when the
// database fails, and is refused without reaching the database while open.
func TestEveryMethodGoesThroughTheBreaker(t *testing.T) {
	t.Parallel()
	probe, _, _ := newStore(Settings{})
	for name := range storeCalls(probe) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, f, _ := newStore(Settings{FailureThreshold: 1})
			call := storeCalls(s)[name]
			ctx := t.Context()
			if err := call(ctx); err != nil || f.count() != 1 {
				t.Fatalf("closed: err %v, inner calls %d; want nil and 1", err, f.count())
			}
			f.set(refused)
			if err := call(ctx); code(err) != auth.CodeDatabase {
				t.Fatalf("failing database: %v, want DATABASE_ERROR", err)
			}
			if st := s.State(ctx); st != "open" {
				t.Fatalf("one failure of %s left the breaker %s, want open", name, st)
			}
			if err := call(ctx); code(err) != auth.CodeBreakerOpen || f.count() != 2 {
				t.Errorf("open: err %v, inner calls %d; want CIRCUIT_BREAKER_OPEN and still 2", err, f.count())
			}
		})
	}
}

// TestPurgeSessionsCounts: the breaker hands back the inner store's counts
// of a purge whole, each in its own field.
func TestPurgeSessionsCounts(t *testing.T) {
	s, _, _ := newStore(Settings{FailureThreshold: 1})
	got, err := s.PurgeSessions(t.Context(), time.Now(), 10)
	want := auth.PurgedSessions{Deleted: 5, Expired: 2, Deactivated: 1}
	if err != nil || got != want {
		t.Errorf("PurgeSessions = %+v, %v; want %+v, nil", got, err, want)
	}
}

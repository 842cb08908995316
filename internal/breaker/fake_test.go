package breaker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/logging"
	"github.com/authd/authd/internal/logging/logtest"
)

// fakeStore is an auth.Store whose every call has the outcome the test
// sets: the store that fails on purpose.
type fakeStore struct {
	mu      sync.Mutex
	outcome func(ctx context.Context) error
	calls   int
	pings   int
	closed  bool
}

var _ auth.Store = (*fakeStore)(nil)

func (f *fakeStore) set(outcome func(ctx context.Context) error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.outcome = outcome
}

func (f *fakeStore) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *fakeStore) do(ctx context.Context, pings int) error {
	f.mu.Lock()
	f.calls += 1 - pings
	f.pings += pings
	outcome := f.outcome
	f.mu.Unlock()
	if outcome == nil {
		return nil
	}
	return outcome(ctx)
}

func (f *fakeStore) CreateUser(ctx context.Context, u auth.NewUser) (auth.User, error) {
	return auth.User{ID: 1, Username: u.Username}, f.do(ctx, 0)
}
func (f *fakeStore) UserByID(ctx context.Context, id int64) (auth.User, error) {
	return auth.User{ID: id}, f.do(ctx, 0)
}
func (f *fakeStore) UserByUsername(ctx context.Context, name string) (auth.User, error) {
	return auth.User{ID: 1, Username: name}, f.do(ctx, 0)
}
func (f *fakeStore) UserByEmail(ctx context.Context, email string) (auth.User, error) {
	return auth.User{ID: 1, Email: email}, f.do(ctx, 0)
}
func (f *fakeStore) SetActive(ctx context.Context, _ auth.ActiveChange) (int64, error) {
	return 1, f.do(ctx, 0)
}
func (f *fakeStore) UpdateUser(ctx context.Context, c auth.UserUpdate) (auth.User, int64, error) {
	return auth.User{ID: c.UserID}, 0, f.do(ctx, 0)
}
func (f *fakeStore) DeleteUser(ctx context.Context, _ auth.UserDelete) error { return f.do(ctx, 0) }
func (f *fakeStore) ListUsers(ctx context.Context, _ auth.UserQuery) ([]auth.User, error) {
	return nil, f.do(ctx, 0)
}
func (f *fakeStore) Events(ctx context.Context, _ auth.EventQuery) ([]auth.Event, error) {
	return nil, f.do(ctx, 0)
}
func (f *fakeStore) PurgeEvents(ctx context.Context, _ time.Time, _ int) (int64, error) {
	return 0, f.do(ctx, 0)
}
func (f *fakeStore) ChangePassword(ctx context.Context, _ auth.PasswordChange) (int64, error) {
	return 1, f.do(ctx, 0)
}
func (f *fakeStore) RehashPassword(ctx context.Context, _ int64, _, _ string, _ time.Time) (bool, error) {
	return true, f.do(ctx, 0)
}
func (f *fakeStore) CreateSession(ctx context.Context, _ auth.NewSession) (int64, error) {
	return 0, f.do(ctx, 0)
}
func (f *fakeStore) SessionWithUser(ctx context.Context, id string) (auth.Session, auth.User, error) {
	return auth.Session{ID: id}, auth.User{ID: 1}, f.do(ctx, 0)
}
func (f *fakeStore) RotateSession(ctx context.Context, _ auth.SessionRotation) (bool, error) {
	return true, f.do(ctx, 0)
}
func (f *fakeStore) EndSession(ctx context.Context, _ auth.SessionEnd) (bool, error) {
	return true, f.do(ctx, 0)
}
func (f *fakeStore) EndUserSessions(ctx context.Context, _ auth.SessionEnd) (int64, error) {
	return 1, f.do(ctx, 0)
}
func (f *fakeStore) UserSessions(ctx context.Context, _ int64, _ time.Time) ([]auth.Session, error) {
	return []auth.Session{{ID: "s"}}, f.do(ctx, 0)
}
func (f *fakeStore) PurgeSessions(ctx context.Context, _ time.Time, _ int) (auth.PurgedSessions, error) {
	return auth.PurgedSessions{Deleted: 5, Expired: 2, Deactivated: 1}, f.do(ctx, 0)
}
func (f *fakeStore) AttemptRecords(ctx context.Context, _ []auth.AttemptKey) ([]auth.AttemptRecord, error) {
	return nil, f.do(ctx, 0)
}
func (f *fakeStore) HitCounters(ctx context.Context, _ time.Time, _ []auth.CounterHit) ([]auth.AttemptRecord, error) {
	return nil, f.do(ctx, 0)
}
func (f *fakeStore) RecordLoginSuccess(ctx context.Context, _ auth.LoginSuccess) error {
	return f.do(ctx, 0)
}
func (f *fakeStore) PurgeAttempts(ctx context.Context, _ time.Time, _ int) (int64, error) {
	return 0, f.do(ctx, 0)
}
func (f *fakeStore) RequestCode(ctx context.Context, _ auth.CodeRequest) (bool, error) {
	return false, f.do(ctx, 0)
}
func (f *fakeStore) CodeByToken(ctx context.Context, _ []byte) (auth.OneTimeCode, error) {
	return auth.OneTimeCode{}, f.do(ctx, 0)
}
func (f *fakeStore) CodeByEmail(ctx context.Context, _ string, _ []auth.Purpose) (auth.OneTimeCode, error) {
	return auth.OneTimeCode{}, f.do(ctx, 0)
}
func (f *fakeStore) TryCode(ctx context.Context, _ int64) (int, error) { return 0, f.do(ctx, 0) }
func (f *fakeStore) ResetPassword(ctx context.Context, _ auth.PasswordReset) (int64, error) {
	return 0, f.do(ctx, 0)
}
func (f *fakeStore) VerifyEmail(ctx context.Context, _ auth.EmailVerification) error {
	return f.do(ctx, 0)
}
func (f *fakeStore) PurgeCodes(ctx context.Context, _ time.Time, _ int) (int64, error) {
	return 0, f.do(ctx, 0)
}
func (f *fakeStore) ClaimMail(ctx context.Context, _, _ time.Time, _ int) ([]auth.QueuedMail, error) {
	return nil, f.do(ctx, 0)
}
func (f *fakeStore) RetryMail(ctx context.Context, _ string, _ time.Time) error { return f.do(ctx, 0) }
func (f *fakeStore) QueueMail(ctx context.Context, _ auth.QueuedMail) error     { return f.do(ctx, 0) }
func (f *fakeStore) FinishMail(ctx context.Context, _ string) error             { return f.do(ctx, 0) }
func (f *fakeStore) MailQueueDepth(ctx context.Context) (int64, error)          { return 0, f.do(ctx, 0) }
func (f *fakeStore) Ping(ctx context.Context) error                             { return f.do(ctx, 1) }
func (f *fakeStore) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

// Outcomes a fake call can have.
var (
	refused = func(context.Context) error {
		return auth.DatabaseError(errors.New("create user: dial tcp 127.0.0.1:5432: connect: connection refused"))
	}
	notFound = func(context.Context) error { return fmt.Errorf("user by id: %w", auth.ErrUserNotFound) }
	taken    = func(context.Context) error { return fmt.Errorf("create user: %w", auth.ErrUserExists) }
	// invalid is the database refusing a value the request carried.
	invalid = func(context.Context) error {
		return auth.InvalidData(errors.New("user by username: ERROR: invalid byte sequence for encoding \"UTF8\": 0x00 (SQLSTATE 22021)"))
	}
	// hang answers only when the call's context ends, as a store does.
	hang = func(ctx context.Context) error {
		<-ctx.Done()
		return auth.DatabaseError(fmt.Errorf("user by id: %w", ctx.Err()))
	}
)

// warnings returns the WARN lines logged so far.
func warnings(t *testing.T, logs *logtest.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, m := range logs.Lines(t) {
		if m["level"] == "WARN" {
			out = append(out, m)
		}
	}
	return out
}

// newStore wraps a fakeStore, logging to the returned buffer.
func newStore(s Settings) (*Store, *fakeStore, *logtest.Buffer) {
	f := &fakeStore{}
	logs := &logtest.Buffer{}
	return New(f, s, logging.For(logging.New(logs, slog.LevelDebug), "breaker")), f, logs
}

// code is the *auth.Error code in err's chain, or "" for none.
func code(err error) auth.Code {
	var e *auth.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// retryAfter is the RetryAfter of the *auth.Error in err's chain.
func retryAfter(err error) time.Duration {
	var e *auth.Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}
func (f *fakeStore) EnrolFactor(ctx context.Context, _ auth.FactorEnrolment) error {
	return f.do(ctx, 0)
}
func (f *fakeStore) FactorByUser(ctx context.Context, _ int64) (auth.Factor, error) {
	return auth.Factor{}, f.do(ctx, 0)
}
func (f *fakeStore) ConfirmFactor(ctx context.Context, _ auth.FactorConfirmation) (int64, error) {
	return 0, f.do(ctx, 0)
}
func (f *fakeStore) SpendProof(ctx context.Context, _ auth.ProofUse) error { return f.do(ctx, 0) }
func (f *fakeStore) DisableFactor(ctx context.Context, _ auth.FactorRemoval) (bool, error) {
	return false, f.do(ctx, 0)
}
func (f *fakeStore) ReplaceRecoveryCodes(ctx context.Context, _ auth.RecoveryCodes) error {
	return f.do(ctx, 0)
}
func (f *fakeStore) CreateChallenge(ctx context.Context, _ auth.MFAChallenge) error {
	return f.do(ctx, 0)
}
func (f *fakeStore) ChallengeByHash(ctx context.Context, _ []byte) (auth.MFAChallenge, error) {
	return auth.MFAChallenge{}, f.do(ctx, 0)
}
func (f *fakeStore) MissChallenge(ctx context.Context, _ []byte) (int, error) { return 0, f.do(ctx, 0) }
func (f *fakeStore) FinishChallenge(ctx context.Context, _ auth.ChallengeFinish) error {
	return f.do(ctx, 0)
}
func (f *fakeStore) PurgeChallenges(ctx context.Context, _ time.Time, _ int) (int64, error) {
	return 0, f.do(ctx, 0)
}

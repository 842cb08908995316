// Package authtest builds a real auth.Service for tests: a migrated SQLite
// file in the test's temporary directory, bcrypt at its lowest cost, HS256
// tokens from a fixed secret, and a clock the test moves by hand. Nothing
// in it is faked but the clock: rules that depend on time are tested by
// moving it, never by sleeping.
package authtest

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/password"
	"github.com/authd/authd/internal/store/sqlite"
	"github.com/authd/authd/internal/token"
)

// Secret is the HS256 secret of the tokens, and the throttle keys'
// material: 32 bytes, the shortest accepted.
const Secret = "authtest-secret-of-thirty-two-b!"

// Env is a Service and what it was built from, for a test to look at.
type Env struct {
	Service *auth.Service
	// Deps built Service; the use-case packages (admin) take them too.
	Deps  auth.Deps
	Store *sqlite.Store
	Clock *Clock
}

// New builds an Env whose clock starts at Start(). edit, when not nil, may
// change the Deps before the Service is built (a throttle, an observer, a
// store that fails on purpose).
func New(t testing.TB, edit func(*auth.Deps)) *Env {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "authtest.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	hasher, err := password.NewHasher(4, password.Pool{})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := token.SecretKeys([]byte(Secret))
	if err != nil {
		t.Fatal(err)
	}
	clock := NewClock(Start())
	d := auth.Deps{
		Store: st, Hasher: hasher, Common: password.NewCommonList(),
		Policy: auth.SessionPolicy{RefreshTTL: time.Hour, MaxAge: 24 * time.Hour, ReuseGrace: 10 * time.Second},
		Now:    clock.Now,
	}
	if edit != nil {
		edit(&d)
	}
	// The tokens are built last, on the clock edit may have replaced.
	tokens, err := token.NewTokens(keys, "authd", 15*time.Minute, d.Now)
	if err != nil {
		t.Fatal(err)
	}
	d.Tokens, d.Refresh = tokens.Access, tokens.Refresh
	return &Env{Service: auth.NewService(d), Deps: d, Store: st, Clock: clock}
}

// Start is where every Env's clock starts: a whole second, in UTC.
func Start() time.Time { return time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC) }

// NewClock is a Clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Clock is a time a test sets; safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Password is a password the register rules accept for the account name
// with the email name@example.com, different for each name, so tests need
// not invent one. The rules refuse a password holding the username or the
// email's local part, so it holds name with each letter rotated by 13 and
// each digit by 5 (never name itself), between characters no username has.
func Password(name string) string {
	b := []byte(name)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = 'a' + (c-'a'+13)%26
		case 'A' <= c && c <= 'Z':
			b[i] = 'A' + (c-'A'+13)%26
		case '0' <= c && c <= '9':
			b[i] = '0' + (c-'0'+5)%10
		}
	}
	return "pw~" + string(b) + "~42"
}

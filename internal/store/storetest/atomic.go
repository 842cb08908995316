package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// Faulty is a store on a database of its own, with a way to make one kind
// of write fail inside it, as a database that fails halfway through a use
// case would: Break(t, table, op) installs a trigger that raises on every
// op ("INSERT" or "UPDATE") of a row of table. It is the one fault the
// atomicity cases need that a healthy database cannot show on demand, and
// it is made by the database itself, not by a wrapper around the store.
type Faulty struct {
	Store auth.Store
	Break func(t *testing.T, table, op string)
}

// RunAtomic shows, for each use case of more than one write, that when its
// last write fails nothing of the earlier ones remains. Each case runs on
// a store of its own that open makes, as Run's do.
func RunAtomic(t *testing.T, open func(t *testing.T) Faulty) {
	cases := []struct {
		name string
		test func(t *testing.T, f Faulty)
	}{
		{"registration without its session", testAtomicRegister},
		{"login without its session", testAtomicLogin},
		{"password change without ending sessions", testAtomicPasswordChange},
		{"deactivation without ending sessions", testAtomicDeactivate},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := open(t)
			t.Cleanup(func() { f.Store.Close() })
			tc.test(t, f)
		})
	}
}

// wantFault checks that the use case failed, and failed for the injected
// fault rather than for a reason of its own.
func wantFault(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s with its last write failing succeeded", what)
	}
	if errors.Is(err, auth.ErrUserNotFound) || errors.Is(err, auth.ErrUserExists) {
		t.Fatalf("%s: %v, want the injected fault", what, err)
	}
}

func testAtomicRegister(t *testing.T, f Faulty) {
	f.Break(t, "sessions", "INSERT")
	u := newUser("olga")
	sess := newSession(1, 0, sessionT0())
	u.Session = &sess
	known := auth.AttemptKey{9}
	u.Throttle = auth.LoginSuccess{Known: []auth.AttemptKey{known}, At: sessionT0(), KnownUntil: sessionT0().Add(auth.KnownIPFor)}
	_, err := f.Store.CreateUser(t.Context(), u)
	wantFault(t, "CreateUser with a session", err)
	_, err = f.Store.UserByUsername(t.Context(), "olga")
	assertErrorIs(t, "the user of a failed registration", err, auth.ErrUserNotFound)
	if recs, err := f.Store.AttemptRecords(t.Context(), []auth.AttemptKey{known}); err != nil || len(recs) != 0 {
		t.Errorf("known IP of a failed registration = %v, %v; want none stored", recs, err)
	}
}

func testAtomicLogin(t *testing.T, f Faulty) {
	s := f.Store
	u := mustCreate(t, s, newUser("pete"))
	key := auth.AttemptKey{7}
	if _, err := s.HitCounters(t.Context(), sessionT0(), []auth.CounterHit{{Key: key, WindowEnds: sessionT0().Add(auth.PairWindow)}}); err != nil {
		t.Fatalf("HitCounters: %v", err)
	}
	f.Break(t, "sessions", "INSERT")
	at := sessionT0().Add(time.Minute)
	_, err := s.CreateSession(t.Context(), auth.NewSession{Session: newSession(1, u.ID, at), LastLogin: true,
		Throttle: auth.LoginSuccess{Forget: []auth.AttemptKey{key}, Known: []auth.AttemptKey{{8}}, At: at, KnownUntil: at.Add(auth.KnownIPFor)}})
	wantFault(t, "a login's CreateSession", err)
	got, err := s.UserByID(t.Context(), u.ID)
	if err != nil {
		t.Fatalf("UserByID: %v", err)
	}
	assertUser(t, "the user after a failed login", got, u)
	recs, err := s.AttemptRecords(t.Context(), []auth.AttemptKey{key, {8}})
	if err != nil {
		t.Fatalf("AttemptRecords: %v", err)
	}
	if len(recs) != 1 || recs[0].Key != key || recs[0].Count != 1 {
		t.Errorf("throttle records after a failed login = %+v, want the pair's count of 1 alone", recs)
	}
}

func testAtomicPasswordChange(t *testing.T, f Faulty) {
	s := f.Store
	u := mustCreate(t, s, newUser("quinn"))
	for i := range 2 {
		mustCreateSession(t, s, newSession(i, u.ID, sessionT0()))
	}
	f.Break(t, "sessions", "UPDATE")
	_, err := s.ChangePassword(t.Context(), auth.PasswordChange{UserID: u.ID, Hash: "$2a$05$new", KeepSession: newSession(0, 0, sessionT0()).ID,
		At: sessionT0().Add(time.Minute)})
	wantFault(t, "ChangePassword", err)
	wantUntouched(t, s, "a failed password change", u, newSession(1, 0, sessionT0()).ID)
}

func testAtomicDeactivate(t *testing.T, f Faulty) {
	s := f.Store
	u := mustCreate(t, s, newUser("rita"))
	mustCreateSession(t, s, newSession(1, u.ID, sessionT0()))
	f.Break(t, "sessions", "UPDATE")
	_, err := s.SetActive(t.Context(), auth.ActiveChange{UserID: u.ID, Active: false, At: sessionT0().Add(time.Minute)})
	wantFault(t, "SetActive(false)", err)
	wantUntouched(t, s, "a failed deactivation", u, newSession(1, 0, sessionT0()).ID)
}

// wantUntouched checks that after what, the user is as u was and the
// session sid is still live.
func wantUntouched(t *testing.T, s auth.Store, what string, u auth.User, sid string) {
	t.Helper()
	got, err := s.UserByID(t.Context(), u.ID)
	if err != nil {
		t.Fatalf("UserByID: %v", err)
	}
	assertUser(t, "the user after "+what, got, u)
	if sess := mustSession(t, s, sid); sess.EndedAt != nil {
		t.Errorf("a session ended by %s: %+v", what, sess)
	}
}

// PostgresBreak is Faulty.Break for a PostgreSQL store on url (a
// PostgresURL): a trigger function in the test's own schema that raises.
func PostgresBreak(url string) func(t *testing.T, table, op string) {
	return func(t *testing.T, table, op string) {
		t.Helper()
		err := exec(url, `
			CREATE OR REPLACE FUNCTION authd_fault() RETURNS trigger LANGUAGE plpgsql AS
				$$ BEGIN RAISE EXCEPTION 'injected fault'; END $$;
			CREATE TRIGGER authd_fault_`+table+` BEFORE `+op+` ON `+table+`
				FOR EACH ROW EXECUTE FUNCTION authd_fault()`)
		if err != nil {
			t.Fatal(err)
		}
	}
}

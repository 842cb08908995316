package postgres_test

import (
	"strings"
	"testing"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/store/postgres"
	"github.com/authd/authd/internal/store/storetest"
)

// maxConns is small so that the concurrency cases queue for connections.
const maxConns = 4

// open opens and migrates a store on url, closing it when t ends.
func open(t *testing.T, url string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), url, maxConns)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

func TestStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) auth.Store {
		return open(t, storetest.PostgresURL(t))
	})
}

// TestAtomic: a use case whose last write fails leaves nothing of its
// earlier writes (see storetest.RunAtomic); the fault is a trigger that
// raises, in the test's own schema.
func TestAtomic(t *testing.T) {
	t.Parallel()
	storetest.RunAtomic(t, func(t *testing.T) storetest.Faulty {
		url := storetest.PostgresURL(t)
		return storetest.Faulty{Store: open(t, url), Break: storetest.PostgresBreak(url)}
	})
}

// TestReopen: a second store on a migrated schema (another replica, or the
// next start) migrates again without change and sees the same data.
func TestReopen(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	u, err := open(t, url).CreateUser(t.Context(), auth.NewUser{
		Username: "alice", Email: "alice@example.com", HashedPassword: "hash",
	})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	got, err := open(t, url).UserByEmail(t.Context(), "Alice@Example.com")
	if err != nil {
		t.Fatalf("UserByEmail on a second store: %v", err)
	}
	if got.ID != u.ID || got.Username != u.Username {
		t.Errorf("second store: got %+v, want %+v", got, u)
	}
}

// TestConcurrentMigrate: replicas that start together on an empty schema
// all migrate it without error; the advisory lock makes them take turns.
func TestConcurrentMigrate(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	errs := make(chan error, 4)
	for range cap(errs) {
		go func() {
			s, err := postgres.Open(t.Context(), url, maxConns)
			if err != nil {
				errs <- err
				return
			}
			defer s.Close()
			errs <- s.Migrate(t.Context())
		}()
	}
	for range cap(errs) {
		if err := <-errs; err != nil {
			t.Errorf("Migrate: %v", err)
		}
	}
}

// TestOpenErrors: Open says what is wrong without quoting the password.
func TestOpenErrors(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-pw"
	cases := []struct {
		name, url string
		maxConns  int32
		wantErr   string
	}{
		{"no connections", "postgres://u:" + secret + "@127.0.0.1:5432/db", 0, "max connections"},
		{"bad port", "postgres://u:" + secret + "@127.0.0.1:notaport/db", 1, "connection URL"},
		{"bad sslmode", "postgres://u:" + secret + "@127.0.0.1:5432/db?sslmode=bogus", 1, "connection URL"},
		// Port 1 on the loopback refuses connections at once.
		{"unreachable server", "postgres://u:" + secret + "@127.0.0.1:1/db?connect_timeout=5", 1, "connect to 127.0.0.1:1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := postgres.Open(t.Context(), tc.url, tc.maxConns)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Open = %v, want an error containing %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("Open = %v, quotes the password", err)
			}
		})
	}
}

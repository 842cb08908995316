package sqlite_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/store/sqlite"
	"github.com/authd/authd/internal/store/storetest"
)

// open opens and migrates a store on path, closing it when t ends.
func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		s.Close()
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

func TestStore(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) auth.Store {
		return open(t, filepath.Join(t.TempDir(), "authd.db"))
	})
}

// TestAtomic: a use case whose last write fails leaves nothing of its
// earlier writes (see storetest.RunAtomic); the fault is a trigger that
// raises, installed on the store's own write connection.
func TestAtomic(t *testing.T) {
	t.Parallel()
	storetest.RunAtomic(t, func(t *testing.T) storetest.Faulty {
		s := open(t, filepath.Join(t.TempDir(), "authd.db"))
		return storetest.Faulty{Store: s, Break: func(t *testing.T, table, op string) {
			t.Helper()
			_, err := s.DBs()["write"].ExecContext(t.Context(), `
				CREATE TRIGGER authd_fault_`+table+` BEFORE `+op+` ON `+table+`
				BEGIN SELECT RAISE(ABORT, 'injected fault'); END`)
			if err != nil {
				t.Fatal(err)
			}
		}}
	})
}

// TestReopen: what was written survives closing the store, and migrating
// a migrated database again changes nothing.
func TestReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "authd.db")
	first := open(t, path)
	u, err := first.CreateUser(t.Context(), auth.NewUser{
		Username: "alice", Email: "alice@example.com", HashedPassword: "hash",
	})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if err := first.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	second := open(t, path)
	defer second.Close()
	got, err := second.UserByUsername(t.Context(), "ALICE")
	if err != nil {
		t.Fatalf("UserByUsername after reopening: %v", err)
	}
	if got.ID != u.ID || got.Email != u.Email || !got.CreatedAt.Equal(u.CreatedAt) {
		t.Errorf("after reopening: got %+v, want %+v", got, u)
	}
}

func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, path, wantErr string
	}{
		{"empty path", "", "empty database path"},
		{"in-memory database", ":memory:", "in-memory"},
		{"query in path", filepath.Join(t.TempDir(), "a.db?mode=ro"), "must not contain '?'"},
		{"missing directory", filepath.Join(t.TempDir(), "no", "such", "dir", "a.db"), "sqlite: open"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, err := sqlite.Open(t.Context(), tc.path)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded, want an error", tc.path)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Open(%q) = %v, want an error containing %q", tc.path, err, tc.wantErr)
			}
		})
	}
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authd/authd/internal/auth"
)

// lockFile holds the write lock of the database at path from a connection
// of its own, as another process would, until the returned func is called.
func lockFile(t *testing.T, path string) (unlock func()) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(t.Context(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	return func() {
		if _, err := conn.ExecContext(context.Background(), "ROLLBACK"); err != nil {
			t.Error(err)
		}
		conn.Close()
	}
}

func openMigrated(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

func wantDatabaseError(t *testing.T, err error) {
	t.Helper()
	var e *auth.Error
	if !errors.As(err, &e) || e.Code != auth.CodeDatabase {
		t.Errorf("%v, want DATABASE_ERROR", err)
	}
	if errors.Is(err, auth.ErrUserNotFound) || errors.Is(err, auth.ErrUserExists) {
		t.Errorf("%v: an outage must never read as not found or taken", err)
	}
}

// TestTranslateFileFaults: a write refused because the file is locked past
// the busy timeout, or because it cannot be written, is a DATABASE_ERROR.
func TestTranslateFileFaults(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "faults.db")
	openMigrated(t, path)
	insert := `INSERT INTO users (username, email, hashed_password, created_at, updated_at)
		VALUES ('a', 'a@example.com', 'x', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`
	cases := []struct {
		name, dsn, wantMsg string
		locked             bool
	}{
		// busy_timeout is short here only so the test is quick; the
		// store's own is longer, and its call deadline may end it first.
		{"locked past the busy timeout", path + "?_pragma=busy_timeout(50)", "database is locked", true},
		{"read-only file", "file:" + path + "?mode=ro", "readonly", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.locked {
				defer lockFile(t, path)()
			}
			db, err := sql.Open("sqlite", tc.dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			_, cause := db.ExecContext(t.Context(), insert)
			if cause == nil || !strings.Contains(cause.Error(), tc.wantMsg) {
				t.Fatalf("write: %v, want an error mentioning %q", cause, tc.wantMsg)
			}
			err = translate("create user", cause)
			wantDatabaseError(t, err)
			if !errors.Is(err, cause) {
				t.Errorf("translate(%v) = %v, want the cause kept for the log", cause, err)
			}
		})
	}
}

// TestLockedFileDeadline: a store whose file another process keeps locked
// answers at the call's deadline, not after its busy timeout, and writes
// again once the lock is gone. Reads go on meanwhile: WAL readers do not
// wait for a writer.
func TestLockedFileDeadline(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "locked.db")
	s := openMigrated(t, path)
	u := auth.NewUser{Username: "bob", Email: "bob@example.com", HashedPassword: "x", CreatedAt: time.Now()}
	unlock := lockFile(t, path)

	const deadline = 200 * time.Millisecond
	ctx, cancel := context.WithTimeout(t.Context(), deadline)
	defer cancel()
	start := time.Now()
	_, err := s.CreateUser(ctx, u)
	took := time.Since(start)
	wantDatabaseError(t, err)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%v, want the deadline as the cause", err)
	}
	// Generous bound, far below the 5s busy timeout it must not wait for.
	if took > busyTimeoutMillis*time.Millisecond/2 {
		t.Errorf("the locked write took %s; want about the %s deadline", took, deadline)
	}
	t.Logf("locked write answered after %s (deadline %s, busy timeout %dms)", took, deadline, busyTimeoutMillis)
	if _, err := s.UserByUsername(t.Context(), "nobody"); !errors.Is(err, auth.ErrUserNotFound) {
		t.Errorf("read while locked: %v, want not found", err)
	}

	unlock()
	if _, err := s.CreateUser(t.Context(), u); err != nil {
		t.Errorf("write after the lock was released: %v", err)
	}
}

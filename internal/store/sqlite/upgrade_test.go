package sqlite_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/authd/authd/internal/store/storetest"
)

// TestUpgradeFromFirstRelease: a database made by the first release
// (migration 00001 only), with users in it, is migrated by the current
// store without losing them.
func TestUpgradeFromFirstRelease(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "authd.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(t.Context(), 1); err != nil {
		t.Fatalf("migrate to version 1: %v", err)
	}
	for _, u := range storetest.UpgradeUsers() {
		at := u.CreatedAt.Format("2006-01-02T15:04:05Z")
		if _, err := db.ExecContext(t.Context(), `
			INSERT INTO users (username, email, hashed_password, is_active, created_at, updated_at)
			VALUES (?, ?, ?, 1, ?, ?)`, u.Username, u.Email, u.HashedPassword, at, at); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s := open(t, path)
	defer s.Close()
	storetest.CheckUpgraded(t, s)
}

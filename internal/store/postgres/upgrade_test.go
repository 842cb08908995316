package postgres_test

import (
	"database/sql"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"

	"github.com/authd/authd/internal/store/storetest"
)

// TestUpgradeFromFirstRelease: a schema made by the first release
// (migration 00001 only), with users in it, is migrated by the current
// store without losing them.
func TestUpgradeFromFirstRelease(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, os.DirFS("migrations"), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(t.Context(), 1); err != nil {
		t.Fatalf("migrate to version 1: %v", err)
	}
	for _, u := range storetest.UpgradeUsers() {
		if _, err := db.ExecContext(t.Context(), `
			INSERT INTO users (username, email, hashed_password, is_active, created_at, updated_at)
			VALUES ($1, $2, $3, true, $4, $4)`, u.Username, u.Email, u.HashedPassword, u.CreatedAt); err != nil {
			t.Fatal(err)
		}
	}
	storetest.CheckUpgraded(t, open(t, url))
}

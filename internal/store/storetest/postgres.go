package storetest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// PostgresURL returns the URL of an empty schema of its own on the
// PostgreSQL server named by AUTHD_TEST_POSTGRES_URL (a postgres:// URL),
// so that parallel tests never see each other's tables. The schema is
// dropped, with everything in it, when t ends; close stores on it before
// then (a t.Cleanup registered later runs earlier).
//
// Without AUTHD_TEST_POSTGRES_URL the test is skipped, except when CI is
// "true": a CI run that silently skipped the PostgreSQL store would prove
// nothing about it, so there it fails.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("AUTHD_TEST_POSTGRES_URL")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("AUTHD_TEST_POSTGRES_URL is not set; CI must run the PostgreSQL tests")
		}
		t.Skip("AUTHD_TEST_POSTGRES_URL is not set; skipping PostgreSQL tests")
	}
	// The URL is never printed: it may hold a password.
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatal("AUTHD_TEST_POSTGRES_URL is not a postgres:// URL")
	}

	// Lower-case letters, digits and '_' only: the name needs no quoting,
	// in SQL or in search_path.
	schema := "authd_test_" + strings.ToLower(rand.Text())

	if err := exec(base, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := exec(base, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
	})

	// search_path makes the schema the one that unqualified names (users,
	// goose_db_version) resolve to and are created in.
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// exec runs one statement on a connection of its own. It does not use
// t.Context(), which is already cancelled when cleanups run.
func exec(connURL, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connURL)
	if err != nil {
		return fmt.Errorf("connect to AUTHD_TEST_POSTGRES_URL: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

package sqlite_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/authd/authd/internal/store/storetest"
)

// TestDeleteLeavesNoRows walks sqlite_master, so every table a migration
// adds (one-time tokens, the mail queue, factors) is checked too.
func TestDeleteLeavesNoRows(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "authd.db")
	s := open(t, path)
	defer s.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.CheckDeleteLeavesNoRows(t, s, func(t *testing.T, id int64) map[string]int64 {
		t.Helper()
		out := map[string]int64{}
		for table, cols := range referencingColumns(t, db) {
			for _, col := range cols {
				var n int64
				q := fmt.Sprintf(`SELECT count(*) FROM %q WHERE %q = ?`, table, col)
				if err := db.QueryRowContext(t.Context(), q, id).Scan(&n); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				out[table] += n
			}
		}
		return out
	})
}

// referencingColumns names, per table, its columns that hold a user id.
func referencingColumns(t *testing.T, db *sql.DB) map[string][]string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), `
		SELECT m.name, c.name
		FROM sqlite_master m JOIN pragma_table_info(m.name) c
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> 'goose_db_version'
			AND (c.name = 'user_id' OR (m.name = 'users' AND c.name = 'id')
				OR EXISTS (SELECT 1 FROM pragma_foreign_key_list(m.name) f WHERE f."table" = 'users' AND f."from" = c.name))`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, col string
		if err := rows.Scan(&table, &col); err != nil {
			t.Fatal(err)
		}
		out[table] = append(out[table], col)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

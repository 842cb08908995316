package postgres_test

import (
	"database/sql"
	"fmt"
	"testing"

	"github.com/authd/authd/internal/store/storetest"
)

// TestDeleteLeavesNoRows walks information_schema and pg_constraint, so
// every table a migration adds (one-time tokens, the mail queue, factors)
// is checked too.
func TestDeleteLeavesNoRows(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	s := open(t, url)
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.CheckDeleteLeavesNoRows(t, s, func(t *testing.T, id int64) map[string]int64 {
		t.Helper()
		rows, err := db.QueryContext(t.Context(), `
			SELECT c.table_name, c.column_name
			FROM information_schema.columns c
			JOIN information_schema.tables tb ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
			WHERE c.table_schema = current_schema() AND tb.table_type = 'BASE TABLE'
				AND (c.column_name = 'user_id' OR (c.table_name = 'users' AND c.column_name = 'id')
					OR EXISTS (
						SELECT 1 FROM pg_constraint k
						JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
						WHERE k.contype = 'f' AND k.confrelid = to_regclass('users')
							AND k.conrelid = to_regclass(quote_ident(c.table_name)) AND a.attname = c.column_name))`)
		if err != nil {
			t.Fatal(err)
		}
		cols := map[string][]string{}
		for rows.Next() {
			var table, col string
			if err := rows.Scan(&table, &col); err != nil {
				t.Fatal(err)
			}
			cols[table] = append(cols[table], col)
		}
		rows.Close()
		out := map[string]int64{}
		for table, cs := range cols {
			for _, col := range cs {
				var n int64
				q := fmt.Sprintf(`SELECT count(*) FROM %q WHERE %q = $1`, table, col)
				if err := db.QueryRowContext(t.Context(), q, id).Scan(&n); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				out[table] += n
			}
		}
		return out
	})
}

package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// stmtCache prepares each query once and reuses it. modernc's SQLite parses
// a statement's SQL anew on every unprepared query; on the /auth/me path
// that parse cost as much as running the query (seen in a CPU profile).
// Statements are keyed by their SQL text, so the SQL stays written in the
// method that runs it.
type stmtCache struct {
	m sync.Map // string → *sql.Stmt
}

func (c *stmtCache) prepare(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.m.LoadOrStore(query, st); loaded {
		// Another request prepared it first; keep one.
		_ = st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

func (c *stmtCache) close() error {
	var errs []error
	c.m.Range(func(k, v any) bool {
		errs = append(errs, v.(*sql.Stmt).Close())
		c.m.Delete(k)
		return true
	})
	return errors.Join(errs...)
}

// Package sqlite is the auth.Store on an embedded SQLite database file
// (modernc.org/sqlite, pure Go, no cgo), with its schema as goose migrations
// embedded in the binary.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"strings"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/authd/authd/internal/auth"
)

// migrations holds the schema, versioned like the PostgreSQL store's.
//
//go:embed migrations/*.sql
var migrations embed.FS

const (
	// busyTimeoutMillis is how long a connection waits for a lock held by
	// another process (say `authd user deactivate` beside a running server)
	// before SQLite gives up with SQLITE_BUSY.
	busyTimeoutMillis = 5000
	// readConns bounds the read pool. In WAL mode readers never wait for
	// the writer, so several can run at once.
	readConns = 8
)

// Store is an auth.Store on one SQLite file.
//
// SQLite allows one writer at a time. Writes therefore go through a pool of
// exactly one connection, so concurrent requests queue in Go for their turn
// instead of racing for the file lock and failing with "database is locked";
// reads go through a separate pool of several connections, which WAL mode
// lets run while the writer writes. PostgreSQL needs none of this.
type Store struct {
	write *sql.DB
	read  *sql.DB
	// reads holds the read pool's prepared statements by SQL text, and
	// writes the writer's (the statements of every refresh and login).
	reads  stmtCache
	writes stmtCache
}

var _ auth.Store = (*Store)(nil)

// Open opens the SQLite database at path, creating the file if it is
// missing, and checks that it can be read and written. It does not apply
// migrations: call Migrate.
func Open(ctx context.Context, path string) (*Store, error) {
	switch {
	case path == "":
		return nil, errors.New("sqlite: empty database path")
	case path == ":memory:":
		// Each connection would get a database of its own.
		return nil, fmt.Errorf("sqlite: %q: in-memory databases are not supported, use a file", path)
	case strings.Contains(path, "?"):
		// The driver reads everything after the first '?' as its parameters.
		return nil, fmt.Errorf("sqlite: %q: the path must not contain '?'", path)
	}
	// The writer opens first, so a new file is created and switched to WAL
	// mode before any read-only connection looks at it.
	write, err := openPool(ctx, dsn(path, false), 1)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	read, err := openPool(ctx, dsn(path, true), readConns)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: open %s for reading: %w", path, err), write.Close())
	}
	return &Store{write: write, read: read}, nil
}

// dsn is the driver's connection string for path. The pragmas run on every
// new connection because busy_timeout, foreign_keys and query_only belong to
// a connection, not to the file (journal_mode=WAL is kept in the file;
// asking for it again costs nothing).
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	// In WAL mode, synchronous=NORMAL syncs the WAL at checkpoints rather
	// than at every commit. The database stays consistent whatever
	// happens; a power cut (not a crash of authd, whose writes the OS
	// keeps) may lose the commits since the last checkpoint. FULL made
	// every refresh, which rotates its session, wait for an fsync while it
	// held the one write connection: in a CPU profile of a refresh load the
	// commit took more than half of RotateSession, and refreshes queued
	// behind each other's fsync. See docs/benchmarks.md.
	q.Add("_pragma", "synchronous(NORMAL)")
	if readOnly {
		// A write sent to the read pool by mistake fails loudly instead
		// of becoming a second writer.
		q.Add("_pragma", "query_only(1)")
	} else {
		// BEGIN IMMEDIATE takes the write lock when a transaction starts.
		// A deferred transaction that reads and then writes after another
		// process wrote gets SQLITE_BUSY at once: busy_timeout cannot help
		// it, since waiting would not make its snapshot current again.
		q.Set("_txlock", "immediate")
	}
	return path + "?" + q.Encode()
}

// openPool opens a database/sql pool of at most conns connections and makes
// one, so a bad path or an unreadable file is reported by Open.
func openPool(ctx context.Context, dsn string, conns int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	if err := db.PingContext(ctx); err != nil {
		return nil, errors.Join(err, db.Close())
	}
	return db, nil
}

// Migrate applies the embedded migrations that the database lacks.
func (s *Store) Migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("sqlite: migrations: %w", err)
	}
	// The provider runs on the write pool: migrations are writes. It is
	// not closed afterwards, because closing it would close that pool.
	p, err := goose.NewProvider(goose.DialectSQLite3, s.write, fsys,
		goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// Ping reports whether both pools can reach the database file.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return translate("ping", err)
	}
	if err := s.write.PingContext(ctx); err != nil {
		return translate("ping", err)
	}
	return nil
}

// Close closes both pools. The WAL is checkpointed into the database file
// when the last connection closes.
func (s *Store) Close() error {
	return errors.Join(s.reads.close(), s.writes.close(), s.read.Close(), s.write.Close())
}

// DBs are the store's two pools by role, "write" and "read", for the pool
// metrics; nothing else should use them.
func (s *Store) DBs() map[string]*sql.DB {
	return map[string]*sql.DB{"write": s.write, "read": s.read}
}

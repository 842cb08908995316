// Package postgres is the auth.Store on PostgreSQL (pgx v5 and its pool),
// the store for several replicas behind a load balancer, with its schema as
// goose migrations embedded in the binary.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/authd/authd/internal/auth"
)

// migrations holds the schema, versioned like the SQLite store's.
//
//go:embed migrations/*.sql
var migrations embed.FS

// defaultConnectTimeout bounds making a connection when the URL sets no
// connect_timeout (or 0, which would mean no bound at all). pgxpool makes connections detached from the context of
// the call that asked for one, so without it a server that accepts but
// never answers would hold pool slots for as long as TCP lets it, and a
// dead server would hang Open.
const defaultConnectTimeout = 5 * time.Second

// Store is an auth.Store on a PostgreSQL database. Unlike SQLite, PostgreSQL
// takes concurrent writers itself, so one pool serves reads and writes.
type Store struct {
	pool *pgxpool.Pool
}

var _ auth.Store = (*Store)(nil)

// Open connects to the database at url with a pool of at most maxConns
// connections and checks that the server answers. It does not apply
// migrations: call Migrate. Errors never quote the password in url.
func Open(ctx context.Context, url string, maxConns int32) (*Store, error) {
	if maxConns < 1 {
		return nil, fmt.Errorf("postgres: max connections is %d, must be at least 1", maxConns)
	}
	cfg, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = maxConns
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connection pool: %w", err)
	}
	// The pool connects lazily; Ping makes the first connection, so a
	// wrong host, database or password is reported here, not at the first
	// request. pgx's connect errors name the user and database, never
	// the password.
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect to %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	return &Store{pool: pool}, nil
}

// CheckURL reports what is wrong with a connection URL, without
// connecting, so that a bad one is refused before authd acts on anything.
func CheckURL(url string) error {
	_, err := parseURL(url)
	return err
}

// parseURL reads a connection URL. pgx's parse errors quote the connection
// string with the password masked.
func parseURL(url string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: connection URL: %w", err)
	}
	return cfg, nil
}

// Migrate applies the embedded migrations that the database lacks, in the
// first schema of the connection's search_path (goose's version table
// too). Replicas that start together take turns: each holds an advisory
// lock while it migrates.
func (s *Store) Migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("postgres: migrations: %w", err)
	}
	var schema string
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(current_schema(), '')`).Scan(&schema); err != nil {
		return fmt.Errorf("postgres: migrate: current schema: %w", err)
	}
	if schema == "" {
		return errors.New("postgres: migrate: no schema of the search_path exists")
	}
	// The lock is per schema, so that databases sharing a server (one
	// schema per test, say) do not wait for each other; goose's default
	// lock ID would serialise them all.
	locker, err := lock.NewPostgresSessionLocker(
		lock.WithLockID(migrationLockID(schema)),
		lock.WithLockTimeout(1, 300), // retry every second, for five minutes
	)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	// goose speaks database/sql; this *sql.DB borrows the pool's
	// connections, and closing it leaves the pool open.
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithDisableGlobalRegistry(true),
		goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// migrationLockID is the advisory lock key for migrating schema.
func migrationLockID(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("authd migrate " + schema))
	return int64(h.Sum64())
}

// Ping reports whether the server answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return translate("ping", err)
	}
	return nil
}

// Close closes the pool, waiting for connections in use to be returned.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Stat is the connection pool's current statistics, for the pool metrics.
func (s *Store) Stat() *pgxpool.Stat { return s.pool.Stat() }

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/config"
	"github.com/authd/authd/internal/logging"
	"github.com/authd/authd/internal/otp"
	"github.com/authd/authd/internal/password"
	"github.com/authd/authd/internal/store/postgres"
	"github.com/authd/authd/internal/store/sqlite"
	"github.com/authd/authd/internal/token"
)

// usageError is a mistake in how authd was called or configured: exit 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// run is the whole program; main only supplies the process's context,
// arguments, environment and streams, so tests can start authd in-process.
// It runs the command of the table (commands.go) that args name, serve
// when they name none. "--help" prints the usage and succeeds.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	table := commands()
	cmd, rest := table[0], args
	if len(args) > 0 {
		switch args[0] {
		case "-h", "-help", "--help":
			return printUsage(stderr, table)
		}
		var found bool
		for _, c := range table {
			if c.name == args[0] {
				cmd, rest, found = c, args[1:], true
			}
		}
		if !found {
			return &usageError{errors.New(usageLine(table))}
		}
	}
	// Standard input is the process's own: only the operator commands
	// read it (a password), and their tests run the built binary.
	err := cmd.run(ctx, call{args: rest, getenv: getenv, stdout: stdout, stderr: stderr, stdin: os.Stdin, flags: cmd.flagSet(stderr)})
	switch {
	case errors.Is(err, flag.ErrHelp):
		// The command's flag set has printed its usage, as asked.
		return nil
	case errors.Is(err, errUsage):
		return &usageError{errors.New(usageLine(table))}
	}
	return err
}

// configure loads the configuration and the signing keys it names: what
// every command that opens the store needs first. A mistake in either is
// a usage error, found before the store is opened or changed (the key
// file beside a SQLite database is made here on the first start).
func configure(getenv func(string) string) (config.Config, keyring, error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return config.Config{}, keyring{}, &usageError{err}
	}
	if cfg.DB.Driver == "postgres" {
		// config knows only the scheme (it uses the standard library
		// only); the driver reads the rest, before anything is opened.
		if err := postgres.CheckURL(cfg.DB.DSN); err != nil {
			return config.Config{}, keyring{}, &usageError{&config.Error{Var: "AUTHD_DATABASE_URL", Problem: err.Error()}}
		}
	}
	ring, err := signingKeys(cfg)
	var u *usageError
	if err != nil && !errors.As(err, &u) {
		err = &usageError{err}
	}
	return cfg, ring, err
}

// store is what run needs of a database: the auth.Store plus migrations.
type store interface {
	auth.Store
	Migrate(ctx context.Context) error
}

// openStore opens the database db names; config has already refused any
// other driver.
func openStore(ctx context.Context, db config.DB) (store, error) {
	switch db.Driver {
	case "postgres":
		return postgres.Open(ctx, db.DSN, db.MaxConns)
	default:
		return sqlite.Open(ctx, db.DSN)
	}
}

// deps is what the commands that use the store (serve, migrate, user)
// share: the configuration and keys, the log, and the store, open and
// migrated.
type deps struct {
	cfg  config.Config
	keys token.Keys
	log  *slog.Logger
	st   store
}

// openDeps configures (see configure), logs to logOut, and opens the store
// and brings its schema up to date: every command that uses the store
// applies the migrations first. The caller closes d.st.
func openDeps(ctx context.Context, getenv func(string) string, logOut io.Writer) (deps, error) {
	cfg, ring, err := configure(getenv)
	if err != nil {
		return deps{}, err
	}
	log := logging.New(logOut, cfg.Log.Level)
	logKeys(ctx, logging.For(log, "main"), ring)
	st, err := openStore(ctx, cfg.DB)
	if err != nil {
		return deps{}, err
	}
	if err := st.Migrate(ctx); err != nil {
		// The migration's error is the one worth reporting.
		_ = st.Close()
		return deps{}, fmt.Errorf("migrate: %w", err)
	}
	return deps{cfg: cfg, keys: ring.keys, log: log, st: st}, nil
}

// newHasher is the bcrypt hasher of the Hash group: its cost and pool.
func newHasher(h config.Hash) (*password.Hasher, error) {
	hasher, err := password.NewHasher(h.Cost, password.Pool{Workers: h.Workers, Queue: h.Queue, MaxWait: h.MaxWait})
	if err != nil {
		return nil, fmt.Errorf("password hasher: %w", err)
	}
	return hasher, nil
}

// coreDeps are the use cases' dependencies for cfg, on st; obs may be nil.
func coreDeps(cfg config.Config, keys token.Keys, st auth.Store, hasher *password.Hasher, log *slog.Logger, obs auth.Observer) (auth.Deps, error) {
	tokens, err := token.NewTokens(keys, cfg.Tokens.Issuer, cfg.Tokens.AccessTTL, time.Now)
	if err != nil {
		return auth.Deps{}, err
	}
	return auth.Deps{
		Store: st, Hasher: hasher,
		// The common-password set is built here, once per process, and
		// only read after (about 11,600 entries; see password.NewCommonList).
		Common: password.NewCommonList(),
		Tokens: tokens.Access, Refresh: tokens.Refresh, Data: keys.Data(),
		TOTP: otp.TOTP{Issuer: cfg.MFA.Issuer},
		Policy: auth.SessionPolicy{RefreshTTL: cfg.Sessions.RefreshTTL, MaxAge: cfg.Sessions.MaxAge,
			ReuseGrace: cfg.Sessions.ReuseGrace, MaxPerUser: cfg.Sessions.MaxPerUser},
		Throttle:       throttle(cfg.Throttle, keys.Data()),
		Observer:       obs,
		Log:            logging.For(log, "auth"),
		Now:            time.Now,
		AuditRetention: cfg.Sessions.AuditRetention,
	}, nil
}

// throttle is the throttling policy of t. Its record keys derive from the
// data key (auth.ThrottleKeys): replicas configured alike share counts, a
// signing-key rotation keeps them, and the key is not in the database
// whose table it hashes.
func throttle(t config.Throttle, data auth.DataKeys) auth.Throttle {
	return auth.Throttle{
		PairFreeFailures:   t.PairFreeFailures,
		AccountMaxFailures: t.AccountMaxFailures,
		IPMaxFailures:      t.IPMaxFailures,
		RegisterIPMax:      t.RegisterIPMax,
		Keys:               auth.ThrottleKeys(data),
	}
}

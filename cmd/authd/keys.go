package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/authd/authd/internal/config"
	"github.com/authd/authd/internal/token"
)

// keyring is the keys authd runs with and where they came from, for the
// start-up log.
type keyring struct {
	keys token.Keys
	// file is the key file beside the SQLite database, when that is where
	// the keys are; created says this start wrote it.
	file    string
	created bool
	// memory says the keys are the process's own: the database is in
	// memory, so there is nowhere to keep them.
	memory bool
}

// signingKeys picks the keys the configuration asks for (API.md, Signing
// keys): the AUTHD_JWT_KEYS file, else the HS256 AUTHD_JWT_SECRET, else
// the key file beside the SQLite database, made on the first start. With
// PostgreSQL one of the settings is required: replicas must share keys,
// and there is no file beside the database. A bad key file is an error
// naming the variable, or the default file, like every other setting.
func signingKeys(cfg config.Config) (keyring, error) {
	switch {
	case cfg.Tokens.Keys != nil:
		keys, err := token.ParseKeys(cfg.Tokens.Keys)
		if err != nil {
			return keyring{}, &config.Error{Var: "AUTHD_JWT_KEYS", Problem: err.Error()}
		}
		return keyring{keys: keys}, nil
	case cfg.Tokens.Secret != nil:
		keys, err := token.SecretKeys(cfg.Tokens.Secret)
		if err != nil {
			return keyring{}, &config.Error{Var: "AUTHD_JWT_SECRET", Problem: err.Error()}
		}
		return keyring{keys: keys}, nil
	case cfg.DB.Driver == "postgres":
		return keyring{}, &config.Error{Var: "AUTHD_JWT_KEYS",
			Problem: `must be set with PostgreSQL: every replica must sign with the same keys; make a key file with "authd keys generate -o FILE" (or set AUTHD_JWT_SECRET for HS256)`}
	case inMemory(cfg.DB.DSN):
		keys, err := token.GenerateKeys(token.AlgEdDSA)
		return keyring{keys: keys, memory: true}, err
	}
	return defaultKeys(keyFilePath(cfg.DB.DSN))
}

// defaultKeys reads the key file at path, or makes it with one Ed25519
// signing key and one data key when there is none. Of two processes that
// start at once, one writes the file and both use it.
func defaultKeys(path string) (keyring, error) {
	b, err := readKeyFile(path)
	created := false
	if errors.Is(err, fs.ErrNotExist) {
		b, err = newKeySet(token.AlgEdDSA)
		if err == nil {
			err = createKeyFile(path, b)
			created = err == nil
		}
		if errors.Is(err, fs.ErrExist) {
			// Another process made it first: its keys are the keys.
			b, err = readKeyFile(path)
		}
	}
	if err != nil {
		return keyring{}, keyFileError(path, err)
	}
	keys, err := token.ParseKeys(b)
	if err != nil {
		return keyring{}, keyFileError(path, err)
	}
	return keyring{keys: keys, file: path, created: created}, nil
}

// newKeySet is a new private JWK Set as "authd keys generate" writes it.
func newKeySet(alg string) ([]byte, error) {
	keys, err := token.GenerateKeys(alg)
	if err != nil {
		return nil, err
	}
	b, err := keys.MarshalPrivate()
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// logKeys says at start where the keys are and what a missing data key
// costs; never a key.
func logKeys(ctx context.Context, log *slog.Logger, r keyring) {
	switch {
	case r.created:
		log.InfoContext(ctx, "key file created beside the database: back it up, apart from the database", slog.String("key_file", r.file))
	case r.file != "":
		log.InfoContext(ctx, "key file loaded", slog.String("key_file", r.file))
	case r.memory:
		log.WarnContext(ctx, "the database is in memory: signing with keys of this process only; tokens will not survive a restart")
	}
	if !r.keys.Data().CanSeal() {
		log.WarnContext(ctx, `the key file has no data key: a signing-key rotation resets throttle counts, and two-factor enrolment will answer 501 NOT_CONFIGURED; add the oct key of "authd keys generate" to the file`)
	}
}

// runKeys is "authd keys generate [--alg EdDSA|ES256] [-o FILE]": a new
// private JWK Set (one signing key, one data key), ready to be the
// AUTHD_JWT_KEYS file, on stdout or written to FILE with mode 0600. An
// existing FILE is never overwritten: it may be the only copy of the keys
// every token and sealed secret depends on.
func runKeys(_ context.Context, c call) error {
	alg := c.flags.String("alg", token.AlgEdDSA, "signing algorithm: EdDSA (Ed25519) or ES256 (P-256)")
	out := c.flags.String("o", "", "write the key set to this new `file` (mode 0600) instead of stdout")
	if _, err := firstVerb(c, "generate"); err != nil {
		return err
	}
	if err := c.flags.Parse(c.args[1:]); err != nil {
		return &usageError{err}
	}
	if c.flags.NArg() > 0 {
		return errUsage
	}
	if *alg != token.AlgEdDSA && *alg != token.AlgES256 {
		return &usageError{fmt.Errorf("--alg %q: use %s or %s", *alg, token.AlgEdDSA, token.AlgES256)}
	}
	b, err := newKeySet(*alg)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = c.stdout.Write(b)
		return err
	}
	err = createKeyFile(*out, b)
	if errors.Is(err, fs.ErrExist) {
		return &usageError{fmt.Errorf("-o %s: the file exists; authd never overwrites a key file (remove it first if you mean to)", *out)}
	}
	if err != nil {
		return &usageError{fmt.Errorf("-o %s: %w", *out, err)}
	}
	return nil
}

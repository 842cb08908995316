package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/authd/authd/internal/config"
	"github.com/authd/authd/internal/token"
)

// signingKeys picks the keys the configuration asks for (API.md, Signing
// keys): the AUTHD_JWT_KEYS file, else the HS256 AUTHD_JWT_SECRET, else a
// new Ed25519 key of this process, so "go run ./cmd/authd" just works. A
// bad key file is an error naming the variable, like every other setting.
func signingKeys(cfg config.Tokens) (token.Keys, error) {
	switch {
	case cfg.Keys != nil:
		keys, err := token.ParseKeys(cfg.Keys)
		if err != nil {
			return token.Keys{}, &config.Error{Var: "AUTHD_JWT_KEYS", Problem: err.Error()}
		}
		return keys, nil
	case cfg.Secret != nil:
		keys, err := token.SecretKeys(cfg.Secret)
		if err != nil {
			return token.Keys{}, &config.Error{Var: "AUTHD_JWT_SECRET", Problem: err.Error()}
		}
		return keys, nil
	}
	return token.GenerateKeys(token.AlgEdDSA)
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
	keys, err := token.GenerateKeys(*alg)
	if err != nil {
		return err
	}
	b, err := keys.MarshalPrivate()
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if *out == "" {
		_, err = c.stdout.Write(b)
		return err
	}
	if err := createKeyFile(*out, b); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return &usageError{fmt.Errorf("-o %s: the file exists; authd never overwrites a key file (remove it first if you mean to)", *out)}
		}
		return err
	}
	return nil
}

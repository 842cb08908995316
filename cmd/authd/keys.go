package main

import (
	"context"
	"fmt"

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

// runKeys is "authd keys generate [--alg EdDSA|ES256]": a new private JWK
// Set on stdout, ready to be the AUTHD_JWT_KEYS file.
func runKeys(_ context.Context, c call) error {
	alg := c.flags.String("alg", token.AlgEdDSA, "signing algorithm: EdDSA (Ed25519) or ES256 (P-256)")
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
	_, err = fmt.Fprintf(c.stdout, "%s\n", b)
	return err
}

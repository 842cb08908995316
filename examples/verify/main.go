// Command verify shows how another service checks authd's access tokens
// offline: it fetches authd's public keys once (the JWKS), then verifies a
// token with the key its kid names, pinning the algorithm to that key, and
// checks iss, exp and type as authd does.
//
//	go run ./examples/verify -url http://localhost:8080 <access token>
//
// A real service keeps the key set (Cache-Control allows 5 minutes) and
// fetches it again when a token names a kid it does not know, which is how
// it learns of a rotated key.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, time.Now); err != nil {
		fmt.Fprintln(os.Stderr, "verify:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer, now func() time.Time) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	url := fs.String("url", "http://localhost:8080", "authd's base URL")
	issuer := fs.String("issuer", "authd", "the iss authd writes (AUTHD_JWT_ISSUER)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: verify [-url URL] [-issuer ISS] <access token>")
	}
	keys, err := fetchKeys(ctx, *url+"/.well-known/jwks.json")
	if err != nil {
		return err
	}
	claims, err := verify(keys, *issuer, fs.Arg(0), now)
	if err != nil {
		return err
	}
	// amr and aal say how the login was made (["pwd"], aal1; with a
	// second factor ["pwd","otp"], aal2): a service may require aal2.
	_, err = fmt.Fprintf(stdout, "valid: user %s (%s), expires %s, amr %v, aal %v\n",
		claims["sub"], claims["username"], expiry(claims), claims["amr"], claims["aal"])
	return err
}

// fetchKeys reads authd's JWK Set.
func fetchKeys(ctx context.Context, url string) (jose.JSONWebKeySet, error) {
	var set jose.JSONWebKeySet
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return set, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return set, fmt.Errorf("fetch keys: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return set, fmt.Errorf("fetch keys: %s", res.Status)
	}
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<20)).Decode(&set); err != nil {
		return set, fmt.Errorf("fetch keys: %w", err)
	}
	return set, nil
}

// verify checks raw the way authd does: the kid must name a published key,
// the algorithm is that key's (never the one the token claims, so "none" or
// HS256 keyed with the public key cannot pass), the signature must hold,
// iss must be authd's, exp must be present and in the future, and type
// must be "access" (authd's refresh tokens are never bearer tokens).
func verify(keys jose.JSONWebKeySet, issuer, raw string, now func() time.Time) (jwt.MapClaims, error) {
	claims := jwt.MapClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		kid, _ := t.Header["kid"].(string)
		found := keys.Key(kid)
		if len(found) != 1 || !found[0].IsPublic() {
			return nil, fmt.Errorf("no published key with kid %q", kid)
		}
		if t.Method.Alg() != found[0].Algorithm {
			return nil, fmt.Errorf("token alg %s, key %q is %s", t.Method.Alg(), kid, found[0].Algorithm)
		}
		return found[0].Key, nil
	},
		jwt.WithValidMethods([]string{"EdDSA", "ES256"}),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(now),
	)
	if err != nil {
		return nil, err
	}
	if claims["type"] != "access" {
		return nil, fmt.Errorf("a %v token, not an access token", claims["type"])
	}
	return claims, nil
}

func expiry(c jwt.MapClaims) string {
	exp, err := c.GetExpirationTime()
	if err != nil || exp == nil {
		return "never"
	}
	return exp.UTC().Format(time.RFC3339)
}

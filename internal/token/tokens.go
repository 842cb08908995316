package token

import (
	"fmt"
	"time"
)

// Tokens are the access-token issuer and the refresh-token minter of one
// key set: the one place that builds both, so run(), the tests and the
// load generator cannot derive the refresh MAC keys differently.
type Tokens struct {
	Access  *Issuer
	Refresh *Refresher
}

// NewTokens builds the issuer of access tokens (issuer is the iss claim)
// and the refresher, whose MAC keys derive from keys (Keys.MACKeys). now is
// time.Now outside tests; nil means time.Now.
func NewTokens(keys Keys, issuer string, accessTTL time.Duration, now func() time.Time) (Tokens, error) {
	access, err := NewIssuer(keys, issuer, accessTTL, now)
	if err != nil {
		return Tokens{}, fmt.Errorf("token issuer: %w", err)
	}
	macKeys, err := keys.MACKeys()
	if err != nil {
		return Tokens{}, fmt.Errorf("refresh tokens: %w", err)
	}
	refresh, err := NewRefresher(macKeys)
	if err != nil {
		return Tokens{}, fmt.Errorf("refresh tokens: %w", err)
	}
	return Tokens{Access: access, Refresh: refresh}, nil
}

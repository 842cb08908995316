package token

import (
	"crypto/elliptic"
	"errors"
	"math/big"
)

// ECDSA signatures are malleable: (r, s) verifies exactly when (r, n−s)
// does, since verification (SEC 1 §4.1.4) checks s only against the group
// order n. So every ES256 token would have a second spelling, made without
// the key, that is not the token authd issued, which the HS256 and EdDSA
// paths never allow (HMAC and RFC 8032 verification have one signature per
// message). authd signs with the low s (at most n/2, as Bitcoin's BIP 62
// does) and refuses the high one. A verifier that accepts both still
// accepts every token authd issues.

// es256SigLen is r‖s, each 32 bytes (RFC 7518 §3.4).
const es256SigLen = 64

// errHighS is Parse's reason for the second spelling.
var errHighS = errors.New("ECDSA signature with a high s (not the spelling authd writes)")

// lowS reports whether the s half of an ES256 signature is at most n/2.
func lowS(sig []byte) bool {
	if len(sig) != es256SigLen {
		return true // not a signature; Verify refuses its length
	}
	half := new(big.Int).Rsh(elliptic.P256().Params().N, 1)
	return new(big.Int).SetBytes(sig[32:]).Cmp(half) <= 0
}

// toLowS rewrites a valid ES256 signature in place to its low-s spelling.
func toLowS(sig []byte) {
	if lowS(sig) {
		return
	}
	s := new(big.Int).SetBytes(sig[32:])
	s.Sub(elliptic.P256().Params().N, s).FillBytes(sig[32:])
}

package token

import (
	"crypto/sha256"
	"sync"
)

// verifiedMax bounds the verified set: 4096 entries of a hash and a few
// short strings, about 1 MiB. A token minted by authd is the only way in (a
// string whose signature fails is never added), and every token costs its
// client a login or a refresh, so the set cannot be flooded cheaply.
const verifiedMax = 4096

// verified remembers tokens whose signature an Ed25519 or P-256 key has
// verified: the SHA-256 of the exact string, with the claims decoded from
// it. A client sends its access token on every call for the token's whole
// life, and verifying it (~50 µs for Ed25519, more for ECDSA) cost more
// than the rest of /auth/me: with the set, each token is verified and
// decoded once per process, then looked up.
//
// Only the signature check and the decoding are remembered, which depend
// on nothing but the string: Parse validates the claims (exp, iss, type,
// sid, sub) of every token on every call, so a remembered token still
// expires to the second. The key is a hash of the exact string, so another
// spelling of a token is never a hit, and the process keeps no usable token
// in memory. HS256 does not use the set: its HMAC costs less than the hash.
type verified struct {
	mu  sync.RWMutex
	set map[[sha256.Size]byte]claims
}

// newVerified starts the set empty and lets it grow: sized for verifiedMax
// up front it held about 600 kB from start-up, most of an idle process's
// heap, even under HS256, which never uses it.
func newVerified() *verified {
	return &verified{set: make(map[[sha256.Size]byte]claims)}
}

func (v *verified) get(sum [sha256.Size]byte) (claims, bool) {
	v.mu.RLock()
	c, ok := v.set[sum]
	v.mu.RUnlock()
	return c, ok
}

// add remembers sum and its claims; when the set is full it forgets one
// entry first, an arbitrary one (Go's map order), which is cheap and good
// enough: a forgotten token is only verified once more.
func (v *verified) add(sum [sha256.Size]byte, c claims) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.set) >= verifiedMax {
		for old := range v.set {
			delete(v.set, old)
			break
		}
	}
	v.set[sum] = c
}

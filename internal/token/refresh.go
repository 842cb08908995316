package token

// Refresh tokens are opaque strings, never JWTs. The design, and why:
//
// A refresh token names a session and a position in that session's chain
// of rotations: token = base64url(version ‖ sid ‖ counter ‖ MAC), where
// sid is the session's 128 random bits, counter (8 bytes, big-endian) says
// how often the session has been refreshed, and MAC is HMAC-SHA256 under a
// server key over the version, sid and counter. The database keeps only
// the session's sid and current counter: no hash of the token, nothing that
// works as a refresh token if the database leaks, and nothing per token to
// write or delete. Only the server, holding the key, can produce the token
// for a (sid, counter), so a token is as strong as HMAC-SHA256 with a
// 256-bit key, and the sid's 128 random bits keep sessions unguessable.
//
// The MAC is deterministic: the token of (sid, c) is always the same
// string. That is what lets parallel refreshes converge: a refresh of
// counter c advances the stored counter to c+1 with one compare-and-swap,
// and a racing refresh of the same c, inside the reuse grace, is answered
// with the token of c+1 — the very string the winner got — without storing
// it. Whether a counter is current, just spent or replayed is decided in
// package auth from the stored facts; this file only mints and reads.
//
// The MAC keys come from the signing keys (Keys.MACKeys): one per signing
// key, in the same order, each derived from that key's private material
// (the AUTHD_JWT_SECRET, or the Ed25519 seed or P-256 scalar of a key in
// AUTHD_JWT_KEYS) with HKDF-SHA256 (RFC 5869) under a fixed label. So the
// access-token signature and the refresh-token MAC never share a key, and
// the MAC key is only as secret as the signing key, which is secret anyway.
// A Refresher holds the list: the first mints, every one verifies, so
// rotating the signing keys (a new key first, the old one kept for a
// while) never logs anyone out. They stay with the signing keys, not the
// data key: a refresh token is as long-lived as the key that verifies the
// access tokens of its session.

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/authd/authd/internal/auth"
)

// refreshVersion is the first byte of every refresh token; a new format
// takes a new byte, and a token of another format is refused.
const refreshVersion byte = 1

const (
	macBytes      = sha256.Size
	refreshBytes  = 1 + auth.SessionIDBytes + 8 + macBytes
	refreshKeyLen = 32
	// refreshKeyInfo labels the HKDF output, so the same secret used for
	// another purpose can never yield this key.
	refreshKeyInfo = "authd refresh-token MAC key v1"
)

// RefreshLen is the length of every refresh token: the unpadded base64url
// of its 57 bytes, which fill whole 4-character groups.
const RefreshLen = refreshBytes / 3 * 4

// Refresher mints and verifies refresh tokens. It is safe for concurrent
// use: nothing in it changes after NewRefresher.
type Refresher struct {
	keys [][]byte
	b64  *base64.Encoding
}

// MACKeys derives the refresh-token MAC keys from the signing keys, one
// per key in their order; this is the one place that decides where refresh
// keys come from.
func (ks Keys) MACKeys() ([][]byte, error) {
	if len(ks.list) == 0 {
		return nil, errors.New("token: refresh keys: no signing keys")
	}
	out := make([][]byte, 0, len(ks.list))
	for _, k := range ks.list {
		mk, err := hkdf.Key(sha256.New, k.material, nil, refreshKeyInfo, refreshKeyLen)
		if err != nil {
			return nil, fmt.Errorf("token: refresh key: %w", err)
		}
		out = append(out, mk)
	}
	return out, nil
}

// NewRefresher takes the MAC keys: the first mints, every one verifies.
func NewRefresher(keys [][]byte) (*Refresher, error) {
	if len(keys) == 0 {
		return nil, errors.New("token: refresher: no key")
	}
	own := make([][]byte, len(keys))
	for n, k := range keys {
		if len(k) < refreshKeyLen {
			return nil, fmt.Errorf("token: refresher: key %d is %d bytes, want at least %d", n, len(k), refreshKeyLen)
		}
		own[n] = append([]byte(nil), k...)
	}
	return &Refresher{keys: own, b64: base64.RawURLEncoding.Strict()}, nil
}

// Mint returns the refresh token of session sid at counter. The same
// (sid, counter) always gives the same token.
func (r *Refresher) Mint(sid string, counter int64) (string, error) {
	id, err := auth.DecodeSessionID(sid)
	if err != nil || counter < 0 {
		return "", fmt.Errorf("token: mint refresh token for session %q at %d: bad session or counter", sid, counter)
	}
	buf := make([]byte, 0, refreshBytes)
	buf = append(buf, refreshVersion)
	buf = append(buf, id...)
	buf = binary.BigEndian.AppendUint64(buf, uint64(counter))
	buf = append(buf, mac(r.keys[0], buf)...)
	return r.b64.EncodeToString(buf), nil
}

// Parse verifies raw and returns its session and counter. Every error wraps
// auth.ErrTokenInvalid: a refresh token carries no expiry of its own (the session
// decides), and anything that is not exactly a token this server minted
// with one of its keys is refused, with no other spelling of it accepted.
func (r *Refresher) Parse(raw string) (auth.RefreshToken, error) {
	// The length check comes first, so a long string costs nothing; and
	// the strict decoder refuses padding, CR/LF and non-zero spare bits,
	// which a lenient one would read as the same bytes.
	if len(raw) != RefreshLen || !isBase64URL(raw) {
		return auth.RefreshToken{}, fmt.Errorf("%w: not a refresh token", auth.ErrTokenInvalid)
	}
	b, err := r.b64.DecodeString(raw)
	if err != nil || len(b) != refreshBytes {
		return auth.RefreshToken{}, fmt.Errorf("%w: refresh token encoding", auth.ErrTokenInvalid)
	}
	if b[0] != refreshVersion {
		return auth.RefreshToken{}, fmt.Errorf("%w: refresh token version %d", auth.ErrTokenInvalid, b[0])
	}
	body, sum := b[:refreshBytes-macBytes], b[refreshBytes-macBytes:]
	if !r.verify(body, sum) {
		return auth.RefreshToken{}, fmt.Errorf("%w: refresh token signature", auth.ErrTokenInvalid)
	}
	counter := binary.BigEndian.Uint64(body[1+auth.SessionIDBytes:])
	if counter > 1<<63-1 {
		return auth.RefreshToken{}, fmt.Errorf("%w: refresh token counter", auth.ErrTokenInvalid)
	}
	return auth.RefreshToken{
		SessionID: base64.RawURLEncoding.EncodeToString(body[1 : 1+auth.SessionIDBytes]),
		Counter:   int64(counter),
	}, nil
}

// verify compares sum with the MAC of body under every key, in constant
// time per key.
func (r *Refresher) verify(body, sum []byte) bool {
	for _, k := range r.keys {
		if hmac.Equal(mac(k, body), sum) {
			return true
		}
	}
	return false
}

func mac(key, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(body)
	return h.Sum(nil)
}

// isBase64URL reports whether s holds only the base64url alphabet:
// encoding/base64 skips CR and LF even in strict mode.
func isBase64URL(s string) bool {
	for _, b := range []byte(s) {
		switch {
		case 'A' <= b && b <= 'Z', 'a' <= b && b <= 'z', '0' <= b && b <= '9', b == '-', b == '_':
		default:
			return false
		}
	}
	return true
}

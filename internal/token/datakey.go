package token

// Data keys (API.md, Signing keys) are the 32-byte oct keys with
// "use": "enc" of the key file. They protect what must outlive a
// signing-key rotation: secrets the store keeps sealed (AES-256-GCM) and
// the HMAC keys of throttle records and one-time codes. The first data key
// seals and gives the HMAC keys; every one opens, so a data key can be
// rotated as a signing key is.
//
// No key is used for two jobs: the AES key and every HMAC key are
// HMAC-SHA256 of the data key (its root) under a label of their own. A
// setup without a data key derives one from its signing material: from
// AUTHD_JWT_SECRET, or from the bytes of a key file that has none. That
// root gives the very throttle key authd derived before data keys existed,
// so existing throttle records keep their keys; but it changes whenever
// the signing keys do, so such a file refuses to seal (CanSeal).

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/authd/authd/internal/auth"
	"github.com/go-jose/go-jose/v4"
)

const (
	// DataKeyBytes is the length of a data key: AES-256's key length.
	DataKeyBytes = 32
	// sealVersion is the first byte of every sealed value; a new format
	// takes a new byte.
	sealVersion byte = 1
	// sealKeyLabel and dataKeyIDLabel name what is derived from a root
	// besides the HMAC keys of auth's purposes.
	sealKeyLabel   = "authd data seal key v1"
	dataKeyIDLabel = "authd data key id v1"
)

// errSealed is Open's answer for anything that is not a value one of the
// data keys sealed with this context; it says no more, on purpose.
var errSealed = errors.New("token: the sealed value does not open with the data keys")

// dataKey is one data key with its AEAD, built once when it is loaded.
type dataKey struct {
	id   string
	root []byte
	aead cipher.AEAD
}

// DataKeys are the configured data keys in order: the first seals and
// gives the HMAC keys, every one opens. It implements auth.DataKeys and
// never changes after it is built, so it is safe for concurrent use.
type DataKeys struct {
	list []*dataKey
	// derived is true for a root derived from signing material, never
	// written to a file; sealing is false for one derived from a key file,
	// which changes at a signing-key rotation.
	derived, sealing bool
}

var _ auth.DataKeys = DataKeys{}

// newDataKey builds the key whose root is root; an empty id (a key file's
// data key without "kid", or a derived key) becomes one derived from the
// root, which names the key without revealing it.
func newDataKey(root []byte, id string) (*dataKey, error) {
	block, err := aes.NewCipher(derive(root, sealKeyLabel))
	if err != nil {
		return nil, fmt.Errorf("token: data key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("token: data key: %w", err)
	}
	if id == "" {
		id = base64.RawURLEncoding.EncodeToString(derive(root, dataKeyIDLabel)[:12])
	}
	return &dataKey{id: id, root: append([]byte(nil), root...), aead: aead}, nil
}

// derivedDataKeys are the data keys of a setup without one: a single key
// whose root is material (see the comment at the top of this file).
func derivedDataKeys(material []byte, sealing bool) (DataKeys, error) {
	k, err := newDataKey(material, "")
	if err != nil {
		return DataKeys{}, err
	}
	return DataKeys{list: []*dataKey{k}, derived: true, sealing: sealing}, nil
}

// derive is HMAC-SHA256 of label under root: a PRF, so keys derived
// under different labels are unrelated.
func derive(root []byte, label string) []byte {
	m := hmac.New(sha256.New, root)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// CanSeal implements auth.DataKeys: false when the key file holds no data key.
func (d DataKeys) CanSeal() bool { return d.sealing && len(d.list) > 0 }

// MACKey implements auth.DataKeys: the HMAC key of purpose under the
// first data key.
func (d DataKeys) MACKey(purpose string) []byte {
	if len(d.list) == 0 {
		// Only the zero value has no key; a Keys always has one.
		panic("token: MACKey of no data keys")
	}
	return derive(d.list[0].root, purpose)
}

// Seal implements auth.DataKeys. A sealed value is
// version ‖ len(kid) ‖ kid ‖ nonce ‖ AES-256-GCM ciphertext and tag; the
// kid chooses the key that opens it, and the header before the nonce is
// authenticated with context, so neither can be changed unnoticed. The
// 96-bit nonce is random: fine for far more values than authd will seal
// under one key (NIST SP 800-38D §8.3 allows 2³²).
func (d DataKeys) Seal(plain, context []byte) ([]byte, error) {
	if !d.CanSeal() {
		return nil, auth.ErrNoDataKey
	}
	k := d.list[0]
	out := make([]byte, 0, 2+len(k.id)+k.aead.NonceSize()+len(plain)+k.aead.Overhead())
	out = append(out, sealVersion, byte(len(k.id)))
	out = append(out, k.id...)
	header := len(out)
	out = append(out, make([]byte, k.aead.NonceSize())...)
	nonce := out[header:]
	// crypto/rand.Read never returns an error (Go 1.24+): it aborts instead.
	_, _ = rand.Read(nonce)
	return k.aead.Seal(out, nonce, plain, additional(out[:header], context)), nil
}

// Open implements auth.DataKeys.
func (d DataKeys) Open(sealed, context []byte) ([]byte, error) {
	if len(sealed) < 2 || sealed[0] != sealVersion || len(sealed) < 2+int(sealed[1]) {
		return nil, errSealed
	}
	header := 2 + int(sealed[1])
	id := string(sealed[2:header])
	for _, k := range d.list {
		if k.id != id {
			continue
		}
		rest := sealed[header:]
		if len(rest) < k.aead.NonceSize() {
			return nil, errSealed
		}
		nonce, body := rest[:k.aead.NonceSize()], rest[k.aead.NonceSize():]
		plain, err := k.aead.Open(nil, nonce, body, additional(sealed[:header], context))
		if err != nil {
			return nil, errSealed
		}
		return plain, nil
	}
	return nil, errSealed
}

// additional is GCM's additional data: the header, whose length is
// written in it, then the caller's context, so no two (header, context)
// pairs give the same bytes.
func additional(header, context []byte) []byte {
	return append(append([]byte(nil), header...), context...)
}

// parseDataKey reads one oct JWK of the key file, which must be a data
// key: 32 bytes, "use": "enc". An oct key meant to sign is refused: authd
// signs only with the asymmetric keys of the file (or AUTHD_JWT_SECRET).
func parseDataKey(raw []byte, use, alg string) (*dataKey, error) {
	switch use {
	case "enc":
	case "":
		return nil, errors.New(`a symmetric (oct) key without "use": a data key has "use": "enc"; authd signs only with Ed25519 or P-256 keys (AUTHD_JWT_SECRET for HS256)`)
	default:
		return nil, fmt.Errorf(`a symmetric (oct) key with "use": %q: a data key has "use": "enc"; authd signs only with Ed25519 or P-256 keys (AUTHD_JWT_SECRET for HS256)`, use)
	}
	if alg != "" && alg != "A256GCM" {
		return nil, fmt.Errorf(`data key with "alg": %q: a data key has no "alg" or "A256GCM"`, alg)
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil {
		return nil, fmt.Errorf("data key: %w", err)
	}
	secret, ok := jwk.Key.([]byte)
	if !ok || len(secret) != DataKeyBytes {
		return nil, fmt.Errorf("data key of %d bytes: a data key is exactly %d random bytes", len(secret), DataKeyBytes)
	}
	if len(jwk.KeyID) > maxKIDLen {
		return nil, fmt.Errorf("kid is %d bytes long; at most %d", len(jwk.KeyID), maxKIDLen)
	}
	return newDataKey(secret, jwk.KeyID)
}

// generateDataKey makes a new data key, named by the id newDataKey
// derives: unlike a thumbprint, not a plain hash of the secret.
func generateDataKey() (*dataKey, error) {
	secret := make([]byte, DataKeyBytes)
	// crypto/rand.Read never returns an error (Go 1.24+): it aborts instead.
	_, _ = rand.Read(secret)
	return newDataKey(secret, "")
}

// jwk is the private JWK of a data key read from or written to a file.
func (k *dataKey) jwk() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.root, KeyID: k.id, Use: "enc"}
}

package auth

import "errors"

// DataKeys are the server's data keys (API.md, Signing keys): what protects
// secrets that must outlive a signing-key rotation. Seal and Open encrypt
// what the store keeps in the clear otherwise (TOTP secrets, the tokens in
// queued mail); MACKey gives the HMAC key of one purpose (throttle records,
// one-time codes). token.DataKeys implements it.
type DataKeys interface {
	// Seal encrypts plain for storage, bound to context (say, the purpose
	// and the user id), so a sealed value moved to another row or purpose
	// does not open. ErrNoDataKey when the key file holds no data key.
	Seal(plain, context []byte) ([]byte, error)
	// Open reverses Seal with the same context, under whichever data key
	// sealed it.
	Open(sealed, context []byte) ([]byte, error)
	// MACKey is the 32-byte HMAC key of purpose, derived from the current
	// data key; two purposes never share a key.
	MACKey(purpose string) []byte
	// CanSeal is false when the key file holds no data key: the use cases
	// that store secrets then answer 501 NOT_CONFIGURED rather than seal
	// them under a key a signing-key rotation would lose.
	CanSeal() bool
}

// ErrNoDataKey is Seal's answer when no data key is configured.
var ErrNoDataKey = errors.New("no data key is configured: add one to the AUTHD_JWT_KEYS file")

// throttleKeyPurpose labels the throttle-record key among the data keys'
// purposes. It is the label the throttle key has always been derived
// under, so records stored before data keys existed keep their keys.
const throttleKeyPurpose = "authd throttle key v1"

// ThrottleKeys are the throttle-record keys of the server's data keys: a
// signing-key rotation leaves them, and so every count, unchanged.
func ThrottleKeys(keys DataKeys) AttemptKeys {
	return AttemptKeys{secret: keys.MACKey(throttleKeyPurpose)}
}

// Package recovery is the use cases that reach a user through mail:
// forgotten passwords, verified addresses, address changes. Each mailed
// request makes a one-time code (a link token and a 6-digit code, stored
// only as keyed hashes) and queues its mail in the same write; the mail
// package delivers the queue. It imports the auth core alone.
package recovery

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math/big"
	"time"

	"github.com/authd/authd/internal/auth"
)

// MaxCodeTries is how many times the code form may try one code (API.md:
// at most 5 wrong tries, then it is spent).
const MaxCodeTries = 5

// codeKeyPurpose labels the HMAC key of one-time tokens and codes among
// the data keys' purposes.
const codeKeyPurpose = "authd one-time code v1"

// codeOutcome is what a stored code is worth at a moment.
type codeOutcome int

const (
	// codeUsable: the code may be tried (the form) or spent (the link).
	codeUsable codeOutcome = iota
	// codeExpired: its lifetime is over.
	codeExpired
	// codeExhausted: the form has tried it MaxCodeTries times.
	codeExhausted
)

// decideCode is the rule of a stored one-time code at now: it expires at
// ExpiresAt (the injected clock decides), and MaxCodeTries tries of the
// code form use it up. A spent code is not decided here: it is deleted.
func decideCode(c auth.OneTimeCode, now time.Time) codeOutcome {
	switch {
	case !now.Before(c.ExpiresAt):
		return codeExpired
	case c.Tries >= MaxCodeTries:
		return codeExhausted
	}
	return codeUsable
}

// secret is a fresh link token and code, in the clear: they go only into
// the sealed mail.
type secret struct {
	token string
	code  string
}

// newSecret draws a 256-bit link token and a uniform 6-digit code.
func newSecret() (secret, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return secret{}, fmt.Errorf("one-time token: %w", err)
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return secret{}, fmt.Errorf("one-time code: %w", err)
	}
	return secret{token: base64.RawURLEncoding.EncodeToString(raw), code: fmt.Sprintf("%06d", n.Int64())}, nil
}

// hasher keys the hashes of tokens and codes; the key comes from the data
// keys, never from the database the hashes are in.
type hasher struct{ key []byte }

// token is the stored form of a link token.
func (h hasher) token(token string) []byte { return h.mac('t', []byte(token)) }

// code is the stored form of a code, bound to its token's hash so a code
// is worth nothing beside another row.
func (h hasher) code(tokenHash []byte, code string) []byte {
	return h.mac('c', append(append([]byte{}, tokenHash...), code...))
}

func (h hasher) mac(kind byte, b []byte) []byte {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte{kind})
	m.Write(b)
	return m.Sum(nil)
}

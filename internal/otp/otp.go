// Package otp is the TOTP adapter of authd: RFC 6238 codes (SHA1, 6
// digits, 30-second steps, what every authenticator app reads) over
// github.com/pquerna/otp. It knows nothing of users or stores: the core
// decides which step a code may be for and whether it was used before
// (auth.decideTOTP); this package only makes secrets and computes codes.
package otp

import (
	"fmt"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// Period is the length of a TOTP step in seconds (RFC 6238's default, and
// the only one common apps honour).
const Period = 30

// secretSize is the secret's length in bytes: 160 bits, the HMAC-SHA1
// block RFC 4226 §4 recommends.
const secretSize = 20

// TOTP makes secrets and codes; Issuer is AUTHD_MFA_ISSUER, the name an
// authenticator app shows beside the account.
type TOTP struct {
	Issuer string
}

// NewSecret returns a fresh base32 secret for account and the otpauth://
// URL that carries it to an app.
func (t TOTP) NewSecret(account string) (secret, url string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer: t.Issuer, AccountName: account, Period: Period, SecretSize: secretSize,
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", "", fmt.Errorf("generate totp secret: %w", err)
	}
	return key.Secret(), key.URL(), nil
}

// Code is the 6-digit code of secret at step (Unix time / Period). A TOTP
// code is the HOTP code of its step (RFC 6238 §4.2), so the core can ask
// for the code of any step it is willing to accept.
func (TOTP) Code(secret string, step int64) (string, error) {
	if step < 0 {
		return "", fmt.Errorf("totp step %d is negative", step)
	}
	code, err := hotp.GenerateCodeCustom(secret, uint64(step), hotp.ValidateOpts{
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", fmt.Errorf("totp code: %w", err)
	}
	return code, nil
}

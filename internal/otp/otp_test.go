package otp

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestCodeRFC6238 checks the SHA1 vectors of RFC 6238 Appendix B. The RFC
// prints 8-digit codes; a 6-digit code is the same number modulo 10^6, so
// it is the last six digits of the RFC's.
func TestCodeRFC6238(t *testing.T) {
	// base32 of the ASCII secret "12345678901234567890" of the appendix.
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	for _, tc := range []struct {
		unix int64
		want string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		t.Run(time.Unix(tc.unix, 0).UTC().Format(time.RFC3339), func(t *testing.T) {
			got, err := TOTP{}.Code(secret, tc.unix/Period)
			if err != nil {
				t.Fatal(err)
			}
			if want := tc.want[2:]; got != want {
				t.Errorf("code = %s, want %s", got, want)
			}
		})
	}
}

func TestNewSecret(t *testing.T) {
	secret, raw, err := TOTP{Issuer: "authd test"}.NewSecret("alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 32 { // 20 bytes in unpadded base32
		t.Errorf("secret %q: want 32 base32 characters", secret)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || !strings.HasSuffix(u.Path, "alice") ||
		q.Get("secret") != secret || q.Get("issuer") != "authd test" ||
		q.Get("algorithm") != "SHA1" || q.Get("digits") != "6" || q.Get("period") != "30" {
		t.Errorf("otpauth url %s does not match the contract", raw)
	}
	again, _, err := TOTP{Issuer: "authd test"}.NewSecret("alice")
	if err != nil || again == secret {
		t.Errorf("second secret %q (err %v): want a different one", again, err)
	}
	if _, err := (TOTP{}).Code(secret, -1); err == nil {
		t.Error("negative step: want an error")
	}
}

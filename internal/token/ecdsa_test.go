package token

import (
	"crypto/elliptic"
	"encoding/base64"
	"github.com/authd/authd/internal/auth"
	"math/big"
	"strings"
	"testing"
)

// TestES256SignsLowS: authd writes every ES256 signature in its low-s
// spelling (ecdsa.go), so its own tokens always pass its own check; with
// random nonces about half would otherwise be high.
func TestES256SignsLowS(t *testing.T) {
	t.Parallel()
	i := newKeyIssuer(t, generated(t, AlgES256), at(t0()))
	for range 32 {
		p, _, _ := i.Issue(auth.AccessClaims{UserID: 1, Username: "a", SessionID: testSID})
		sig, err := base64.RawURLEncoding.DecodeString(strings.Split(p, ".")[2])
		if err != nil || len(sig) != es256SigLen || !lowS(sig) {
			t.Fatalf("signature %x: %v, want 64 bytes with a low s", sig, err)
		}
		if _, err := i.Parse(p); err != nil {
			t.Fatal(err)
		}
	}
}

// highS returns raw with its ES256 signature (r, s) spelled (r, n−s), which
// ecdsa.Verify accepts as well.
func highS(t testing.TB, raw string) string {
	t.Helper()
	sig, err := base64.RawURLEncoding.DecodeString(raw[strings.LastIndexByte(raw, '.')+1:])
	if err != nil || !lowS(sig) {
		t.Fatalf("not a low-s ES256 signature: %v", err)
	}
	s := new(big.Int).SetBytes(sig[32:])
	s.Sub(elliptic.P256().Params().N, s).FillBytes(sig[32:])
	return withPart(raw, 2, base64.RawURLEncoding.EncodeToString(sig))
}

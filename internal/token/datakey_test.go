package token

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/authd/authd/internal/auth"
)

// dataJWK is a data key as the key file holds it.
func dataJWK(t testing.TB, kid string) map[string]any {
	t.Helper()
	return map[string]any{"kty": "oct", "use": "enc", "kid": kid, "k": enc(strings.Repeat(kid[:1], DataKeyBytes))}
}

func parsed(t testing.TB, data []byte) Keys {
	t.Helper()
	ks, err := ParseKeys(data)
	if err != nil {
		t.Fatalf("ParseKeys: %v\n%s", err, data)
	}
	return ks
}

// TestDataKeysRefused: an oct key in the file is a data key or an error
// that says what a data key is; a file of data keys alone cannot sign.
func TestDataKeysRefused(t *testing.T) {
	t.Parallel()
	ed := privateJWK(t, AlgEdDSA)
	dk := dataJWK(t, "d1")
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"no use", jwkSet(t, ed, without(dk, "use")), `key 2: a symmetric (oct) key without "use"`},
		{"use sig", jwkSet(t, ed, with(dk, "use", "sig")), `"use": "sig": a data key has "use": "enc"`},
		{"16 bytes", jwkSet(t, ed, with(dk, "k", enc(strings.Repeat("a", 16)))), "data key of 16 bytes"},
		{"64 bytes", jwkSet(t, ed, with(dk, "k", enc(strings.Repeat("a", 64)))), "data key of 64 bytes"},
		{"alg HS256", jwkSet(t, ed, with(dk, "alg", "HS256")), `"alg": "HS256"`},
		{"no k", jwkSet(t, ed, without(dk, "k")), "data key"},
		{"data keys only", jwkSet(t, dk), "no signing key"},
		{"kid of a signing key", jwkSet(t, with(ed, "kid", "d1"), dk), `kid "d1" is used by another key`},
		{"two data keys, one kid", jwkSet(t, ed, dk, with(dataJWK(t, "e1"), "kid", "d1")), `kid "d1" is used`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseKeys(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
	// A data key may say its algorithm.
	parsed(t, jwkSet(t, ed, with(dk, "alg", "A256GCM")))
}

// TestSealOpen: a sealed value opens with the same context under the key
// that sealed it, found by its kid, also after a rotation puts a new data
// key first; it does not open with another context, another key, or any
// byte changed; and sealing twice gives two different values.
func TestSealOpen(t *testing.T) {
	t.Parallel()
	ed := privateJWK(t, AlgEdDSA)
	old := parsed(t, jwkSet(t, ed, dataJWK(t, "a1"))).Data()
	rotated := parsed(t, jwkSet(t, ed, dataJWK(t, "b1"), dataJWK(t, "a1"))).Data()
	other := parsed(t, jwkSet(t, ed, dataJWK(t, "b1"))).Data()
	plain, ctx := []byte("JBSWY3DPEHPK3PXP"), []byte("totp\x00user 7")
	sealed, err := old.Seal(plain, ctx)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, plain) || !bytes.Contains(sealed, []byte("a1")) {
		t.Errorf("sealed = %q: want the kid in clear and the secret not", sealed)
	}
	for name, keys := range map[string]DataKeys{"same file": old, "after rotation": rotated} {
		if got, err := keys.Open(sealed, ctx); err != nil || !bytes.Equal(got, plain) {
			t.Errorf("%s: Open = %q, %v", name, got, err)
		}
	}
	again, _ := old.Seal(plain, ctx)
	if bytes.Equal(again, sealed) {
		t.Error("two seals of one value are equal: the nonce is not random")
	}
	newer, _ := rotated.Seal(plain, ctx)
	if !bytes.Contains(newer, []byte("b1")) {
		t.Errorf("after rotation the first data key does not seal: %q", newer)
	}
	refused := map[string][]byte{"empty": nil, "version only": sealed[:1], "header only": sealed[:4]}
	for i := range sealed {
		b := bytes.Clone(sealed)
		b[i] ^= 1
		refused[fmt.Sprintf("byte %d flipped", i)] = b
	}
	for name, b := range refused {
		if _, err := rotated.Open(b, ctx); err == nil {
			t.Errorf("%s: opened", name)
		}
	}
	if _, err := old.Open(sealed, []byte("totp\x00user 8")); err == nil {
		t.Error("opened with another context")
	}
	if _, err := other.Open(sealed, ctx); err == nil {
		t.Error("opened without the key that sealed it")
	}
}

// TestDerivedDataKeys: a key file without a data key derives one that
// gives MAC keys but refuses to seal, and is not written back; the HS256
// secret's derived key seals (the secret does not rotate).
func TestDerivedDataKeys(t *testing.T) {
	t.Parallel()
	file := jwkSet(t, privateJWK(t, AlgEdDSA))
	ks := parsed(t, file)
	if ks.Data().CanSeal() {
		t.Error("a file without a data key can seal")
	}
	if _, err := ks.Data().Seal([]byte("x"), nil); !errors.Is(err, auth.ErrNoDataKey) {
		t.Errorf("Seal = %v, want auth.ErrNoDataKey", err)
	}
	if b, _ := ks.MarshalPrivate(); strings.Contains(string(b), "oct") {
		t.Errorf("the derived data key was written:\n%s", b)
	}
	hs := secretKeys(t).Data()
	sealed, err := hs.Seal([]byte("x"), nil)
	if err != nil || !hs.CanSeal() {
		t.Fatalf("HS256 Seal: %v", err)
	}
	if got, err := secretKeys(t).Data().Open(sealed, nil); err != nil || string(got) != "x" {
		t.Errorf("HS256 Open after a restart: %q, %v", got, err)
	}
}

// TestThrottleKeysUnchanged: without a data key, the throttle key is the
// one authd derived before data keys existed (auth.NewAttemptKeys of the
// key file's bytes, or of the secret), so stored counts keep their keys.
func TestThrottleKeysUnchanged(t *testing.T) {
	t.Parallel()
	file := jwkSet(t, privateJWK(t, AlgEdDSA))
	if got, want := auth.ThrottleKeys(parsed(t, file).Data()), auth.NewAttemptKeys(file); !reflect.DeepEqual(got, want) {
		t.Error("key file without a data key: the throttle key changed")
	}
	if got, want := auth.ThrottleKeys(secretKeys(t).Data()), auth.NewAttemptKeys([]byte(secret)); !reflect.DeepEqual(got, want) {
		t.Error("AUTHD_JWT_SECRET: the throttle key changed")
	}
}

// TestThrottleKeysFollowTheDataKey: two files with the same data key and
// different signing keys give the same throttle key (a signing-key
// rotation keeps the counts); another data key gives another; each
// purpose has a key of its own.
func TestThrottleKeysFollowTheDataKey(t *testing.T) {
	t.Parallel()
	dk := dataJWK(t, "a1")
	a := parsed(t, jwkSet(t, privateJWK(t, AlgEdDSA), dk)).Data()
	b := parsed(t, jwkSet(t, privateJWK(t, AlgES256), privateJWK(t, AlgEdDSA), dk)).Data()
	c := parsed(t, jwkSet(t, privateJWK(t, AlgEdDSA), dataJWK(t, "b1"))).Data()
	if !reflect.DeepEqual(auth.ThrottleKeys(a), auth.ThrottleKeys(b)) {
		t.Error("a new signing key changed the throttle key")
	}
	if reflect.DeepEqual(auth.ThrottleKeys(a), auth.ThrottleKeys(c)) {
		t.Error("another data key gave the same throttle key")
	}
	if k := a.MACKey("one-time codes"); len(k) != 32 || bytes.Equal(k, a.MACKey("throttle")) {
		t.Errorf("MACKey = %x: want 32 bytes, one key per purpose", k)
	}
}

// TestPublicHasNoDataKey: the JWKS of a file with a data key lists the
// signing key alone.
func TestPublicHasNoDataKey(t *testing.T) {
	t.Parallel()
	pub, err := generated(t, AlgEdDSA).Public()
	if err != nil || len(pub) != 1 || pub[0].Kty != "OKP" {
		t.Errorf("Public = %+v, %v: want the one signing key", pub, err)
	}
}

package token

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/authd/authd/internal/config"

	"github.com/go-jose/go-jose/v4"
	"github.com/golang-jwt/jwt/v5"
)

// The algorithms authd signs with. Each key has exactly one, fixed by its
// type when the key is loaded; a token's header never chooses it.
const (
	AlgEdDSA = "EdDSA" // OKP key on Ed25519 (RFC 8037)
	AlgES256 = "ES256" // EC key on P-256 (RFC 7518 §3.4)
	AlgHS256 = "HS256" // the AUTHD_JWT_SECRET of older setups
)

// maxKIDLen bounds a key id from the file: it is repeated in every token's
// header, and tokens longer than MaxLen are refused unread.
const maxKIDLen = 128

// key is one signing key with everything Issue and Parse need of it,
// computed once when the key is loaded.
type key struct {
	id       string            // kid; empty for the HS256 secret, which has none
	method   jwt.SigningMethod // pinned by the key type
	lowS     bool              // ES256: only low-s signatures (ecdsa.go)
	signer   any               // what method.Sign takes
	verifier any               // what method.Verify takes
	// header is the base64url JOSE header authd writes with this key, and
	// the only header Parse accepts for it (see parse.go).
	header string
	public *jose.JSONWebKey // published in the JWKS; nil for the secret
	// material is the private key's bytes (Ed25519 seed, P-256 scalar, or
	// the HMAC secret), from which MACKeys derives refresh-token keys.
	material []byte
}

// Keys are the configured signing keys in order: the first signs, every
// one verifies. The zero value has no keys and is refused by NewIssuer.
// Keys never changes after it is built, so it is safe for concurrent use.
type Keys struct {
	list []*key
	// data are the file's data keys, or those derived from the signing
	// material when it has none (datakey.go).
	data DataKeys
}

// Data returns the data keys (datakey.go).
func (ks Keys) Data() DataKeys { return ks.data }

// Alg is the algorithm of the signing key, for the start-up log.
func (ks Keys) Alg() string {
	if len(ks.list) == 0 {
		return ""
	}
	return ks.list[0].method.Alg()
}

// SecretKeys is the HS256 setup: one shared secret that signs and
// verifies. It publishes no public key.
func SecretKeys(secret []byte) (Keys, error) {
	if len(secret) < config.MinSecretBytes {
		return Keys{}, fmt.Errorf("token: secret must be at least %d bytes", config.MinSecretBytes)
	}
	// A copy, so a caller that reuses its slice cannot change our key.
	s := bytes.Clone(secret)
	// The secret is the root of the data keys, as it was of the throttle
	// key, and it does not rotate: it may seal.
	data, err := derivedDataKeys(s, true)
	if err != nil {
		return Keys{}, err
	}
	return Keys{list: []*key{{method: jwt.SigningMethodHS256, signer: s, verifier: s, header: header, material: s}}, data: data}, nil
}

// ParseKeys reads a JWK Set (RFC 7517 §5) of private signing keys and data
// keys: OKP keys on Ed25519 sign with EdDSA, EC keys on P-256 with ES256,
// and oct keys of 32 bytes with "use": "enc" are data keys (datakey.go).
// Anything else is refused rather than skipped, so a typo in the file
// stops authd at start instead of leaving it with fewer keys than the
// operator meant: no signing key, a public-only key, an oct key that is
// not a data key, an RSA key, another curve, an "alg" or "use" that
// contradicts the key, or two keys with one kid. A signing key without
// "kid" gets its RFC 7638 thumbprint. A file without a data key derives
// one from its own bytes, which cannot seal (see DataKeys.CanSeal).
func ParseKeys(data []byte) (Keys, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return Keys{}, fmt.Errorf("not a JWK Set: %w", err)
	}
	if len(set.Keys) == 0 {
		return Keys{}, errors.New(`the JWK Set has no keys: generate one with "authd keys generate"`)
	}
	var ks Keys
	seen := make(map[string]bool, len(set.Keys))
	for n, raw := range set.Keys {
		id, err := parseAny(&ks, raw)
		if err != nil {
			return Keys{}, fmt.Errorf("key %d: %w", n+1, err)
		}
		if seen[id] {
			return Keys{}, fmt.Errorf("key %d: kid %q is used by another key", n+1, id)
		}
		seen[id] = true
	}
	if len(ks.list) == 0 {
		return Keys{}, errors.New(`the JWK Set has data keys but no signing key (Ed25519 or P-256): generate one with "authd keys generate"`)
	}
	if len(ks.data.list) > 0 {
		ks.data.sealing = true
		return ks, nil
	}
	// The file's bytes are the root authd derived the throttle key from
	// before data keys existed: its records keep their keys.
	derived, err := derivedDataKeys(data, false)
	if err != nil {
		return Keys{}, err
	}
	ks.data = derived
	return ks, nil
}

// jwkHead is what parseAny and parseKey look at before they parse a key,
// so each refusal can say what is wrong in the operator's terms.
type jwkHead struct {
	Kty, Crv, Alg, Use string
}

// parseAny adds the key raw holds to ks, a data key or a signing key by
// its kty, and returns its kid.
func parseAny(ks *Keys, raw json.RawMessage) (string, error) {
	var head jwkHead
	if err := json.Unmarshal(raw, &head); err != nil {
		return "", fmt.Errorf("not a JWK: %w", err)
	}
	if head.Kty == "oct" {
		k, err := parseDataKey(raw, head.Use, head.Alg)
		if err != nil {
			return "", err
		}
		ks.data.list = append(ks.data.list, k)
		return k.id, nil
	}
	k, err := parseKey(raw, head)
	if err != nil {
		return "", err
	}
	ks.list = append(ks.list, k)
	return k.id, nil
}

// parseKey reads one private signing JWK whose head has been read.
func parseKey(raw json.RawMessage, head jwkHead) (*key, error) {
	var alg string
	switch {
	case head.Kty == "OKP" && head.Crv == "Ed25519":
		alg = AlgEdDSA
	case head.Kty == "EC" && head.Crv == "P-256":
		alg = AlgES256
	case head.Kty == "OKP" || head.Kty == "EC":
		return nil, fmt.Errorf("unsupported curve %q: use Ed25519 (OKP) or P-256 (EC)", head.Crv)
	default:
		return nil, fmt.Errorf("unsupported key type %q: use OKP (Ed25519) or EC (P-256)", head.Kty)
	}
	if head.Alg != "" && head.Alg != alg {
		return nil, fmt.Errorf("alg %q does not fit a %s %s key, which signs with %s", head.Alg, head.Kty, head.Crv, alg)
	}
	if head.Use != "" && head.Use != "sig" {
		return nil, fmt.Errorf(`use %q: a signing key has use "sig" or none`, head.Use)
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil {
		return nil, fmt.Errorf("%s key: %w", alg, err)
	}
	if jwk.IsPublic() {
		return nil, errors.New(`a public key only (no "d"): the file holds private keys, which sign`)
	}
	return newKey(jwk.Key, jwk.KeyID)
}

// GenerateKeys makes one new private signing key for alg (AlgEdDSA or
// AlgES256), named by its thumbprint, and one new data key.
func GenerateKeys(alg string) (Keys, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case AlgEdDSA:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	case AlgES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return Keys{}, fmt.Errorf("token: unsupported algorithm %q: use %s or %s", alg, AlgEdDSA, AlgES256)
	}
	if err != nil {
		return Keys{}, fmt.Errorf("token: generate %s key: %w", alg, err)
	}
	k, err := newKey(priv, "")
	if err != nil {
		return Keys{}, err
	}
	dk, err := generateDataKey()
	if err != nil {
		return Keys{}, err
	}
	return Keys{list: []*key{k}, data: DataKeys{list: []*dataKey{dk}, sealing: true}}, nil
}

// newKey binds a private key to its algorithm, kid, header and public JWK,
// and proves the private and public halves belong together by signing and
// verifying a probe: go-jose does not check that an EC "d" matches its "x"
// and "y", and a mismatch would sign tokens that no verifier accepts.
func newKey(priv any, kid string) (*key, error) {
	k := &key{signer: priv}
	var err error
	switch p := priv.(type) {
	case ed25519.PrivateKey:
		k.method, k.verifier, k.material = jwt.SigningMethodEdDSA, p.Public(), p.Seed()
	case *ecdsa.PrivateKey:
		if p.Curve != elliptic.P256() {
			return nil, fmt.Errorf("unsupported curve %s: use Ed25519 or P-256", p.Curve.Params().Name)
		}
		k.method, k.verifier, k.lowS = jwt.SigningMethodES256, &p.PublicKey, true
		if k.material, err = p.Bytes(); err != nil {
			return nil, fmt.Errorf("ES256 key: %w", err)
		}
	default:
		return nil, fmt.Errorf("unsupported key %T", priv)
	}
	public := &jose.JSONWebKey{Key: k.verifier, Algorithm: k.method.Alg(), Use: "sig"}
	if kid == "" {
		thumb, err := public.Thumbprint(crypto.SHA256)
		if err != nil {
			return nil, fmt.Errorf("thumbprint: %w", err)
		}
		kid = base64.RawURLEncoding.EncodeToString(thumb)
	}
	if len(kid) > maxKIDLen {
		return nil, fmt.Errorf("kid is %d bytes long; at most %d", len(kid), maxKIDLen)
	}
	k.id, public.KeyID, k.public = kid, kid, public
	// jwt's SignedString would write the same bytes: its header is a map,
	// which encoding/json writes with sorted keys.
	h, err := json.Marshal(struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}{k.method.Alg(), kid, "JWT"})
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	k.header = base64.RawURLEncoding.EncodeToString(h)
	sig, err := k.sign("probe")
	if err == nil {
		err = k.verify("probe", sig)
	}
	if err != nil {
		return nil, fmt.Errorf("the private key does not match its public part: %w", err)
	}
	return k, nil
}

// sign signs the JWS signing input with the key's one algorithm.
func (k *key) sign(signed string) ([]byte, error) {
	sig, err := k.method.Sign(signed, k.signer)
	if err == nil && k.lowS {
		toLowS(sig)
	}
	return sig, err
}

// verify checks a signature with the key's one algorithm.
func (k *key) verify(signed string, sig []byte) error {
	if k.lowS && !lowS(sig) {
		return errHighS
	}
	return k.method.Verify(signed, sig, k.verifier)
}

// MarshalPrivate writes the keys as a JWK Set with their private parts,
// the form ParseKeys reads: what "authd keys generate" prints. Signing
// keys come first, then the data keys; a data key derived from the
// signing material is not written, since it is not a key of the file.
func (ks Keys) MarshalPrivate() ([]byte, error) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, k := range ks.list {
		if k.public == nil {
			return nil, errors.New("token: an HS256 secret is not written as a JWK")
		}
		priv := *k.public
		priv.Key = k.signer
		set.Keys = append(set.Keys, priv)
	}
	if !ks.data.derived {
		for _, k := range ks.data.list {
			set.Keys = append(set.Keys, k.jwk())
		}
	}
	return json.MarshalIndent(set, "", "  ")
}

// JWK is the public half of one verifying key, as GET /.well-known/jwks.json
// publishes it (RFC 7517 §4, RFC 8037 §2 for OKP). Y is set for EC keys only.
type JWK struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y,omitempty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
}

// Public returns the public key of every verifying key, in order; never a
// private or symmetric one (an HS256 setup publishes none). The members
// come from go-jose's encoding of the public key, so they are spelled as
// RFC 7518 and RFC 8037 spell them.
func (ks Keys) Public() ([]JWK, error) {
	out := []JWK{}
	for _, k := range ks.list {
		if k.public == nil {
			continue
		}
		b, err := k.public.MarshalJSON()
		if err != nil {
			return nil, fmt.Errorf("token: public JWK %q: %w", k.id, err)
		}
		var j JWK
		if err := json.Unmarshal(b, &j); err != nil {
			return nil, fmt.Errorf("token: public JWK %q: %w", k.id, err)
		}
		out = append(out, j)
	}
	return out, nil
}

// KID is the key id of the signing key, for the start-up log; empty for
// an HS256 secret.
func (ks Keys) KID() string {
	if len(ks.list) == 0 {
		return ""
	}
	return ks.list[0].id
}

package httpapi

import (
	"context"

	"github.com/authd/authd/internal/token"
)

// jwksPath is where the public keys are served (RFC 8414's jwks_uri).
const jwksPath = "/.well-known/jwks.json"

// jwksCacheControl lets a verifier and the proxies before it keep the key
// set for five minutes (API.md): a new key is published before it signs
// (rotation puts it in every replica's file first), so a cached set only
// lacks keys that sign nothing yet.
const jwksCacheControl = "public, max-age=300"

// JWKBody is the public half of one key that verifies authd's access tokens.
type JWKBody struct {
	Kty string `json:"kty" enum:"OKP,EC" example:"OKP" doc:"Key type: OKP (Ed25519) or EC (P-256)."`
	Crv string `json:"crv" enum:"Ed25519,P-256" example:"Ed25519"`
	X   string `json:"x" example:"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo" doc:"Public key (Ed25519) or x coordinate (P-256), base64url."`
	Y   string `json:"y,omitempty" doc:"y coordinate, base64url; EC keys only."`
	Kid string `json:"kid" example:"kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k" doc:"Key id, as in the kid header of the tokens it verifies."`
	Alg string `json:"alg" enum:"EdDSA,ES256" example:"EdDSA"`
	Use string `json:"use" enum:"sig" example:"sig"`
}

// JWKSBody is the answer of GET /.well-known/jwks.json: a JWK Set (RFC 7517 §5).
type JWKSBody struct {
	Keys []JWKBody `json:"keys" nullable:"false" doc:"Every key that verifies access tokens; empty when authd signs with an HS256 secret, which is never published."`
}

type jwksOutput struct {
	CacheControl string `header:"Cache-Control" example:"public, max-age=300" doc:"public, max-age=300"`
	Body         JWKSBody
}

func handleJWKS(keys []token.JWK) func(context.Context, *struct{}) (*jwksOutput, error) {
	body := JWKSBody{Keys: make([]JWKBody, 0, len(keys))}
	for _, k := range keys {
		body.Keys = append(body.Keys, JWKBody(k))
	}
	return func(context.Context, *struct{}) (*jwksOutput, error) {
		return &jwksOutput{CacheControl: jwksCacheControl, Body: body}, nil
	}
}

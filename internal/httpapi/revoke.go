package httpapi

import (
	"context"

	"github.com/authd/authd/internal/auth"
)

// RevokeForm is the form-encoded body of POST /auth/revoke (RFC 7009 §2.1).
type RevokeForm struct {
	Token         string `json:"token" doc:"A refresh token or an access token: either ends its session. Any other value is answered 200 too."`
	TokenTypeHint string `json:"token_type_hint,omitempty" enum:"refresh_token,access_token" doc:"Which kind token is, tried first; the other kind is tried after it."`
}

// revokeOutput is RFC 7009 §2.2's answer: 200 with no body.
type revokeOutput struct{}

// handleRevoke is RFC 7009 revocation. The answer is the same 200 whatever
// the token was (§2.2: an invalid token is no error, and the client could
// do nothing about it); only a missing token, a request that is not a
// form, and a store failure are errors. Parameters it does not read are
// ignored (§2.1), an unknown hint included.
func handleRevoke(svc *auth.Service) func(context.Context, *jsonInput) (*revokeOutput, error) {
	form := newFormBody[RevokeForm]()
	return func(ctx context.Context, in *jsonInput) (*revokeOutput, error) {
		if _, err := mediaType(in.contentType, mediaForm); err != nil {
			return nil, err
		}
		f, err := form.decode(in.RawBody)
		if err != nil {
			return nil, asTokenFailure(err)
		}
		if f.Token == "" {
			return nil, asTokenFailure(fieldProblem("token", "token is required"))
		}
		if err := svc.Revoke(ctx, f.Token, f.TokenTypeHint, in.client); err != nil {
			return nil, asTokenFailure(err)
		}
		return &revokeOutput{}, nil
	}
}

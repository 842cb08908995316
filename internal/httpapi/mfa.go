package httpapi

import (
	"context"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/mfa"
)

// EnrolRequest starts TOTP enrolment.
type EnrolRequest struct {
	Password string `json:"password" example:"correct-horse-battery" doc:"The current password."`
}

// EnrolBody is the new secret, for an authenticator app.
type EnrolBody struct {
	Secret     string `json:"secret" example:"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" doc:"Base32 (RFC 4648) secret, for typing in."`
	OTPAuthURL string `json:"otpauth_url" example:"otpauth://totp/authd:alice?algorithm=SHA1&digits=6&issuer=authd&period=30&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" doc:"The same secret as a URL for a QR code."`
}

// MFACodeRequest is a second factor: a TOTP code, or a recovery code where
// the operation says so.
type MFACodeRequest struct {
	Code string `json:"code" example:"123456" doc:"A 6-digit TOTP code (or, to turn two-factor off or get new recovery codes, a recovery code)."`
}

// RecoveryCodesBody is a set of recovery codes, shown this once.
type RecoveryCodesBody struct {
	RecoveryCodes []string `json:"recovery_codes" example:"[\"ABCD-EFGH-JKLM\"]" doc:"Ten single-use codes; store them safely."`
}

// MFALoginRequest is the second step of a login.
type MFALoginRequest struct {
	MFAToken     string `json:"mfa_token" doc:"The mfa_token of the MFA_REQUIRED answer."`
	Code         string `json:"code,omitempty" example:"123456" doc:"A 6-digit TOTP code. Give this or recovery_code."`
	RecoveryCode string `json:"recovery_code,omitempty" example:"ABCD-EFGH-JKLM" doc:"A recovery code. Give this or code."`
}

type enrolOutput struct {
	CacheControl string `header:"Cache-Control" example:"no-store" doc:"no-store: the secret must not be cached."`
	Body         EnrolBody
}

type recoveryCodesOutput struct {
	CacheControl string `header:"Cache-Control" example:"no-store" doc:"no-store: the codes must not be cached."`
	Body         RecoveryCodesBody
}

// bearerBody authenticates the caller and decodes a JSON body of b.
func bearerBody[T any](ctx context.Context, svc *auth.Service, b jsonBody[T], in *bearerJSONInput) (auth.Caller, T, error) {
	var zero T
	c, err := authenticate(ctx, svc, in.authorization)
	if err != nil {
		return auth.Caller{}, zero, err
	}
	if _, err := mediaType(in.contentType, mediaJSON); err != nil {
		return auth.Caller{}, zero, err
	}
	req, err := b.decode(in.RawBody)
	return c, req, err
}

func handleEnrolTOTP(svc *auth.Service, m *mfa.Service) func(context.Context, *bearerJSONInput) (*enrolOutput, error) {
	body := newJSONBody[EnrolRequest]()
	return func(ctx context.Context, in *bearerJSONInput) (*enrolOutput, error) {
		c, req, err := bearerBody(ctx, svc, body, in)
		if err != nil {
			return nil, err
		}
		en, err := m.Enrol(ctx, c, req.Password, auth.Client{IP: clientIPText(ctx)})
		if err != nil {
			return nil, err
		}
		return &enrolOutput{CacheControl: "no-store", Body: EnrolBody{Secret: en.Secret, OTPAuthURL: en.OTPAuthURL}}, nil
	}
}

func handleConfirmTOTP(svc *auth.Service, m *mfa.Service) func(context.Context, *bearerJSONInput) (*recoveryCodesOutput, error) {
	body := newJSONBody[MFACodeRequest]()
	return func(ctx context.Context, in *bearerJSONInput) (*recoveryCodesOutput, error) {
		c, req, err := bearerBody(ctx, svc, body, in)
		if err != nil {
			return nil, err
		}
		codes, err := m.Confirm(ctx, c, req.Code, auth.Client{IP: clientIPText(ctx)})
		if err != nil {
			return nil, err
		}
		return &recoveryCodesOutput{CacheControl: "no-store", Body: RecoveryCodesBody{RecoveryCodes: codes}}, nil
	}
}

func handleDisableTOTP(svc *auth.Service, m *mfa.Service) func(context.Context, *bearerJSONInput) (*struct{}, error) {
	body := newJSONBody[MFACodeRequest]()
	return func(ctx context.Context, in *bearerJSONInput) (*struct{}, error) {
		c, req, err := bearerBody(ctx, svc, body, in)
		if err != nil {
			return nil, err
		}
		return nil, m.Disable(ctx, c, req.Code, auth.Client{IP: clientIPText(ctx)})
	}
}

func handleRecoveryCodes(svc *auth.Service, m *mfa.Service) func(context.Context, *bearerJSONInput) (*recoveryCodesOutput, error) {
	body := newJSONBody[MFACodeRequest]()
	return func(ctx context.Context, in *bearerJSONInput) (*recoveryCodesOutput, error) {
		c, req, err := bearerBody(ctx, svc, body, in)
		if err != nil {
			return nil, err
		}
		codes, err := m.RegenerateRecoveryCodes(ctx, c, req.Code, auth.Client{IP: clientIPText(ctx)})
		if err != nil {
			return nil, err
		}
		return &recoveryCodesOutput{CacheControl: "no-store", Body: RecoveryCodesBody{RecoveryCodes: codes}}, nil
	}
}

func handleLoginMFA(svc *auth.Service, m *mfa.Service) func(context.Context, *jsonInput) (*loginOutput, error) {
	body := newJSONBody[MFALoginRequest]()
	return func(ctx context.Context, in *jsonInput) (*loginOutput, error) {
		if _, err := mediaType(in.contentType, mediaJSON); err != nil {
			return nil, err
		}
		req, err := body.decode(in.RawBody)
		if err != nil {
			return nil, err
		}
		s, err := m.Login(ctx, mfa.LoginInput{MFAToken: req.MFAToken, Code: req.Code, RecoveryCode: req.RecoveryCode, Client: in.client})
		if err != nil {
			return nil, err
		}
		out := newSessionOutput(s, svc.Instant())
		return &loginOutput{CacheControl: out.CacheControl, Body: out.Body}, nil
	}
}

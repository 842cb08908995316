package httpapi

import (
	"context"

	"github.com/authd/authd/internal/auth"
	"github.com/authd/authd/internal/auth/recovery"
)

// ForgotRequest is the body of POST /auth/password/forgot.
type ForgotRequest struct {
	Username string `json:"username,omitempty" example:"alice" doc:"A username, or an email address (as at login). Give username or email."`
	Email    string `json:"email,omitempty" example:"alice@example.com"`
}

// ResetRequest is the body of POST /auth/password/reset: the token of a
// reset link, or the email and the code of the mail.
type ResetRequest struct {
	Token       string `json:"token,omitempty" maxLength:"128" doc:"The token after #token= in the reset link."`
	Email       string `json:"email,omitempty" example:"alice@example.com" doc:"With code: the address the mail went to."`
	Code        string `json:"code,omitempty" example:"123456" doc:"With email: the 6-digit code of the mail."`
	NewPassword string `json:"new_password" doc:"The new password (register rules)."`
}

// VerifyRequest is the body of POST /auth/email/verify.
type VerifyRequest struct {
	Token string `json:"token,omitempty" maxLength:"128" doc:"The token after #token= in the verification link."`
	Email string `json:"email,omitempty" example:"alice@example.com" doc:"With code: the address the mail went to."`
	Code  string `json:"code,omitempty" example:"123456" doc:"With email: the 6-digit code of the mail."`
}

// ChangeEmailRequest is the body of POST /auth/email.
type ChangeEmailRequest struct {
	NewEmail string `json:"new_email" example:"alice@example.org"`
	Password string `json:"password" doc:"The current password."`
	Code     string `json:"code,omitempty" doc:"With two-factor on: a TOTP code or a recovery code (without: 401 MFA_REQUIRED)."`
}

// AcceptedBody answers a request whose mail is queued (202).
type AcceptedBody struct {
	Detail string `json:"detail"`
}

type acceptedOutput struct {
	Body AcceptedBody
}

// forgotDetail is the one answer of a forgot request, whatever account
// it names (API.md, Password recovery).
const forgotDetail = "If an account matches, a message with a reset link is on its way."

// The answers of a resend and of an address change.
const (
	resendDetail = "Unless the address is verified already, a verification message is on its way."
	changeDetail = "A confirmation message is on its way to the new address; the address changes once it is confirmed."
)

// exampleMailToken stands for the token of a mailed link in the examples.
const exampleMailToken = "q3Zk8yP1b0xVfWc2nQe7RtUa9sDgHjKl4mNoBpCvXiY"

// notConfigured is the answer of every mail endpoint while mail is off.
func notConfigured(rec *recovery.Service) error {
	if rec == nil {
		return auth.Fail(auth.CodeNotConfigured, nil)
	}
	return nil
}

// mailBody is the JSON body of a mail endpoint's request, once mail is
// known to be on: 501 comes before any complaint about the body.
func mailBody[T any](rec *recovery.Service, body jsonBody[T], contentType string, raw []byte) (T, error) {
	var zero T
	if err := notConfigured(rec); err != nil {
		return zero, err
	}
	if _, err := mediaType(contentType, mediaJSON); err != nil {
		return zero, err
	}
	return body.decode(raw)
}

func handleForgot(rec *recovery.Service) func(context.Context, *jsonInput) (*acceptedOutput, error) {
	body := newJSONBody[ForgotRequest]()
	return func(ctx context.Context, in *jsonInput) (*acceptedOutput, error) {
		req, err := mailBody(rec, body, in.contentType, in.RawBody)
		if err != nil {
			return nil, err
		}
		if err := rec.Forgot(ctx, recovery.ForgotInput{Username: req.Username, Email: req.Email, Client: in.client}); err != nil {
			return nil, err
		}
		return &acceptedOutput{Body: AcceptedBody{Detail: forgotDetail}}, nil
	}
}

func handleReset(rec *recovery.Service) func(context.Context, *jsonInput) (*struct{}, error) {
	body := newJSONBody[ResetRequest]()
	return func(ctx context.Context, in *jsonInput) (*struct{}, error) {
		req, err := mailBody(rec, body, in.contentType, in.RawBody)
		if err != nil {
			return nil, err
		}
		return nil, rec.Reset(ctx, recovery.ResetInput{Token: req.Token, Email: req.Email, Code: req.Code,
			NewPassword: req.NewPassword, Client: in.client})
	}
}

func handleVerify(rec *recovery.Service) func(context.Context, *jsonInput) (*struct{}, error) {
	body := newJSONBody[VerifyRequest]()
	return func(ctx context.Context, in *jsonInput) (*struct{}, error) {
		req, err := mailBody(rec, body, in.contentType, in.RawBody)
		if err != nil {
			return nil, err
		}
		return nil, rec.Verify(ctx, recovery.VerifyInput{Token: req.Token, Email: req.Email, Code: req.Code, Client: in.client})
	}
}

func handleResend(svc *auth.Service, rec *recovery.Service) func(context.Context, *bearerInput) (*acceptedOutput, error) {
	return func(ctx context.Context, in *bearerInput) (*acceptedOutput, error) {
		c, err := authenticate(ctx, svc, in.authorization)
		if err != nil {
			return nil, err
		}
		if err := notConfigured(rec); err != nil {
			return nil, err
		}
		if err := rec.Resend(ctx, c, auth.Client{IP: clientIPText(ctx)}); err != nil {
			return nil, err
		}
		return &acceptedOutput{Body: AcceptedBody{Detail: resendDetail}}, nil
	}
}

func handleChangeEmail(svc *auth.Service, rec *recovery.Service) func(context.Context, *bearerJSONInput) (*acceptedOutput, error) {
	body := newJSONBody[ChangeEmailRequest]()
	return func(ctx context.Context, in *bearerJSONInput) (*acceptedOutput, error) {
		c, err := authenticate(ctx, svc, in.authorization)
		if err != nil {
			return nil, err
		}
		req, err := mailBody(rec, body, in.contentType, in.RawBody)
		if err != nil {
			return nil, err
		}
		err = rec.ChangeEmail(ctx, c, recovery.ChangeEmailInput{NewEmail: req.NewEmail, Password: req.Password, Code: req.Code, Client: auth.Client{IP: clientIPText(ctx)}})
		if err != nil {
			return nil, err
		}
		return &acceptedOutput{Body: AcceptedBody{Detail: changeDetail}}, nil
	}
}

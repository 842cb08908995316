package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/authd/authd/internal/auth"
)

// The examples of the OpenAPI document. ReDoc and Swagger UI show these
// rather than samples built from the schemas, which would combine every
// field (a login with username, email and password at once, which authd
// refuses). Each request example is one authd accepts and each answer one it
// could give: TestDocumentedExamplesWork sends every request example of the
// document to a real server, registering the example user first, and
// compares the answer with the documented ones.

// The example user, in every example that names one.
const (
	exampleUsername = "alice"
	exampleEmail    = "alice@example.com"
	examplePassword = "correct-horse-battery"
	// exampleSessionID is the example session's id (the sid claim).
	exampleSessionID = "3q2-7wYk1mXo0dS5aQ9h-A"
	// exampleAccessToken stands for an access token: an EdDSA JWT, shortened.
	exampleAccessToken = "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxIiwidXNlcm5hbWUiOiJhbGljZSJ9.c2lnbmF0dXJl"
)

// exampleUser is the example user just after registering, or after a login
// that came later; the times agree with the UserBody schema's examples.
func exampleUser(loggedIn bool) UserBody {
	created := time.Date(2026, 11, 28, 10, 30, 45, 0, time.UTC)
	u := UserBody{ID: 1, Username: exampleUsername, Email: exampleEmail, IsActive: true, Roles: []string{}, CreatedAt: created, UpdatedAt: created}
	if loggedIn {
		login := created.Add(17 * time.Second)
		u.UpdatedAt, u.LastLogin = login, &login
	}
	return u
}

func exampleTokens() TokenBody {
	return TokenBody{AccessToken: exampleAccessToken, RefreshToken: exampleRefreshToken, TokenType: "bearer", ExpiresIn: 900}
}

// exampleMetadata is the discovery document of authd at
// https://auth.example.com with AUTHD_JWT_ISSUER set to that URL.
func exampleMetadata() MetadataBody {
	const base = "https://auth.example.com"
	return MetadataBody{
		Issuer: base, TokenEndpoint: base + tokenPath, JWKSURI: base + jwksPath, RevocationEndpoint: base + revokePath,
		GrantTypesSupported:               []string{grantPassword, grantRefresh},
		TokenEndpointAuthMethodsSupported: []string{"none"}, RevocationEndpointAuthMethodsSupported: []string{"none"},
		ResponseTypesSupported: []string{},
	}
}

// operationExamples are the examples of one operation: one JSON body per
// way of calling it, and its success answers.
type operationExamples struct {
	method, path string
	requests     map[string]any
	status       int
	answers      map[string]any
}

// documentExamples puts the request and answer examples of each operation
// in the document. Error answers get theirs from addErrors.
func (s *Server) documentExamples() error {
	login := SessionBody{User: exampleUser(true), TokenBody: exampleTokens()}
	examplesList := []operationExamples{
		{http.MethodPost, "/auth/register",
			map[string]any{"new account": RegisterRequest{Username: exampleUsername, Email: exampleEmail, Password: examplePassword}},
			http.StatusCreated, map[string]any{"registered": SessionBody{User: exampleUser(false), TokenBody: exampleTokens()}}},
		{http.MethodPost, tokenPath,
			map[string]any{
				"by username": LoginRequest{Username: exampleUsername, Password: examplePassword},
				"by email":    LoginRequest{Email: exampleEmail, Password: examplePassword},
			},
			http.StatusOK, map[string]any{"login": login, "refresh grant": exampleTokens()}},
		{http.MethodPost, "/auth/refresh",
			map[string]any{"refresh token": RefreshRequest{RefreshToken: exampleRefreshToken}},
			http.StatusOK, map[string]any{"new pair": exampleTokens()}},
		{http.MethodGet, "/auth/me", nil, http.StatusOK, map[string]any{"logged in": exampleUser(true), "just registered": exampleUser(false)}},
		{http.MethodPost, "/auth/logout",
			map[string]any{
				"this session":     LogoutRequest{Scope: "current"},
				"every session":    LogoutRequest{Scope: "all"},
				"by refresh token": LogoutRequest{RefreshToken: exampleRefreshToken},
			},
			http.StatusNoContent, nil},
		{http.MethodGet, "/auth/sessions", nil, http.StatusOK, map[string]any{"one session": SessionList{Sessions: []SessionInfo{{
			ID:        exampleSessionID,
			CreatedAt: exampleUser(false).CreatedAt, LastUsedAt: time.Date(2026, 11, 28, 11, 2, 10, 0, time.UTC),
			ExpiresAt: time.Date(2026, 12, 5, 11, 2, 10, 0, time.UTC),
			IP:        "203.0.113.7", UserAgent: "Mozilla/5.0", Current: true, AAL: "aal1",
		}}}}},
		{http.MethodPost, "/auth/password",
			map[string]any{"new password": PasswordRequest{CurrentPassword: examplePassword, NewPassword: "staple-battery-horse-correct"}},
			http.StatusNoContent, nil},
		{http.MethodPost, "/auth/password/forgot",
			map[string]any{"by email": ForgotRequest{Email: exampleEmail}, "by username": ForgotRequest{Username: exampleUsername}},
			http.StatusAccepted, map[string]any{"queued, or not": AcceptedBody{Detail: forgotDetail}}},
		{http.MethodPost, "/auth/password/reset",
			map[string]any{
				"link token": ResetRequest{Token: exampleMailToken, NewPassword: "staple-battery-horse-correct"},
				"code":       ResetRequest{Email: exampleEmail, Code: "493027", NewPassword: "staple-battery-horse-correct"},
			},
			http.StatusNoContent, nil},
		{http.MethodPost, "/auth/email/verify",
			map[string]any{"link token": VerifyRequest{Token: exampleMailToken}, "code": VerifyRequest{Email: exampleEmail, Code: "493027"}},
			http.StatusNoContent, nil},
		{http.MethodPost, "/auth/email/verify/resend", nil, http.StatusAccepted,
			map[string]any{"queued": AcceptedBody{Detail: resendDetail}}},
		{http.MethodPost, "/auth/email",
			map[string]any{"new address": ChangeEmailRequest{NewEmail: "alice@example.org", Password: examplePassword}},
			http.StatusAccepted, map[string]any{"queued": AcceptedBody{Detail: changeDetail}}},
		{http.MethodPost, "/auth/mfa/totp",
			map[string]any{"password": EnrolRequest{Password: examplePassword}},
			http.StatusOK, map[string]any{"new secret": EnrolBody{Secret: exampleTOTPSecret,
				OTPAuthURL: "otpauth://totp/authd:" + exampleUsername + "?algorithm=SHA1&digits=6&issuer=authd&period=30&secret=" + exampleTOTPSecret}}},
		{http.MethodPost, "/auth/mfa/totp/confirm",
			map[string]any{"first code": MFACodeRequest{Code: "492039"}},
			http.StatusOK, map[string]any{"recovery codes": exampleRecoveryCodes()}},
		{http.MethodDelete, "/auth/mfa/totp",
			map[string]any{"totp code": MFACodeRequest{Code: "492039"}},
			http.StatusNoContent, nil},
		{http.MethodPost, "/auth/mfa/recovery-codes",
			map[string]any{"totp code": MFACodeRequest{Code: "492039"}},
			http.StatusOK, map[string]any{"recovery codes": exampleRecoveryCodes()}},
		{http.MethodPost, "/auth/login/mfa",
			map[string]any{
				"totp code":     MFALoginRequest{MFAToken: exampleMFAToken, Code: "492039"},
				"recovery code": MFALoginRequest{MFAToken: exampleMFAToken, RecoveryCode: "K7QD-M2XA-PV4R"},
			},
			http.StatusOK, map[string]any{"login": login}},
		{http.MethodGet, "/.well-known/jwks.json", nil, http.StatusOK, map[string]any{"one Ed25519 key": JWKSBody{Keys: []JWKBody{{
			Kty: "OKP", Crv: "Ed25519", X: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
			Kid: "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", Alg: "EdDSA", Use: "sig",
		}}}}},
		{http.MethodGet, metadataPath, nil, http.StatusOK, map[string]any{"discovery": exampleMetadata()}},
		{http.MethodGet, "/health", nil, http.StatusOK, map[string]any{
			"healthy":  HealthBody{Status: "ok", Version: "v1.2.3", Checks: map[string]string{"database": "ok", "circuit_breaker": "closed"}},
			"degraded": HealthBody{Status: "degraded", Version: "v1.2.3", Checks: map[string]string{"database": "error", "circuit_breaker": "open"}},
		}},
		{http.MethodGet, "/health/ready", nil, http.StatusOK, map[string]any{"ready": ReadyBody{Status: "ready"}}},
	}
	for _, d := range append(examplesList, adminExamples()...) {
		op, err := s.operation(d.method, d.path)
		if err != nil {
			return fmt.Errorf("document examples: %w", err)
		}
		if d.requests != nil {
			if op.RequestBody == nil || op.RequestBody.Content[mediaJSON] == nil {
				return fmt.Errorf("document examples: %s %s takes no JSON body", d.method, d.path)
			}
			op.RequestBody.Content[mediaJSON].Examples = examples(d.requests)
		}
		if d.answers == nil {
			continue // no body to show
		}
		r := op.Responses[fmt.Sprint(d.status)]
		if r == nil || r.Content[mediaJSON] == nil {
			return fmt.Errorf("document examples: %s %s has no JSON %d", d.method, d.path, d.status)
		}
		r.Content[mediaJSON].Examples = examples(d.answers)
	}
	return nil
}

func examples(values map[string]any) map[string]*huma.Example {
	out := make(map[string]*huma.Example, len(values))
	for name, v := range values {
		out[name] = &huma.Example{Summary: name, Value: v}
	}
	return out
}

// exampleError is the example body of an error code. The VALIDATION_ERROR
// one is made by the decoder itself, so it is an answer every operation
// with a body can give.
func exampleError(code auth.Code) errorBody {
	e := errorBody{
		Detail:    exampleDetail(code),
		ErrorCode: code,
		Timestamp: time.Date(2026, 11, 28, 10, 30, 45, 0, time.UTC),
		RequestID: "550e8400-e29b-41d4-a716-446655440000",
	}
	if code == auth.CodeValidation {
		ae := auth.AsError(unknownField("nickname"))
		e.Detail = ae.Detail
		for _, f := range ae.Fields {
			e.Errors = append(e.Errors, fieldError{Field: f.Field, Message: f.Message})
		}
	}
	return e
}

// exampleDetail is the detail an example body of code shows: the detail
// the code's usual source gives, which is the table's default except where
// that source says more.
func exampleDetail(code auth.Code) string {
	switch code {
	case auth.CodeUnsupportedMedia:
		return "Content-Type must be application/json"
	case auth.CodeNotReady:
		return "Not ready: database"
	}
	return code.Detail()
}

// exampleTOTPSecret and exampleMFAToken stand for what the server makes:
// the examples test replaces them (and computes the codes) on a live server.
const (
	exampleTOTPSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	exampleMFAToken   = "nE8WbQ2vFJ0r3mI6h9tYpC5xKz1LdU7aSgHoRjVwXe4"
)

// exampleRecoveryCodes is the answer of a confirmation or a regeneration.
func exampleRecoveryCodes() RecoveryCodesBody {
	return RecoveryCodesBody{RecoveryCodes: []string{"K7QD-M2XA-PV4R", "B3NH-W6YF-TC2L", "Q5ZJ-E7KS-MA3D",
		"X2PR-H4VB-NW6G", "F6TL-C3QJ-YK7E", "R4MW-Z5DA-LH2P", "J7XC-P3TN-VE5B", "G2KY-S6RM-DQ4W", "W5BE-N7HZ-TA3K", "L3VQ-J2XF-MC6R"}}
}
